"""The production deployment as an operator runs it (deploy/README.md): deploy/dagster.yaml on a
real PostgreSQL, the daemon and the webserver, and the README's backfill commands.

Four daily partitions of the whole graph are backfilled two runs at a time (the queued run
coordinator of deploy/dagster.yaml), then the other cadences and the warehouse; every run must
succeed without a lock error, the lake, the products and the warehouse must equal a sequential
run of the same deliveries (``regional-econ-run``), and the webserver's GraphQL API must report
the assets, their check results, each partition's own row count and the runs under their jobs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from regional_econ.periods import period_keys
from regional_econ.synth import generate
from tests.builders import readme, services

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START, DAYS = date(2026, 9, 1), 4
LAST = START + timedelta(days=DAYS - 1)
LOCATION = "regional_econ"


def _dagster(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "dagster"), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def _as_written(command: list[str], env: dict) -> subprocess.CompletedProcess:
    """A README command (``.venv/bin/...``) with this environment's executables."""
    program = BIN / Path(command[0]).name
    return subprocess.run([str(program), *command[1:]], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def _wait_for_runs(instance: dg.DagsterInstance, expected: int, timeout: float = 900) -> list[dg.DagsterRun]:
    """Every run launched so far, once ``expected`` of them exist and all have finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = instance.get_runs()
        backfills_done = all(b.status.value != "REQUESTED" for b in instance.get_backfills())
        if len(runs) >= expected and backfills_done and all(r.is_finished for r in runs):
            return runs
        time.sleep(2)
    states = {r.job_name + " " + r.tags.get("dagster/partition", ""): r.status.value for r in instance.get_runs()}
    raise TimeoutError(f"runs still going after {timeout:.0f} s: {states}")


def _overlap(records) -> int:
    """The most runs that were executing at the same moment."""
    edges = sorted([(r.start_time, 1) for r in records] + [(r.end_time, -1) for r in records])
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deployment")
    landing = tmp / "world" / "landing"
    generate(out=landing, start=START, days=DAYS, scale=0.0005, seed=5)
    for root in ("operated", "sequential"):
        shutil.copytree(landing, tmp / root / "landing")  # copy2: the manifests keep their times
    with services.postgres() as pg:
        home = tmp / "dagster_home"
        home.mkdir()
        shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
        env = (
            os.environ
            | pg
            | {
                "DAGSTER_HOME": str(home),
                "DAGSTER_COMPUTE_LOGS": str(tmp / "compute_logs"),
                "REGIONAL_ECON_DATA": str(tmp / "operated"),
                "REGIONAL_ECON_FIRST_PERIOD": "2026-08-01",
                "REGIONAL_ECON_AUTOMATION": "off",  # only the backfills run: the comparison is exact
                "REGIONAL_ECON_SENSOR_INTERVAL": "10",  # the late correction's path, step by step
            }
        )
        port = services.free_port()
        patch = pytest.MonkeyPatch()
        for name in (*pg, "DAGSTER_HOME", "DAGSTER_COMPUTE_LOGS"):  # this process reads the instance too
            patch.setenv(name, env[name])
        info = _dagster("instance", "info", env=env)
        daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], cwd=REPO, env=env,
                                  stdout=subprocess.DEVNULL, stderr=(tmp / "daemon.log").open("w"))  # fmt: skip
        web = subprocess.Popen([str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "web.log").open("w"))  # fmt: skip
        try:
            services.wait_for_port(port, timeout=120, process=web)
            from assets.run import cadence_order

            backfill, _, launch = readme.commands("with a daemon")  # the README's commands, as written
            expected, commands = 0, []
            for cadence in cadence_order():  # in the order the README gives
                keys = period_keys(cadence, START, LAST)
                command = readme.with_options(backfill, j=f"{cadence}_cycle", from_=keys[0], to=keys[-1])
                commands.append(_as_written(command, env))
                expected += len(keys)
                with dg.DagsterInstance.from_config(str(home)) as instance:
                    _wait_for_runs(instance, expected)
            commands.append(_as_written(launch, env))
            with dg.DagsterInstance.from_config(str(home)) as instance:
                runs = _wait_for_runs(instance, expected + 1)
                records = instance.get_run_records(dg.RunsFilter(job_name="daily_cycle"))
                failures = [
                    e.message for r in runs for e in instance.all_logs(r.run_id) if e.dagster_event and e.dagster_event.is_failure
                ]
            yield {"tmp": tmp, "port": port, "env": env, "info": info, "commands": commands, "runs": runs,
                   "daily": records, "failures": failures}  # fmt: skip
        finally:
            patch.undo()
            for process in (web, daemon):
                process.terminate()
            for process in (web, daemon):
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture(scope="module")
def sequential(deployment):
    tmp = deployment["tmp"]
    env = os.environ | {"DAGSTER_HOME": str(tmp / "sequential_home"), "REGIONAL_ECON_DATA": str(tmp / "sequential"),
                        "REGIONAL_ECON_FIRST_PERIOD": "2026-08-01", "REGIONAL_ECON_AUTOMATION": "off"}  # fmt: skip
    done = subprocess.run([str(BIN / "regional-econ-run"), "--start", START.isoformat(), "--days", str(DAYS)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp / "sequential"


def test_the_production_config_loads(deployment):
    info = deployment["info"]
    assert info.returncode == 0, info.stderr
    assert "PostgresRunStorage" in info.stdout and "max_concurrent_runs: 2" in info.stdout
    with dg.DagsterInstance.from_config(str(deployment["tmp"] / "dagster_home")) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        logs = instance.compute_log_manager
        assert type(logs).__name__ == "LocalComputeLogManager"
        assert Path(logs._base_dir) == deployment["tmp"] / "compute_logs"  # noqa: SLF001 - no public name


def test_every_backfill_run_succeeds_two_at_a_time_without_a_lock_error(deployment):
    for command in deployment["commands"]:
        assert command.returncode == 0, command.stdout + command.stderr
    runs = deployment["runs"]
    assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}, [(r.job_name, r.status.value) for r in runs]
    assert deployment["failures"] == []
    for log in ("daemon.log", "web.log"):
        text = (deployment["tmp"] / log).read_text().lower()
        assert "deadlock" not in text and "is locked" not in text and "lock timeout" not in text, log
    assert len(deployment["daily"]) == DAYS
    assert _overlap(deployment["daily"]) == 2  # the queue ran two at a time, never more


def _files(root: Path) -> dict[str, bytes]:
    skip = ("lake/_meta/locks/",)
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative.split("/")[0] in ("lake", "publish") and not relative.startswith(skip):
            found[relative] = path.read_bytes()
    return found


def test_lake_and_products_equal_a_sequential_run(deployment, sequential):
    operated, alone = _files(deployment["tmp"] / "operated"), _files(sequential)
    assert sorted(operated) == sorted(alone)
    differing = [name for name in operated if operated[name] != alone[name]]
    assert differing == []
    assert any(name.startswith("lake/marts/spending_monthly/") for name in operated)


def _views(path: Path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            f"{s}.{t}" for s, t in con.execute("select schema_name, view_name from duckdb_views() where not internal").fetchall()
        ]
        return {name: con.execute(f"select * from {name} order by all").fetchall() for name in sorted(names)}


def test_the_warehouse_equals_a_sequential_run(deployment, sequential):
    operated, alone = _views(deployment["tmp"] / "operated" / "warehouse.duckdb"), _views(sequential / "warehouse.duckdb")
    assert sorted(operated) == sorted(alone) and len(operated) > 30
    assert [v for v in operated if operated[v] != alone[v]] == []


ASSETS_AND_CHECKS = """
{ assetNodes { assetKey { path } isPartitioned
    assetChecksOrError { ... on AssetChecks { checks { name executionForLatestMaterialization { status } } } } } }
"""


def test_graphql_reports_the_assets_and_their_check_results(deployment):
    from definitions import defs

    nodes = _graphql(deployment["port"], ASSETS_AND_CHECKS)["assetNodes"]
    keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
    assert keys == {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    checks = {
        ("/".join(n["assetKey"]["path"]), c["name"]): (c["executionForLatestMaterialization"] or {}).get("status")
        for n in nodes
        for c in n["assetChecksOrError"].get("checks", [])
    }
    assert checks[("staged/kona/transactions", "rows_conserved")] == "SUCCEEDED"
    assert checks[("marts/spending_daily", "net_equals_payments")] == "SUCCEEDED"
    assert checks[("marts/spending_monthly", "schema_matches_declaration")] == "SUCCEEDED"
    assert checks[("warehouse", "every_view_answers")] == "SUCCEEDED"


PARTITION_ROWS = """
query ($path: [String!]!, $partitions: [String!]!) { assetNodeOrError(assetKey: {path: $path}) { ... on AssetNode {
    latestMaterializationByPartition(partitions: $partitions) {
        partition metadataEntries { label ... on IntMetadataEntry { intValue } } } } } }
"""


def test_graphql_shows_each_partition_its_own_row_count(deployment):
    days = period_keys("daily", START, LAST)
    with duckdb.connect(str(deployment["tmp"] / "operated" / "warehouse.duckdb"), read_only=True) as con:
        in_lake = dict(con.execute("select strftime(date, '%Y-%m-%d'), count(*) from marts.spending_daily group by 1").fetchall())
    answer = _graphql(deployment["port"], PARTITION_ROWS, {"path": ["marts", "spending_daily"], "partitions": days})
    shown = {
        m["partition"]: next(e["intValue"] for e in m["metadataEntries"] if e["label"] == "dagster/row_count")
        for m in answer["assetNodeOrError"]["latestMaterializationByPartition"]
    }
    assert shown == in_lake and len(set(in_lake.values())) > 1


JOB_RUNS = """
query ($job: String!) { pipelineOrError(params: {pipelineName: $job, repositoryName: "__repository__",
    repositoryLocationName: "regional_econ"}) { ... on Pipeline { runs { runId status } } } }
"""


def test_graphql_lists_the_runs_under_their_jobs(deployment):
    runs = _graphql(deployment["port"], JOB_RUNS, {"job": "daily_cycle"})["pipelineOrError"]["runs"]
    assert len(runs) == DAYS and {r["status"] for r in runs} == {"SUCCESS"}


def test_a_missing_variable_is_named(deployment, tmp_path):
    env = {k: v for k, v in deployment["env"].items() if k != "DAGSTER_PG_PASSWORD"}
    check = subprocess.run([str(BIN / "regional-econ-instance"), "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 2 and "DAGSTER_PG_PASSWORD" in check.stderr
    assert "PostProcessingError" not in check.stderr


def test_a_run_attached_to_its_job_when_run_without_a_daemon(deployment, sequential):
    """regional-econ-run (make demo) files its runs under their jobs too."""
    from assets.run import location_tags

    with dg.DagsterInstance.from_config(str(deployment["tmp"] / "sequential_home")) as instance:
        runs = instance.get_runs(dg.RunsFilter(job_name="daily_cycle", tags=location_tags()))
    assert len(runs) == 1


def _monthly_net(root: Path) -> int:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select sum(net_amount_krw) from marts.spending_monthly where month = '2026-09-01'").fetchone()[0]


def _product_published_at(deployment) -> float:
    with dg.DagsterInstance.from_config(str(deployment["tmp"] / "dagster_home")) as instance:
        records = instance.fetch_materializations(dg.AssetKey(["publish", "spending_monthly"]), limit=1).records
        return records[0].timestamp if records else 0.0


def _late_runs(deployment) -> str:
    """What ran after the backfills, and the automation sensor's last ticks: the story of a timeout."""
    with dg.DagsterInstance.from_config(str(deployment["tmp"] / "dagster_home")) as instance:
        lines = [
            f"{r.job_name} {r.tags.get('dagster/partition', '')} {r.status.value} {sorted(k.to_user_string() for k in r.asset_selection or [])}"
            for r in instance.get_runs()
            if r.run_id not in {d.run_id for d in deployment["runs"]}
        ]
        for state in instance.all_instigator_state():
            if state.name == "marts_follow_their_inputs":
                ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=5)
                lines += [f"tick {t.status.value} {t.error.message if t.error else ''}" for t in ticks]
    return "\n".join(lines)


