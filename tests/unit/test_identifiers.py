"""The direct-identifier scanner: every class, in the renderings people use, whole or inside text;
and the look-alikes a delivery is full of are not mistaken for one."""

import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from regional_econ.contracts import contract
from regional_econ.gate.identifiers import business_number_valid, find_direct_identifiers, kinds_in, luhn_valid

# -- identifiers, drawn -----------------------------------------------------------------------


def _with_luhn(body: str) -> str:
    for last in "0123456789":
        if luhn_valid(body + last):
            return body + last
    raise AssertionError


def _with_brn_check(body: str) -> str:
    for last in "0123456789":
        if business_number_valid(body + last):
            return body + last
    raise AssertionError


@st.composite
def resident_numbers(draw) -> tuple[list[str], str]:
    yy = draw(st.integers(0, 99))
    gender = draw(st.sampled_from("1234" if yy > 25 else "34")) if draw(st.booleans()) else draw(st.sampled_from("5678"))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    tail = draw(st.text("0123456789", min_size=6, max_size=6))
    return [f"{yy:02d}{month:02d}{day:02d}", gender + tail], "resident_registration_number"


@st.composite
def phone_numbers(draw) -> tuple[list[str], str]:
    if draw(st.booleans()):
        head = "01" + draw(st.sampled_from("016789"))
        middle = (
            draw(st.text("0123456789", min_size=4, max_size=4))
            if head == "010"
            else draw(st.text("0123456789", min_size=3, max_size=4))
        )
    else:
        head = draw(st.sampled_from(["02", "031", "032", "033", "041", "051", "053", "061", "064", "070"]))
        middle = draw(st.sampled_from("23456789")) + draw(st.text("0123456789", min_size=2, max_size=3))
    groups = [head, middle, draw(st.text("0123456789", min_size=4, max_size=4))]
    if draw(st.booleans()):  # international: +82 and the trunk 0 dropped (or kept in parentheses)
        groups[0] = draw(st.sampled_from(["+82 ", "+82-", "82-", "0082 ", "+82 (0)"])) + groups[0][1:]
    return groups, "phone_number"


@st.composite
def card_numbers(draw) -> tuple[list[str], str]:
    body = draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=14, max_size=14))
    digits = _with_luhn(body)
    return [digits[i : i + 4] for i in range(0, 16, 4)], "card_number"


@st.composite
def business_numbers(draw) -> tuple[list[str], str]:
    body = f"{draw(st.integers(101, 999))}{draw(st.integers(1, 99)):02d}{draw(st.integers(0, 9999)):04d}"
    digits = _with_brn_check(body)
    return [digits[:3], digits[3:5], digits[5:]], "business_registration_number"


@st.composite
def emails(draw) -> tuple[list[str], str]:
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{0,10}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z]", fullmatch=True))
    tld = draw(st.sampled_from(["com", "co.kr", "kr", "net", "go.kr", "org"]))
    at = draw(st.sampled_from(["@", "＠", " @ ", "(at)", " [at] "]))
    return [f"{local}{at}{domain}.{tld}"], "email_address"


IDENTIFIERS = st.one_of(resident_numbers(), phone_numbers(), card_numbers(), business_numbers(), emails())
SEPARATORS = st.sampled_from(["-", " ", ".", "", " - ", "－", "‐", "–"])
TEXT = st.text(st.sampled_from(list("가나다라마바사아자차카타파하 행복분식상사 abcdefgh ABC,;:()/#")), max_size=20)


def _render(groups: list[str], separator: str, full_width: bool) -> str:
    text = groups[0] if len(groups) == 1 else separator.join(groups)
    if full_width:  # ０-９ as a Korean IME types them
        text = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)
    return text


