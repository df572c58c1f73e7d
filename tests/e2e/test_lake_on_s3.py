"""The whole Dagster graph with its lake on an S3-compatible server (``REGIONAL_ECON_LAKE=s3://...``)
gives the same lake, products and warehouse answers as with its lake in a folder."""

import uuid
from datetime import date

import dagster as dg
import pytest

from regional_econ import warehouse
from regional_econ.storage import paths
from regional_econ.storage.lake import LOCK_DIR_ENV, Lake
from regional_econ.synth import generate
from tests.builders import services

pytestmark = pytest.mark.e2e

START = LAST = date(2026, 9, 1)
ANSWERS = (
    "select sigungu_cd, category_cd, sum(net_amount_krw), sum(approvals) from marts.spending_monthly group by all order by all",
    "select count(*), sum(amount_krw) from staged.kona_transactions",
    "select feed, count(*) filter (where in_force) from ops.receipts group by all order by all",
)


def _run(root, monkeypatch, lake: str | None) -> list[str]:
    if lake:
        monkeypatch.setenv(paths.LAKE_ENV, lake)
    else:
        monkeypatch.delenv(paths.LAKE_ENV, raising=False)
    from assets import run

    with dg.instance_for_test() as instance:
        return run.run_window(START, LAST, instance, resources_root=root)


def _contents(lake: Lake) -> dict[str, bytes]:
    """Every Parquet file of the lake by its path under the root, with its bytes."""
    return {str(p.relative_to(lake.root)): p.read_bytes() for p in lake.root.glob("**/*.parquet")}


def test_the_graph_on_s3_equals_the_graph_on_a_folder(tmp_path, monkeypatch):
    local, remote = tmp_path / "local", tmp_path / "remote"
    for root in (local, remote):
        generate(out=root / "landing", start=START, days=(LAST - START).days + 1, scale=0.0005, seed=11)
    with services.s3_server() as s3:
        for name, value in s3.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv(LOCK_DIR_ENV, str(tmp_path / "locks"))
        url = f"s3://{s3['REGIONAL_ECON_TEST_BUCKET']}/{uuid.uuid4().hex[:8]}/lake"
        assert _run(local, monkeypatch, None) == []
        assert _run(remote, monkeypatch, url) == []
        assert not (remote / "lake").exists()  # everything went to the bucket
        on_s3, in_folder = _contents(Lake(url)), _contents(Lake(local / "lake"))
        assert on_s3.keys() == in_folder.keys() and len(on_s3) > 40
        assert on_s3 == in_folder
        for query in ANSWERS:
            by_s3 = warehouse.query(remote / "warehouse.duckdb", query, url).rows()
            assert by_s3 == warehouse.query(local / "warehouse.duckdb", query, local / "lake").rows() and by_s3
        products = sorted(p.relative_to(local / "publish") for p in (local / "publish").rglob("*.parquet"))
        assert products and products == sorted(p.relative_to(remote / "publish") for p in (remote / "publish").rglob("*.parquet"))
