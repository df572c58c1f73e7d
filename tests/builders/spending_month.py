"""One hand-computed month of kona deliveries, shared by the spending marts' unit tests and the
real-assets window test.

Cards: A lives in Suwon Jangan-gu (41111) and holds 수원페이 (41110); B lives in Gapyeong
(41820) with Gapyeong's currency; C is not in the card register. Merchants: M1 restaurant
in 41111 (영세), M2 retail in 41820 (일반).
  Tue 09-01 12:00  A at M1  10,000 approve (T1)
  Tue 09-01 13:00  A at M2  20,000 approve (T2), youth basic income (YBI): Suwon money spent in Gapyeong
  Tue 09-01 15:00  A at M1   4,000 partial cancel of T1
  Wed 09-02 09:00  A at M2   5,000 next-day cancel of T2 (YBI)
  Wed 09-02 23:30  B at M2   7,000 approve
  Wed 09-02 20:00  C at M1   3,000 approve (unknown cardholder)
"""

from datetime import date, datetime

import polars as pl

from regional_econ.contracts import contract
from tests.builders.deliveries import KST, merchants

A, B, C = "0a" * 32, "0b" * 32, "0c" * 32


def transactions():
    rows = [
        ("T2026090100000001", datetime(2026, 9, 1, 12, tzinfo=KST), A, "M000000001", 10_000, "APPROVE", None, None),
        ("T2026090100000002", datetime(2026, 9, 1, 13, tzinfo=KST), A, "M000000002", 20_000, "APPROVE", None, "YBI"),
        ("T2026090100000003", datetime(2026, 9, 1, 15, tzinfo=KST), A, "M000000001", 4_000, "CANCEL", "T2026090100000001", None),
        ("T2026090200000001", datetime(2026, 9, 2, 9, tzinfo=KST), A, "M000000002", 5_000, "CANCEL", "T2026090100000002", "YBI"),
        ("T2026090200000002", datetime(2026, 9, 2, 23, 30, tzinfo=KST), B, "M000000002", 7_000, "APPROVE", None, None),
        ("T2026090200000003", datetime(2026, 9, 2, 20, tzinfo=KST), C, "M000000001", 3_000, "APPROVE", None, None),
    ]
    cols = ["txn_id", "approved_at", "card_token", "merchant_id", "amount_krw", "txn_type", "orig_txn_id", "policy_fund_cd"]
    frame = pl.DataFrame(
        [dict(zip(cols, r, strict=True)) for r in rows], schema_overrides={"approved_at": pl.Datetime("us", "Asia/Seoul")}
    )
    return frame.with_columns(channel=pl.lit("CARD")).cast(dict(contract("kona/transactions").schema)).lazy()


def merchants_register():
    m1 = merchants([("M000000001", "41111")], category="C27")
    m2 = merchants([("M000000002", "41820")], category="C23").with_columns(sales_class=pl.lit("일반"))
    return pl.concat([m1, m2]).with_columns(date=pl.lit("2026-09-01")).lazy()


def cardholders_register():
    frame = pl.DataFrame(
        {
            "card_token": [A, B],
            "currency_cd": ["41110", "41820"],
            "home_sigungu_cd": ["41111", "41820"],
            "age_band": ["30", "60"],
            "gender": ["F", "M"],
            "registered_on": [date(2025, 1, 1)] * 2,
        }
    ).cast(dict(contract("kona/cardholders").schema))
    return frame.with_columns(date=pl.lit("2026-09-01")).lazy()


def charges():
    frame = pl.DataFrame(
        {
            "charge_id": ["CH000000000000001", "CH000000000000002", "CH000000000000003"],
            "card_token": [A, B, B],
            "charged_at": [datetime(2026, 9, 1, 8, tzinfo=KST)] * 2 + [datetime(2026, 9, 2, 8, tzinfo=KST)],
            "amount_krw": [50_000, 100_000, 200_000],
            "incentive_krw": [5_000, 6_000, 0],
            "policy_fund_cd": [None, None, "YBI"],
        },
        schema_overrides={"charged_at": pl.Datetime("us", "Asia/Seoul")},
    )
    return frame.cast(dict(contract("kona/charges").schema)).lazy()
