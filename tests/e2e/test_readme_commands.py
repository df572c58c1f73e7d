"""The README's commands without a daemon, run as written on a generated world: each finishes
what it starts (no run left queued), and what it says it builds is there."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg

from regional_econ.storage.lake import Lake
from regional_econ.synth import generate
from tests.builders import readme

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_the_commands_without_a_daemon_do_what_they_say(tmp_path):
    generate(out=tmp_path / "data" / "landing", start=date(2026, 9, 1), days=14, scale=0.0003, seed=3)
    env = os.environ | {"REGIONAL_ECON_DATA": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "home"),
                        "REGIONAL_ECON_AUTOMATION": "off"}  # fmt: skip
    subprocess.run([str(BIN / "regional-econ-instance")], env=env, check=True, capture_output=True)
    for command in readme.commands("without a daemon"):
        done = subprocess.run([str(BIN / Path(command[0]).name), *command[1:]], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    lake = Lake(tmp_path / "data" / "lake")
    assert len(lake.keys("staged", "kona/merchants")) == 14
    assert len(lake.keys("marts", "spending_daily")) == 14
    assert (tmp_path / "data" / "warehouse.duckdb").exists()
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        runs = instance.get_runs()
    assert runs and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    # The summary measures every planted event in the marts; the relief payment is too large to miss.
    summary = subprocess.run([str(BIN / "regional-econ"), "summary"], env=env, capture_output=True, text=True, check=True).stdout
    planted = summary.split("Planted events", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert len(planted) == 4 and all("n/a" not in line for line in planted), summary
    assert any(line.strip().startswith("relief_payment") and line.endswith("-> found") for line in planted), summary
    # ... and the credit early warning of the last month against the planted declines
    # (two weeks: nothing to compare with yet, and it says so)
    assert "Credit early warning 2026-09: no business assessed yet" in summary, summary
