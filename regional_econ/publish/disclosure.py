"""Disclosure control for everything published (DESIGN section 7).

A cell is shown only if it covers at least 5 distinct persons and 3 distinct businesses and
no single business makes up more than 85% of it (primary suppression). Then, along every
line of the table (all cells that differ in one dimension only), a line never holds exactly
one suppressed cell: a reader who knows the line's total could subtract the published
cells and recover it, so the smallest other cell of that line is suppressed too (secondary
suppression), repeated until no line needs more. A suppressed cell keeps its dimensions,
its values become null, and ``suppressed``/``suppression`` say so and why.

Lines are taken over the cells that exist: a combination with no spending is not a cell.
"""

from __future__ import annotations

import polars as pl

from regional_econ.marts import Disclosure

MIN_PERSONS = 5
MIN_BUSINESSES = 3
MAX_DOMINANCE = 0.85
RULE = (
    f"cell shown only with >= {MIN_PERSONS} distinct persons, >= {MIN_BUSINESSES} distinct businesses and no business "
    f"above {MAX_DOMINANCE:.0%} of it; secondary suppression leaves no line with exactly one suppressed cell"
)


def primary_reason(d: Disclosure) -> pl.Expr:
    """Why a cell is withheld on its own; a count the mart does not have (None) is not tested."""
    tests = [
        (d.persons, lambda c: pl.col(c) < MIN_PERSONS, "persons"),
        (d.businesses, lambda c: pl.col(c) < MIN_BUSINESSES, "businesses"),
        (d.dominance, lambda c: pl.col(c).fill_null(0) > MAX_DOMINANCE, "dominance"),
    ]
    reason = pl.lit(None, dtype=pl.String)
    for column, broken, name in reversed([t for t in tests if t[0]]):
        reason = pl.when(broken(column)).then(pl.lit(name)).otherwise(reason)
    return reason


def secondary(frame: pl.DataFrame, line_dims: tuple[str, ...], weight: str, fixed: tuple[str, ...] = ("month",)) -> pl.DataFrame:
    """Suppress more cells until no line holds exactly one suppressed cell (``suppression`` column).

    The cell added to a line is its unsuppressed cell of least absolute ``weight`` (ties by
    position, so the result is deterministic).
    """
    frame = frame.with_row_index("_cell")
    while True:
        added = []
        for dim in line_dims:
            line = [*[c for c in fixed if c in frame.columns], *[d for d in line_dims if d != dim]]
            per_line = pl.col("suppression").is_not_null().sum().over(line)
            candidates = (
                frame.filter((per_line == 1) & pl.col("suppression").is_null())
                .with_columns(_w=pl.col(weight).abs())
                .sort("_w", "_cell")
                .group_by(line, maintain_order=True)
                .first()
            )
            added.append(candidates["_cell"])
        cells = pl.concat(added).unique() if added else pl.Series([], dtype=pl.UInt32)
        if cells.is_empty():
            return frame.drop("_cell")
        frame = frame.with_columns(
            suppression=pl.when(pl.col("_cell").is_in(cells.implode())).then(pl.lit("secondary")).otherwise("suppression")
        )


def protect(mart: pl.DataFrame, d: Disclosure) -> pl.DataFrame:
    """The publishable version of a mart: dims, values (null where suppressed), suppression flags."""
    frame = mart.with_columns(suppression=primary_reason(d))
    frame = secondary(frame, d.line_dims, weight=d.values[0])
    suppressed = pl.col("suppression").is_not_null()
    return frame.select(
        *d.dims,
        *[pl.when(suppressed).then(None).otherwise(pl.col(v)).alias(v) for v in d.values],
        suppressed.alias("suppressed"),
        "suppression",
    )


def recoverable_cells(published: pl.DataFrame, line_dims: tuple[str, ...], fixed: tuple[str, ...] = ("month",)) -> pl.DataFrame:
    """Suppressed cells alone among several cells of some line (what ``protect`` must never publish).

    A line of a single cell cannot be protected by suppressing another cell of it; such a
    cell is withheld, and its line's total is not published.
    """
    alone = []
    for dim in line_dims:
        line = [*[c for c in fixed if c in published.columns], *[x for x in line_dims if x != dim]]
        in_line = pl.len().over(line)
        alone.append(published.filter(pl.col("suppressed") & (pl.col("suppressed").sum().over(line) == 1) & (in_line > 1)))
    return pl.concat(alone).unique() if alone else published.clear()
