"""Jobs, schedules and the automation conditions that keep marts current.

What is on by default (the daemon runs it) and what is not, and why, is in the README's
"Operating it". In short: deliveries are staged by the landing sensors as they arrive; marts,
products, the catalog and the warehouse follow their inputs by declarative automation, also for
past periods (a late or corrected delivery updates last month's marts too); the freshness
sensor fails a feed whose center is late; failures are alerted; old runs are purged. The
cycle schedules are a batch alternative, off by default.
"""

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg

from assets.keys import CATALOG_KEY, WAREHOUSE_KEY
from assets.partitions import PARTITIONS, TIMEZONE
from regional_econ.periods import period_start

AUTOMATION_ENV = "REGIONAL_ECON_AUTOMATION"


def automation_on() -> bool:
    """Sensors and housekeeping are on by default; ``REGIONAL_ECON_AUTOMATION=off`` starts them stopped
    (a read-only replica, or an operator who drives every run by hand)."""
    return os.environ.get(AUTOMATION_ENV, "on").lower() not in ("off", "0", "false", "no")


SENSOR_INTERVAL_ENV = "REGIONAL_ECON_SENSOR_INTERVAL"


def sensor_interval() -> int:
    """Seconds between two evaluations of a landing sensor or of the automation: how long a step of
    a late delivery's path through the marts waits at most (30 unless configured)."""
    return int(os.environ.get(SENSOR_INTERVAL_ENV, "30"))


def sensor_status() -> dg.DefaultSensorStatus:
    return dg.DefaultSensorStatus.RUNNING if automation_on() else dg.DefaultSensorStatus.STOPPED


JobLike = Any  # what define_asset_job returns (an unresolved asset job; not exported by dagster)


def follows_inputs(required: list[dg.AssetKey]) -> dg.AutomationCondition:
    """Marts and products follow their inputs, for every period (not only the latest), when no
    blocking check upstream failed and the inputs they cannot do without have something for the
    period (``required``; a month of a daily input: any of its days, since months are built to
    date). Dagster's eager condition asks for every dependency partition instead, which a
    month-to-date never has."""
    present = dg.AutomationCondition.any_deps_match(
        ~dg.AutomationCondition.missing() | dg.AutomationCondition.will_be_requested()
    )
    if required:
        present = present.allow(dg.AssetSelection.assets(*required))
    return (
        dg.AutomationCondition.eager()
        .without(dg.AutomationCondition.in_latest_time_window())
        .without(~dg.AutomationCondition.any_deps_missing())
        & present
        & dg.AutomationCondition.all_deps_blocking_checks_passed()
    ).with_label("follows its inputs, past periods too")


# The warehouse (one file of views over everything) is rebuilt after any input changed.
REBUILD_AFTER_INPUTS = (
    dg.AutomationCondition.eager()
    .without(dg.AutomationCondition.in_latest_time_window())
    .without(~dg.AutomationCondition.any_deps_missing())
).with_label("rebuilt after any input changed")


def cycle_jobs(assets: list[dg.AssetsDefinition], freshness: list[dg.AssetChecksDefinition]) -> dict[str, JobLike]:
    """One job per cadence: every asset on that cadence's partitions (staged feeds and marts), with
    their checks but the freshness checks, which judge the present, not the period being run."""
    return {
        cadence: dg.define_asset_job(
            f"{cadence}_cycle",
            selection=dg.AssetSelection.assets(*[a for a in assets if a.partitions_def == partitions])
            - dg.AssetSelection.checks(*freshness),
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
    """The batch alternative to the sensors: after each delivery deadline (KST), the period that closed."""
    return [
        dg.build_schedule_from_partitioned_job(jobs["daily"], hour_of_day=9, minute_of_hour=30),
        dg.build_schedule_from_partitioned_job(jobs["weekly"], day_of_week=2, hour_of_day=13),
        dg.build_schedule_from_partitioned_job(jobs["monthly"], day_of_month=10, hour_of_day=19),
        _quarterly_schedule(jobs["quarterly"]),
    ]


def _quarterly_schedule(job: JobLike) -> dg.ScheduleDefinition:
    """On the 30th of the month after a quarter (after its deadline), the quarter that closed."""

    @dg.schedule(job=job, cron_schedule="0 19 30 1,4,7,10 *", execution_timezone=TIMEZONE, name="quarterly_cycle_schedule")
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        today = context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE)).date()
        closed = period_start("quarterly", period_start("quarterly", today) - timedelta(days=1))
        return dg.RunRequest(partition_key=closed.isoformat())

    return _schedule


RUN_RETENTION_ENV = "REGIONAL_ECON_RUN_RETENTION_DAYS"


@dg.op(description="Delete runs (and their event logs) older than the retention, 180 days unless configured.")
def purge_old_runs(context: dg.OpExecutionContext) -> int:
    days = int(os.environ.get(RUN_RETENTION_ENV, "180"))
    before = datetime.now(UTC) - timedelta(days=days)
    records = context.instance.get_run_records(filters=dg.RunsFilter(created_before=before), limit=5000)
    for record in records:
        context.instance.delete_run(record.dagster_run.run_id)
    context.log.info(f"deleted {len(records)} run(s) created before {before:%Y-%m-%d}")
    return len(records)


@dg.job(description="Keep the instance small: runs and their event logs past the retention go.")
def housekeeping():
    purge_old_runs()


HOUSEKEEPING_SCHEDULE = dg.ScheduleDefinition(
    job=housekeeping, cron_schedule="0 4 * * *", execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING if automation_on() else dg.DefaultScheduleStatus.STOPPED,
)  # fmt: skip
