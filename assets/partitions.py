"""One partitions definition per delivery cadence, all in KST; keys are the period's first day."""

from __future__ import annotations

import warnings

import dagster as dg

# Single-run backfills are what make a 31-day backfill one run; Dagster still labels them beta.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

TIMEZONE = "Asia/Seoul"
FIRST_DAY = "2024-01-01"  # a Monday and a quarter start: the platform's first period of every cadence

PARTITIONS: dict[str, dg.TimeWindowPartitionsDefinition] = {
    "daily": dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone=TIMEZONE),
    "weekly": dg.WeeklyPartitionsDefinition(start_date=FIRST_DAY, day_offset=1, timezone=TIMEZONE),
    "monthly": dg.MonthlyPartitionsDefinition(start_date=FIRST_DAY, timezone=TIMEZONE),
    "quarterly": dg.TimeWindowPartitionsDefinition(
        cron_schedule="0 0 1 1,4,7,10 *", start=FIRST_DAY, fmt="%Y-%m-%d", timezone=TIMEZONE
    ),
}


def partitions_for(cadence: str) -> dg.TimeWindowPartitionsDefinition:
    return PARTITIONS[cadence]
