"""The composition root: every asset, check, job, schedule, sensor and resource of the platform."""

from __future__ import annotations

import dagster as dg

from assets.automation import HOUSEKEEPING_SCHEDULE, WAREHOUSE_JOB, cycle_jobs, cycle_schedules, housekeeping
from assets.keys import CATALOG_KEY, WAREHOUSE_KEY
from assets.landing import LANDING_SPECS
from assets.marts import MART_ASSETS
from assets.publish import PRODUCTS, publish_catalog
from assets.sensors import LANDING_SENSORS, alert_on_failure, automation_sensor
from assets.staged import STAGED_ASSETS
from assets.warehouse import build_warehouse_asset
from checks.freshness import FRESHNESS_CHECKS, FRESHNESS_SENSOR
from resources import default_resources

_built = [*STAGED_ASSETS, *MART_ASSETS, *PRODUCTS]
WAREHOUSE = build_warehouse_asset([k for a in _built for k in a.keys])

CYCLE_JOBS = cycle_jobs(_built, FRESHNESS_CHECKS)
FOLLOWERS = dg.AssetSelection.assets(*MART_ASSETS, *PRODUCTS, CATALOG_KEY, WAREHOUSE_KEY)

defs = dg.Definitions(
    assets=[*LANDING_SPECS, *_built, publish_catalog, WAREHOUSE],
    asset_checks=FRESHNESS_CHECKS,
    jobs=[*CYCLE_JOBS.values(), WAREHOUSE_JOB, housekeeping],
    schedules=[*cycle_schedules(CYCLE_JOBS), HOUSEKEEPING_SCHEDULE],
    sensors=[*LANDING_SENSORS, automation_sensor(FOLLOWERS), FRESHNESS_SENSOR, alert_on_failure],
    resources=default_resources(),
    # Steps of a run run one after another in its process: parallelism comes from runs side by
    # side (the queue's limit), and a step costs no process start (dozens of small steps a day).
    executor=dg.in_process_executor,
)
