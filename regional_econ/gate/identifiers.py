"""Direct identifiers: values that name a person or business outright and must never arrive.

Resident registration numbers, phone numbers, card numbers (16 digits passing Luhn), e-mail
addresses and unhashed business registration numbers, in any column. Findings carry the
column, line and kind only: the value itself is never copied anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from regional_econ.contracts import Contract
from regional_econ.gate.errors import LINE_COLUMN
from regional_econ.gate.rows import prepare, shape, txt

# Patterns look for the identifier anywhere in a value (it may hide in a free-text column).
PATTERNS = {
    "resident_registration_number": r"(^|[^0-9])[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])-?[1-8][0-9]{6}([^0-9]|$)",
    "phone_number": r"(^|[^0-9])01[016789][- ]?[0-9]{3,4}[- ]?[0-9]{4}([^0-9]|$)",
    "email_address": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
}
CARD_CANDIDATE = r"(?:^|[^0-9])([0-9]{4}[- ]?[0-9]{4}[- ]?[0-9]{4}[- ]?[0-9]{4})(?:[^0-9]|$)"
# A business number as the whole value of a text column (ids and tokens have other shapes).
BUSINESS_NUMBER = r"^\s*[0-9]{3}-?[0-9]{2}-?[0-9]{5}\s*$"


@dataclass(frozen=True)
class Finding:
    column: str
    line: int
    kind: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.kind.replace('_', ' ')}"


def _may_hide_identifier(col) -> pl.Expr:
    """Values of the declared shape are ids, tokens, codes, numbers or dates: never a direct identifier.

    Without this a random 64-hex token or a 16-digit transaction number would now and then
    look like a resident or card number. Only free text and values off their shape are scanned.
    """
    present = pl.col(txt(col.name)).is_not_null()
    if col.pattern:
        return present & pl.col(shape(col.name)).not_()
    if col.type != "string":
        return present & pl.col(col.name).is_null()  # typed values that parsed are plain numbers, dates
    return present & pl.col(col.name).is_in(col.allowed).not_() if col.allowed else present


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def find_direct_identifiers(contract: Contract, raw: pl.DataFrame, limit: int = 20) -> list[Finding]:
    """Where ``raw`` (text as delivered) holds a direct identifier; at most ``limit`` findings."""
    findings: list[Finding] = []
    frame = prepare(contract, raw)
    for col in contract.columns:
        column = col.name
        values = pl.col(txt(column))
        checks = dict(PATTERNS)
        if col.type == "string":
            checks["business_registration_number"] = BUSINESS_NUMBER
        hits = (
            frame.filter(_may_hide_identifier(col))
            .select(
                LINE_COLUMN,
                *[values.str.contains(p).fill_null(False).alias(kind) for kind, p in checks.items()],
                values.str.extract(CARD_CANDIDATE, 1).str.replace_all(r"[- ]", "").alias("_card"),
            )
            .filter(pl.any_horizontal(*checks, pl.col("_card").is_not_null()))
        )
        for row in hits.iter_rows(named=True):
            for kind in checks:
                if row[kind]:
                    findings.append(Finding(column, row[LINE_COLUMN], kind))
            if row["_card"] and luhn_valid(row["_card"]):
                findings.append(Finding(column, row[LINE_COLUMN], "card_number"))
            if len(findings) >= limit:
                return findings
    return findings
