"""The composition root: every asset, check, job, schedule, sensor and resource of the platform."""

from __future__ import annotations

import dagster as dg

from assets.automation import LANDING_SENSORS, WAREHOUSE_JOB, cycle_jobs, cycle_schedules, warehouse_refresh_sensor
from assets.landing import LANDING_SPECS
from assets.marts import MART_ASSETS
from assets.publish import PRODUCTS, publish_catalog
from assets.staged import STAGED_ASSETS
from assets.warehouse import build_warehouse_asset
from resources import default_resources

_built = [*STAGED_ASSETS, *MART_ASSETS, *PRODUCTS]
WAREHOUSE = build_warehouse_asset([k for a in _built for k in a.keys])

CYCLE_JOBS = cycle_jobs(_built)

defs = dg.Definitions(
    assets=[*LANDING_SPECS, *_built, publish_catalog, WAREHOUSE],
    jobs=[*CYCLE_JOBS.values(), WAREHOUSE_JOB],
    schedules=cycle_schedules(CYCLE_JOBS),
    sensors=[*LANDING_SENSORS, warehouse_refresh_sensor(CYCLE_JOBS)],
    resources=default_resources(),
)
