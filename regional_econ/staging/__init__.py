"""Stage one period of one feed: pick the delivery in force, gate it, write the lake, keep receipts.

The Dagster staged assets call ``stage_period`` once per partition; so can a notebook.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from regional_econ.contracts import Contract
from regional_econ.gate import LINE_COLUMN, RULES_COLUMN, SOURCE_COLUMN, GateResult, gate_file
from regional_econ.gate.errors import DeliveryError
from regional_econ.gate.lookups import LOOKUPS
from regional_econ.periods import deadline
from regional_econ.storage.lake import Lake
from regional_econ.storage.landing import DeliveredFile as Delivery
from regional_econ.storage.landing import find_deliveries, sha256_of, sha256_of_bytes


class MissingDelivery(Exception):
    """No complete delivery for a period: the partition fails, it is never an empty success."""


@dataclass
class StageOutcome:
    contract: Contract
    period_key: str
    delivery: Delivery
    manifest: dict
    sha256: str
    received: int
    staged: int
    quarantined: int
    rejected: int  # rows of a delivery rejected whole (unreadable, or carrying a direct identifier)
    broken_by_rule: dict[str, int] = field(default_factory=dict)
    rejection: DeliveryError | None = None
    received_at: datetime | None = None
    deadline: datetime | None = None
    volume_median: float | None = None  # median rows received over the previous periods (None: too little history)
    quarantined_rows: pl.DataFrame | None = None
    staged_rows: pl.DataFrame | None = None  # for the output check; the caller drops it once checked

    @property
    def relative_path(self) -> str:
        return f"{self.contract.id}/{self.period_key}/{self.delivery.path.name}"


def _receipt(delivery: Delivery, landing: Path, outcome: str, data: bytes | None = None) -> dict:
    manifest = delivery.manifest() if delivery.complete else {}
    return {
        "feed": delivery.feed_id,
        "period": delivery.period_key,
        "file": str(delivery.path.relative_to(landing)),
        "version": delivery.version,
        "bytes": delivery.path.stat().st_size,
        "sha256": sha256_of(delivery.path) if data is None else sha256_of_bytes(data),
        "rows_declared": manifest.get("rows"),
        "sha256_declared": manifest.get("sha256"),
        "encoding_declared": manifest.get("encoding"),
        "received_at": delivery.received_at.isoformat(),
        "outcome": outcome,
    }


def stage_period(contract: Contract, landing: Path, lake: Lake, period_key: str) -> StageOutcome:
    deliveries = find_deliveries(landing, contract, period_key)
    complete = [d for d in deliveries if d.complete]
    if not complete:
        where = landing / contract.center / contract.feed / period_key
        state = f"{len(deliveries)} file(s) without a manifest" if deliveries else "no files"
        raise MissingDelivery(f"{contract.id} {period_key}: no complete delivery in {where} ({state})")
    in_force = complete[-1]
    for d in deliveries:
        if d is not in_force:
            status = "superseded" if d.complete else "incomplete (no manifest)"
            lake.write_receipt(contract.id, period_key, d.path.name, _receipt(d, landing, status))

    data = in_force.path.read_bytes()  # read once: hashed for the receipt and gated
    receipt = _receipt(in_force, landing, "in_force", data)
    source = receipt["file"]
    rejection = None
    try:
        result = gate_file(
            contract, in_force.path, source, lambda rule, typed: LOOKUPS[rule].broken(typed, lake, period_key), data
        )
    except DeliveryError as err:
        rejection = err
        result = GateResult(pl.DataFrame(schema=contract.schema), _empty_quarantine(contract))
    lake.write("staged", contract.id, period_key, result.staged)
    lake.write("quarantine", contract.id, period_key, result.quarantined)

    declared = receipt["rows_declared"] or 0
    rejected = declared if rejection else 0
    outcome = StageOutcome(
        contract=contract,
        period_key=period_key,
        delivery=in_force,
        manifest=in_force.manifest(),
        sha256=receipt["sha256"],
        received=result.received + rejected,
        staged=result.staged.height,
        quarantined=result.quarantined.height,
        rejected=rejected,
        broken_by_rule=result.broken_by_rule,
        rejection=rejection,
        received_at=in_force.received_at,
        deadline=deadline(
            contract.delivery.cadence, period_key, contract.delivery.deadline_days_after_period_end, contract.delivery.deadline_at
        ),
        volume_median=_volume_median(contract, lake, period_key),
        quarantined_rows=result.quarantined,
        staged_rows=result.staged,
    )
    receipt |= {
        "rows_received": outcome.received,
        "rows_staged": outcome.staged,
        "rows_quarantined": outcome.quarantined,
        "rows_rejected": outcome.rejected,
        "rejected_by_rule": rejection.rule if rejection else None,
        "rejected_at_line": rejection.line if rejection else None,
        "rejected_at_column": rejection.column if rejection else None,
    }
    lake.write_receipt(contract.id, period_key, in_force.path.name, receipt)
    return outcome


VOLUME_HISTORY = 28  # periods
VOLUME_MIN_HISTORY = 7


def _volume_median(contract: Contract, lake: Lake, period_key: str) -> float | None:
    """Median rows received by the in-force deliveries of up to 28 earlier periods."""
    earlier = [k for k in lake.keys("receipts", contract.id) if k < period_key][-VOLUME_HISTORY:]
    rows = [
        r["rows_received"]
        for k in earlier
        for r in lake.receipts(contract.id, k)
        if r.get("outcome") == "in_force" and r.get("rows_received") is not None
    ]
    return statistics.median(rows) if len(rows) >= VOLUME_MIN_HISTORY else None


def _empty_quarantine(contract: Contract) -> pl.DataFrame:
    return pl.DataFrame(
        schema={c: pl.String for c in contract.column_names}
        | {RULES_COLUMN: pl.List(pl.String), SOURCE_COLUMN: pl.String, LINE_COLUMN: pl.Int64}
    )