@settings(max_examples=400, deadline=None)
@given(IDENTIFIERS, SEPARATORS, st.booleans(), TEXT, TEXT)
def test_an_identifier_of_any_class_and_rendering_is_found_inside_text(identifier, separator, full_width, before, after):
    groups, kind = identifier
    if kind == "business_registration_number" and separator not in ("-", " ", ".", ""):
        separator = "-"  # business numbers are written 123-45-67890 (or with dots, spaces, nothing)
    value = _render(groups, separator, full_width)
    # Text right before the number must not be a letter or digit (then it reads as part of an id).
    text = f"{before} {value} {after}" if before else f"{value} {after}"
    assert kind in kinds_in(text), (text, kinds_in(text))


LOOK_ALIKES = [
    "12,000원",
    "1,234,567,890원",
    "1234567890원",
    "50000000",
    "2026-09-01",
    "2026-09-01T12:30:45+09:00",
    "20260901",
    "37.123456",
    "127.0012345",
    "M000000001",
    "T2026090100000001",
    "JP2042300001",
    "C27",
    "41111",
    "56111",
    "0a" * 32,
    "행복분식 수원시 장안구 정자로 123-45",
    "경기도 성남시 분당구 판교로 256번길 7",
    "2026Q3",
    "영업시간 09:00-21:00",
    "1588-1234",
    "R&D 2026.09",
    "주문번호 A-2026-0901-0001",
    "v1.2.3",
    "3.141592653",
]


def test_look_alikes_are_not_identifiers():
    assert {text: kinds_in(text) for text in LOOK_ALIKES} == {text: [] for text in LOOK_ALIKES}


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**8), st.dates(), st.integers(1, 999_999_999))
def test_amounts_dates_and_ids_are_never_identifiers(amount, day, merchant):
    for text in (f"{amount:,}원", f"{amount}", day.isoformat(), f"M{merchant:09d}", f"T{day:%Y%m%d}{amount:08d}"):
        assert kinds_in(text) == [], text


def test_invisible_characters_and_other_digit_scripts_do_not_hide_one():
    assert kinds_in("010\u200b1234\u200b5678") == ["phone_number"]
    arabic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in "900101-1234567")
    assert unicodedata.digit(arabic[0]) == 9 and kinds_in(arabic) == ["resident_registration_number"]


def _transactions(**values) -> pl.DataFrame:
    c = contract("kona/transactions")
    row = {
        "txn_id": "T2026090100000001", "approved_at": "2026-09-01T12:00:00+09:00", "card_token": "ab" * 32,
        "merchant_id": "M000000001", "amount_krw": "12000", "txn_type": "APPROVE", "orig_txn_id": "",
        "channel": "CARD", "policy_fund_cd": "",
    } | values  # fmt: skip
    return pl.DataFrame({k: [row[k]] for k in c.column_names}).with_columns(_line=pl.lit(2, pl.Int64))


def test_identifiers_typed_into_typed_columns_are_found():
    c = contract("kona/transactions")
    assert find_direct_identifiers(c, _transactions()) == []
    for column, value, kind in [
        ("amount_krw", "9001011234567", "resident_registration_number"),
        ("amount_krw", "0001013234567", "resident_registration_number"),
        ("amount_krw", "01012345678", "phone_number"),
        ("approved_at", "900101-1234567", "resident_registration_number"),
        ("channel", "hong@example.com", "email_address"),
        ("orig_txn_id", "4111 1111 1111 1111", "card_number"),
    ]:
        found = find_direct_identifiers(c, _transactions(**{column: value}))
        assert [(f.column, f.line, f.kind) for f in found] == [(column, 2, kind)], (column, value)
        assert value not in str(found)


def test_a_card_number_as_a_coordinate_is_found():
    c = contract("kona/merchants")
    frame = pl.DataFrame({n: ["x"] for n in c.column_names}).with_columns(
        lat=pl.lit("4111111111111111"), _line=pl.lit(7, pl.Int64)
    )
    assert [(f.column, f.kind) for f in find_direct_identifiers(c, frame)] == [("lat", "card_number")]
