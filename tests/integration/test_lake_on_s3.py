"""The lake on an S3-compatible server (moto's, on 127.0.0.1, or ``REGIONAL_ECON_TEST_S3_ENDPOINT``):
promotion, its failure at any upload, marts, receipts, garbage collection and the warehouse views."""

import uuid

import polars as pl
import pytest

from regional_econ import warehouse
from regional_econ.contracts import contract
from regional_econ.staging import stage_period
from regional_econ.storage import lake as lake_module
from regional_econ.storage import paths
from regional_econ.storage.lake import LOCK_DIR_ENV, Lake
from tests.builders import services
from tests.builders.deliveries import TOKEN_A, deliver, merchants, transactions

pytestmark = pytest.mark.integration

TXN, MER = contract("kona/transactions"), contract("kona/merchants")
DAY = "2026-09-01"
V1 = [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None), (2, TOKEN_A, "M000000001", 2000, "APPROVE", None),
      (3, TOKEN_A, "M000000001", 3000, "APPROVE", None), (4, TOKEN_A, "M000000001", -1, "APPROVE", None)]  # fmt: skip
V2 = [(1, TOKEN_A, "M000000001", 500, "APPROVE", None), (2, TOKEN_A, "M000000001", 700, "APPROVE", None),
      (3, TOKEN_A, "M000000001", -1, "APPROVE", None), (4, TOKEN_A, "M000000001", -2, "APPROVE", None)]  # fmt: skip
VERSIONS = {(3, 6000, 1): "v1", (2, 1200, 2): "v2"}


@pytest.fixture(scope="module")
def s3():
    with services.s3_server() as server:
        yield server


@pytest.fixture
def root(s3, monkeypatch, tmp_path):
    for name, value in s3.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(LOCK_DIR_ENV, str(tmp_path / "locks"))
    return paths.location(f"s3://{s3['REGIONAL_ECON_TEST_BUCKET']}/{uuid.uuid4().hex[:8]}/lake")


def _seen(root, tmp_path) -> tuple[str, str]:
    """Which version a lake reader and a warehouse built now (views on s3://) each see of the period."""
    lake = Lake(root)
    staged = lake.scan("staged", TXN.id, [DAY]).collect()
    quarantined = lake.scan("quarantine", TXN.id, [DAY]).collect().height
    by_lake = VERSIONS.get((staged.height, staged["amount_krw"].sum(), quarantined), "a mix")
    target = tmp_path / "warehouse.duckdb"
    warehouse.build(root, target)
    n, total = warehouse.query(target, "select count(*), sum(amount_krw) from staged.kona_transactions", root).row(0)
    (q,) = warehouse.query(target, "select count(*) from quarantine.kona_transactions", root).row(0)
    return by_lake, VERSIONS.get((n, total, q), "a mix")


def test_a_lake_root_url_is_an_object_store_location(root):
    assert paths.is_remote(root) and str(root).startswith("s3://")
    assert str(Lake(str(root)).root) == str(root)
    assert not paths.is_remote(paths.location("/srv/data/lake"))