def _start_sensor(name: str, env: dict) -> None:
    started = _dagster("sensor", "start", "-w", "workspace.yaml", "-l", LOCATION, name, env=env)
    assert started.returncode == 0, started.stdout + started.stderr


def _wait_for_a_tick(deployment, name: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with dg.DagsterInstance.from_config(str(deployment["tmp"] / "dagster_home")) as instance:
            states = [s for s in instance.all_instigator_state() if s.name == name]
            ticks = instance.get_ticks(states[0].instigator_origin_id, states[0].selector_id, limit=5) if states else []
            if any(t.status.value in ("SKIPPED", "SUCCESS") for t in ticks):  # one finished
                return
        time.sleep(2)
    raise TimeoutError(f"{name} did not tick in {timeout:.0f} s")


def test_a_late_correction_of_a_past_day_flows_into_the_monthly_mart_product_and_warehouse(deployment):
    """Last in this module (it changes the operated world): a _v2 of 09-02, three months back,
    is staged by the landing sensor and followed by declarative automation, with no manual step."""
    from datetime import UTC, datetime

    import polars as pl

    from regional_econ.contracts import contract
    from regional_econ.storage.lake import Lake
    from regional_econ.synth.writer import write_delivery

    root, env = deployment["tmp"] / "operated", deployment["env"]
    net_before, published_before = _monthly_net(root), _product_published_at(deployment)
    # Automation first, and one evaluation finished: an update stored while its first evaluation
    # runs is not "new" to the next one (eager conditions count updates since the previous one).
    _start_sensor("marts_follow_their_inputs", env)
    _wait_for_a_tick(deployment, "marts_follow_their_inputs")
    txn = contract("kona/transactions")
    staged = Lake(root / "lake").scan("staged", txn.id, ["2026-09-02"]).collect().drop("date")
    corrected = staged.with_columns(
        amount_krw=pl.when(pl.col("txn_type") == "APPROVE").then(pl.col("amount_krw") + 1).otherwise(pl.col("amount_krw"))
    )
    write_delivery(root / "landing", txn, "2026-09-02", corrected, version=2, received_at=datetime.now(UTC))
    approvals = staged.filter(pl.col("txn_type") == "APPROVE").height
    _start_sensor("landing_kona", env)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if _monthly_net(root) == net_before + approvals and _product_published_at(deployment) > published_before:
            break
        time.sleep(5)
    assert _monthly_net(root) == net_before + approvals, _late_runs(deployment)  # each approval of 09-02 is one won more
    # The month's products were protected and published again (at this scale their cells are withheld,
    # so their bytes need not change).
    assert _product_published_at(deployment) > published_before
    with dg.DagsterInstance.from_config(str(deployment["tmp"] / "dagster_home")) as instance:
        late = [r for r in instance.get_runs() if r not in deployment["runs"]]
        assert late and all(r.status == dg.DagsterRunStatus.SUCCESS for r in late if r.is_finished)
