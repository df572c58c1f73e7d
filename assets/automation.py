"""Jobs, schedules and sensors: the daily cycle in KST, landing sensors, and the warehouse refresh."""

import json
from typing import Any

import dagster as dg

from assets.partitions import PARTITIONS

JobLike = Any  # what define_asset_job returns (an unresolved asset job; not exported by dagster)
from assets.keys import CATALOG_KEY, WAREHOUSE_KEY, quarantine_key, staged_key
from regional_econ.contracts import centers, contracts
from regional_econ.storage.landing import find_deliveries
from resources import LandingZone


def cycle_jobs(assets: list[dg.AssetsDefinition]) -> dict[str, JobLike]:
    """One job per cadence: every asset on that cadence's partitions (staged feeds and marts)."""
    return {
        cadence: dg.define_asset_job(
            f"{cadence}_cycle",
            selection=dg.AssetSelection.assets(*[a for a in assets if a.partitions_def == partitions]),
            partitions_def=partitions,
            description=f"Stage every {cadence} feed and build the {cadence} marts, for one period or a range.",
        )
        for cadence, partitions in PARTITIONS.items()
    }


WAREHOUSE_JOB = dg.define_asset_job(
    "warehouse_refresh",
    selection=dg.AssetSelection.assets(CATALOG_KEY, WAREHOUSE_KEY),
    description="Rebuild the product catalog and the DuckDB warehouse views over the lake and products.",
)


def cycle_schedules(jobs: dict[str, JobLike]) -> list[dg.ScheduleDefinition]:
    """After each delivery deadline (KST), process the period that just closed."""
    return [
        dg.build_schedule_from_partitioned_job(jobs["daily"], hour_of_day=9, minute_of_hour=30),
        dg.build_schedule_from_partitioned_job(jobs["weekly"], day_of_week=2, hour_of_day=13),
        dg.build_schedule_from_partitioned_job(jobs["monthly"], day_of_month=10, hour_of_day=19),
    ]


def warehouse_refresh_sensor(jobs: dict[str, JobLike]) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=list(jobs.values()),
        request_job=WAREHOUSE_JOB,
        description="Refresh the warehouse after any cycle run succeeds.",
    )
    def refresh_warehouse_after_cycle(context: dg.RunStatusSensorContext):
        return dg.RunRequest(run_key=context.dagster_run.run_id)

    return refresh_warehouse_after_cycle


def landing_sensor(center_id: str) -> dg.SensorDefinition:
    feeds = [c for c in contracts().values() if c.center == center_id]

    @dg.sensor(
        name=f"landing_{center_id}",
        minimum_interval_seconds=60,
        target=[staged_key(c) for c in feeds] + [quarantine_key(c) for c in feeds],
        description=f"Notices complete deliveries from {centers()[center_id].name_ko} (new, late or re-sent) "
        "and stages the periods they are for.",
    )
    def _sensor(context: dg.SensorEvaluationContext, landing: LandingZone):
        seen = json.loads(context.cursor) if context.cursor else {}
        for contract in feeds:
            for delivery in find_deliveries(landing.path, contract):
                if not delivery.complete:
                    continue
                stamp = str(delivery.manifest_path.stat().st_mtime_ns)
                name = str(delivery.path.relative_to(landing.path))
                if seen.get(name) == stamp:
                    continue
                seen[name] = stamp
                yield dg.RunRequest(
                    run_key=f"{name}@{stamp}",
                    partition_key=delivery.period_key,
                    asset_selection=[staged_key(contract), quarantine_key(contract)],
                    tags={"regional_econ/delivery": name},
                )
        context.update_cursor(json.dumps(seen, sort_keys=True))

    return _sensor


LANDING_SENSORS = [landing_sensor(c) for c in centers()]
