"""The row gate: types each row by its contract and splits a delivery into staged and quarantined.

Every rule is a vectorized Polars expression built from the contract's column declarations
(required, type, pattern, range, domain, ref, unique) and its row rules (SQL predicates), so
one definition serves the gate, the centers' check, the docs and the GX export. A
quarantined row keeps its original text, every rule it broke, its file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from regional_econ.contracts import Column, Contract, rules
from regional_econ.gate.errors import LINE_COLUMN, RULES_COLUMN, SOURCE_COLUMN
from regional_econ.periods import period_end, period_label

REPEAT_COLUMN = "_repeat_"  # prepared deliveries: the row repeats an earlier row's key
TRUE_WORDS = ("true", "True", "TRUE", "Y", "y", "1")
FALSE_WORDS = ("false", "False", "FALSE", "N", "n", "0")


@dataclass
class GateResult:
    staged: pl.DataFrame  # typed contract columns
    quarantined: pl.DataFrame  # original text, rules broken, file, line
    broken_by_rule: dict[str, int] = field(default_factory=dict)
    records: int | None = None  # rows counted in the file itself, independently of the parser

    @property
    def received(self) -> int:
        return self.staged.height + self.quarantined.height

    def rows_in_period_share(self, contract: Contract) -> float | None:
        """Share of the rows whose period column is in the period (None: the feed has no period column)."""
        rule = rules.period_rule(contract)
        if rule is None or not self.received:
            return None
        return 1 - self.broken_by_rule.get(rule, 0) / self.received


def raw(name: str) -> str:
    return f"_raw_{name}"


def txt(name: str) -> str:
    return f"_txt_{name}"


def shape(name: str) -> str:
    return f"_shape_{name}"


def normalized(source: pl.Expr) -> pl.Expr:
    """Text without surrounding blanks; an empty value is missing."""
    text = source.str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def parse(column: Column, source: pl.Expr | None = None) -> pl.Expr:
    """Text -> the column's type; a value that does not parse becomes null (see ``_type`` rule)."""
    text = normalized(pl.col(column.name)) if source is None else source
    if column.type == "string":
        return text.alias(column.name)
    if column.type in ("int32", "int64", "float64"):
        return text.cast(column.dtype, strict=False).alias(column.name)
    if column.type == "date":
        return text.str.to_date("%Y-%m-%d", strict=False).alias(column.name)
    if column.type == "timestamp":
        return (
            text.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_unit="us")
            .dt.convert_time_zone("Asia/Seoul")
            .alias(column.name)
        )
    if column.type == "boolean":
        return (
            pl.when(text.is_in(TRUE_WORDS))
            .then(True)
            .when(text.is_in(FALSE_WORDS))
            .then(False)
            .otherwise(None)
            .alias(column.name)
        )
    raise ValueError(f"no parser for type {column.type}")


def prepare(contract: Contract, delivered: pl.DataFrame) -> pl.DataFrame:
    """The delivery as text (``_raw_``), normalized text (``_txt_``), typed values (the column
    names) and, for patterned columns, whether the value has its declared shape (``_shape_``).

    Each is computed once and shared by the row rules and the direct-identifier scan.
    """
    if txt(contract.columns[0].name) in delivered.columns:
        return delivered
    names = contract.column_names
    frame = delivered.rename({n: raw(n) for n in names})
    frame = frame.with_columns(normalized(pl.col(raw(n))).alias(txt(n)) for n in names)
    frame = frame.with_columns(
        *[parse(c, pl.col(txt(c.name))) for c in contract.columns],
        *[pl.col(txt(c.name)).str.contains(c.pattern).alias(shape(c.name)) for c in contract.columns if c.pattern],
    )
    return frame.with_columns(_repeated_key(frame, list(contract.primary_key)).alias(REPEAT_COLUMN))


def _repeated_key(frame: pl.DataFrame, key: list[str]) -> pl.Series:
    """True on every row whose key an earlier row already had (the first row of a key is kept).

    Repeats are looked for on a 64-bit hash of the key first, and exactly only when a hash
    repeats: hashing long tokens is much cheaper than comparing them (BENCHMARKS.md).
    """
    value = pl.col(key[0]) if len(key) == 1 else pl.struct(key)
    if frame.select(value.hash().n_unique()).item() == frame.height:
        return pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True)
    return frame.select(value.is_first_distinct().not_()).to_series()


