"""The primary rules, declared once with their parameters: when a cell may not be shown on its own.

A cell is withheld when it covers fewer than ``MIN_PERSONS`` distinct persons or fewer than
``MIN_BUSINESSES`` distinct businesses, when the p% rule fails (the second-largest business,
knowing its own value, could estimate the largest within ``P_PERCENT``: the rest of the cell
is less than p% of the largest), or when one person makes more than ``PERSON_DOMINANCE`` of
it. An order statistic, growth rate or ratio is shown only when it rests on at least
``MIN_CONTRIBUTORS`` contributors, and rounded. After the primary rules, every cell that breaks
one must keep an interval of at least +-``PROTECTION`` of its value against an attacker who
solves linear programs over everything published that period (``audit``); the complements
withheld beside it break no rule, and need it only with ``PROTECT_COMPLEMENTS``.
"""

from __future__ import annotations

import polars as pl

MIN_PERSONS = 5
MIN_BUSINESSES = 3
P_PERCENT = 0.15
PERSON_DOMINANCE = 0.5
MIN_CONTRIBUTORS = 10
PROTECTION = 0.15
# Whether complements (cells that break no rule) need the protection too: the products then lose
# almost everything (BENCHMARKS.md), as every complement asks complements of its own.
PROTECT_COMPLEMENTS = False

RULE = (
    f"cell shown only with >= {MIN_PERSONS} persons and >= {MIN_BUSINESSES} businesses, the p% rule at "
    f"p = {P_PERCENT:.0%} for businesses and no person above {PERSON_DOMINANCE:.0%} of it; medians, growth rates "
    f"and ratios only over >= {MIN_CONTRIBUTORS} contributors, rounded; cells withheld for a rule keep +-{PROTECTION:.0%} "
    "against a linear-programming attack on every product of the month together"
)

# The columns a cube carries for the rules (see cube.py): lower bounds of the distinct counts,
# upper bounds of the largest contributions, and what the contributions are a part of.
PERSONS, BUSINESSES, MOVED = "_persons", "_businesses", "_moved"
CONTRIBUTIONS, TOP1, TOP12, TOP_PERSON = "_contributions", "_top1", "_top12", "_top_person"


def primary_reason(columns: set[str]) -> pl.Expr:
    """The first rule a cell breaks (internal: only ``suppressed`` is published), else null."""
    total = pl.col(CONTRIBUTIONS)
    tests = [
        (PERSONS, pl.col(PERSONS) < MIN_PERSONS, "persons"),
        (BUSINESSES, pl.col(BUSINESSES) < MIN_BUSINESSES, "businesses"),
        (TOP1, (total > 0) & ((total - pl.col(TOP12)) < P_PERCENT * pl.col(TOP1)), "p_percent"),
        (TOP_PERSON, (total > 0) & (pl.col(TOP_PERSON) > PERSON_DOMINANCE * total), "person_dominance"),
    ]
    reason = pl.lit(None, dtype=pl.String)
    for _column, broken, name in reversed([t for t in tests if t[0] in columns]):
        reason = pl.when(broken.fill_null(False)).then(pl.lit(name)).otherwise(reason)
    return reason


def statistic_shown(contributors: list[str]) -> pl.Expr:
    """An order statistic, growth rate or ratio rests on enough contributors."""
    enough = pl.lit(True)
    for column in contributors:
        enough = enough & (pl.col(column).fill_null(0) >= MIN_CONTRIBUTORS)
    return enough


def rounded(value: pl.Expr, digits: int | None = None, significant: int | None = None) -> pl.Expr:
    """Ratios to ``digits`` decimals; amounts to ``significant`` digits (a median of 1,234,567 -> 1,230,000)."""
    if significant is not None:
        magnitude = value.abs().log10().floor().fill_nan(0)
        unit = (10.0 ** (magnitude - significant + 1)).clip(lower_bound=1)
        return ((value / unit).round() * unit).cast(pl.Int64)
    return value.round(digits or 0)
