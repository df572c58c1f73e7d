"""Which periods of a feed need staging now: what a landing sensor asks for.

A period needs staging when its newest complete delivery has no receipt yet (new, late or
re-sent: a receipt is written for every delivery the gate looked at), or when it was held
back because the periods its lookups read were not staged yet and now they are. Looking at
the receipts instead of remembering every file seen keeps the sensor's state small, and a
sensor's first tick asks for nothing that was already staged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regional_econ import names
from regional_econ.contracts import Contract, rules
from regional_econ.storage.lake import Lake
from regional_econ.storage.landing import examine_period


@dataclass(frozen=True)
class Pending:
    period_key: str
    file: str  # the delivery, relative to the landing root
    arrived: float  # the manifest's mtime: with the file, a delivery's identity
    reason: str  # new, re-sent, or ready (its lookups' periods are staged now)

    @property
    def run_key(self) -> str:
        return f"{self.file}@{int(self.arrived * 1e6)}:{self.reason}"


def pending(contract: Contract, landing: Path, lake: Lake) -> list[Pending]:
    folder = landing / names.landing_folder(contract.id)
    if not folder.exists():
        return []
    found = []
    for period in sorted(p.name for p in folder.iterdir() if p.is_dir()):
        deliveries = [d for d in examine_period(landing, contract, period)[0] if d.complete]
        if not deliveries:
            continue
        newest = deliveries[-1]
        file = str(newest.path.relative_to(landing))
        arrived = newest.manifest_path.stat().st_mtime
        receipt = lake.read_receipt(contract.id, period, newest.path.name)
        if receipt is None or receipt.get("received_at") != newest.received_at.isoformat():
            found.append(Pending(period, file, arrived, "new" if newest.version == 1 else "re-sent"))
        elif rules.LOOKUPS_READY.id in receipt.get("rules_blocking", []) and not lookups_missing(contract, lake, period):
            found.append(Pending(period, file, arrived, "ready"))
    return found


def lookups_missing(contract: Contract, lake: Lake, period_key: str) -> list[str]:
    """The periods this feed's lookup rules read that are not staged yet (``feed period`` each).

    A feed's own previous period is not needed by its first period.
    """
    from regional_econ.gate.lookups import needs

    missing = []
    for feed_id, key in needs(contract, period_key):
        if lake.in_force(feed_id, key) is not None:
            continue
        if feed_id == contract.id and not any(k < key for k in lake.keys(names.STAGED, feed_id)):
            continue
        missing.append(f"{feed_id} {key}")
    return missing
