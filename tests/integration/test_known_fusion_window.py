"""A hand-made landing window for the fusion marts, through the real Dagster assets.

Business X (token 1) is a kona merchant (M1, Suwon Jangan-gu, restaurants), in ked (grade B,
revenue 100m KRW), has a guarantee (gcgf) and posts a job (gjf); business Y (token 2) is in
ked only. Card A pays M1 10,000 on 09-01 and 5,000 on 09-02. Seeker S registers on 09-01 and
is hired into X's posting P (2 openings, posted 09-01) on 09-02: filled on its second day.
One counselling case in 41111, where one cardholder lives.
"""

import dagster as dg
import duckdb
import pytest

from assets.run import partition_range_tags
from resources import default_resources
from tests.builders.deliveries import deliver
from tests.builders.staged import empty, staged, token

X, Y, CARD, SEEKER = token(1), token(2), token(11), token(21)
DAYS = ("2026-09-01", "2026-09-02")
MONTH = "2026-09-01"

DELIVERIES = {  # feed -> {period: rows}
    "kona/merchants": {DAYS[0]: [{"merchant_id": "M000000001", "biz_token": X, "date": DAYS[0]}], DAYS[1]: []},
    "kona/cardholders": {DAYS[0]: [{"card_token": CARD, "date": DAYS[0]}], DAYS[1]: []},
    "kona/transactions": {
        DAYS[0]: [
            {"txn_id": "T2026090100000001", "card_token": CARD, "approved_at": "2026-09-01T12:00:00", "amount_krw": 10_000}
        ],
        DAYS[1]: [{"txn_id": "T2026090200000001", "card_token": CARD, "approved_at": "2026-09-02T12:00:00", "amount_krw": 5_000}],
    },
    "ked/sme_credit": {
        MONTH: [
            {"biz_token": X, "base_month": "2026-09", "credit_grade": "B", "revenue_krw": 100_000_000},
            {"biz_token": Y, "base_month": "2026-09", "credit_grade": "A", "revenue_krw": 50_000_000},
        ]
    },
    "gcgf/guarantee_events": {
        DAYS[0]: [{"event_id": "GE0000000001", "guarantee_id": "G000000001", "biz_token": X, "event_on": DAYS[0]}],
        DAYS[1]: [],
    },
    "gjf/job_postings": {
        DAYS[0]: [
            {
                "posting_id": "JP0000000001",
                "employer_biz_token": X,
                "openings": 2,
                "posted_on": DAYS[0],
                "closes_on": "2026-09-30",
                "status": "OPEN",
                "date": DAYS[0],
            }
        ],
        DAYS[1]: [
            {
                "posting_id": "JP0000000001",
                "employer_biz_token": X,
                "openings": 2,
                "posted_on": DAYS[0],
                "closes_on": "2026-09-30",
                "status": "FILLED",
                "date": DAYS[1],
            }
        ],
    },
    "gjf/job_seekers": {DAYS[0]: [{"seeker_token": SEEKER, "registered_on": DAYS[0], "date": DAYS[0]}], DAYS[1]: []},
    "gjf/placements": {
        DAYS[0]: [],
        DAYS[1]: [{"placement_id": "PL0000000001", "posting_id": "JP0000000001", "seeker_token": SEEKER, "hired_on": DAYS[1]}],
    },
    "msc/counseling_cases": {
        DAYS[0]: [{"case_id": "CS0000000001", "client_token": token(31), "opened_on": DAYS[0]}],
        DAYS[1]: [],
    },
}


def _deliver(landing):
    for feed, periods in DELIVERIES.items():
        for period, rows in periods.items():
            frame = staged(feed, rows) if rows else empty(feed)
            deliver(landing, feed, period, frame.collect().drop("date"))


FUSION_MONTHLY = (
    "merchant_revenue_monthly",
    "spending_monthly",  # sme_indicators' revenue of a cell
    "sme_indicators",
    "sme_profile",
    "linkage_rates",
    "credit_early_warning",
    "credit_risk_by_area",
    "job_matching",
    "job_mismatch",
    "finance_stress",
)


def _run(defs, keys, first, last, root, instance):
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection=set(keys))
    result = job.execute_in_process(
        instance=instance, resources=default_resources(root), raise_on_error=False, tags=partition_range_tags(first, last)
    )
    assert result.success, [e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from definitions import defs

    root = tmp_path_factory.mktemp("fusion")
    _deliver(root / "landing")
    daily = {
        dg.AssetKey([layer, *feed.split("/")])
        for feed in DELIVERIES
        if feed != "ked/sme_credit"
        for layer in ("staged", "quarantine")
    }
    daily |= {dg.AssetKey(["marts", "payments"]), dg.AssetKey(["marts", "spending_daily"])}
    monthly = {dg.AssetKey([layer, "ked", "sme_credit"]) for layer in ("staged", "quarantine")}
    monthly |= {dg.AssetKey(["marts", name]) for name in FUSION_MONTHLY}
    with dg.instance_for_test() as instance:
        _run(defs, daily, *DAYS, root, instance)
        _run(defs, monthly, MONTH, MONTH, root, instance)
        assert (
            defs.resolve_job_def("warehouse_refresh")
            .execute_in_process(instance=instance, resources=default_resources(root))
            .success
        )
    return duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)


def one(con, sql):
    return con.execute(sql).fetchone()


def test_merchant_revenue_and_profile(warehouse):
    assert one(
        warehouse, "select net_revenue_krw, transactions, customers, mom_growth, status from marts.merchant_revenue_monthly"
    ) == (15_000, 2, 1, None, "active")
    x = one(
        warehouse,
        f"select in_kona, in_ked, in_gcgf, in_gjf, credit_grade, currency_revenue_12m_krw, currency_dependency, "
        f"active_guarantees, hires_12m from marts.sme_profile where biz_token = '{X}'",
    )
    assert x[:6] == (True, True, True, True, "B", 15_000)
    assert x[6] == pytest.approx(15_000 / 100_000_000) and x[7:] == (1, 1)
    assert one(warehouse, f"select in_kona, in_ked, centers from marts.sme_profile where biz_token = '{Y}'")[:2] == (False, True)


def test_linkage_rates(warehouse):
    rates = {
        (a, b): (n_a, both, r)
        for a, b, n_a, both, r in warehouse.execute(
            "select center_a, center_b, businesses_a, businesses_both, rate from marts.linkage_rates"
        ).fetchall()
    }
    assert rates[("ked", "kona")] == (2, 1, 0.5)
    assert rates[("kona", "ked")] == (1, 1, 1.0)
    assert rates[("gtp", "kona")][2] is None  # no gtp businesses: no rate, not zero


def test_job_matching_and_mismatch(warehouse):
    row = one(
        warehouse,
        "select open_postings, openings, new_postings, placements, active_seekers, placement_rate, fill_rate, "
        "median_days_to_fill from marts.job_matching where sigungu_cd = '41111' and occupation_cd = '53'",
    )
    assert row == (1, 2, 1, 1, 1, 1.0, 1.0, 1)
    assert one(warehouse, "select mismatch_index from marts.job_mismatch where sigungu_cd = '41111'") == (0.0,)


def test_finance_stress_per_10k_cardholders(warehouse):
    assert one(
        warehouse,
        "select cases, cardholders, cases_per_10k from marts.finance_stress where sigungu_cd = '41111' and dimension = 'all'",
    ) == (1, 1, 10_000.0)


def test_no_early_warning_without_a_revenue_base(warehouse):
    assert one(warehouse, f"select assessed, flagged from marts.credit_early_warning where biz_token = '{X}'") == (False, False)
