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
# Free text (a string column without a pattern, domain or reference list) is bounded and printable.
MAX_LENGTH = ColumnRule(
    "max_length",
    lambda c: c.free_text,
    lambda c: f"text must be at most {c.max_length:,} characters",
    lambda gxe, c: gxe.ExpectColumnValueLengthsToBeBetween(column=c.name, max_value=c.max_length),
)
NO_CONTROL_CHARS = ColumnRule(
    "no_control_chars",
    lambda c: c.free_text,
    lambda c: "text must hold no control characters (NUL, line breaks, ...)",
    lambda gxe, c: gxe.ExpectColumnValuesToNotMatchRegex(column=c.name, regex=CONTROL_CHARS),
)
CONTROL_CHARS = r"[\x00-\x1f\x7f]"
COLUMN_RULES = (REQUIRED, TYPE, PATTERN, RANGE, DOMAIN, REF, MAX_LENGTH, NO_CONTROL_CHARS)
IN_PERIOD_KIND = "in_period"
ACROSS_PERIODS_KIND = "unique_across_periods"


def period_rule(contract: Contract) -> str | None:
    """The rule a row breaks when its period column falls outside the delivery's period."""
    return f"{contract.period_column}_{IN_PERIOD_KIND}" if contract.period_column else None


def period_sentence(contract: Contract) -> str:
    return f"{contract.period_column} falls in the period the delivery is for"


def across_periods_rule(contract: Contract) -> str | None:
    """The rule a row breaks when its key was already staged for another period within the horizon."""
    if not contract.unique_across_periods_days:
        return None
    return f"{contract.primary_key[0]}_{ACROSS_PERIODS_KIND}"


def across_periods_sentence(contract: Contract) -> str:
    return (
        f"{contract.primary_key[0]} was not staged for another period in the "
        f"{contract.unique_across_periods_days} days before or after this one"
    )


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
    """A lookup or batch rule: an id, its severity, the sentence a center reads and what to do."""

    id: str
    severity: str
    sentence: str
    fix: str = "Correct the file and send it again as the next version (_v2, _v3, ...)."


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

RESEND = "Correct the file and send it again as the next version (_v2, _v3, ...) with a new manifest."

# Why a file cannot be read at all: each rejects the delivery whole (under ``delivery_readable``).
ENCODING_DECLARED = Rule(
    "encoding_declared",
    ERROR,
    "The file is in the encoding its contract declares.",
    "Save the file in the contract's encoding (see the contract's Format line), then send it as the next version.",
)
FORMAT_DECLARED = Rule(
    "format_declared",
    ERROR,
    "The file is in the format its contract declares (CSV, or Parquet of flat columns).",
    "Export the file in the contract's format, every column a plain value (no lists or structs).",
)
CSV_WELLFORMED = Rule(
    "csv_wellformed",
    ERROR,
    "The CSV parses: quotes balanced, no lone carriage return, every line as many fields as the header.",
    "Fix the named line (a missing or extra separator, an unclosed quote, a stray line break), then send the next version.",
)
HEADER_MATCHES = Rule(
    "header_matches",
    ERROR,
    "The header names every contract column once, by name or Korean label, and nothing else.",
    "Use the contract's column names or Korean labels as the first line, each once.",
)
READ_RULES = (ENCODING_DECLARED, FORMAT_DECLARED, CSV_WELLFORMED, HEADER_MATCHES)

