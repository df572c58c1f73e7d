"""The Dagster definitions: they load as the UI loads them, and the asset graph is what we meant.

The snapshot lists every asset with its partitions, upstream assets and checks. An
intended change is accepted with ``UPDATE_SNAPSHOTS=1 pytest tests/integration/test_definitions.py``.
"""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from regional_econ.contracts import contracts

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def _defs() -> dg.Definitions:
    from definitions import defs

    return defs


def _partitions(pd) -> str:
    if pd is None:
        return "unpartitioned"
    return f"{type(pd).__name__}({getattr(pd, 'cron_schedule', '')}, {getattr(pd, 'timezone', '')})"


def asset_graph_snapshot() -> str:
    graph = _defs().resolve_asset_graph()
    checks: dict[dg.AssetKey, list[str]] = {}
    for check_key in graph.asset_check_keys:
        checks.setdefault(check_key.asset_key, []).append(check_key.name)
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        kind = "external" if not node.is_materializable else "materializable"
        lines.append(f"{key.to_user_string()} [{kind}] {_partitions(node.partitions_def)}")
        for parent in sorted(p.to_user_string() for p in node.parent_keys):
            lines.append(f"    <- {parent}")
        for name in sorted(checks.get(key, [])):
            lines.append(f"    check {name}")
    return "\n".join(lines) + "\n"


def test_asset_graph_matches_snapshot():
    current = asset_graph_snapshot()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(current)
    assert SNAPSHOT.exists(), f"{SNAPSHOT} is missing: write it with UPDATE_SNAPSHOTS=1 and review it"
    assert current == SNAPSHOT.read_text(), "asset graph changed; review and UPDATE_SNAPSHOTS=1 if intended"


def test_every_feed_has_landing_staged_and_quarantine_assets():
    keys = {k.to_user_string() for k in _defs().resolve_asset_graph().get_all_asset_keys()}
    for feed_id in contracts():
        for layer in ("landing", "staged", "quarantine"):
            assert f"{layer}/{feed_id}" in keys
    graph = _defs().resolve_asset_graph()
    assert not graph.get(dg.AssetKey(["landing", "kona", "transactions"])).is_materializable


def test_dagster_definitions_validate_on_the_workspace():
    # Without DAGSTER_HOME the CLI validates against a temporary instance (the Makefile's
    # .dagster folder exists only once `make demo` or `make ui` has run).
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "All code locations passed validation" in result.stdout + result.stderr


def _statuses(env: dict) -> dict[str, str]:
    import json
    import subprocess
    import sys

    script = (
        "import json; from definitions import defs; "
        "print(json.dumps({i.name: i.default_status.value for i in [*defs.sensors, *defs.schedules]}))"
    )
    done = subprocess.run([sys.executable, "-c", script], env=os.environ | env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_what_runs_by_default_and_the_switch_that_stops_it():
    on = _statuses({"REGIONAL_ECON_AUTOMATION": "on"})
    running = {name for name, status in on.items() if status == "RUNNING"}
    assert {"landing_kona", "landing_msc", "marts_follow_their_inputs", "feeds_delivered_on_time", "alert_on_failure",
            "housekeeping_schedule"} <= running  # fmt: skip
    assert not {name for name in running if name.endswith("_cycle_schedule")}  # the batch alternative stays off
    off = _statuses({"REGIONAL_ECON_AUTOMATION": "off"})
    assert set(off) == set(on) and set(off.values()) == {"STOPPED"}
