"""spending_daily on a hand-computed fixture: a partial cancel, a next-day cancel, two areas."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from regional_econ.contracts import contract
from regional_econ.reference import UNKNOWN_AREA, UNKNOWN_CATEGORY
from regional_econ.transforms.payments import card_key, payment_register, payments
from regional_econ.transforms.registers import Register, as_of, attach_as_of
from regional_econ.transforms.spending import spending_daily

KST = ZoneInfo("Asia/Seoul")
A, B = "a" * 64, "b" * 64


def _txns(rows):
    c = contract("kona/transactions")
    cols = ["txn_id", "approved_at", "card_token", "merchant_id", "amount_krw", "txn_type", "orig_txn_id"]
    frame = pl.DataFrame(
        [dict(zip(cols, r, strict=True)) for r in rows], schema_overrides={"approved_at": pl.Datetime("us", "Asia/Seoul")}
    )
    return frame.with_columns(channel=pl.lit("CARD"), policy_fund_cd=pl.lit(None, pl.String)).cast(dict(c.schema)).lazy()


MERCHANTS = pl.DataFrame(
    {
        "merchant_id": ["M000000001", "M000000002", "M000000003", "M000000001"],
        "sigungu_cd": ["41111", "41111", "41820", "41111"],
        "category_cd": ["C27", "C27", "C23", "C27"],
        "sales_class": ["영세"] * 4,
        "date": ["2026-09-01", "2026-09-01", "2026-09-01", "2026-09-02"],
    }
).lazy()


NO_CARDS = pl.DataFrame(schema=dict(contract("kona/cardholders").schema) | {"date": pl.String}).lazy()


def daily(txns, merchants):
    return spending_daily(payments(txns, payment_register("merchant", merchants), payment_register("card", NO_CARDS)).lazy())


def t(day, hour):
    return datetime(2026, 9, day, hour, tzinfo=KST)


def test_hand_computed_day():
    txns = _txns(
        [
            # Suwon Jangan-gu, restaurants: two approvals by card A and B at two merchants.
            ("T2026090200000001", t(2, 12), A, "M000000001", 10_000, "APPROVE", None),
            ("T2026090200000002", t(2, 13), B, "M000000002", 25_000, "APPROVE", None),
            # A partial cancel of the first approval, same day.
            ("T2026090200000003", t(2, 15), A, "M000000001", 4_000, "CANCEL", "T2026090200000001"),
            # A next-day cancel of yesterday's 7,000 approval in Gapyeong counts today, there.
            ("T2026090200000004", t(2, 9), B, "M000000003", 7_000, "CANCEL", "T2026090100000009"),
            ("T2026090200000005", t(2, 18), B, "M000000003", 3_000, "APPROVE", None),
            # A merchant nobody registered: counted under the explicit unknown.
            ("T2026090200000006", t(2, 20), A, "M000000099", 1_000, "APPROVE", None),
        ]
    )
    out = daily(txns, MERCHANTS)
    rows = {(r["sigungu_cd"], r["category_cd"]): r for r in out.to_dicts()}
    jangan = rows[("41111", "C27")]
    assert jangan["net_amount_krw"] == 10_000 + 25_000 - 4_000
    assert (jangan["approvals"], jangan["cancels"], jangan["cards"], jangan["merchants"]) == (2, 1, 2, 2)
    assert jangan["avg_ticket_krw"] == 17_500  # (10,000 + 25,000) / 2
    gapyeong = rows[("41820", "C23")]
    assert gapyeong["net_amount_krw"] == 3_000 - 7_000  # a day can be net negative
    assert (gapyeong["approvals"], gapyeong["cancels"], gapyeong["avg_ticket_krw"]) == (1, 1, 3_000)
    assert rows[(UNKNOWN_AREA, UNKNOWN_CATEGORY)]["net_amount_krw"] == 1_000
    assert out["net_amount_krw"].sum() == 10_000 + 25_000 - 4_000 - 7_000 + 3_000 + 1_000
    assert set(out["date"].cast(pl.String)) == {"2026-09-02"}


def test_average_ticket_rounds_half_up_and_is_null_without_approvals():
    txns = _txns(
        [
            ("T2026090200000001", t(2, 12), A, "M000000001", 10_001, "APPROVE", None),
            ("T2026090200000002", t(2, 12), A, "M000000001", 10_000, "APPROVE", None),
            ("T2026090200000003", t(2, 12), A, "M000000002", 500, "CANCEL", "T2026090100000001"),
        ]
    )
    merchants = MERCHANTS.with_columns(
        pl.when(pl.col("merchant_id") == "M000000002").then(pl.lit("C01")).otherwise("category_cd").alias("category_cd")
    )
    out = {r["category_cd"]: r for r in daily(txns, merchants).to_dicts()}
    assert out["C27"]["avg_ticket_krw"] == 10_001  # 10,000.5 rounds up
    assert out["C01"]["avg_ticket_krw"] is None and out["C01"]["net_amount_krw"] == -500


def test_register_as_of_takes_the_latest_delivery_up_to_the_day():
    history = pl.DataFrame(
        {
            "merchant_id": ["M1", "M1", "M1"],
            "sigungu_cd": ["41111", "41113", "41115"],
            "date": ["2026-09-01", "2026-09-02", "2026-09-03"],
        }
    ).lazy()
    assert as_of(history, "merchant_id", "2026-09-02").collect()["sigungu_cd"].to_list() == ["41113"]


# --- the as-of join on registers ---------------------------------------------------------
C = "c" * 64
REGISTER = pl.DataFrame(
    {
        "card_token": [A, B, A],
        "home_sigungu_cd": ["41111", "41820", "41113"],  # A moves on 09-03
        "date": ["2026-09-01", "2026-09-02", "2026-09-03"],
    }
).lazy()
EVENTS = pl.DataFrame(
    {  # not in day order: the result keeps the events' order
        "card_token": [A, B, A, B, C, A],
        "_day": [datetime(2026, 9, d).date() for d in (3, 1, 2, 2, 2, 1)],
    }
)
EXPECTED_HOMES = ["41113", None, "41111", "41820", None, "41111"]


def test_attach_as_of_takes_the_latest_entry_delivered_up_to_the_event_day():
    out = attach_as_of(EVENTS, REGISTER, "card_token", ["home_sigungu_cd"])
    assert out.columns == ["card_token", "_day", "home_sigungu_cd"]
    assert out["card_token"].to_list() == EVENTS["card_token"].to_list()
    assert out["home_sigungu_cd"].to_list() == EXPECTED_HOMES


def test_attach_as_of_is_exact_when_keys_share_a_hash():
    # Every key hashes alike here: matches by hash alone would mix cards up.
    for same in (lambda key: pl.lit(7, pl.UInt64), lambda key: pl.col(key).str.len_bytes().cast(pl.UInt64)):
        out = attach_as_of(EVENTS, REGISTER, "card_token", ["home_sigungu_cd"], hashed=same)
        assert out["home_sigungu_cd"].to_list() == EXPECTED_HOMES


def test_card_key_is_the_first_128_bits_of_the_token():
    tokens = pl.Series(["0" * 31 + "1" + "f" * 32, "f" * 64, "0" * 32 + "1" * 32])
    keys = pl.select(card_key(pl.lit(tokens))).to_series().to_list()
    assert keys == [1, 2**128 - 1, 0]


def test_a_register_read_once_gives_each_day_only_what_was_delivered_by_then():
    register = Register(REGISTER, "card_token", ["home_sigungu_cd"])
    # A's move delivered on 09-03 is not known to a run of 09-02, even for a late event.
    assert register.attach(EVENTS, up_to=date(2026, 9, 2))["home_sigungu_cd"].to_list() == [
        "41111",
        None,
        "41111",
        "41820",
        None,
        "41111",
    ]
    assert register.attach(EVENTS)["home_sigungu_cd"].to_list() == EXPECTED_HOMES
