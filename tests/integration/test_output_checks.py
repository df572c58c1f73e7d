"""A mart whose frame drifts from its declaration fails its blocking check in a real Dagster run:
the partition is not written and nothing downstream runs."""

from dataclasses import replace

import dagster as dg
import polars as pl
import pytest

from assets.marts.factory import build_mart
from checks.output_schema import SCHEMA_CHECK
from regional_econ.marts import MARTS
from regional_econ.storage.lake import Lake
from resources import LandingZone, ParquetLake

MONTH = "2026-09-01"
MISMATCH = MARTS["job_mismatch"]


def _good(matching: pl.DataFrame, month: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sigungu_cd": ["41111", "41113"],
            "openings": [3, 0],
            "active_seekers": [4, 2],
            "mismatch_index": [0.25, None],
            "mismatch_null_reason": [None, "no_openings"],
        },
        schema={c.name: c.dtype for c in MISMATCH.stored_columns},
    ).with_columns(month=pl.lit(month))


DRIFTS = {
    "gains an undeclared column": lambda f: f.with_columns(undeclared=pl.lit(1)),
    "loses a declared column": lambda f: f.drop("mismatch_index"),
    "breaks its grain's uniqueness": lambda f: pl.concat([f, f.head(1)]),
}


def _run(tmp_path, transform):
    lake = Lake(tmp_path)
    lake.write("marts", "job_matching", MONTH, pl.DataFrame({"sigungu_cd": ["41111"]}), column="month")

    def compute(matching: pl.DataFrame, month: str) -> pl.DataFrame:
        return transform(_good(matching, month))

    asset = build_mart(replace(MISMATCH, compute=compute))

    @dg.asset(deps=[asset.key], partitions_def=asset.partitions_def)
    def downstream() -> None:
        pass

    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [asset, downstream],
            partition_key=MONTH,
            instance=instance,
            raise_on_error=False,
            resources={"lake": ParquetLake(root=str(tmp_path)), "landing": LandingZone(root=str(tmp_path / "landing"))},
        )
        checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    return result, checks, lake


def test_a_frame_as_declared_passes_and_is_written(tmp_path):
    result, checks, lake = _run(tmp_path, lambda f: f)
    assert result.success and [c.passed for c in checks if c.check_name == SCHEMA_CHECK] == [True]
    assert lake.keys("marts", "job_mismatch", "month") == [MONTH]


@pytest.mark.parametrize("drift", list(DRIFTS))
def test_a_drifting_frame_fails_the_blocking_check_and_is_not_written(tmp_path, drift):
    result, checks, lake = _run(tmp_path, DRIFTS[drift])
    assert not result.success
    (check,) = [c for c in checks if c.check_name == SCHEMA_CHECK]
    assert not check.passed and check.metadata["partitions_failing"].value == [MONTH]
    assert lake.keys("marts", "job_mismatch", "month") == []
    ran = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "downstream" not in ran


DAY = "2026-09-01"


def _spending_daily_run(tmp_path, skew: int):
    """spending_daily from the hand-computed payments of 09-01, its net shifted by ``skew`` won."""
    from checks.conservation import NET_EQUALS_PAYMENTS
    from regional_econ.transforms import payments, spending
    from tests.builders import spending_month as world

    facts = payments.payments(
        world.transactions(), payments.merchant_register(world.merchants_register()),
        payments.card_register(world.cardholders_register()), DAY,
    ).filter(pl.col("date") == pl.lit(DAY).str.to_date())  # fmt: skip
    lake = Lake(tmp_path)
    lake.write("marts", "payments", DAY, facts.drop("date"))

    def compute(payments: pl.LazyFrame) -> pl.DataFrame:
        frame = spending.spending_daily(payments)
        return frame.with_columns(net_amount_krw=pl.col("net_amount_krw") + pl.int_range(pl.len()).eq(0) * skew)

    asset = build_mart(replace(MARTS["spending_daily"], compute=compute))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [asset], partition_key=DAY, instance=instance, raise_on_error=False,
            resources={"lake": ParquetLake(root=str(tmp_path)), "landing": LandingZone(root=str(tmp_path / "landing"))},
        )  # fmt: skip
        checks = {
            e.event_specific_data.check_name: e.event_specific_data
            for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
        }
    return result, checks[NET_EQUALS_PAYMENTS], lake


@pytest.mark.parametrize("skew", [1, -1, 1_000_000])
def test_spending_that_differs_from_payments_is_not_written(tmp_path, skew):
    result, check, lake = _spending_daily_run(tmp_path, skew)
    assert not result.success and not check.passed
    assert check.metadata["partitions_failing"].value == [DAY]
    assert lake.keys("marts", "spending_daily") == []


def test_spending_that_equals_payments_is_written(tmp_path):
    result, check, lake = _spending_daily_run(tmp_path, 0)
    assert result.success and check.passed
    # 10,000 + 20,000 - 4,000 on 09-01 (see tests/builders/spending_month.py)
    total = lake.scan("marts", "spending_daily").select(pl.col("net_amount_krw").sum()).collect().item()
    assert total == 26_000
