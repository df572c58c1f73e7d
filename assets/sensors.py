"""Sensors: one per center for its deliveries, the automation that keeps marts current, and the
alert on failed runs. All on by default (``REGIONAL_ECON_AUTOMATION=off``: stopped)."""

import json
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.automation import sensor_interval, sensor_status
from assets.keys import quarantine_key, staged_key
from regional_econ.contracts import centers, contracts
from regional_econ.staging.pending import pending
from regional_econ.storage import paths
from resources import LandingZone, ParquetLake


def landing_sensor(center_id: str) -> dg.SensorDefinition:
    feeds = [c for c in contracts().values() if c.center == center_id]

    @dg.sensor(
        name=f"landing_{center_id}",
        minimum_interval_seconds=sensor_interval(),
        target=[staged_key(c) for c in feeds] + [quarantine_key(c) for c in feeds],
        default_status=sensor_status(),
        description=f"Stages the periods of {centers()[center_id].name_ko}'s complete deliveries that have no receipt "
        "yet (new, late or re-sent), and those held back until the periods their lookups read were staged.",
    )
    def _sensor(context: dg.SensorEvaluationContext, landing: LandingZone, lake: ParquetLake):
        requested = 0
        for contract in feeds:
            for due in pending(contract, landing.path, lake.lake):
                requested += 1
                yield dg.RunRequest(
                    run_key=due.run_key,
                    partition_key=due.period_key,
                    asset_selection=[staged_key(contract), quarantine_key(contract)],
                    # The feed's tag lets a deployment without shared locks stage a feed one run at a time.
                    tags={
                        "regional_econ/feed": contract.id,
                        "regional_econ/delivery": due.file,
                        "regional_econ/reason": due.reason,
                    },
                )
        # The receipts are the memory: the cursor only says when it last looked, and what it found.
        context.update_cursor(json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), "requested": requested}))

    return _sensor


LANDING_SENSORS = [landing_sensor(c) for c in centers()]

ALERT_WEBHOOK_ENV = "REGIONAL_ECON_ALERT_WEBHOOK"


def alert_log() -> Path:
    return paths.data_root() / "ops" / "alerts.jsonl"


@dg.run_failure_sensor(
    name="alert_on_failure",
    monitor_all_code_locations=True,
    default_status=sensor_status(),
    description="Every failed run: a line in $REGIONAL_ECON_DATA/ops/alerts.jsonl and, when REGIONAL_ECON_ALERT_WEBHOOK "
    "is set, a JSON POST to it.",
)
def alert_on_failure(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    alert = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "job": run.job_name,
        "run_id": run.run_id,
        "partition": run.tags.get("dagster/partition") or run.tags.get("dagster/asset_partition_range_start"),
        "delivery": run.tags.get("regional_econ/delivery"),
        "message": context.failure_event.message,
    }
    path = alert_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(alert, ensure_ascii=False) + "\n")
    webhook = os.environ.get(ALERT_WEBHOOK_ENV)
    if webhook:
        request = urllib.request.Request(
            webhook, data=json.dumps(alert).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the operator's own endpoint
            pass


def automation_sensor(targets: dg.AssetSelection) -> dg.AutomationConditionSensorDefinition:
    return dg.AutomationConditionSensorDefinition(
        "marts_follow_their_inputs",
        target=targets,
        default_status=sensor_status(),
        minimum_interval_seconds=sensor_interval(),
        description="Declarative automation: marts, products, the catalog and the warehouse follow their inputs.",
    )
