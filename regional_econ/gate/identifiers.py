"""Direct identifiers: values that name a person or business outright and must never arrive.

Resident (and foreign) registration numbers, phone numbers, card numbers (15 or 16 digits
passing Luhn), e-mail addresses and unhashed business registration numbers, in any column,
whole or inside longer text, in the forms people write them: full-width or other-script
digits, hyphens, dots, spaces or nothing between the groups, an international prefix, an
e-mail's ``(at)``. The raw text is scanned before it is typed.

A value of its column's declared shape is not scanned: an id matching its pattern, a code in
its domain or reference list, a number that parses within its range (a 16-digit transaction
id may pass Luhn; it is still a transaction id). A number written with a leading zero is
scanned all the same: no amount starts with 0, a phone number and a resident number of
someone born in the 2000s do.

Findings carry the column, line and kind only: the value itself is never copied anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import polars as pl

from regional_econ.contracts import Column, Contract
from regional_econ.gate.errors import LINE_COLUMN
from regional_econ.gate.rows import prepare, shape, txt

# Separators people put between the groups of a number, after NFKC (full-width forms folded).
_SEP = r"[ \t\-./·・_~]{0,3}"
_NOT_BEFORE = r"(?<![0-9A-Za-z])"  # a letter right before makes it part of an id (T2026..., M0001...)
_NOT_AFTER = r"(?![0-9])"

RESIDENT = re.compile(rf"{_NOT_BEFORE}(\d{{2}})(\d{{2}})(\d{{2}}){_SEP}([1-8])(\d{{6}}){_NOT_AFTER}")
_INTERNATIONAL = rf"(?:(?:\+|00)?82{_SEP}\(?{_SEP}0?{_SEP}\)?{_SEP})"
MOBILE = re.compile(rf"{_NOT_BEFORE}(?:{_INTERNATIONAL}|0)1[016789]{_SEP}\)?{_SEP}\d{{3,4}}{_SEP}\d{{4}}{_NOT_AFTER}")
LANDLINE = re.compile(
    rf"{_NOT_BEFORE}(?:\(?{_SEP}(?:{_INTERNATIONAL}|0)(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70){_SEP}\)?){_SEP}"
    rf"[1-9]\d{{2,3}}{_SEP}\d{{4}}{_NOT_AFTER}"
)
CARD = re.compile(rf"{_NOT_BEFORE}((?:\d{_SEP}){{14,15}}\d){_NOT_AFTER}")
BUSINESS = re.compile(rf"{_NOT_BEFORE}(\d{{3}})([ \-./·]?)(\d{{2}})\2(\d{{5}}){_NOT_AFTER}(?!\s*(?:원|₩|KRW|won))")
EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*\s*(?:@|\(at\)|\[at\]|\{at\})\s*[A-Za-z0-9\-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z0-9\-]+)*\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z]{2,}",
    re.IGNORECASE,
)
KINDS = ("resident_registration_number", "phone_number", "card_number", "email_address", "business_registration_number")
MIN_DIGITS = 9  # the shortest identifier with digits: a Seoul landline, 02-123-4567


@dataclass(frozen=True)
class Finding:
    column: str
    line: int
    kind: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.kind.replace('_', ' ')}"


def normalize(text: str) -> str:
    """NFKC; any decimal digit as ASCII, any dash or minus as '-', any space as ' ', invisible
    format characters (zero-width spaces) removed."""
    folded = unicodedata.normalize("NFKC", text)
    out = []
    for ch in folded:
        if ch.isascii():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if ch.isdigit():
            digit = unicodedata.digit(ch, None)
            out.append(str(digit) if digit is not None else ch)
        elif category == "Pd" or ch == "\u2212":
            out.append("-")
        elif category == "Zs":
            out.append(" ")
        elif category != "Cf":
            out.append(ch)
    return "".join(out)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def business_number_valid(digits: str) -> bool:
    """The National Tax Service's check digit of a 10-digit business registration number."""
    body = [int(c) for c in digits[:9]]
    total = sum(d * w for d, w in zip(body, _BRN_WEIGHTS, strict=True)) + (body[8] * 5) // 10
    return (10 - total % 10) % 10 == int(digits[9])


def _birth_date(yy: str, mm: str, dd: str, gender: str) -> bool:
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}[gender]
    try:
        date(century + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return True


def kinds_in(text: str) -> list[str]:
    """The kinds of direct identifier in ``text`` (any form), in the order of ``KINDS``."""
    text = normalize(text)
    found = []
    if any(_birth_date(m[1], m[2], m[3], m[4]) for m in RESIDENT.finditer(text)):
        found.append("resident_registration_number")
    if MOBILE.search(text) or LANDLINE.search(text):
        found.append("phone_number")
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m[1])
        if len(digits) in (15, 16) and digits[0] in "3456789" and luhn_valid(digits):
            found.append("card_number")
            break
    if EMAIL.search(text):
        found.append("email_address")
    if any(business_number_valid(m[1] + m[3] + m[4]) or m[2] for m in BUSINESS.finditer(text)):
        found.append("business_registration_number")
    return found


def _of_declared_shape(col: Column) -> pl.Expr:
    """True where the value has its column's declared shape, so cannot be a direct identifier."""
    value = pl.col(col.name)
    if col.pattern:
        return pl.col(shape(col.name)).fill_null(False)
    if col.allowed is not None:
        return value.is_in(col.allowed).fill_null(False)
    if col.type == "string":
        return pl.lit(False)  # free text: always scanned
    parsed = value.is_not_null()
    if col.range:
        parsed = parsed & value.is_between(*col.range)
    if col.type in ("int32", "int64"):
        # A leading zero is no amount's: it is a phone number or a 2000s resident number.
        parsed = parsed & ~pl.col(txt(col.name)).str.contains(r"^[+\-]?0\d")
    return parsed.fill_null(False)


def _suspects(frame: pl.DataFrame, col: Column) -> pl.DataFrame:
    """Values of one column that may hide an identifier: off their declared shape (first, eagerly,
    so that the costlier test runs on the few), then with enough digits or an e-mail's at-sign."""
    text = pl.col(txt(col.name))
    off_shape = frame.filter(text.is_not_null() & ~_of_declared_shape(col)).select(LINE_COLUMN, text.alias("value"))
    rich = (pl.col("value").str.count_matches(r"\d") >= MIN_DIGITS) | pl.col("value").str.contains(
        r"(?i)[@＠﹫]|[\(\[\{]\s*at\s*[\)\]\}]"
    )
    return off_shape.filter(rich).with_columns(column=pl.lit(col.name))


def find_direct_identifiers(contract: Contract, raw: pl.DataFrame, limit: int = 20) -> list[Finding]:
    """Where ``raw`` (text as delivered) holds a direct identifier; at most ``limit`` findings."""
    frame = prepare(contract, raw)
    suspects = pl.concat([_suspects(frame, c) for c in contract.columns]).sort(LINE_COLUMN, maintain_order=True)
    findings: list[Finding] = []
    for line, value, column in suspects.iter_rows():
        findings += [Finding(column, line, kind) for kind in kinds_in(value)]
        if len(findings) >= limit:
            return findings[:limit]
    return findings
