"""Household finance stress on a hand-computed fixture: cases per 10,000 resident cardholders."""

import polars as pl
import pytest

from regional_econ.contracts import contract
from regional_econ.transforms.stress import finance_stress
from tests.builders.staged import empty, staged, token

MONTH = "2026-03-01"
CLIENT1, CLIENT2, CLIENT3 = token(301), token(302), token(303)

CASES = staged(
    "msc/counseling_cases",
    [
        {
            "client_token": CLIENT1,
            "sigungu_cd": "41111",
            "debt_type": "CARD",
            "outcome": "DEBT_ADJUSTMENT",
            "opened_on": "2026-03-02",
        },
        {
            "client_token": CLIENT1,
            "sigungu_cd": "41111",
            "debt_type": "CREDIT_LOAN",
            "outcome": "BANKRUPTCY_REFERRAL",
            "opened_on": "2026-03-20",
        },
        {"client_token": CLIENT2, "sigungu_cd": "41111", "debt_type": "CARD", "outcome": "EDUCATION", "opened_on": "2026-03-31"},
        {"client_token": CLIENT2, "sigungu_cd": "41111", "opened_on": "2026-02-28"},  # February
        {"client_token": CLIENT3, "sigungu_cd": "41113", "opened_on": "2026-03-05"},  # nobody holds a card there
    ],
)
CARDHOLDERS = staged(
    "kona/cardholders",
    [
        *[{"card_token": token(n), "home_sigungu_cd": "41111", "date": "2026-01-01"} for n in (1, 2, 3)],
        # Moved from 41113 to 41111 in March: counted where it lives at month end.
        {"card_token": token(4), "home_sigungu_cd": "41113", "date": "2026-01-01"},
        {"card_token": token(4), "home_sigungu_cd": "41111", "date": "2026-03-10"},
        {"card_token": token(5), "home_sigungu_cd": "41111", "registered_on": "2026-04-05", "date": "2026-04-05"},
        *[{"card_token": token(n), "home_sigungu_cd": "41115", "date": "2026-01-01"} for n in (6, 7)],
    ],
)


@pytest.fixture(scope="module")
def stress():
    return finance_stress(CASES, CARDHOLDERS, MONTH)


def test_finance_stress_hand_computed(stress):
    row = {(r["sigungu_cd"], r["dimension"], r["value"]): r for r in stress.to_dicts()}
    total = row[("41111", "all", "ALL")]
    assert (total["cases"], total["clients"], total["cardholders"]) == (3, 2, 4)
    assert total["cases_per_10k"] == 7_500.0  # 3 x 10,000 / 4
    assert row[("41111", "debt_type", "CARD")]["cases"] == 2
    assert row[("41111", "debt_type", "CARD")]["cases_per_10k"] == 5_000.0
    assert row[("41111", "debt_type", "MORTGAGE")]["cases"] == 0  # zero-filled
    assert row[("41111", "outcome", "EDUCATION")]["cases_per_10k"] == 2_500.0

    no_cards = row[("41113", "all", "ALL")]
    assert (no_cards["cases"], no_cards["cardholders"], no_cards["cases_per_10k"]) == (1, 0, None)
    assert no_cards["rate_null_reason"] == "no_cardholders"

    calm = row[("41115", "all", "ALL")]
    assert (calm["cases"], calm["cardholders"], calm["cases_per_10k"], calm["rate_null_reason"]) == (0, 2, 0.0, None)


def test_every_area_has_every_breakdown_and_they_sum_to_the_total(stress):
    msc = contract("msc/counseling_cases")
    per_area = 1 + len(msc.column("debt_type").domain) + len(msc.column("outcome").domain)
    assert stress.group_by("sigungu_cd").len()["len"].to_list() == [per_area] * 3
    sums = stress.group_by("sigungu_cd", "dimension").agg(pl.col("cases").sum())
    assert sums.group_by("sigungu_cd").agg(pl.col("cases").n_unique())["cases"].to_list() == [1, 1, 1]
    assert stress.filter(pl.col("cases_per_10k").is_null())["rate_null_reason"].null_count() == 0


def test_finance_stress_empty():
    assert finance_stress(empty("msc/counseling_cases"), empty("kona/cardholders"), MONTH).height == 0
