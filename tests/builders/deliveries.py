"""Small hand-made deliveries for tests: typed frames in the contracts' schemas."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from regional_econ.contracts import contract
from regional_econ.synth.writer import write_delivery

KST = ZoneInfo("Asia/Seoul")
TOKEN_A, TOKEN_B = "0a" * 32, "0b" * 32


def merchants(ids_areas: list[tuple[str, str]], category="C27") -> pl.DataFrame:
    n = len(ids_areas)
    return pl.DataFrame(
        {
            "merchant_id": [m for m, _ in ids_areas],
            "biz_token": ["ab" * 32] * n,
            "merchant_name": ["행복분식"] * n,
            "category_cd": [category] * n,
            "ksic_cd": ["56111"] * n,
            "sigungu_cd": [a for _, a in ids_areas],
            "road_address": ["경기도 수원시 장안구 1"] * n,
            "lat": [37.3] * n,
            "lon": [127.0] * n,
            "sales_class": ["영세"] * n,
            "registered_on": [date(2020, 1, 1)] * n,
            "closed_on": [None] * n,
        }
    ).cast(dict(contract("kona/merchants").schema))


def transactions(day: str, rows: list[tuple]) -> pl.DataFrame:
    """rows: (seq, card, merchant, amount, type, orig seq or None, hour)."""
    d = date.fromisoformat(day)
    ident = lambda seq: f"T{d:%Y%m%d}{seq:08d}" if isinstance(seq, int) else seq  # noqa: E731
    return pl.DataFrame(
        {
            "txn_id": [ident(r[0]) for r in rows],
            "approved_at": [datetime(d.year, d.month, d.day, r[6] if len(r) > 6 else 12, tzinfo=KST) for r in rows],
            "card_token": [r[1] for r in rows],
            "merchant_id": [r[2] for r in rows],
            "amount_krw": [r[3] for r in rows],
            "txn_type": [r[4] for r in rows],
            "orig_txn_id": [None if r[5] is None else r[5] for r in rows],
            "channel": ["CARD"] * len(rows),
            "policy_fund_cd": [None] * len(rows),
        }
    ).cast(dict(contract("kona/transactions").schema))


def deliver(landing: Path, feed: str, day: str, frame: pl.DataFrame, version: int = 1, **kw):
    c = contract(feed)
    arrival = datetime.fromisoformat(day).replace(hour=23, tzinfo=KST)  # on time
    return write_delivery(landing, c, day, frame, version=version, received_at=arrival, **kw)
