"""Credit early warning on a hand-computed fixture: -31% triggers, -29% does not, -30% does."""

import polars as pl
import pytest

from regional_econ.transforms.credit import credit_early_warning, credit_risk_by_area
from tests.builders.staged import empty, staged, token

MONTH = "2026-06-01"  # current = 2026-04..06, prior = 2026-01..03, year earlier = 2025-04..06
BIZ = {name: token(n) for n, name in enumerate("ABCDEFG", start=10)}
YEAR_EARLIER, PRIOR = ["2025-04-01", "2025-05-01", "2025-06-01"], ["2026-01-01", "2026-02-01", "2026-03-01"]


def _rows(biz, merchant, months, amount, area="41111", category="C27"):
    return [(m, merchant, BIZ[biz], area, category, amount) for m in months]


REVENUE = pl.DataFrame(
    [
        # A: 300,000 a year ago; now 150,000 at its main shop + 57,000 at a second one = -31%.
        *_rows("A", "MA1", YEAR_EARLIER, 100_000),
        *_rows("A", "MA1", ["2026-04-01", "2026-05-01", "2026-06-01"], 50_000),
        *_rows("A", "MA2", ["2026-05-01"], 57_000, area="41113", category="C23"),
        *_rows("A", "MA1", ["2025-12-01"], 1_000_000),  # outside every window
        # B: 300,000 -> 213,000 = -29%: no drop despite a weak grade.
        *_rows("B", "MB", YEAR_EARLIER, 100_000),
        *_rows("B", "MB", ["2026-04-01", "2026-05-01", "2026-06-01"], 71_000),
        # C: no year-earlier history; prior 300,000 -> 210,000 = exactly -30%.
        *_rows("C", "MC", PRIOR, 100_000),
        *_rows("C", "MC", ["2026-04-01", "2026-05-01", "2026-06-01"], 70_000),
        # D, E: -50%; D has good credit, E is closed.
        *_rows("D", "MD", YEAR_EARLIER, 100_000, area="41113", category="C23"),
        *_rows("D", "MD", ["2026-06-01"], 150_000, area="41113", category="C23"),
        *_rows("E", "ME", YEAR_EARLIER, 100_000, area="41113", category="C23"),
        *_rows("E", "ME", ["2026-06-01"], 150_000, area="41113", category="C23"),
        # F: only current revenue: nothing to compare with.
        *_rows("F", "MF", ["2026-06-01"], 10_000, area="41115", category="C01"),
        # G: no revenue at all now (-100%), its default is older than 12 months.
        *_rows("G", "MG", YEAR_EARLIER, 100_000, area="41113", category="C23"),
        # A merchant without a business token is not assessed.
        ("2026-06-01", "M9", None, "99999", "C99", 5_000),
    ],
    schema={
        "month": pl.String,
        "merchant_id": pl.String,
        "biz_token": pl.String,
        "sigungu_cd": pl.String,
        "category_cd": pl.String,
        "net_revenue_krw": pl.Int64,
    },
    orient="row",
)

CREDIT = staged(
    "ked/sme_credit",
    [
        {"biz_token": BIZ["A"], "base_month": "2026-06", "credit_grade": "B"},
        {"biz_token": BIZ["B"], "base_month": "2026-06", "credit_grade": "CCC"},
        {"biz_token": BIZ["C"], "base_month": "2026-06", "credit_grade": "BB"},
        {"biz_token": BIZ["D"], "base_month": "2026-06", "credit_grade": "A"},
        {"biz_token": BIZ["E"], "base_month": "2026-06", "credit_grade": "A", "is_closed": True},
        {"biz_token": BIZ["D"], "base_month": "2026-07", "credit_grade": "D"},  # after the month: ignored
    ],
)
GUARANTEES = staged(
    "gcgf/guarantee_events",
    [
        {"guarantee_id": "G1", "biz_token": BIZ["C"], "event_type": "DEFAULTED", "event_on": "2025-08-01"},
        {"guarantee_id": "G2", "biz_token": BIZ["G"], "event_type": "SUBROGATED", "event_on": "2025-06-30"},
        {"guarantee_id": "G3", "biz_token": BIZ["D"], "event_type": "DEFAULTED", "event_on": "2026-07-01"},
    ],
)


@pytest.fixture(scope="module")
def warnings():
    return credit_early_warning(REVENUE, CREDIT, GUARANTEES, MONTH)


def test_early_warning_hand_computed(warnings):
    rows = {r["biz_token"]: r for r in warnings.to_dicts()}
    assert set(rows) == set(BIZ.values())

    a = rows[BIZ["A"]]
    assert (a["revenue_3m_krw"], a["base_3m_krw"], a["base_period"]) == (207_000, 300_000, "year_earlier")
    assert a["revenue_change"] == pytest.approx(-0.31)
    assert a["flagged"] and a["reasons"] == ["revenue_drop_yoy", "grade_b_or_worse"]
    assert (a["sigungu_cd"], a["category_cd"]) == ("41111", "C27")  # its main shop

    b = rows[BIZ["B"]]
    assert b["revenue_change"] == pytest.approx(-0.29)
    assert not b["revenue_drop"] and not b["flagged"] and b["reasons"] == ["grade_b_or_worse"]

    c = rows[BIZ["C"]]
    assert (c["base_3m_krw"], c["base_period"]) == (300_000, "prior_3m")
    assert c["flagged"] and c["reasons"] == ["revenue_drop_vs_prior", "guarantee_default"]  # -30% is enough

    d = rows[BIZ["D"]]  # a big drop but sound credit; a July default is after the month
    assert d["revenue_drop"] and not d["flagged"] and d["reasons"] == ["revenue_drop_yoy"]
    assert d["credit_grade"] == "A"

    e = rows[BIZ["E"]]
    assert e["flagged"] and e["reasons"] == ["revenue_drop_yoy", "closed"]

    f = rows[BIZ["F"]]
    assert not f["assessed"] and not f["flagged"] and f["revenue_change"] is None and f["reasons"] == []

    g = rows[BIZ["G"]]  # -100%, default 12 months + 1 day ago, not in ked
    assert g["revenue_3m_krw"] == 0 and g["revenue_drop"]
    assert not g["guarantee_default_12m"] and g["credit_grade"] is None and not g["flagged"]
    assert (g["sigungu_cd"], g["category_cd"]) == ("41113", "C23")


def test_credit_risk_by_area(warnings):
    out = {(r["sigungu_cd"], r["category_cd"]): r for r in credit_risk_by_area(warnings).to_dicts()}
    assert {k: (r["businesses"], r["assessed"], r["flagged"]) for k, r in out.items()} == {
        ("41111", "C27"): (3, 3, 2),  # A, B, C
        ("41113", "C23"): (3, 3, 1),  # D, E, G
        ("41115", "C01"): (1, 0, 0),  # F
    }
    assert out[("41111", "C27")]["flag_rate"] == pytest.approx(2 / 3)
    assert out[("41113", "C23")]["flag_rate"] == pytest.approx(1 / 3)
    assert out[("41115", "C01")]["flag_rate"] is None  # nobody assessed: no rate
    assert all(0 <= r["flag_rate"] <= 1 for r in out.values() if r["flag_rate"] is not None)


def test_early_warning_on_empty_inputs():
    none = REVENUE.clear()
    out = credit_early_warning(none, empty("ked/sme_credit"), empty("gcgf/guarantee_events"), MONTH)
    assert out.height == 0 and out.schema["reasons"] == pl.List(pl.String)
    assert credit_risk_by_area(out).height == 0