def _broken(kind: rules.ColumnRule, c: Column) -> pl.Expr:
    """True where a row breaks the column rule ``kind`` of column ``c``."""
    present, value = pl.col(txt(c.name)).is_not_null(), pl.col(c.name)
    if kind is rules.REQUIRED:
        return present.not_()
    if kind is rules.TYPE:
        return present & value.is_null()
    if kind is rules.PATTERN:
        return value.is_not_null() & pl.col(shape(c.name)).not_()
    if kind is rules.RANGE:
        low, high = c.range
        return value.is_not_null() & ((value < low) | (value > high))
    if kind is rules.DOMAIN:
        return value.is_not_null() & value.is_in(list(c.domain)).not_()
    if kind is rules.REF:
        return value.is_not_null() & value.is_in(c.allowed).not_()
    if kind is rules.MAX_LENGTH:
        return value.is_not_null() & (pl.col(raw(c.name)).str.len_chars() > c.max_length)
    if kind is rules.NO_CONTROL_CHARS:
        return pl.col(raw(c.name)).str.contains(rules.CONTROL_CHARS).fill_null(False)
    raise ValueError(f"no check for column rule {kind.kind!r}")


def out_of_period(contract: Contract, period_key: str) -> pl.Expr:
    """True where the row's period column falls outside the period ``period_key`` (null: not tested)."""
    column = contract.column(contract.period_column)
    cadence = contract.delivery.cadence
    first = date.fromisoformat(period_key)
    end = period_end(cadence, first)
    value = pl.col(column.name)
    if column.type == "timestamp":
        day = value.dt.convert_time_zone("Asia/Seoul").dt.date()
        return ~day.is_between(first, end, closed="left")
    if column.type == "date":
        return ~value.is_between(first, end, closed="left")
    return value != period_label(cadence, period_key)  # a snapshot's label: 2026-09 or 2026Q3


def column_rules(contract: Contract, period_key: str | None = None) -> list[tuple[str, pl.Expr]]:
    """(rule id, expression true where the row breaks it), over a ``prepare``d delivery.

    With ``period_key``, a row whose period column is outside the period breaks the period rule.
    """
    found = [(kind.id(c.name), _broken(kind, c)) for c in contract.columns for kind in rules.COLUMN_RULES if kind.applies(c)]
    key = list(contract.primary_key)
    # The first row of a key is kept; every repeat is quarantined.
    found.append((rules.key_rule(contract), pl.col(REPEAT_COLUMN) & pl.all_horizontal(pl.col(key).is_not_null())))
    if period_key and contract.period_column:
        found.append((rules.period_rule(contract), out_of_period(contract, period_key).fill_null(False)))
    for rule in contract.rules_at("row"):
        found.append((rule.id, pl.sql_expr(rule.holds).not_().fill_null(False)))
    return found


LookupFn = Callable[[str, pl.DataFrame], "pl.Series | None"]


def gate_rows(
    contract: Contract, delivered: pl.DataFrame, source_file: str, lookup: LookupFn | None = None, period_key: str | None = None
) -> GateResult:
    """Split a delivery read as text (``gate.read.read_delivery``) into staged and quarantined rows.

    ``lookup(rule_id, typed)`` evaluates the rules that read other periods or feeds: the
    contract's lookup rules and keys unique across periods (see ``gate.lookups``); without it
    they are not checked. ``period_key``: the period the delivery is for.
    """
    names = contract.column_names
    typed = prepare(contract, delivered)
    found = column_rules(contract, period_key)
    looked_up = [r.id for r in contract.rules_at("lookup")]
    if rules.across_periods_rule(contract):
        looked_up.insert(0, rules.across_periods_rule(contract))
    for rule_id in looked_up:
        broken = lookup(rule_id, typed) if lookup else None
        if broken is not None:
            found.append((rule_id, pl.lit(broken.fill_null(False))))
    # Every rule is evaluated once over all rows; the list of rules broken is built only for
    # the (few) rows that broke one.
    flags = [f"_rule_{i}" for i in range(len(found))]
    typed = typed.with_columns(broken.alias(flag) for flag, (_, broken) in zip(flags, found, strict=True))
    bad = pl.any_horizontal(flags)
    staged = typed.filter(bad.not_()).select(names).cast(dict(contract.schema))
    quarantined = typed.filter(bad).select(
        *[pl.col(raw(n)).alias(n) for n in names],
        pl.concat_list([pl.when(pl.col(flag)).then(pl.lit(rule_id)) for flag, (rule_id, _) in zip(flags, found, strict=True)])
        .list.drop_nulls()
        .alias(RULES_COLUMN),
        pl.lit(source_file).alias(SOURCE_COLUMN),
        LINE_COLUMN,
    )
    counts = (
        quarantined.select(pl.col(RULES_COLUMN).explode()).group_by(RULES_COLUMN).len().sort(RULES_COLUMN)
        if quarantined.height
        else pl.DataFrame({RULES_COLUMN: [], "len": []})
    )
    return GateResult(staged, quarantined, dict(zip(counts[RULES_COLUMN].to_list(), counts["len"].to_list(), strict=True)))
