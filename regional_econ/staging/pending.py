"""Which periods of a feed need staging now: what a landing sensor asks for.

A period needs staging when its newest complete delivery has no receipt yet (new, late or
re-sent: a receipt is written for every delivery the gate looked at), or when it was held
back because the periods its lookups read were not staged yet and now they are. Looking at
the receipts instead of remembering every file seen keeps the sensor's state small, and a
sensor's first tick asks for nothing that was already staged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from regional_econ import names
from regional_econ.contracts import Contract, rules
from regional_econ.storage.lake import Lake
from regional_econ.storage.landing import DeliveredFile, examine_period


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
        if not _looked_at(receipt, newest):
            found.append(Pending(period, file, arrived, "new" if newest.version == 1 else "re-sent"))
        elif rules.LOOKUPS_READY.id in receipt.get("rules_blocking", []) and not lookups_missing(contract, lake, period, landing):
            found.append(Pending(period, file, arrived, "ready"))
    return found


def lookups_missing(contract: Contract, lake: Lake, period_key: str, landing: Path | None = None) -> list[str]:
    """The periods this feed's lookup rules read that are not staged yet (``feed period`` each).

    A feed's own previous period is not needed by its first period: one with nothing staged
    before it and (given ``landing``) no delivery for the previous period.
    """
    from regional_econ.gate.lookups import needs

    missing = []
    for feed_id, key in needs(contract, period_key):
        if lake.in_force(feed_id, key) is not None:
            continue
        if feed_id == contract.id and not any(k < key for k in lake.keys(names.STAGED, feed_id)):
            if landing is None or not _delivered(landing, feed_id, key):
                continue
        missing.append(f"{feed_id} {key}")
    return missing


# A delivered period nobody has started staging for this long is not waited for any longer.
IDLE_GRACE_SECONDS = 120.0


def wait_for_staging(
    lake: Lake, landing: Path, due: Callable[[], list[tuple[str, str]]], timeout: float, poll: float = 1.0
) -> list[tuple[str, str]]:
    """Wait while a (feed, period) of ``due()`` is delivered but not looked at by the gate yet:
    being staged by another run (a backfill runs partitions side by side). Waits while such a
    period's lock is held (its writer is at work), or up to ``IDLE_GRACE_SECONDS`` for a writer
    to take it, and ``timeout`` seconds at most. Returns what is still on its way (empty: none).

    A period with no delivery, or whose delivery the gate looked at and did not promote, is not
    waited for: the reader proceeds and says what is missing (a staged period is held back by
    ``lookups_ready``, and the landing sensor re-stages it when its lookups are there).
    """
    began = idle_since = time.monotonic()
    while True:
        coming = [(f, k) for f, k in due() if _on_its_way(lake, landing, f, k)]
        now = time.monotonic()
        if any(lake.lock_held(f, k) for f, k in coming):
            idle_since = now
        if not coming or now - idle_since > IDLE_GRACE_SECONDS or now - began > timeout:
            return coming
        time.sleep(poll)


def wait_for_lookups(contract: Contract, landing: Path, lake: Lake, period_key: str, timeout: float) -> list[tuple[str, str]]:
    """Wait for the periods this feed's lookups read that are on their way (``wait_for_staging``)."""

    def due() -> list[tuple[str, str]]:
        return [tuple(m.split(" ")) for m in lookups_missing(contract, lake, period_key, landing)]

    return wait_for_staging(lake, landing, due, timeout)


def delivered_not_staged(lake: Lake, landing: Path, feed_id: str, first: str, last: str) -> list[tuple[str, str]]:
    """(feed, period) for periods ``first``..``last`` (ISO; "" from the beginning) delivered to the
    landing zone but with nothing in force yet."""
    folder = landing / names.landing_folder(feed_id)
    if not folder.exists():
        return []
    staged = set(lake.keys(names.STAGED, feed_id))
    periods = sorted(p.name for p in folder.iterdir() if p.is_dir())
    return [(feed_id, k) for k in periods if first <= k <= last and k not in staged]


def _complete_deliveries(landing: Path, feed_id: str, period_key: str) -> list[DeliveredFile]:
    from regional_econ.contracts import contracts

    return [d for d in examine_period(landing, contracts()[feed_id], period_key)[0] if d.complete]


def _delivered(landing: Path, feed_id: str, period_key: str) -> bool:
    return bool(_complete_deliveries(landing, feed_id, period_key))


def _on_its_way(lake: Lake, landing: Path, feed_id: str, period_key: str) -> bool:
    deliveries = _complete_deliveries(landing, feed_id, period_key)
    return bool(deliveries) and not _looked_at(lake.read_receipt(feed_id, period_key, deliveries[-1].path.name), deliveries[-1])


def _looked_at(receipt: dict | None, delivery: DeliveredFile) -> bool:
    """The gate wrote a receipt for this very delivery (a re-send under the same name is new)."""
    return receipt is not None and receipt.get("received_at") == delivery.received_at.isoformat()
