"""One partitions definition per delivery cadence, all in KST; keys are the period's first day.

Partitions start with the platform's first delivery period, ``REGIONAL_ECON_FIRST_PERIOD``
(default 2025-01-01): each cadence from the period that contains it (the Monday of its week,
the first of its quarter), so that every delivered period is a partition.
"""

from __future__ import annotations

import os
import warnings
from datetime import date

import dagster as dg

from regional_econ.periods import period_start

# Single-run backfills are what make a 31-day backfill one run; Dagster still labels them beta.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

TIMEZONE = "Asia/Seoul"
FIRST_PERIOD_ENV = "REGIONAL_ECON_FIRST_PERIOD"
DEFAULT_FIRST_PERIOD = "2025-01-01"


def first_period() -> date:
    return date.fromisoformat(os.environ.get(FIRST_PERIOD_ENV, DEFAULT_FIRST_PERIOD))


def _start(cadence: str) -> str:
    return period_start(cadence, first_period()).isoformat()


PARTITIONS: dict[str, dg.TimeWindowPartitionsDefinition] = {
    "daily": dg.DailyPartitionsDefinition(start_date=_start("daily"), timezone=TIMEZONE),
    "weekly": dg.WeeklyPartitionsDefinition(start_date=_start("weekly"), day_offset=1, timezone=TIMEZONE),
    "monthly": dg.MonthlyPartitionsDefinition(start_date=_start("monthly"), timezone=TIMEZONE),
    "quarterly": dg.TimeWindowPartitionsDefinition(
        cron_schedule="0 0 1 1,4,7,10 *", start=_start("quarterly"), fmt="%Y-%m-%d", timezone=TIMEZONE
    ),
}


def partitions_for(cadence: str) -> dg.TimeWindowPartitionsDefinition:
    return PARTITIONS[cadence]


WAIT_ENV = "REGIONAL_ECON_WAIT_FOR_STAGING_SECONDS"


def wait_for_staging_seconds() -> float:
    """How long a partition waits at most for earlier periods that another run is staging (a
    backfill runs partitions side by side, each in its own run)."""
    return float(os.environ.get(WAIT_ENV, "900"))
