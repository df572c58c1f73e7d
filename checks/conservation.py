"""Conservation checks: net spending is neither made nor lost between ``payments`` (the fact
table) and the marts that aggregate it. Run on each period before it is written, blocking:
a period whose total differs is not written and nothing downstream runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg
import polars as pl

from regional_econ.periods import period_end, period_keys
from regional_econ.storage.lake import Lake
from regional_econ.transforms.common import signed_amount

NET_EQUALS_PAYMENTS = "net_equals_payments"


@dataclass(frozen=True)
class Conservation:
    column: str  # the mart's column whose total is conserved
    cadence: str

    def difference(self, lake: Lake, period: str, frame: pl.DataFrame) -> int:
        """The mart's total minus the net of ``payments`` over the period's days."""
        start = date.fromisoformat(period)
        days = period_keys("daily", start, period_end(self.cadence, start) - timedelta(days=1))
        facts = lake.scan("marts", "payments", days)
        expected = 0 if facts is None else facts.select(signed_amount().sum()).collect().item() or 0
        return int(frame[self.column].sum() or 0) - int(expected)


CONSERVED = {
    "spending_daily": Conservation("net_amount_krw", "daily"),
    "spending_monthly": Conservation("net_amount_krw", "monthly"),
}


def conservation_check_spec(asset: dg.AssetKey, mart: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        NET_EQUALS_PAYMENTS,
        asset=asset,
        blocking=True,
        description=f"Every period written: the sum of {mart}.{CONSERVED[mart].column} equals the net of payments "
        "(approvals minus cancels) over the same days.",
    )


def conservation_check_result(asset: dg.AssetKey, differences: dict[str, int]) -> dg.AssetCheckResult:
    off = {period: d for period, d in differences.items() if d}
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=NET_EQUALS_PAYMENTS,
        passed=not off,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(f"{p}: off by {d:+,} KRW" for p, d in off.items()) or f"{len(differences)} period(s) conserve",
        metadata={"partitions_checked": len(differences), "partitions_failing": sorted(off)},
    )
