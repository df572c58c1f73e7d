"""The row gate: types each row by its contract and splits a delivery into staged and quarantined.

Every rule is a vectorized Polars expression built from the contract's column declarations
(required, type, pattern, range, domain, ref, unique) and its row rules (SQL predicates), so
one definition serves the gate, the centers' check, the docs and the GX export. A
quarantined row keeps its original text, every rule it broke, its file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from regional_econ import reference
from regional_econ.contracts import Column, Contract
from regional_econ.landing import LINE_COLUMN

RULES_COLUMN = "rules_broken"
SOURCE_COLUMN = "source_file"
TRUE_WORDS = ("true", "True", "TRUE", "Y", "y", "1")
FALSE_WORDS = ("false", "False", "FALSE", "N", "n", "0")


@dataclass
class GateResult:
    staged: pl.DataFrame  # typed contract columns
    quarantined: pl.DataFrame  # original text, rules broken, file, line
    broken_by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def received(self) -> int:
        return self.staged.height + self.quarantined.height


def parse(column: Column) -> pl.Expr:
    """Text -> the column's type; a value that does not parse becomes null (see ``_type`` rule)."""
    text = pl.col(column.name).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if column.type == "string":
        return text.alias(column.name)
    if column.type in ("int32", "int64", "float64"):
        return text.cast(column.dtype, strict=False).alias(column.name)
    if column.type == "date":
        return text.str.to_date("%Y-%m-%d", strict=False).alias(column.name)
    if column.type == "timestamp":
        return (
            text.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_unit="us")
            .dt.convert_time_zone("Asia/Seoul").alias(column.name)
        )
    if column.type == "boolean":
        return (
            pl.when(text.is_in(TRUE_WORDS)).then(True).when(text.is_in(FALSE_WORDS)).then(False)
            .otherwise(None).alias(column.name)
        )
    raise ValueError(f"no parser for type {column.type}")


def reference_codes(name: str) -> list[str]:
    if name == "areas":
        return reference.leaf_areas()["sigungu_cd"].to_list()
    return reference.codes(name)


def column_rules(contract: Contract) -> list[tuple[str, pl.Expr]]:
    """(rule id, expression true where the row breaks it), over raw text ``r`` and parsed ``p``."""
    rules: list[tuple[str, pl.Expr]] = []
    for c in contract.columns:
        raw = pl.col(f"_raw_{c.name}").str.strip_chars()
        present = raw.is_not_null() & (raw != "")
        value = pl.col(c.name)
        if c.required:
            rules.append((f"{c.name}_required", present.not_()))
        if c.type != "string":
            rules.append((f"{c.name}_type", present & value.is_null()))
        if c.pattern:
            rules.append((f"{c.name}_pattern", value.is_not_null() & value.str.contains(c.pattern).not_()))
        if c.range:
            low, high = c.range
            rules.append((f"{c.name}_range", value.is_not_null() & ((value < low) | (value > high))))
        if c.domain:
            rules.append((f"{c.name}_domain", value.is_not_null() & value.is_in(list(c.domain)).not_()))
        if c.ref:
            rules.append((f"{c.name}_ref", value.is_not_null() & value.is_in(reference_codes(c.ref)).not_()))
    key = list(contract.primary_key)
    key_rule = f"{key[0]}_unique" if len(key) == 1 else "primary_key_unique"
    # The first row of a key is kept; every repeat is quarantined.
    rules.append((key_rule, pl.struct(key).is_first_distinct().not_() & pl.all_horizontal(pl.col(key).is_not_null())))
    for rule in contract.rules_at("row"):
        rules.append((rule.id, pl.sql_expr(rule.holds).not_().fill_null(False)))
    return rules


LookupFn = Callable[[str, pl.DataFrame], "pl.Series | None"]


def gate_rows(contract: Contract, raw: pl.DataFrame, source_file: str, lookup: LookupFn | None = None) -> GateResult:
    """Split a delivery read as text (``gate.read.read_delivery``) into staged and quarantined rows.

    ``lookup(rule_id, typed)`` evaluates the contract's lookup rules against other feeds
    (see ``gate.lookups``); without it they are not checked.
    """
    names = contract.column_names
    typed = raw.with_columns(pl.col(n).alias(f"_raw_{n}") for n in names).with_columns(
        parse(c) for c in contract.columns
    )
    rules = column_rules(contract)
    for rule in contract.rules_at("lookup"):
        broken = lookup(rule.id, typed) if lookup else None
        if broken is not None:
            typed = typed.with_columns(broken.fill_null(False).alias(f"_lookup_{rule.id}"))
            rules.append((rule.id, pl.col(f"_lookup_{rule.id}")))
    typed = typed.with_columns(
        pl.concat_list([pl.when(broken).then(pl.lit(rule_id)) for rule_id, broken in rules])
        .list.drop_nulls().alias(RULES_COLUMN)
    )
    ok = pl.col(RULES_COLUMN).list.len() == 0
    staged = typed.filter(ok).select(names).cast(dict(contract.schema))
    quarantined = typed.filter(ok.not_()).select(
        *[pl.col(f"_raw_{n}").alias(n) for n in names],
        RULES_COLUMN,
        pl.lit(source_file).alias(SOURCE_COLUMN),
        LINE_COLUMN,
    )
    counts = (
        quarantined.select(pl.col(RULES_COLUMN).explode()).group_by(RULES_COLUMN).len().sort(RULES_COLUMN)
        if quarantined.height else pl.DataFrame({RULES_COLUMN: [], "len": []})
    )
    return GateResult(staged, quarantined, dict(zip(counts[RULES_COLUMN].to_list(), counts["len"].to_list())))
