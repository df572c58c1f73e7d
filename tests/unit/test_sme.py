"""SME marts on hand-computed fixtures: merchant revenue, SME indicators, profile and linkage."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regional_econ.periods import shift_month
from regional_econ.reference import UNKNOWN_AREA, UNKNOWN_CATEGORY
from regional_econ.transforms.sme import (
    BUSINESS_CENTERS,
    linkage_rates,
    merchant_revenue_monthly,
    sme_churn,
    sme_indicators,
    sme_profile,
)
from tests.builders.staged import empty, staged, token

CARD1, CARD2, CARD3, CARD4 = (token(n) for n in (101, 102, 103, 104))
BIZ_A, BIZ_B, BIZ_C, BIZ_D, BIZ_E, BIZ_F, BIZ_G = (token(n) for n in range(10, 17))


def test_shift_month_crosses_years():
    assert shift_month("2026-01-01", -1) == "2025-12-01"
    assert shift_month("2026-03-01", -12) == "2025-03-01"
    assert shift_month("2025-12-01", 1) == "2026-01-01"


# -- merchant_revenue_monthly -------------------------------------------------------------

MERCHANTS = staged(
    "kona/merchants",
    [
        {"merchant_id": "M000000001", "biz_token": BIZ_A, "date": "2026-01-01"},
        # New in March (delivered the day it joined).
        {
            "merchant_id": "M000000002",
            "biz_token": BIZ_B,
            "sales_class": "중소2",
            "registered_on": "2026-03-10",
            "date": "2026-03-10",
        },
        # Closes in March: the upsert on the 20th replaces the January record.
        {
            "merchant_id": "M000000003",
            "biz_token": BIZ_C,
            "sigungu_cd": "41113",
            "category_cd": "C23",
            "sales_class": "중소1",
            "date": "2026-01-01",
        },
        {
            "merchant_id": "M000000003",
            "biz_token": BIZ_C,
            "sigungu_cd": "41113",
            "category_cd": "C23",
            "sales_class": "중소1",
            "closed_on": "2026-03-20",
            "date": "2026-03-20",
        },
        # Registered, open, but no payment in March: no row.
        {"merchant_id": "M000000004", "biz_token": BIZ_D, "date": "2026-01-01"},
        # Delivered only after March: unknown in March.
        {"merchant_id": "M000000009", "biz_token": BIZ_E, "date": "2026-04-02"},
    ],
)

TRANSACTIONS = staged(
    "kona/transactions",
    [
        {"merchant_id": "M000000001", "card_token": CARD1, "amount_krw": 10_000, "approved_at": "2026-03-01T00:05:00"},
        {"merchant_id": "M000000001", "card_token": CARD2, "amount_krw": 20_000, "approved_at": "2026-03-15T12:00:00"},
        {"merchant_id": "M000000001", "card_token": CARD1, "amount_krw": 5_000, "approved_at": "2026-03-31T23:30:00"},
        # A cancel of a February payment counts in March, at the original merchant.
        {
            "merchant_id": "M000000001",
            "card_token": CARD3,
            "amount_krw": 4_000,
            "txn_type": "CANCEL",
            "orig_txn_id": "T2026022800000001",
            "approved_at": "2026-03-16T10:00:00",
        },
        # KST April 1st (still March 31st in UTC) and KST February 28th: not March.
        {"merchant_id": "M000000001", "card_token": CARD1, "amount_krw": 7_000, "approved_at": "2026-04-01T00:10:00"},
        {"merchant_id": "M000000001", "card_token": CARD1, "amount_krw": 9_000, "approved_at": "2026-02-28T23:50:00"},
        {"merchant_id": "M000000002", "card_token": CARD3, "amount_krw": 8_000, "approved_at": "2026-03-12T12:00:00"},
        {"merchant_id": "M000000003", "card_token": CARD1, "amount_krw": 1_000, "approved_at": "2026-03-02T12:00:00"},
        {"merchant_id": "M000000009", "card_token": CARD4, "amount_krw": 2_000, "approved_at": "2026-03-03T12:00:00"},
    ],
)

HISTORY = pl.DataFrame(
    {
        "month": ["2026-02-01", "2025-03-01", "2026-02-01", "2026-03-01"],
        "merchant_id": ["M000000001", "M000000001", "M000000003", "M000000002"],
        "net_revenue_krw": [25_000, 62_000, 0, 999],
    }
)


def test_merchant_revenue_hand_computed():
    out = merchant_revenue_monthly(TRANSACTIONS, MERCHANTS, "2026-03-01", HISTORY)
    rows = {r["merchant_id"]: r for r in out.to_dicts()}
    assert set(rows) == {"M000000001", "M000000002", "M000000003", "M000000009"}  # M4 had nothing to report

    m1 = rows["M000000001"]
    assert m1["net_revenue_krw"] == 10_000 + 20_000 + 5_000 - 4_000
    assert (m1["transactions"], m1["cancels"], m1["customers"]) == (3, 1, 2)
    assert m1["status"] == "active" and m1["biz_token"] == BIZ_A and m1["sales_class"] == "영세"
    assert m1["mom_growth"] == pytest.approx(31_000 / 25_000 - 1)  # 0.24
    assert m1["yoy_growth"] == pytest.approx(31_000 / 62_000 - 1)  # -0.5

    m2 = rows["M000000002"]
    assert (m2["status"], m2["net_revenue_krw"], m2["customers"]) == ("new", 8_000, 1)
    assert m2["mom_growth"] is None and m2["yoy_growth"] is None  # no base: null, not zero

    m3 = rows["M000000003"]
    assert (m3["status"], m3["sigungu_cd"], m3["category_cd"], m3["net_revenue_krw"]) == ("closed", "41113", "C23", 1_000)
    assert m3["mom_growth"] is None  # a base of 0 is no base

    m9 = rows["M000000009"]  # kept and counted, under the explicit unknowns
    assert (m9["in_register"], m9["sigungu_cd"], m9["category_cd"]) == (False, UNKNOWN_AREA, UNKNOWN_CATEGORY)
    assert m9["biz_token"] is None and m9["status"] == "active" and m9["net_revenue_krw"] == 2_000
    assert out["month"].unique().to_list() == ["2026-03-01"]
    assert out["net_revenue_krw"].sum() == 31_000 + 8_000 + 1_000 + 2_000


def test_merchant_revenue_without_history_has_null_growth_and_closed_wins_over_new():
    merchants = staged(
        "kona/merchants",
        [{"merchant_id": "M000000001", "registered_on": "2026-03-02", "closed_on": "2026-03-30", "date": "2026-03-30"}],
    )
    txns = staged("kona/transactions", [{"merchant_id": "M000000001", "approved_at": "2026-03-05T12:00:00"}])
    out = merchant_revenue_monthly(txns, merchants, "2026-03-01").row(0, named=True)
    assert out["status"] == "closed"
    assert out["mom_growth"] is None and out["yoy_growth"] is None


def test_merchant_revenue_schema_is_stable_on_empty_input():
    out = merchant_revenue_monthly(empty("kona/transactions"), empty("kona/merchants"), "2026-03-01")
    assert out.height == 0
    assert out.schema["net_revenue_krw"] == pl.Int64 and out.schema["mom_growth"] == pl.Float64


# -- sme_indicators -----------------------------------------------------------------------


def _revenue_rows(rows):
    cols = ["month", "merchant_id", "sigungu_cd", "category_cd", "sales_class", "status", "net_revenue_krw", "transactions"]
    return pl.DataFrame(
        [dict(zip(cols, r, strict=True)) for r in rows],
        schema={c: (pl.Int64 if c in ("net_revenue_krw", "transactions") else pl.String) for c in cols},
    )


def test_sme_indicators_hand_computed():
    mar, feb = "2026-03-01", "2026-02-01"
    revenue = _revenue_rows(
        [
            (mar, "M1", "41111", "C27", "영세", "active", 30_000, 3),
            (mar, "M2", "41111", "C27", "중소1", "new", 10_000, 1),
            (mar, "M3", "41111", "C27", "중소2", "active", 20_000, 2),
            (mar, "M4", "41111", "C27", "일반", "closed", 0, 0),  # closed without trading
            (feb, "M1", "41111", "C27", "영세", "active", 40_000, 4),
            (mar, "M5", "41113", "C23", "중소3", "active", 15_001, 1),
            (mar, "M6", "41113", "C23", "중소3", "active", 15_000, 1),
            (mar, "M7", "41115", "C01", "영세", "active", 5_000, 1),
            (feb, "M7", "41115", "C01", "영세", "active", 0, 0),
            (mar, "M9", UNKNOWN_AREA, UNKNOWN_CATEGORY, None, "active", 2_000, 1),
            # re-registered from 41111/C27 to 41117/C05 mid-month: 1,000 taken before, 3,000 after
            (mar, "M8", "41117", "C05", "영세", "active", 4_000, 2),
            (mar, "M10", "41119", "C02", "영세", "closed", 0, 0),  # no payments: no spending cell
        ]
    )
    spending = pl.DataFrame(
        {
            "month": [mar] * 5,
            "sigungu_cd": ["41111", "41113", "41115", "41117", UNKNOWN_AREA],
            "category_cd": ["C27", "C23", "C01", "C05", UNKNOWN_CATEGORY],
            "net_amount_krw": [61_000, 30_001, 5_000, 3_000, 2_000],
        }
    )
    out = {(r["sigungu_cd"], r["category_cd"]): r for r in sme_indicators(revenue, spending, mar).to_dicts()}
    assert set(out) == {("41111", "C27"), ("41113", "C23"), ("41115", "C01"), ("41117", "C05"), ("41119", "C02"),
                        (UNKNOWN_AREA, UNKNOWN_CATEGORY)}  # fmt: skip

    cell = out[("41111", "C27")]
    assert (cell["merchants"], cell["trading_merchants"]) == (4, 3)
    # The cell's spending, M8's 1,000 included, so that it equals spending_monthly's cell (linked):
    # the sum of its merchants' rows (60,000) would publish M8's takings as a difference.
    assert cell["total_revenue_krw"] == 61_000
    assert out[("41117", "C05")]["total_revenue_krw"] == 3_000 and out[("41119", "C02")]["total_revenue_krw"] == 0
    assert cell["median_revenue_krw"] == 20_000  # of the three trading merchants
    assert cell["revenue_growth"] == pytest.approx(61_000 / 40_000 - 1)
    assert cell["small_merchant_share"] == pytest.approx(2 / 3)  # 영세 + 중소1 among trading

    suwon = out[("41113", "C23")]
    assert suwon["median_revenue_krw"] == 15_001  # 15,000.5 rounds half up
    assert suwon["revenue_growth"] is None  # no February: no base
    assert suwon["small_merchant_share"] == 0.0

    assert out[("41115", "C01")]["revenue_growth"] is None  # February total 0: no base
    unknown = out[(UNKNOWN_AREA, UNKNOWN_CATEGORY)]
    assert unknown["merchants"] == 1 and unknown["small_merchant_share"] is None  # no known class


# -- sme_profile and linkage_rates --------------------------------------------------------


def test_sme_churn_hand_computed():
    mar = "2026-03-01"
    revenue = _revenue_rows(
        [
            (mar, "M1", "41111", "C27", "영세", "active", 30_000, 3),
            (mar, "M2", "41111", "C27", "중소1", "new", 10_000, 1),
            (mar, "M4", "41111", "C27", "일반", "closed", 0, 0),
            (mar, "M5", "41113", "C23", "중소3", "new", 15_001, 1),
            ("2026-02-01", "M6", "41113", "C23", "중소3", "closed", 0, 0),  # another month
        ]
    )
    out = {(r["sigungu_cd"], r["category_cd"]): r for r in sme_churn(revenue, mar).to_dicts()}
    assert {k: (v["merchants"], v["openings"], v["closures"]) for k, v in out.items()} == {
        ("41111", "C27"): (3, 1, 1),
        ("41113", "C23"): (1, 1, 0),
    }


def _profile_inputs():
    """June 2026; the 12-month window is 2025-07-01 .. 2026-06-30. Centers per business:
    A: kona, ked, gcgf, gbsa, gjf. B: ked, gtp. C: kona. D: gca. E: gcgf.
    F: gcgf events only before the window (absent). G: a merchant closed before the window (absent)."""
    revenue = pl.DataFrame(
        {
            "month": ["2025-06-01", "2025-07-01", "2026-06-01", "2026-06-01"],
            "biz_token": [BIZ_A, BIZ_A, BIZ_A, None],
            "merchant_id": ["M1", "M1", "M1", "M9"],
            "net_revenue_krw": [999_999, 100_000, 50_000, 7_000],
        }
    )
    merchants = staged(
        "kona/merchants",
        [
            {"merchant_id": "M000000001", "biz_token": BIZ_A, "date": "2025-01-01"},
            {"merchant_id": "M000000003", "biz_token": BIZ_C, "closed_on": "2025-08-01", "date": "2025-08-01"},
            {"merchant_id": "M000000007", "biz_token": BIZ_G, "closed_on": "2025-03-01", "date": "2025-03-01"},
            {"merchant_id": "M000000008", "biz_token": token(99), "registered_on": "2026-07-03", "date": "2026-07-03"},
        ],
    )
    credit = staged(
        "ked/sme_credit",
        [
            {"biz_token": BIZ_A, "base_month": "2026-05", "credit_grade": "BBB", "revenue_krw": 1_400_000},
            {"biz_token": BIZ_A, "base_month": "2026-06", "credit_grade": "B", "revenue_krw": 1_500_000},
            {"biz_token": BIZ_B, "base_month": "2026-06", "credit_grade": "A", "revenue_krw": 0},
            {"biz_token": BIZ_A, "base_month": "2026-07", "credit_grade": "D", "revenue_krw": 1},  # after June
        ],
    )
    guarantees = staged(
        "gcgf/guarantee_events",
        [
            {"guarantee_id": "G1", "biz_token": BIZ_A, "event_on": "2025-01-10", "guarantee_krw": 50_000_000},
            {"guarantee_id": "G2", "biz_token": BIZ_A, "event_on": "2025-03-01", "guarantee_krw": 30_000_000},
            {"guarantee_id": "G2", "biz_token": BIZ_A, "event_type": "REPAID", "event_on": "2025-09-01"},
            {"guarantee_id": "G3", "biz_token": BIZ_E, "event_on": "2024-01-01"},
            {"guarantee_id": "G3", "biz_token": BIZ_E, "event_type": "DEFAULTED", "event_on": "2025-12-01"},
            {"guarantee_id": "G4", "biz_token": BIZ_F, "event_on": "2024-01-01"},
            {"guarantee_id": "G4", "biz_token": BIZ_F, "event_type": "REPAID", "event_on": "2024-06-01"},
        ],
    )
    support = staged(
        "gbsa/sme_support",
        [
            {"biz_token": BIZ_A, "support_krw": 3_000_000, "awarded_on": "2025-08-01"},
            {"biz_token": BIZ_A, "support_krw": 2_000_000, "awarded_on": "2026-06-30"},
            {"biz_token": BIZ_A, "support_krw": 9_000_000, "awarded_on": "2025-06-30"},  # before the window
        ],
    )
    tech = staged(
        "gtp/tech_firms",
        [
            {"biz_token": BIZ_D, "base_quarter": "2025Q4"},  # not in the latest snapshot
            {"biz_token": BIZ_B, "base_quarter": "2026Q2", "tech_field_cd": "BIO"},
        ],
    )
    content = staged("gca/content_firms", [{"biz_token": BIZ_D, "base_quarter": "2026Q1", "genre_cd": "WEBTOON"}])
    postings = staged(
        "gjf/job_postings",
        [
            {
                "posting_id": "JP0000000001",
                "employer_biz_token": BIZ_A,
                "posted_on": "2026-06-10",
                "closes_on": "2026-07-10",
                "date": "2026-06-10",
            },
            {
                "posting_id": "JP0000000002",
                "employer_biz_token": BIZ_A,
                "posted_on": "2026-05-01",
                "closes_on": "2026-05-30",
                "date": "2026-05-01",
            },
            {
                "posting_id": "JP0000000002",
                "employer_biz_token": BIZ_A,
                "posted_on": "2026-05-01",
                "closes_on": "2026-05-30",
                "status": "FILLED",
                "date": "2026-05-02",
            },
        ],
    )
    placements = staged("gjf/placements", [{"posting_id": "JP0000000002", "seeker_token": token(201), "hired_on": "2026-05-02"}])
    return dict(
        revenue=revenue,
        merchants=merchants,
        credit=credit,
        guarantees=guarantees,
        support=support,
        tech=tech,
        content=content,
        postings=postings,
        placements=placements,
    )


def test_sme_profile_fuses_centers_by_business_only():
    out = sme_profile(**_profile_inputs(), month="2026-06-01")
    rows = {r["biz_token"]: r for r in out.to_dicts()}
    assert set(rows) == {BIZ_A, BIZ_B, BIZ_C, BIZ_D, BIZ_E}  # F and G are outside the window

    a = rows[BIZ_A]
    assert [a[f"in_{c}"] for c in BUSINESS_CENTERS] == [True, True, True, True, False, False, True]
    assert a["centers"] == 5 and a["merchants"] == 1
    assert (a["credit_base_month"], a["credit_grade"], a["revenue_krw"]) == ("2026-06", "B", 1_500_000)
    assert a["currency_revenue_12m_krw"] == 150_000  # July 2025 + June 2026; June 2025 is outside
    assert a["currency_dependency"] == pytest.approx(0.1)
    assert (a["active_guarantees"], a["active_guarantee_krw"], a["defaulted_guarantees_12m"]) == (1, 50_000_000, 0)
    assert (a["support_awards_12m"], a["support_krw_12m"]) == (2, 5_000_000)
    assert (a["open_postings"], a["hires_12m"]) == (1, 1)

    b = rows[BIZ_B]
    assert (b["in_ked"], b["in_gtp"], b["in_kona"], b["centers"]) == (True, True, False, 2)
    assert b["tech_field_cd"] == "BIO"
    assert b["currency_revenue_12m_krw"] is None and b["currency_dependency"] is None  # not a merchant, revenue 0

    c = rows[BIZ_C]  # a merchant that closed within the window, without revenue rows
    assert (c["in_kona"], c["centers"], c["currency_revenue_12m_krw"]) == (True, 1, 0)
    assert c["credit_grade"] is None and c["currency_dependency"] is None  # unknown annual revenue

    d = rows[BIZ_D]
    assert (d["in_gca"], d["in_gtp"], d["genre_cd"]) == (True, False, "WEBTOON")

    e = rows[BIZ_E]
    assert (e["in_gcgf"], e["active_guarantees"], e["defaulted_guarantees_12m"]) == (True, 0, 1)
    assert (e["support_awards_12m"], e["open_postings"]) == (0, 0)


def test_linkage_rates_hand_computed():
    profile = sme_profile(**_profile_inputs(), month="2026-06-01")
    out = linkage_rates(profile, "2026-06-01")
    assert out.height == 7 * 6
    pair = {(r["center_a"], r["center_b"]): r for r in out.to_dicts()}
    kona_ked = pair[("kona", "ked")]  # kona {A, C}, ked {A, B}
    assert (kona_ked["businesses_a"], kona_ked["businesses_b"], kona_ked["businesses_both"]) == (2, 2, 1)
    assert kona_ked["rate"] == 0.5
    assert pair[("gtp", "ked")]["rate"] == 1.0 and pair[("ked", "gtp")]["rate"] == 0.5
    assert pair[("gca", "kona")]["rate"] == 0.0
    assert pair[("gcgf", "gbsa")]["businesses_both"] == 1 and pair[("gcgf", "gbsa")]["rate"] == 0.5


def test_linkage_rates_null_for_an_empty_center():
    profile = pl.DataFrame({"month": ["2026-06-01"], **{f"in_{c}": [c == "kona"] for c in BUSINESS_CENTERS}})
    pair = {(r["center_a"], r["center_b"]): r for r in linkage_rates(profile, "2026-06-01").to_dicts()}
    assert pair[("ked", "kona")]["rate"] is None and pair[("kona", "ked")]["rate"] == 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=7, max_size=7), max_size=30))
def test_linkage_rates_are_bounded_by_the_smaller_center(memberships):
    profile = pl.DataFrame(
        {
            "month": ["2026-06-01"] * len(memberships),
            **{f"in_{c}": [m[i] for m in memberships] for i, c in enumerate(BUSINESS_CENTERS)},
        },
        schema={"month": pl.String, **{f"in_{c}": pl.Boolean for c in BUSINESS_CENTERS}},
    )
    for r in linkage_rates(profile, "2026-06-01").to_dicts():
        assert r["businesses_both"] <= min(r["businesses_a"], r["businesses_b"])
        if r["businesses_a"] == 0:
            assert r["rate"] is None
        else:
            assert 0.0 <= r["rate"] <= 1.0
