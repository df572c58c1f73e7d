"""The founder's traffic light, computed by hand on small published frames."""

import polars as pl
import pytest

from regional_econ.serve.founder import lights

INDICATORS = {"month": pl.String, "sigungu_cd": pl.String, "category_cd": pl.String, "merchants": pl.Int64,
              "revenue_growth": pl.Float64, "suppressed": pl.Boolean}  # fmt: skip
CHURN = {"month": pl.String, "sigungu_cd": pl.String, "category_cd": pl.String, "openings": pl.Int64,
         "closures": pl.Int64, "suppressed": pl.Boolean}  # fmt: skip


def _frame(rows, schema):
    return pl.DataFrame(rows, schema=schema, orient="row")


# C02 (group G1) in September. Three si: 41150 (Uijeongbu), 41210 (Gwangmyeong), 41220 (Pyeongtaek);
# two of Suwon's gu (si 41110). Growth and merchants of the category's cells; the merchants of the
# group's cells are what the closure rates are over.
INDICATOR_ROWS = [
    ("2026-09-01", "41150", "C02", 10, 0.05, False),
    ("2026-09-01", "41210", "C02", 20, -0.04, False),
    ("2026-09-01", "41220", "C02", None, None, True),
    ("2026-09-01", "41111", "C02", 30, 0.01, False),
    ("2026-09-01", "41113", "C02", 30, 0.01, False),
    ("2026-09-01", None, "G1", 1000, 0.0, False),
    ("2026-09-01", "41150", "G1", 50, 0.0, False),
    ("2026-09-01", "41210", "G1", 100, 0.0, False),
    ("2026-09-01", "41220", "G1", None, None, True),
    ("2026-09-01", "41110", "G1", 200, 0.0, False),
]
# Gyeonggi's G1: 40 closures of 1,000 merchants, rate 0.04.
CHURN_ROWS = [
    ("2026-09-01", None, "G1", 50, 40, False),
    # Uijeongbu: 3 openings, 0 closures (+1); rate 0 <= 0.8x (+1)
    ("2026-09-01", "41150", "G1", 3, 0, False),
    # Gwangmyeong: 0 vs 15 (-1); rate 15/100 = 0.15 = 3.75x (-1)
    ("2026-09-01", "41210", "G1", 0, 15, False),
    ("2026-09-01", "41220", "G1", None, None, True),
    # Suwon: 8 openings and 8 closures (0); rate 8/200 = 0.04 = 1x (0): what each of its gu reads
    ("2026-09-01", "41110", "G1", 8, 8, False),
]


def test_each_signal_and_the_light_come_out_as_computed_by_hand():
    found = {light.area: light for light in lights(_frame(INDICATOR_ROWS, INDICATORS), "C02", _frame(CHURN_ROWS, CHURN))}
    # Uijeongbu: growth +5% (+1), net openings +3 (+1), no closures (+1), 10 merchants vs the median si's 15 (0.67: +1)
    assert found["41150"].signals == {"trend": 1, "churn": 1, "survival": 1, "competition": 1}
    assert found["41150"].colour == "green"
    assert found["41210"].signals == {"trend": -1, "churn": -1, "survival": -1, "competition": 0}
    assert found["41210"].values["closure_rate_vs_gyeonggi"] == pytest.approx(0.15 / 0.04)
    assert found["41210"].colour == "red"
    assert found["41220"].colour == "grey" and set(found["41220"].signals.values()) == {None}
    # a gu reads its si's churn and closure rate; two gu of 30 each: the median gu has 30
    assert found["41111"].values["net_openings"] == 0
    assert found["41111"].values["closure_rate_vs_gyeonggi"] == pytest.approx(1.0)
    assert found["41111"].signals == {"trend": 0, "churn": 0, "survival": 0, "competition": 0}
    assert found["41111"].colour == "yellow"


def test_without_the_churn_table_only_trend_and_competition_are_read():
    found = {light.area: light for light in lights(_frame(INDICATOR_ROWS, INDICATORS), "C02")}
    assert found["41150"].signals == {"trend": 1, "churn": None, "survival": None, "competition": 1}


def test_only_the_last_three_months_count():
    older = [("2026-05-01", "41150", "G1", 0, 9, False), ("2026-05-01", None, "G1", 0, 9, False)]
    months = ("2026-07-01", "2026-08-01")
    churn = older + CHURN_ROWS + [(m, *r[1:]) for m in months for r in CHURN_ROWS[:2]]
    indicators = INDICATOR_ROWS + [(m, *r[1:]) for m in months for r in INDICATOR_ROWS[:1]]
    found = {light.area: light for light in lights(_frame(indicators, INDICATORS), "C02", _frame(churn, CHURN))}
    assert found["41150"].values["net_openings"] == 9  # three months of 3 openings, May's 9 closures left out
