"""The map's measures, computed by hand on a tiny warehouse of published cells."""

import duckdb
import pytest

from regional_econ.serve import measures

MONTH = "2026-09-01"
FLOWS = [  # home, merchant, net, suppressed
    ("41150", "41150", 60, False),  # Uijeongbu residents at home
    ("41150", None, 100, False),  # Uijeongbu residents anywhere
    (None, "41150", 90, False),  # anyone in Uijeongbu
    ("41210", "41210", 10, True),  # Gwangmyeong at home: withheld
    ("41210", None, 40, False),
    (None, "41210", 70, False),
]
SPENDING = [("41150", None, 500, False), ("41150", "C02", 80, False), ("41210", None, None, True), ("41111", None, 300, False)]


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA publish")
        con.execute("CREATE TABLE publish.spending_flows (month VARCHAR, home_sigungu_cd VARCHAR, merchant_sigungu_cd VARCHAR, "
                    "net_amount_krw BIGINT, suppressed BOOLEAN)")  # fmt: skip
        con.executemany("INSERT INTO publish.spending_flows VALUES (?, ?, ?, ?, ?)", [(MONTH, *r) for r in FLOWS])
        con.execute("CREATE TABLE publish.spending_monthly (month VARCHAR, sigungu_cd VARCHAR, category_cd VARCHAR, "
                    "net_amount_krw BIGINT, suppressed BOOLEAN)")  # fmt: skip
        con.executemany("INSERT INTO publish.spending_monthly VALUES (?, ?, ?, ?, ?)", [(MONTH, *r) for r in SPENDING])
    return path


def test_local_retention_is_spending_at_home_over_residents_spending(warehouse):
    assert measures.map_values(warehouse, measures.MEASURES["local_retention"], MONTH) == {"41150": pytest.approx(0.6)}


def test_inflow_is_everyone_in_the_area_less_its_residents_at_home(warehouse):
    assert measures.map_values(warehouse, measures.MEASURES["inflow"], MONTH) == {"41150": 30.0}


def test_net_spending_is_the_si_gun_total_and_a_gu_is_not_a_si_gun(warehouse):
    # 41111 is a gu of Suwon: the map draws si/gun only; 41210 is withheld: no value
    assert measures.map_values(warehouse, measures.MEASURES["net_amount"], MONTH) == {"41150": 500.0}


def test_a_product_not_published_yet_has_no_values(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert measures.map_values(empty, measures.MEASURES["flag_rate"], MONTH) == {}
    assert measures.months(empty, "credit_risk_by_area") == []
