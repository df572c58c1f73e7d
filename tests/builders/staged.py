"""Typed staged frames for the fusion marts' tests: give only the columns a test is about.

``staged("gjf/job_postings", [{...}, ...])`` fills every other column of the contract with
a plausible default, types the frame with the contract's schema, and adds the ``date``
partition key (derived from the period column unless a row gives it). ISO strings are
accepted for dates and timestamps (timestamps are KST).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from regional_econ.contracts import contract

KST = ZoneInfo("Asia/Seoul")


def token(n: int) -> str:
    """A 64-hex pseudonymous token (business or person) numbered ``n``."""
    return f"{n:064x}"


DEFAULTS: dict[str, dict] = {
    "kona/transactions": {
        "txn_id": None,
        "approved_at": "2026-01-15T12:00:00",
        "card_token": token(1),
        "merchant_id": "M000000001",
        "amount_krw": 10_000,
        "txn_type": "APPROVE",
        "orig_txn_id": None,
        "channel": "CARD",
        "policy_fund_cd": None,
    },
    "kona/merchants": {
        "merchant_id": "M000000001",
        "biz_token": token(1),
        "merchant_name": "행복분식",
        "category_cd": "C27",
        "ksic_cd": "56111",
        "sigungu_cd": "41111",
        "road_address": None,
        "lat": None,
        "lon": None,
        "sales_class": "영세",
        "registered_on": "2020-01-01",
        "closed_on": None,
    },
    "kona/cardholders": {
        "card_token": token(1),
        "currency_cd": "41110",
        "home_sigungu_cd": "41111",
        "age_band": "30",
        "gender": "F",
        "registered_on": "2020-01-01",
    },
    "ked/sme_credit": {
        "biz_token": token(1),
        "base_month": "2026-01",
        "ksic_cd": "56111",
        "sigungu_cd": "41111",
        "founded_on": "2015-01-01",
        "employees": 3,
        "revenue_krw": 100_000_000,
        "operating_income_krw": 5_000_000,
        "credit_grade": "BBB",
        "is_closed": False,
    },
    "gcgf/guarantee_events": {
        "event_id": None,
        "guarantee_id": "G1",
        "biz_token": token(1),
        "sigungu_cd": "41111",
        "ksic_cd": "56111",
        "event_type": "ISSUED",
        "guarantee_krw": 50_000_000,
        "event_on": "2026-01-01",
    },
    "gbsa/sme_support": {
        "award_id": None,
        "biz_token": token(1),
        "program_cd": "MARKETING",
        "program_name": "판로지원",
        "support_krw": 10_000_000,
        "awarded_on": "2026-01-01",
    },
    "gtp/tech_firms": {
        "biz_token": token(1),
        "base_quarter": "2026Q1",
        "tech_field_cd": "ICT",
        "rnd_krw": 0,
        "patents": 0,
        "employees": 5,
        "is_venture": False,
    },
    "gca/content_firms": {"biz_token": token(1), "base_quarter": "2026Q1", "genre_cd": "GAME", "revenue_krw": 0, "employees": 5},
    "gjf/job_postings": {
        "posting_id": None,
        "employer_biz_token": token(1),
        "sigungu_cd": "41111",
        "occupation_cd": "53",
        "openings": 1,
        "wage_krw": 2_500_000,
        "posted_on": "2026-01-01",
        "closes_on": "2026-01-31",
        "status": "OPEN",
    },
    "gjf/job_seekers": {
        "seeker_token": token(1),
        "home_sigungu_cd": "41111",
        "desired_occupation_cd": "53",
        "age_band": "30",
        "gender": "F",
        "registered_on": "2026-01-01",
    },
    "gjf/placements": {"placement_id": None, "posting_id": None, "seeker_token": token(1), "hired_on": "2026-01-02"},
    "theimc/consumer_trends": {
        "week_start": "2026-01-05",
        "sigungu_cd": "41111",
        "category_cd": "C27",
        "age_band": "30",
        "gender": "F",
        "mention_count": 100,
        "search_index": 50.0,
        "sentiment": 0.0,
    },
    "msc/counseling_cases": {
        "case_id": None,
        "client_token": token(1),
        "sigungu_cd": "41111",
        "age_band": "40",
        "gender": "M",
        "debt_type": "CARD",
        "debt_band": "UNDER_10M",
        "outcome": "DEBT_ADJUSTMENT",
        "opened_on": "2026-01-10",
    },
}
# Columns numbered per row when a test leaves them out (primary keys).
SERIAL = {"txn_id": "T", "event_id": "E", "award_id": "A", "posting_id": "JP", "placement_id": "PL", "case_id": "C"}


def _partition_key(feed: str, row: dict) -> str:
    """The ``date`` a row would be staged under: its period's first day."""
    c = contract(feed)
    if feed == "ked/sme_credit":
        return f"{row['base_month']}-01"
    if c.period_column == "base_quarter":
        year, quarter = row["base_quarter"].split("Q")
        return date(int(year), 3 * int(quarter) - 2, 1).isoformat()
    if c.period_column is None:
        raise ValueError(f"{feed} is a register: give each row its delivery 'date'")
    return str(row[c.period_column])[:10]


def _typed(value, dtype: pl.DataType):
    if isinstance(value, str) and dtype == pl.Date:
        return date.fromisoformat(value)
    if isinstance(value, str) and isinstance(dtype, pl.Datetime):
        return datetime.fromisoformat(value).replace(tzinfo=KST)
    return value


def staged(feed: str, rows: list[dict]) -> pl.LazyFrame:
    """Rows of a staged feed: contract columns (defaults filled in) plus ``date``."""
    schema = contract(feed).schema
    full = []
    for i, row in enumerate(rows, start=1):
        record = {**DEFAULTS[feed], **row}
        for column, prefix in SERIAL.items():
            if column in record and record[column] is None:
                record[column] = f"{prefix}{i:010d}"
        record["date"] = record.get("date") or _partition_key(feed, record)
        full.append({c: _typed(record[c], dtype) for c, dtype in schema.items()} | {"date": record["date"]})
    return pl.DataFrame(full, schema={**schema, "date": pl.String}).lazy()


def empty(feed: str) -> pl.LazyFrame:
    return pl.LazyFrame(schema={**contract(feed).schema, "date": pl.String})