def test_a_correction_failing_at_any_upload_leaves_v1_whole_and_a_rerun_converges(root, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    deliver(landing, MER.id, DAY, merchants([("M000000001", "41111")]))
    stage_period(MER, landing, Lake(root), DAY)
    deliver(landing, TXN.id, DAY, transactions(DAY, V1))
    stage_period(TXN, landing, Lake(root), DAY)
    assert _seen(root, tmp_path) == ("v1", "v1")
    deliver(landing, TXN.id, DAY, transactions(DAY, V2), version=2)
    real_place, uploads = lake_module._place, []

    def failing_at(n):
        def place(tmp, target):
            uploads.append(str(target))
            if len(uploads) == n:
                raise ConnectionError("the upload was cut")
            real_place(tmp, target)

        return place

    for n in range(1, 20):  # fail the nth upload, from the first until the promotion gets through
        uploads.clear()
        monkeypatch.setattr(lake_module, "_place", failing_at(n))
        try:
            stage_period(TXN, landing, Lake(root), DAY)
        except ConnectionError:
            pass
        committed = any("/_meta/in_force/" in u for u in uploads[: n - 1])
        assert _seen(root, tmp_path) == (("v2", "v2") if committed else ("v1", "v1")), (n, uploads)
        if committed:
            break
    assert n > 2  # the staged and the quarantine files were cut before the pointer, and v1 stayed
    monkeypatch.setattr(lake_module, "_place", real_place)
    stage_period(TXN, landing, Lake(root), DAY)  # a re-run changes nothing more
    assert _seen(root, tmp_path) == ("v2", "v2")
    lake = Lake(root)
    lake.collect_garbage()  # the v1 files (and the uploads of the failed attempts) go; the files in force stay
    parts = {str(p) for layer in ("staged", "quarantine") for p in lake.partition_dir(layer, TXN.id, DAY).glob("part-*")}
    assert parts == {str(lake.files(layer, TXN.id, [DAY])[DAY]) for layer in ("staged", "quarantine")}
    outcomes = [r["outcome"] for r in lake.receipts(TXN.id, DAY)]
    assert lake.receipt_keys(TXN.id) == [DAY] and "promoted" in outcomes
    assert "_v2" in lake.in_force(TXN.id, DAY)["delivery"]


def test_mart_partitions_are_replaced_whole_and_listed_and_the_warehouse_views_them(root, tmp_path):
    lake = Lake(root)
    for month, amount in (("2026-09", 10), ("2026-10", 20)):
        lake.write("marts", "spending_monthly", month, pl.DataFrame({"net_amount_krw": [amount, 1]}), column="month")
    lake.write("marts", "spending_monthly", "2026-09", pl.DataFrame({"net_amount_krw": [7]}), column="month")
    assert lake.keys("marts", "spending_monthly", column="month") == ["2026-09", "2026-10"]
    frame = lake.scan("marts", "spending_monthly", column="month").collect().sort("month")
    assert frame.rows() == [(7, "2026-09"), (20, "2026-10"), (1, "2026-10")]
    target = tmp_path / "warehouse.duckdb"
    made = warehouse.build(root, target)
    assert "spending_monthly" in made["marts"]
    total = warehouse.query(target, "select month, sum(net_amount_krw) from marts.spending_monthly group by 1 order by 1", root)
    assert total.rows() == [("2026-09", 7), ("2026-10", 21)]


def test_period_locks_live_on_the_writers_host(root, tmp_path):
    lake = Lake(root)
    with lake.period_lock(TXN.id, DAY):
        assert lake.lock_held(TXN.id, DAY)
    assert not lake.lock_held(TXN.id, DAY)
    assert list((tmp_path / "locks").rglob("*.lock"))  # on the host, not in the bucket
    assert not list(Lake(root).root.glob("_meta/locks/*"))


def test_a_lake_follows_the_endpoint_of_its_environment(root, monkeypatch):
    """fsspec caches filesystems by their options: a lake opened after the endpoint changed (another
    server, a test module after another) must not reach the earlier endpoint's server."""
    import boto3

    lake = Lake(root)
    lake.write("marts", "spending_monthly", "2026-09", pl.DataFrame({"net_amount_krw": [1]}), column="month")
    with services.s3_server() as other:
        for name, value in other.items():
            monkeypatch.setenv(name, value)
        elsewhere = paths.location(f"s3://{other['REGIONAL_ECON_TEST_BUCKET']}/lake")
        Lake(elsewhere).write("marts", "spending_monthly", "2026-09", pl.DataFrame({"net_amount_krw": [2]}), column="month")
        client = boto3.client("s3", endpoint_url=other["AWS_ENDPOINT_URL"], region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
        listed = client.list_objects_v2(Bucket=other["REGIONAL_ECON_TEST_BUCKET"])["KeyCount"]
    assert listed > 0
