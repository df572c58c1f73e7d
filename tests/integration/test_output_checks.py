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
from resources import ParquetLake

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
            resources={"lake": ParquetLake(root=str(tmp_path))},
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
