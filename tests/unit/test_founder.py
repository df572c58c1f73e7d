"""The founder's traffic light, computed by hand on a small published frame."""

import polars as pl
import pytest

from regional_econ.serve.founder import lights

COLUMNS = ("month", "sigungu_cd", "category_cd", "merchants", "openings", "closures", "revenue_growth", "suppressed")


def _frame(rows):
    return pl.DataFrame(rows, schema=dict(zip(COLUMNS, (pl.String, pl.String, pl.String, pl.Int64, pl.Int64, pl.Int64,
                                                          pl.Float64, pl.Boolean), strict=True)), orient="row")  # fmt: skip


# Gyeonggi total of C02 in 09: 100 merchants, 4 closures: rate 0.04. Three si: 41150 (Uijeongbu), 41210, 41220.
ROWS = [
    ("2026-09-01", None, "C02", 100, 6, 4, 0.0, False),
    # Uijeongbu: growth +5% (+1), 3 openings vs 0 closures (+1), rate 0 <= 0.8x (+1), 10 merchants vs median 20 (0.5: +1)
    ("2026-09-01", "41150", "C02", 10, 3, 0, 0.05, False),
    # Gwangmyeong: growth -4% (-1), 0 vs 3 (-1), rate 3/20 = 0.15 = 3.75x (-1), 20 vs median 20 (0)
    ("2026-09-01", "41210", "C02", 20, 0, 3, -0.04, False),
    # Pyeongtaek: withheld: no signal can be read
    ("2026-09-01", "41220", "C02", None, None, None, None, True),
    # a gu with 30 merchants (competition of gu is measured among gu)
    ("2026-09-01", "41111", "C02", 30, 1, 1, 0.01, False),
    ("2026-09-01", "41113", "C02", 30, 1, 1, 0.01, False),
]


def test_each_signal_and_the_light_come_out_as_computed_by_hand():
    found = {light.area: light for light in lights(_frame(ROWS), "C02")}
    assert found["41150"].signals == {"trend": 1, "churn": 1, "survival": 1, "competition": 1}
    assert found["41150"].colour == "green"
    assert found["41210"].signals == {"trend": -1, "churn": -1, "survival": -1, "competition": 0}
    assert found["41210"].values["closure_rate_vs_gyeonggi"] == pytest.approx(0.15 / 0.04)
    assert found["41210"].colour == "red"
    assert found["41220"].colour == "grey" and set(found["41220"].signals.values()) == {None}
    # two gu of 30 each: the median gu has 30; 1 opening, 1 closure, +1% growth: all signals 0 but survival
    assert found["41111"].signals["competition"] == 0 and found["41111"].signals["churn"] == 0
    assert found["41111"].colour == "yellow"


def test_only_the_last_three_months_count():
    older = [("2026-05-01", "41150", "C02", 10, 0, 9, -0.5, False), ("2026-05-01", None, "C02", 100, 0, 9, -0.5, False)]
    recent = [r for r in ROWS] + [(m, *r[1:]) for m in ("2026-07-01", "2026-08-01") for r in ROWS[:2]]
    found = {light.area: light for light in lights(_frame(older + recent), "C02")}
    assert found["41150"].values["net_openings"] == 9  # three months of 3 openings, May's 9 closures left out