# Batch rules, in the order the operator reads them. ERROR: the delivery is not promoted (what
# readers see stays as it was) and nothing downstream runs; WARN: recorded and shown.
LANDING_REGULAR_FILE = Rule(
    "landing_regular_file",
    ERROR,
    "A delivery is a regular file inside the landing zone: no symbolic link, nothing that resolves outside it.",
    "Copy the file itself (not a link) into the period's folder.",
)
FILE_NAME_MATCHES_FOLDER = Rule(
    "file_name_matches_folder",
    ERROR,
    "The file is named <feed>_<YYYYMMDD>_v<N>.<csv|parquet> after its feed and the period of the folder it is in.",
    "Name the file after the period it holds and put it in that period's folder.",
)
MANIFEST_READABLE = Rule(
    "manifest_readable",
    ERROR,
    "The manifest is a JSON object giving the file's rows (an integer) and sha256 (64 hexadecimal digits).",
    'Write the manifest again from the file as sent: {"rows": N, "sha256": "...", "encoding": "..."}.',
)
MANIFEST_ENCODING = Rule(
    "manifest_encoding",
    ERROR,
    "The manifest's encoding and format, when given, are the contract's.",
    "Send the file in the contract's encoding and format, and say so in the manifest.",
)
DELIVERY_READABLE = Rule(
    "delivery_readable", ERROR, "The delivery reads as its contract declares: format, encoding, well-formed CSV and header."
)
NO_DIRECT_IDENTIFIERS = Rule(
    "no_direct_identifiers",
    ERROR,
    "No resident registration, phone, card, unhashed business number or e-mail address in any column, in any "
    "form; a delivery with one is rejected whole and the value is copied nowhere.",
    "Remove or pseudonymize the identifier at the named line and column (business numbers as biz_token), then send "
    "the next version.",
)
MANIFEST_ROWS = Rule(
    "manifest_rows",
    ERROR,
    "The data lines in the file equal the rows the center's manifest declares.",
    "Send the whole file again (an upload may have been cut) as the next version, with its manifest.",
)
MANIFEST_SHA256 = Rule(
    "manifest_sha256", ERROR, "The file's sha256 equals the manifest's: nothing changed or cut in transit.", RESEND
)
MIN_ROWS = Rule(
    "delivery_not_empty",
    ERROR,
    "A feed that is never empty delivers at least its minimum number of rows.",
    "Send the period's rows; an empty file of this feed means an export failed.",
)
DELIVERY_IN_PERIOD = Rule(
    "delivery_in_period",
    ERROR,
    "At least half of the rows fall in the period the delivery is for (otherwise it is another period's file).",
    "Put the file in the folder of the period it holds, named after it.",
)
LOOKUPS_READY = Rule(
    "lookups_ready",
    ERROR,
    "The periods this delivery's lookup rules read are staged first (the merchants of the day, the previous day "
    "of the feed itself): otherwise its rows would be judged against a register that is not complete yet.",
    "Nothing to fix on the center's side when the named period is on its way: the delivery is staged as soon as "
    "it is; if it never comes, send it.",
)
ROWS_CONSERVED = Rule(
    "rows_conserved",
    ERROR,
    "Nothing is lost: the data lines counted in the file = rows staged + rows quarantined (+ rejected whole).",
    "Nothing to fix on the center's side: the platform lost count; the operators are told.",
)
OUTPUT_SCHEMA = Rule(
    "schema_matches_declaration",
    ERROR,
    "The staged frame matches the pandera schema derived from the contract (types, nullability, unique key, ranges, domains).",
    "Nothing to fix on the center's side: the gate let a row through that the contract refuses; the operators are told.",
)
DELIVERED_ON_TIME = Rule(
    "delivered_on_time", WARN, "The delivery arrived by the contract's deadline (KST).", "Send by the deadline next time."
)
VOLUME_IN_BAND = Rule(
    "volume_in_band",
    WARN,
    "Rows received are within the contract's band around the median of the last 28 periods.",
    "Check that the export covered the whole period.",
)
RESEND_NOT_SHRINKING = Rule(
    "resend_not_shrinking",
    WARN,
    "A correction (a later version) keeps at least half of the rows of the version it replaces.",
    "If rows were dropped by mistake, send the next version with all of them.",
)
ROWS_PASS_CONTRACT = Rule(
    "rows_pass_contract",
    WARN,
    "Every row passes the contract's column, row and lookup rules (breaking rows are quarantined with their rule, "
    "file and line).",
    "Correct the quarantined rows (see the rules and lines below) and send them in the next version.",
)
BATCH_RULES = (
    LANDING_REGULAR_FILE,
    FILE_NAME_MATCHES_FOLDER,
    MANIFEST_READABLE,
    MANIFEST_ENCODING,
    DELIVERY_READABLE,
    NO_DIRECT_IDENTIFIERS,
    MANIFEST_ROWS,
    MANIFEST_SHA256,
    MIN_ROWS,
    DELIVERY_IN_PERIOD,
    LOOKUPS_READY,
    ROWS_CONSERVED,
    DELIVERED_ON_TIME,
    VOLUME_IN_BAND,
    RESEND_NOT_SHRINKING,
    ROWS_PASS_CONTRACT,
)
# Rules that refuse a file before it is read: it gets a receipt, never a partition.
REFUSAL_RULES = (LANDING_REGULAR_FILE, FILE_NAME_MATCHES_FOLDER)
# Why a delivery is rejected whole (its rows are counted as rejected, none staged or quarantined).
REJECTION_RULES = (MANIFEST_READABLE, MANIFEST_ENCODING, DELIVERY_READABLE, *READ_RULES, NO_DIRECT_IDENTIFIERS)


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
    for rule in (*LOOKUP_RULES.values(), *READ_RULES, *BATCH_RULES, OUTPUT_SCHEMA):
        if rule.id == rule_id:
            return Described(rule_id, rule.severity, None, rule.sentence)
    raise KeyError(f"{contract.id}: unknown rule {rule_id!r}")
