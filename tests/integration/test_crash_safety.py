"""A correction (_v2) staged over a v1 in force, killed with SIGKILL at every file operation of
its promotion: after each kill a reader of the lake and of a warehouse built then sees all of v1
or all of v2, never a mix, and a re-run converges to v2 with no leftover file."""

import subprocess
import sys
from pathlib import Path

import pytest

from regional_econ import warehouse
from regional_econ.contracts import contract
from regional_econ.staging import stage_period
from regional_econ.storage.lake import Lake
from tests.builders.deliveries import TOKEN_A, deliver, merchants, transactions

TXN, MER = contract("kona/transactions"), contract("kona/merchants")
DAY = "2026-09-01"
REPO = Path(__file__).resolve().parents[2]
# v1: 3 rows staged, 1 quarantined (negative amount); v2: 2 staged, 2 quarantined.
V1 = [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None), (2, TOKEN_A, "M000000001", 2000, "APPROVE", None),
      (3, TOKEN_A, "M000000001", 3000, "APPROVE", None), (4, TOKEN_A, "M000000001", -1, "APPROVE", None)]  # fmt: skip
V2 = [(1, TOKEN_A, "M000000001", 500, "APPROVE", None), (2, TOKEN_A, "M000000001", 700, "APPROVE", None),
      (3, TOKEN_A, "M000000001", -1, "APPROVE", None), (4, TOKEN_A, "M000000001", -2, "APPROVE", None)]  # fmt: skip
VERSIONS = {(3, 6000, 1): "v1", (2, 1200, 2): "v2"}


def _kill(landing: Path, root: Path, at: int) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tests.builders.kill_switch", str(landing), str(root), TXN.id, DAY, str(at)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)


def _seen(root: Path) -> tuple[str, str]:
    """Which version a lake reader and a warehouse built now each see of the period."""
    lake = Lake(root)
    staged = lake.scan("staged", TXN.id, [DAY]).collect()
    quarantined = lake.scan("quarantine", TXN.id, [DAY]).collect().height
    by_lake = VERSIONS.get((staged.height, staged["amount_krw"].sum(), quarantined), "a mix")
    target = root.parent / "warehouse.duckdb"
    warehouse.build(root, target)
    n, total = warehouse.query(target, "select count(*), sum(amount_krw) from staged.kona_transactions").row(0)
    (q,) = warehouse.query(target, "select count(*) from quarantine.kona_transactions").row(0)
    return by_lake, VERSIONS.get((n, total, q), "a mix")


@pytest.fixture
def v2_over_v1(tmp_path):
    landing, root = tmp_path / "landing", tmp_path / "lake"
    deliver(landing, MER.id, DAY, merchants([("M000000001", "41111")]))
    stage_period(MER, landing, Lake(root), DAY)
    deliver(landing, TXN.id, DAY, transactions(DAY, V1))
    stage_period(TXN, landing, Lake(root), DAY)
    assert _seen(root) == ("v1", "v1")
    deliver(landing, TXN.id, DAY, transactions(DAY, V2), version=2)
    return landing, root


def test_a_kill_at_any_point_shows_all_of_v1_or_all_of_v2_and_a_rerun_converges(v2_over_v1, tmp_path):
    landing, root = v2_over_v1
    completed = _kill(landing, tmp_path / "count-only", 10**6)  # a dry run elsewhere only to count operations
    assert completed.returncode != 0 or "operations" in completed.stdout
    seen_after_kill = []
    for at in range(1, 7):
        # Each point on a fresh copy of the v1 state, so every kill hits the same step of the same promotion.
        run_root = tmp_path / f"kill-{at}"
        subprocess.run(["cp", "-a", str(root), str(run_root)], check=True)
        result = _kill(landing, run_root, at)
        assert result.returncode == -9 or "operations" in result.stdout, result.stderr[-2000:]
        seen = _seen(run_root)
        assert seen[0] == seen[1] and seen[0] in ("v1", "v2"), (at, seen)
        seen_after_kill.append(seen[0])
        stage_period(TXN, landing, Lake(run_root), DAY)  # the next run
        assert _seen(run_root) == ("v2", "v2")
        leftovers = [p.name for p in run_root.rglob("*") if p.is_file() and p.name.startswith(".tmp-")]
        lake = Lake(run_root)
        lake.collect_garbage()  # what the warehouse does once its views moved on: superseded files go
        parts = {p for layer in ("staged", "quarantine") for p in lake.partition_dir(layer, TXN.id, DAY).glob("part-*")}
        assert leftovers == [] and parts == {lake.files(layer, TXN.id, [DAY])[DAY] for layer in ("staged", "quarantine")}
    assert "v1" in seen_after_kill and "v2" in seen_after_kill  # the kills fell before and after the commit


def test_a_killed_writers_file_is_listed_by_no_reader(tmp_path):
    """What a writer killed mid-write leaves in a product or report folder is not a product or a
    page: the catalog lists ``*/*.parquet``, the portal ``*.html``."""
    from regional_econ.storage.lake import _tmp_name

    folder = tmp_path / "spending_monthly" / "2026-09"
    folder.mkdir(parents=True)
    for stem in ("spending_monthly_2026-09.parquet", "index.html"):
        (folder / _tmp_name(stem)).write_bytes(b"half written")
    assert list(tmp_path.glob("*/*/*.parquet")) == [] and list(tmp_path.rglob("*.html")) == []
