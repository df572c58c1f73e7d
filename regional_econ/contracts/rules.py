"""The rule vocabulary: every rule a delivery can break, declared once.

Three families:
- **column rules**, one per kind of column constraint (``required``, ``type``, ``pattern``,
  ``range``, ``domain``, ``ref``) and the primary-key rule: their id is derived from the
  column (``amount_krw_range``), they are checked on every row, and a row that breaks one is
  quarantined. Each kind knows the sentence a center reads and its Great Expectations
  expectation.
- **lookup rules**, row rules that look into feeds already staged (``merchant_exists``); a
  contract names the ones that apply to it.
- **batch rules**, on the whole delivery: an ERROR blocks the delivery (and everything
  downstream), a WARN is recorded. ``delivery_readable`` gathers the reasons a file cannot be
  read at all (``read_rules``).

A contract's own row rules (SQL predicates) are declared in its YAML file. The gate, the
centers' check, the GX export, the contract docs, the batch checks and the defect planter all
read this module; nothing else spells a rule id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regional_econ.contracts.model import Column, Contract

ERROR, WARN = "ERROR", "WARN"


@dataclass(frozen=True)
class ColumnRule:
    """A kind of column constraint: the rule ``<column>_<kind>``, checked on every row."""

    kind: str
    applies: Callable[[Column], bool]
    sentence: Callable[[Column], str]
    # (gx.expectations module, column) -> the expectation a GX user runs, or None when GX has none
    expectation: Callable[[Any, Column], Any] | None = None

    def id(self, column: str) -> str:
        return f"{column}_{self.kind}"


def _range(c: Column) -> str:
    return f"value must be within {c.range[0]:,} to {c.range[1]:,}"


REQUIRED = ColumnRule(
    "required",
    lambda c: c.required,
    lambda c: "a value is required",
    lambda gxe, c: gxe.ExpectColumnValuesToNotBeNull(column=c.name),
)
TYPE = ColumnRule("type", lambda c: c.type != "string", lambda c: f"value must be a {c.type}")
PATTERN = ColumnRule(
    "pattern",
    lambda c: bool(c.pattern),
    lambda c: f"value must match {c.pattern}",
    lambda gxe, c: gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=c.pattern),
)
RANGE = ColumnRule(
    "range",
    lambda c: bool(c.range),
    _range,
    lambda gxe, c: gxe.ExpectColumnValuesToBeBetween(column=c.name, min_value=c.range[0], max_value=c.range[1]),
)
DOMAIN = ColumnRule(
    "domain",
    lambda c: bool(c.domain),
    lambda c: f"value must be one of {', '.join(c.domain or ())}",
    lambda gxe, c: gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.domain)),
)
REF = ColumnRule(
    "ref",
    lambda c: bool(c.ref),
    lambda c: f"code must be in reference table {c.ref}",
    lambda gxe, c: gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=c.allowed),
)
COLUMN_RULES = (REQUIRED, TYPE, PATTERN, RANGE, DOMAIN, REF)
UNIQUE_KIND = "unique"
COMPOUND_KEY_UNIQUE = "primary_key_unique"


def key_rule(contract: Contract) -> str:
    """The rule a repeated primary key breaks: ``<key>_unique``, or ``primary_key_unique``."""
    key = contract.primary_key
    return f"{key[0]}_{UNIQUE_KIND}" if len(key) == 1 else COMPOUND_KEY_UNIQUE


def key_sentence(contract: Contract) -> str:
    return f"({', '.join(contract.primary_key)}) must be unique in the file"


def key_expectation(gxe, contract: Contract):
    key = list(contract.primary_key)
    if len(key) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=key[0])
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=key)


@dataclass(frozen=True)
class Rule:
    """A lookup or batch rule: an id, its severity and the sentence a center reads."""

    id: str
    severity: str
    sentence: str


# Lookup rules: what they check; ``gate.lookups`` says how.
MERCHANT_EXISTS = Rule("merchant_exists", ERROR, "Every merchant_id is in kona/merchants as delivered up to this date.")
CANCEL_HAS_APPROVAL = Rule(
    "cancel_has_approval",
    ERROR,
    "Every cancel's approval was delivered within the previous 90 days, and the cancels of an approval never "
    "add up to more than it.",
)
PLACEMENT_HAS_POSTING = Rule(
    "placement_has_posting", ERROR, "Every placement's posting is in gjf/job_postings as delivered up to this date."
)
LOOKUP_RULES = {r.id: r for r in (MERCHANT_EXISTS, CANCEL_HAS_APPROVAL, PLACEMENT_HAS_POSTING)}

# Why a file cannot be read at all: each rejects the delivery whole (under ``delivery_readable``).
ENCODING_DECLARED = Rule("encoding_declared", ERROR, "The file is in the encoding its contract declares.")
FORMAT_DECLARED = Rule("format_declared", ERROR, "The file is in the format its contract declares (CSV or Parquet).")
CSV_WELLFORMED = Rule("csv_wellformed", ERROR, "The CSV parses: quotes balanced, every row as many fields as the header.")
HEADER_MATCHES = Rule(
    "header_matches", ERROR, "The header names every contract column once, by name or Korean label, and nothing else."
)
READ_RULES = (ENCODING_DECLARED, FORMAT_DECLARED, CSV_WELLFORMED, HEADER_MATCHES)

# Batch rules, in the order the operator reads them.
DELIVERY_READABLE = Rule(
    "delivery_readable", ERROR, "The delivery reads as its contract declares: format, encoding, well-formed CSV and header."
)
NO_DIRECT_IDENTIFIERS = Rule(
    "no_direct_identifiers",
    ERROR,
    "No resident registration, phone, card, unhashed business number or e-mail address in any column; a delivery "
    "with one is rejected whole and the value is copied nowhere.",
)
MANIFEST_ROWS = Rule("manifest_rows", ERROR, "Rows in the file equal the rows the center's manifest declares.")
MANIFEST_SHA256 = Rule("manifest_sha256", ERROR, "The file's sha256 equals the manifest's: nothing changed or cut in transit.")
ROWS_CONSERVED = Rule(
    "rows_conserved", ERROR, "Nothing is lost: rows received = rows staged + rows quarantined (+ rejected whole)."
)
DELIVERED_ON_TIME = Rule("delivered_on_time", WARN, "The delivery arrived by the contract's deadline (KST).")
VOLUME_IN_BAND = Rule(
    "volume_in_band", WARN, "Rows received are within the contract's band around the median of the last 28 periods."
)
ROWS_PASS_CONTRACT = Rule(
    "rows_pass_contract",
    WARN,
    "Every row passes the contract's column, row and lookup rules (breaking rows are quarantined with their rule, "
    "file and line).",
)
BATCH_RULES = (
    DELIVERY_READABLE,
    NO_DIRECT_IDENTIFIERS,
    MANIFEST_ROWS,
    MANIFEST_SHA256,
    ROWS_CONSERVED,
    DELIVERED_ON_TIME,
    VOLUME_IN_BAND,
    ROWS_PASS_CONTRACT,
)


def volume_sentence(volume: dict) -> str:
    return (
        f"Rows between {volume['min_rows_vs_28d_median']}x and {volume['max_rows_vs_28d_median']}x the median of "
        "the last 28 periods."
    )


@dataclass(frozen=True)
class Described:
    rule: str
    severity: str
    column: str | None
    sentence: str


def describe(contract: Contract, rule_id: str) -> Described:
    """What a rule id means for this contract: severity, column (for column rules) and sentence."""
    for rule in contract.rules:
        if rule.id == rule_id:
            return Described(rule_id, rule.severity, None, rule.description)
    for column in contract.columns:
        for kind in COLUMN_RULES:
            if kind.id(column.name) == rule_id and kind.applies(column):
                return Described(rule_id, ERROR, column.name, kind.sentence(column))
    if rule_id == key_rule(contract):
        return Described(
            rule_id, ERROR, contract.primary_key[0] if len(contract.primary_key) == 1 else None, key_sentence(contract)
        )
    for rule in (*LOOKUP_RULES.values(), *READ_RULES, *BATCH_RULES):
        if rule.id == rule_id:
            return Described(rule_id, rule.severity, None, rule.sentence)
    raise KeyError(f"{contract.id}: unknown rule {rule_id!r}")
