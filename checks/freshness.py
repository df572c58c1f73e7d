"""Freshness from the contracts: each feed's delivery deadline, as a check that fails when a center
is late, whether its file arrives late or never arrives.

One time-partition freshness check per feed (``build_time_partition_freshness_checks``): once the
deadline of a period has passed, the staged asset must have a record for it. A sensor evaluates
them (on by default); the UI shows them beside the batch gate.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg

from assets.automation import sensor_status
from assets.keys import staged_key
from assets.partitions import TIMEZONE
from regional_econ.contracts import Contract, contracts


def deadline_cron(contract: Contract) -> str:
    """The cron of a feed's deadline: ``days_after_period_end`` after the period, at ``at`` KST."""
    terms = contract.delivery
    hour, minute = (int(x) for x in terms.deadline_at.split(":"))
    days = terms.deadline_days_after_period_end
    if terms.cadence == "daily":
        if days:
            raise ValueError(f"{contract.id}: a daily deadline is the next day's (days_after_period_end 0)")
        return f"{minute} {hour} * * *"
    if terms.cadence == "weekly":  # a week ends on Monday 00:00; cron counts Sunday as 0
        return f"{minute} {hour} * * {(1 + days) % 7}"
    months = "*" if terms.cadence == "monthly" else "1,4,7,10"
    if days > 27:
        days = 27  # a cron day of month must exist every month
    return f"{minute} {hour} {1 + days} {months} *"


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    groups: dict[str, list[dg.AssetKey]] = {}
    for contract in contracts().values():
        groups.setdefault(deadline_cron(contract), []).append(staged_key(contract))
    checks = []
    for cron, keys in groups.items():
        checks += dg.build_time_partition_freshness_checks(assets=keys, deadline_cron=cron, timezone=TIMEZONE)
    return checks


def freshness_policy(contract: Contract) -> dg.FreshnessPolicy:
    """For the UI's freshness status: the staged asset is updated in the period before each deadline."""
    # At most the shortest gap between two deadlines (February; a 90-day quarter).
    span = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=28),
            "quarterly": timedelta(days=89)}[contract.delivery.cadence]  # fmt: skip
    return dg.FreshnessPolicy.cron(deadline_cron=deadline_cron(contract), lower_bound_delta=span, timezone=TIMEZONE)


# Dagster now prefers FreshnessPolicy (set on every staged asset too), which is asset-level: the
# per-period deadline of a partitioned feed still needs these checks and their sensor.
warnings.filterwarnings(
    "ignore", category=dg.SupersessionWarning, message=".*build_(sensor_for_freshness_checks|time_partition_freshness_checks).*"
)
FRESHNESS_CHECKS = freshness_checks()
FRESHNESS_SENSOR = dg.build_sensor_for_freshness_checks(
    freshness_checks=FRESHNESS_CHECKS, name="feeds_delivered_on_time", default_status=sensor_status()
)
