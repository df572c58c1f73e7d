"""A hand-made landing window with known answers, through the real Dagster assets.

The month of tests/test_spending_marts.py is delivered as the centers would (CSV files with
manifests, two days of every kona feed), staged, built into the spending marts and the
products, and queried from the warehouse.
"""

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.run import partition_range_tags
from regional_econ.marts import MARTS
from resources import default_resources
from tests.builders import spending_month as month
from tests.builders.deliveries import deliver

DAYS = ("2026-09-01", "2026-09-02")


def _deliver_window(landing):
    txns = month.transactions().collect()
    for day in DAYS:
        first = day == DAYS[0]
        on_day = pl.col("approved_at").dt.date().cast(pl.String) == day
        deliver(landing, "kona/transactions", day, txns.filter(on_day))
        merchants = month.merchants_register().collect().drop("date")
        deliver(landing, "kona/merchants", day, merchants if first else merchants.clear())
        cards = month.cardholders_register().collect().drop("date")
        deliver(landing, "kona/cardholders", day, cards if first else cards.clear())
        charges = month.charges().collect()
        deliver(landing, "kona/charges", day, charges.filter(pl.col("charged_at").dt.date().cast(pl.String) == day))


def _run(defs, keys, first, last, root, instance):
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection=set(keys))
    return job.execute_in_process(
        instance=instance, resources=default_resources(root), raise_on_error=False, tags=partition_range_tags(first, last)
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from definitions import defs

    root = tmp_path_factory.mktemp("known")
    _deliver_window(root / "landing")
    graph = defs.resolve_asset_graph()
    keys = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    kona_daily = {k for k in keys if k.path[0] in ("staged", "quarantine") and k.path[1] == "kona"}
    daily_marts = {
        k
        for k in keys
        if k.path[0] == "marts"
        and graph.get(k).partitions_def == graph.get(dg.AssetKey(["marts", "spending_daily"])).partitions_def
    }
    monthly = {k for k in keys if k.path[0] == "marts" and k not in daily_marts and k.path[1] in month_marts()}
    # The products of a month are protected together: one step publishes them all (those whose mart exists).
    monthly |= {k for k in keys if k.path[0] == "publish" and k.path[1] in MARTS and MARTS[k.path[1]].publish}
    with dg.instance_for_test() as instance:
        assert _run(defs, kona_daily | daily_marts, *DAYS, root, instance).success
        assert _run(defs, monthly, "2026-09-01", "2026-09-01", root, instance).success
        assert (
            defs.resolve_job_def("warehouse_refresh")
            .execute_in_process(instance=instance, resources=default_resources(root))
            .success
        )
    return duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)


def month_marts():
    return {
        "spending_monthly",
        "spending_by_time",
        "spending_by_demographics",
        "spending_flows",
        "area_flow_summary",
        "currency_circulation",
        "currency_balance",
        "policy_fund_usage",
    }


def test_flows_and_retention_come_out_as_computed_by_hand(warehouse):
    flows = dict(
        ((h, m), n)
        for h, m, n in warehouse.execute(
            "select home_sigungu_cd, merchant_sigungu_cd, net_amount_krw from marts.spending_flows"
        ).fetchall()
    )
    assert flows == {("41111", "41111"): 6_000, ("41111", "41820"): 15_000, ("41820", "41820"): 7_000, ("99999", "41111"): 3_000}
    retention = warehouse.execute("select local_retention from marts.area_flow_summary where sigungu_cd = '41111'").fetchone()[0]
    assert retention == pytest.approx(6_000 / 21_000)


def test_daily_net_and_currency_balance(warehouse):
    daily = dict(
        warehouse.execute("select cast(date as varchar), sum(net_amount_krw) from marts.spending_daily group by 1").fetchall()
    )
    assert daily == {"2026-09-01": 26_000, "2026-09-02": 5_000}
    cost = warehouse.execute(
        "select incentive_cost_per_local_won from marts.currency_balance where currency_cd = '41110'"
    ).fetchone()[0]
    assert cost == pytest.approx(5_000 / 6_000)


def test_tiny_cells_are_withheld_in_the_products(warehouse):
    published = warehouse.execute("select count(*), count(*) filter (where suppressed) from publish.spending_flows").fetchone()
    # One or two cards per cell: nothing may be shown, neither the 4 cells nor their totals.
    assert published[0] == published[1] and published[0] > 4
    assert warehouse.execute("select count(*) from publish.spending_flows where net_amount_krw is not null").fetchone()[0] == 0
