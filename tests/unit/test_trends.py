"""Consumption trends on a hand-computed fixture: growth, theimc aggregation and the signal rule."""

import pytest

from regional_econ.reference import UNKNOWN_AREA, UNKNOWN_CATEGORY
from regional_econ.transforms.trends import consumption_trends
from tests.builders.staged import empty, staged

WEEK, PREVIOUS = "2026-03-09", "2026-03-02"  # Mondays

MERCHANTS = staged(
    "kona/merchants",
    [
        {"merchant_id": "M000000001", "sigungu_cd": "41111", "category_cd": "C27", "date": "2026-03-01"},
        {"merchant_id": "M000000002", "sigungu_cd": "41111", "category_cd": "C23", "date": "2026-03-01"},
        {"merchant_id": "M000000003", "sigungu_cd": "41113", "category_cd": "C27", "date": "2026-03-01"},
        {"merchant_id": "M000000004", "sigungu_cd": "41115", "category_cd": "C01", "date": "2026-03-01"},
        {"merchant_id": "M000000005", "sigungu_cd": "41117", "category_cd": "C05", "date": "2026-03-01"},
    ],
)


def _pay(merchant, amount, at, kind="APPROVE"):
    return {
        "merchant_id": f"M00000000{merchant}",
        "amount_krw": amount,
        "approved_at": at,
        "txn_type": kind,
        "orig_txn_id": "T0000000001" if kind == "CANCEL" else None,
    }


TRANSACTIONS = staged(
    "kona/transactions",
    [
        # 41111/C27: 100,000 -> 120,000 - 5,000 cancel = 115,000 (+15%).
        _pay(1, 100_000, "2026-03-03T12:00:00"),
        _pay(1, 120_000, "2026-03-10T12:00:00"),
        _pay(1, 5_000, "2026-03-12T12:00:00", "CANCEL"),
        _pay(1, 999_000, "2026-03-16T00:30:00"),  # the next week
        _pay(1, 999_000, "2026-03-01T23:30:00"),  # the week before the previous one
        # 41111/C23: 100,000 -> 80,000 (-20%) while mentions rise.
        _pay(2, 100_000, "2026-03-02T00:10:00"),
        _pay(2, 80_000, "2026-03-15T23:50:00"),
        # 41113/C27: nothing the week before.
        _pay(3, 50_000, "2026-03-11T12:00:00"),
        # 41115/C01: exactly -10%.
        _pay(4, 100_000, "2026-03-04T12:00:00"),
        _pay(4, 90_000, "2026-03-11T12:00:00"),
        # 41117/C05: exactly +10%, with mentions flat.
        _pay(5, 10_000, "2026-03-04T12:00:00"),
        _pay(5, 11_000, "2026-03-11T12:00:00"),
        # An unregistered merchant.
        _pay(9, 3_000, "2026-03-11T12:00:00"),
    ],
)


def _buzz(week, area, category, gender, mentions, search):
    return {
        "week_start": week,
        "sigungu_cd": area,
        "category_cd": category,
        "gender": gender,
        "mention_count": mentions,
        "search_index": search,
    }


TRENDS = staged(
    "theimc/consumer_trends",
    [
        _buzz(PREVIOUS, "41111", "C27", "F", 60, 40.0),
        _buzz(PREVIOUS, "41111", "C27", "M", 40, 60.0),
        _buzz(WEEK, "41111", "C27", "F", 70, 55.0),
        _buzz(WEEK, "41111", "C27", "M", 40, 65.0),
        _buzz(PREVIOUS, "41111", "C23", "F", 50, 30.0),
        _buzz(WEEK, "41111", "C23", "F", 60, 30.0),
        _buzz(PREVIOUS, "41117", "C05", "F", 10, 20.0),
        _buzz(WEEK, "41117", "C05", "F", 10, 25.0),
        _buzz(PREVIOUS, "41119", "C02", "F", 10, 20.0),
        _buzz(WEEK, "41119", "C02", "F", 20, 20.0),  # no spending
        _buzz("2026-03-16", "41111", "C27", "F", 9_999, 99.0),  # the next week
    ],
)


@pytest.fixture(scope="module")
def trends():
    out = consumption_trends(TRANSACTIONS, MERCHANTS, TRENDS, WEEK)
    return {(r["sigungu_cd"], r["category_cd"]): r for r in out.to_dicts()}


def test_spending_and_theimc_growth(trends):
    rising = trends[("41111", "C27")]
    assert (rising["net_spending_krw"], rising["prev_net_spending_krw"]) == (115_000, 100_000)
    assert rising["spending_growth"] == pytest.approx(0.15)
    assert (rising["mention_count"], rising["prev_mention_count"]) == (110, 100)  # summed over gender
    assert rising["mention_growth"] == pytest.approx(0.10)
    assert (rising["search_index"], rising["prev_search_index"]) == (60.0, 50.0)  # mean of the rows
    assert rising["search_index_change"] == 10.0
    assert rising["signal"] == "rising"
    assert rising["week"] == WEEK


def test_week_without_prior_week_has_null_growth_and_no_signal(trends):
    fresh = trends[("41113", "C27")]
    assert (fresh["net_spending_krw"], fresh["prev_net_spending_krw"]) == (50_000, 0)
    assert fresh["spending_growth"] is None and fresh["signal"] is None
    assert fresh["mention_count"] is None and fresh["mention_growth"] is None  # theimc has no row: unknown

    talk_only = trends[("41119", "C02")]
    assert talk_only["net_spending_krw"] == 0 and talk_only["spending_growth"] is None
    assert talk_only["mention_growth"] == 1.0 and talk_only["signal"] is None


def test_signal_rule(trends):
    assert trends[("41111", "C23")]["signal"] == "steady"  # spending -20% but mentions +20%
    assert trends[("41111", "C23")]["spending_growth"] == pytest.approx(-0.2)
    assert trends[("41115", "C01")]["signal"] == "falling"  # exactly -10%, no theimc data
    assert trends[("41117", "C05")]["signal"] == "rising"  # exactly +10%, mentions flat
    assert trends[("41117", "C05")]["search_index_change"] == 5.0
    assert trends[(UNKNOWN_AREA, UNKNOWN_CATEGORY)]["net_spending_krw"] == 3_000


def test_only_listed_cells_and_empty_input(trends):
    assert set(trends) == {
        ("41111", "C27"),
        ("41111", "C23"),
        ("41113", "C27"),
        ("41115", "C01"),
        ("41117", "C05"),
        ("41119", "C02"),
        (UNKNOWN_AREA, UNKNOWN_CATEGORY),
    }
    out = consumption_trends(empty("kona/transactions"), empty("kona/merchants"), empty("theimc/consumer_trends"), WEEK)
    assert out.height == 0
