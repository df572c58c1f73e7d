"""The real Dagster graph, end to end, on two generated days at a tiny scale.

Every cadence's cycle job runs over the window (as `make demo` does), then the warehouse;
the warehouse must answer for all 14 feeds, and net spending must equal approvals minus
cancels computed straight from the landing files by an independent DuckDB query.
"""

from datetime import date

import dagster as dg
import duckdb
import pytest

from regional_econ.contracts import contracts
from regional_econ.storage import paths
from regional_econ.synth import generate

START, DAYS = date(2026, 9, 1), 2


@pytest.fixture(scope="module")
def platform(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("platform")
    monkeypatch_module.setenv(paths.DATA_ROOT_ENV, str(root))
    generate(out=root / "landing", start=START, days=DAYS, scale=0.0005, seed=11)
    from assets import run
    from definitions import defs

    with dg.instance_for_test() as instance:
        failed = run.run_window(START, date(2026, 9, 2), instance, resources_root=root)
        keys = list(defs.resolve_asset_graph().asset_check_keys)
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
        checks = {k.to_user_string(): r.status.value for k, r in latest.items() if r is not None}
        shown = {key: latest_row_counts(instance, key) for key in SHOWN}
        daily = instance.get_runs(dg.RunsFilter(job_name="daily_cycle"))[0]
        planned = instance.get_records_for_run(daily.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
        shown["planned"] = [r.event_log_entry.dagster_event.event_specific_data for r in planned]
    return root, failed, checks, shown


SHOWN = ("staged/kona/transactions", "marts/spending_daily", "marts/payments")


def latest_row_counts(instance: dg.DagsterInstance, key: str) -> dict[str, list[int]]:
    """What the UI shows on each partition: the row counts of its materializations, newest first."""
    records = instance.fetch_materializations(dg.AssetKey(key.split("/")), limit=1000).records  # newest first
    counts: dict[str, list[int]] = {}
    for record in records:
        event = record.asset_materialization
        counts.setdefault(event.partition, []).append(event.metadata["dagster/row_count"].value)
    return counts


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def sql(root, query):
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(query).fetchall()


def test_every_run_succeeds(platform):
    _, failed, _, _ = platform
    assert failed == []


def test_every_feed_is_staged_and_conserved(platform):
    root, _, _, _ = platform
    for c in contracts().values():
        staged = sql(root, f"select count(*) from staged.{c.name}")[0][0]
        quarantined = sql(root, f"select count(*) from quarantine.{c.name}")[0][0]
        received = sql(root, f"select sum(rows_received) from ops.receipts where feed = '{c.id}' and in_force")[0][0]
        assert staged > 0, c.id
        assert received == staged + quarantined, c.id


def test_net_spending_equals_approvals_minus_cancels_in_the_landing_files(platform):
    root, _, _, _ = platform
    net = sql(root, "select sum(net_amount_krw) from marts.spending_daily")[0][0]
    files = str(root / "landing" / "kona" / "transactions" / "*" / "*.csv")
    with duckdb.connect() as con:
        expected = con.execute(
            f"select sum(case txn_type when 'APPROVE' then amount_krw else -amount_krw end) "
            f"from read_csv('{files}', all_varchar = false)"
        ).fetchone()[0]
    assert net == expected
    assert sql(root, "select count(distinct date) from marts.spending_daily")[0][0] == DAYS


def test_each_partition_shows_its_own_row_count(platform):
    """A run over a range records its result on every partition; each must still show its own figures,
    in one event per partition (a year's backfill records a year of events, not two)."""
    root, _, _, shown = platform
    views = {"staged/kona/transactions": "staged.kona_transactions", "marts/spending_daily": "marts.spending_daily",
             "marts/payments": "marts.payments"}  # fmt: skip
    for key, view in views.items():
        in_lake = dict(sql(root, f"select strftime(date, '%Y-%m-%d'), count(*) from {view} group by 1"))
        assert {day: counts[0] for day, counts in shown[key].items()} == in_lake, key
        assert all(len(counts) == 1 for counts in shown[key].values()), f"{key}: one materialization per partition and run"
        assert len(set(in_lake.values())) == DAYS, "the days must differ for the test to mean anything"


def test_a_range_run_plans_each_asset_once_with_its_partitions(platform):
    """One planned event per asset of the daily run, naming both days (not one per asset and day)."""
    planned = platform[3]["planned"]
    assert planned and len({p.asset_key for p in planned}) == len(planned)
    assert all(
        p.partition is None and set(p.partitions_subset.get_partition_keys()) == {"2026-09-01", "2026-09-02"} for p in planned
    )


def test_reference_tables_and_reports_are_there(platform):
    root, _, _, _ = platform
    assert sql(root, "select count(*) from ref.areas where in_portal_2019")[0][0] == 42
    assert (root / "reports" / "kona" / "index.html").exists()


def test_the_spending_marts_agree_with_each_other_and_the_landing_files(platform):
    root, _, _, _ = platform
    totals = {
        m: sql(root, f"select sum(net_amount_krw) from marts.{m}")[0][0]
        for m in ("spending_daily", "spending_monthly", "spending_by_time", "spending_by_demographics", "spending_flows")
    }
    assert len(set(totals.values())) == 1, totals
    inflow, outflow = sql(root, "select sum(inflow_krw), sum(outflow_krw) from marts.area_flow_summary")[0]
    cross_area = sql(
        root,
        "select sum(net_amount_krw) from marts.spending_flows where home_sigungu_cd <> merchant_sigungu_cd and home_sigungu_cd <> '99999'",
    )[0][0]
    assert outflow == cross_area and inflow >= cross_area


def test_products_are_protected_and_catalogued(platform):
    import hashlib
    import json

    from regional_econ.publish.disclosure import MIN_BUSINESSES, MIN_PERSONS

    root, _, _, _ = platform
    catalog = json.loads((root / "publish" / "catalog.json").read_text())
    names = {p["product"] for p in catalog["products"]}
    assert {
        "spending_monthly",
        "spending_by_time",
        "spending_by_demographics",
        "spending_flows",
        "currency_circulation",
        "policy_fund_usage",
    } <= names
    for product in catalog["products"]:
        for period in product["periods"]:
            for f in period["files"]:
                assert hashlib.sha256((root / "publish" / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    csv = next((root / "publish" / "spending_flows").glob("*/*.csv")).read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and "거주지시군구코드".encode() in csv
    shown_below = sql(
        root,
        "select count(*) from publish.spending_flows p join marts.spending_flows m "
        "on p.home_sigungu_cd = m.home_sigungu_cd and p.merchant_sigungu_cd = m.merchant_sigungu_cd "
        f"where not p.suppressed and (m.cards < {MIN_PERSONS} or m.merchants < {MIN_BUSINESSES})",
    )[0][0]
    assert shown_below == 0
    for product in names:
        columns = {
            r[0]
            for r in sql(
                root,
                f"select column_name from information_schema.columns where table_schema = 'publish' and table_name = '{product}'",
            )
        }
        assert not any(c.endswith("_token") or c in ("merchant_id", "biz_token") for c in columns)
    # Why a cell is withheld stays internal: no published file (data, disclosure.json, catalog) says it.
    reasons = ("withheld_by_rule", "_reason", "p_percent", "person_dominance")
    for path in (root / "publish").rglob("*"):
        if path.is_file():
            assert not any(r.encode() in path.read_bytes() for r in reasons), path


RATES = {
    "merchant_revenue_monthly": [],
    "sme_indicators": ["small_merchant_share", "top_merchant_share"],
    "sme_profile": [],
    "linkage_rates": ["rate"],
    "credit_early_warning": [],
    "credit_risk_by_area": ["flag_rate"],
    "job_matching": ["placement_rate", "fill_rate"],
    "job_mismatch": ["mismatch_index"],
    "consumption_trends": [],
    "finance_stress": [],
}


def test_fusion_marts_exist_with_rates_in_bounds(platform):
    root, _, _, _ = platform
    for mart, rates in RATES.items():
        assert sql(root, f"select count(*) from marts.{mart}")[0][0] >= 0
        for rate in rates:
            outside = sql(root, f"select count(*) from marts.{mart} where {rate} < 0 or {rate} > 1 or isnan({rate})")[0][0]
            assert outside == 0, (mart, rate)
    assert sql(root, "select count(*) from marts.job_matching where vacancy_to_seeker_ratio = 'inf'::double")[0][0] == 0


def test_linkage_rates_show_the_planted_overlap(platform):
    from regional_econ.synth.businesses import KED_COVERAGE

    root, _, _, _ = platform
    rate = sql(root, "select rate from marts.linkage_rates where center_a = 'kona' and center_b = 'ked'")[0][0]
    assert rate == pytest.approx(KED_COVERAGE["merchant"], abs=0.08)
    bounded = sql(root, "select count(*) from marts.linkage_rates where businesses_both > least(businesses_a, businesses_b)")[0][
        0
    ]
    assert bounded == 0


def test_linked_values_are_equal_cell_for_cell(platform):
    """Values declared one quantity in two products (``links``) are the same number in both marts."""
    root, _, _, _ = platform
    joined, differing = sql(
        root,
        "select count(*), count(*) filter (where s.total_revenue_krw <> m.net_amount_krw) from marts.sme_indicators s "
        "join marts.spending_monthly m using (month, sigungu_cd, category_cd)",
    )[0]
    assert joined > 0 and differing == 0


def test_every_asset_check_ran_and_passed(platform):
    """Batch gate, the pandera output checks on every staged and mart asset, the warehouse read-only."""
    _, _, checks, _ = platform
    assert any(k.endswith("schema_matches_declaration") and k.startswith("marts/") for k in checks)
    assert checks["warehouse:every_view_answers"] == "SUCCEEDED"
    # The disclosure audit ran on every product and found every withheld value protected.
    from assets.publish import PUBLISHED

    audited = {k.split(":")[0] for k in checks if k.endswith("protected_against_linear_attack")}
    assert audited == {f"publish/{name}" for name in PUBLISHED} and len(audited) >= 10
    failing = {k: v for k, v in checks.items() if v != "SUCCEEDED" and not k.endswith(("volume_in_band", "delivered_on_time"))}
    assert failing == {}
