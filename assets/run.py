"""Materialize the whole platform for the periods covering a date window.

One run per cadence (daily, weekly, monthly, quarterly), each over its partition range in a
single run, then the warehouse. Runs go to the Dagster instance in ``DAGSTER_HOME``, so
they show in the UI like any other run. Used by ``make demo`` and the benchmark.

    regional-econ-run --start 2026-09-01 --days 14
"""

import argparse
import os
import sys
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import yaml

# The one private import of the platform: Dagster has no public name for the tags that make
# a run cover a range of partitions (what `dagster asset materialize --partition-range` sets),
# nor for the one that files a run under its code location (what a run launched from the UI has).
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG, REPOSITORY_LABEL_TAG

from assets.instance import initialize
from regional_econ.periods import period_keys


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover the partitions ``first``..``last`` (single-run backfill)."""
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


WORKSPACE = Path(__file__).resolve().parents[1] / "workspace.yaml"


def location_tags() -> dict[str, str]:
    """The tag that lists a run under its job in the UI (the job's runs, the overview timeline):
    the label ``<repository>@<code location>`` of the workspace the webserver loads."""
    from definitions import defs

    location = yaml.safe_load(WORKSPACE.read_text())["load_from"][0]["python_module"]["location_name"]
    return {REPOSITORY_LABEL_TAG: f"{defs.get_repository_def().name}@{location}"}


def cadence_order() -> list[str]:
    """The cycle jobs in the order their assets read each other: a cadence runs after every
    cadence whose assets its assets depend on (monthly marts read daily payments and quarterly
    snapshots, so quarterly and daily come before monthly)."""
    from graphlib import TopologicalSorter

    from assets.partitions import PARTITIONS
    from definitions import defs

    graph = defs.resolve_asset_graph()
    cadence_of = {p: c for c, p in PARTITIONS.items()}
    after: dict[str, set[str]] = {c: set() for c in PARTITIONS}
    for node in graph.asset_nodes:
        mine = cadence_of.get(node.partitions_def)
        for parent in node.parent_keys:
            theirs = cadence_of.get(graph.get(parent).partitions_def)
            if mine and theirs and theirs != mine:
                after[mine].add(theirs)
    return list(TopologicalSorter(after).static_order())


# Dagster's switch: a single-run backfill records one "materialization planned" event per asset
# with its partitions, not one per asset and partition (SQLite stores every event twice, and on a
# long window these were a fifth of the daily cycle). Dagster's price: when such a run fails, the
# UI shows its partitions missing rather than failed; the run itself shows failed, with the reason.
PLANNED_ONCE = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


@contextmanager
def _planned_once():
    before = os.environ.get(PLANNED_ONCE)
    os.environ.setdefault(PLANNED_ONCE, "true")  # an operator's own setting wins
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PLANNED_ONCE, None)


def run_window(
    first: date, last: date, instance: dg.DagsterInstance, cadences: list[str] | None = None, resources_root: Path | None = None
) -> list[str]:
    """Run every cycle job over the window and refresh the warehouse; returns failed run names.

    ``resources_root`` points every resource at another data root (tests use a temporary one).
    """
    from definitions import CYCLE_JOBS, defs
    from resources import default_resources

    resources = default_resources(resources_root) if resources_root else None
    # The console shows warnings and errors; every event is still in the run's log in the UI.
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

    failed = []
    for cadence in cadence_order():
        job = CYCLE_JOBS[cadence]
        if cadences and cadence not in cadences:
            continue
        keys = period_keys(cadence, first, last)
        with _planned_once():
            result = defs.resolve_job_def(job.name).execute_in_process(
                instance=instance,
                tags=partition_range_tags(keys[0], keys[-1]) | location_tags(),
                raise_on_error=False,
                resources=resources,
                run_config=quiet,
            )
        status = "ok" if result.success else "FAILED"
        print(f"{job.name:16s} {keys[0]}..{keys[-1]} ({len(keys)} partitions): {status} (run {result.run_id[:8]})")
        if not result.success:
            failed.append(job.name)
    result = defs.resolve_job_def("warehouse_refresh").execute_in_process(
        instance=instance, tags=location_tags(), raise_on_error=False, resources=resources, run_config=quiet
    )
    print(f"{'warehouse_refresh':16s} {'ok' if result.success else 'FAILED'} (run {result.run_id[:8]})")
    if not result.success:
        failed.append("warehouse_refresh")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="regional-econ-run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD (KST)")
    parser.add_argument("--days", type=int, required=True, help="number of days in the window")
    parser.add_argument("--cadence", action="append", help="only these cadences (default: all)")
    args = parser.parse_args(argv)
    last = args.start + timedelta(days=args.days - 1)
    initialize()
    with dg.DagsterInstance.get() as instance:
        failed = run_window(args.start, last, instance, args.cadence)
    if failed:
        print(f"failed: {', '.join(failed)}; open the Dagster UI (make ui) for the reasons", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
