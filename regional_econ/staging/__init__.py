"""Stage one period of one feed: pick the newest complete delivery, gate it, judge the batch rules,
and promote it (staged rows, quarantined rows and its receipt, in one step) only if no ERROR rule
is broken. A delivery that is blocked changes nothing readers see: the period stays as it was.

Every file looked at gets a receipt: promoted, blocked (with the rules it broke), refused (a
symbolic link, a misnamed file) or incomplete (no manifest yet). The Dagster staged assets call
``stage_period`` once per partition; so can a notebook.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from regional_econ import names
from regional_econ.contracts import Contract, rules
from regional_econ.gate import LINE_COLUMN, RULES_COLUMN, SOURCE_COLUMN, GateResult, gate_file
from regional_econ.gate.errors import DeliveryError
from regional_econ.gate.lookups import LOOKUPS, key_seen_in_other_periods
from regional_econ.gate.read import count_records
from regional_econ.periods import deadline
from regional_econ.staging import batch, pending
from regional_econ.storage.lake import Lake
from regional_econ.storage.landing import (
    DeliveredFile,
    ManifestError,
    RefusedFile,
    examine_period,
    read_manifest,
    sha256_of_bytes,
)

VOLUME_HISTORY = 28  # periods
VOLUME_MIN_HISTORY = 7


class MissingDelivery(Exception):
    """No complete delivery for a period: the partition fails, it is never an empty success."""


@dataclass
class StageOutcome:
    contract: Contract
    period_key: str
    delivery: DeliveredFile
    manifest: dict
    sha256: str
    records: int | None  # data lines counted in the file itself (None: it could not be read)
    staged: int
    quarantined: int
    rejected: int  # rows of a delivery rejected whole (unreadable, or carrying a direct identifier)
    broken_by_rule: dict[str, int] = field(default_factory=dict)
    rejection: DeliveryError | None = None
    received_at: datetime | None = None
    deadline: datetime | None = None
    volume_median: float | None = None  # median rows received over the previous periods (None: too little history)
    in_period_share: float | None = None
    refused: list[RefusedFile] = field(default_factory=list)
    in_force_before: dict | None = None  # the period's pointer before this staging
    lookups_missing: list[str] = field(default_factory=list)  # periods its lookups read, not staged yet
    failures: dict[str, str] = field(default_factory=dict)  # batch rule id -> what breaks it
    promoted: bool = False
    quarantined_rows: pl.DataFrame | None = None
    staged_rows: pl.DataFrame | None = None  # for the output check; the caller drops it once checked

    @property
    def folder(self) -> str:
        return names.landing_folder(self.contract.id, self.period_key)

    @property
    def relative_path(self) -> str:
        return f"{self.folder}/{self.delivery.path.name}"

    @property
    def received(self) -> int:
        return self.records if self.records is not None else self.staged + self.quarantined + self.rejected

    @property
    def arrived(self) -> float:
        return self.delivery.manifest_path.stat().st_mtime

    @property
    def blocking(self) -> dict[str, str]:
        """The ERROR rules broken: the delivery is not promoted."""
        severity = {r.id: r.severity for r in (*rules.BATCH_RULES, rules.OUTPUT_SCHEMA)}
        return {rule: message for rule, message in self.failures.items() if severity.get(rule) == rules.ERROR}


# Checks run on the outcome before promotion, besides the batch rules (the output schema check):
# each returns rule id -> message for what it finds broken.
ExtraCheck = Callable[[StageOutcome], dict[str, str]]


def stage_period(
    contract: Contract,
    landing: Path,
    lake: Lake,
    period_key: str,
    extra_checks: tuple[ExtraCheck, ...] = (),
    wait_for_lookups: float = 0.0,
) -> StageOutcome:
    """Gate the period's newest complete delivery and promote it unless a blocking rule fails.

    ``wait_for_lookups``: seconds to wait for lookup periods that are delivered but still being
    staged by another run (see ``pending.wait_for_lookups``).
    """
    if wait_for_lookups:
        pending.wait_for_lookups(contract, landing, lake, period_key, wait_for_lookups)
    with lake.period_lock(contract.id, period_key):
        lake.clean(contract.id, period_key)  # what a killed writer left
        return _stage(contract, landing, lake, period_key, extra_checks)


def _stage(contract: Contract, landing: Path, lake: Lake, period_key: str, extra_checks: tuple[ExtraCheck, ...]) -> StageOutcome:
    deliveries, refused = examine_period(landing, contract, period_key)
    for file in refused:
        lake.write_receipt(contract.id, period_key, file.path.name, _refusal_receipt(file, landing))
    complete = [d for d in deliveries if d.complete]
    if not complete:
        where = landing / names.landing_folder(contract.id, period_key)
        parts = [f"{len(deliveries)} file(s) without a manifest" if deliveries else "no delivery"]
        parts += [f"{f.path.name} refused: {f.reason} (rule {f.rule})" for f in refused]
        raise MissingDelivery(f"{contract.id} {period_key}: no complete delivery in {where} ({'; '.join(parts)})")
    candidate = complete[-1]
    for d in deliveries:
        if not d.complete:
            lake.write_receipt(contract.id, period_key, d.path.name, _receipt(d, landing, "incomplete"))

    data = candidate.path.read_bytes()  # read once: hashed for the receipt and gated
    outcome = _gate(contract, lake, period_key, candidate, data, landing)
    outcome.refused = refused
    outcome.in_force_before = lake.in_force(contract.id, period_key)
    outcome.volume_median = _volume_median(contract, lake, period_key)
    outcome.lookups_missing = pending.lookups_missing(contract, lake, period_key, landing)
    outcome.failures = batch.evaluate(outcome)
    for check in extra_checks:
        outcome.failures |= check(outcome)

    record = _receipt(candidate, landing, "blocked" if outcome.blocking else "promoted", outcome)
    if not outcome.blocking:
        lake.promote(contract.id, period_key, outcome.staged_rows, outcome.quarantined_rows, _pointer(outcome, record))
        outcome.promoted = True
    lake.write_receipt(contract.id, period_key, candidate.path.name, record)
    return outcome


def _gate(contract: Contract, lake: Lake, period_key: str, candidate: DeliveredFile, data: bytes, landing: Path) -> StageOutcome:
    source = str(candidate.path.relative_to(landing))
    manifest, rejection, result = {}, None, None
    try:
        manifest = read_manifest(candidate)
    except ManifestError as err:
        rejection = DeliveryError(source, rules.MANIFEST_READABLE.id, str(err))
    if rejection is None:
        try:
            result = gate_file(contract, candidate.path, source, lookup_for(contract, lake, period_key), data, period_key)
        except DeliveryError as err:
            rejection = err
    if result is None:
        records = count_records(contract, data)
        result = GateResult(pl.DataFrame(schema=contract.schema), _empty_quarantine(contract), records=records)
    rejected = (result.records or 0) if rejection else 0
    return StageOutcome(
        contract=contract, period_key=period_key, delivery=candidate, manifest=manifest, sha256=sha256_of_bytes(data),
        records=result.records, staged=result.staged.height, quarantined=result.quarantined.height, rejected=rejected,
        broken_by_rule=result.broken_by_rule, rejection=rejection, received_at=candidate.received_at,
        deadline=deadline(contract.delivery.cadence, period_key, contract.delivery.deadline_days_after_period_end,
                          contract.delivery.deadline_at),
        in_period_share=None if rejection else result.rows_in_period_share(contract),
        quarantined_rows=result.quarantined, staged_rows=result.staged,
    )  # fmt: skip


def lookup_for(contract: Contract, lake: Lake, period_key: str):
    """What the gate calls for the rules that read other periods or feeds."""
    across = rules.across_periods_rule(contract)

    def broken(rule_id: str, typed: pl.DataFrame) -> pl.Series:
        if rule_id == across:
            return key_seen_in_other_periods(contract, typed, lake, period_key)
        return LOOKUPS[rule_id].broken(typed, lake, period_key)

    return broken


def _receipt(delivery: DeliveredFile, landing: Path, outcome: str, staged: StageOutcome | None = None) -> dict:
    record = {
        "feed": delivery.feed_id,
        "period": delivery.period_key,
        "file": str(delivery.path.relative_to(landing)),
        "version": delivery.version,
        "bytes": delivery.path.stat().st_size,
        "received_at": delivery.received_at.isoformat(),
        "outcome": outcome,
    }
    if staged is None:
        return record
    promoted = outcome == "promoted"
    return record | {
        "sha256": staged.sha256,
        "rows_declared": staged.manifest.get("rows"),
        "sha256_declared": staged.manifest.get("sha256"),
        "encoding_declared": staged.manifest.get("encoding"),
        "rows_counted": staged.records,
        "rows_received": staged.received,
        # A blocked delivery's rows are held back: received = staged + quarantined + rejected + held.
        "rows_staged": staged.staged if promoted else 0,
        "rows_quarantined": staged.quarantined if promoted else 0,
        "rows_rejected": staged.rejected,
        "rows_held": 0 if promoted else staged.staged + staged.quarantined,
        "rules_failed": sorted(staged.failures),
        "rules_blocking": sorted(staged.blocking),
        "rejected_by_rule": staged.rejection.rule if staged.rejection else None,
        "rejected_at_line": staged.rejection.line if staged.rejection else None,
        "rejected_at_column": staged.rejection.column if staged.rejection else None,
    }


def _refusal_receipt(file: RefusedFile, landing: Path) -> dict:
    try:
        where = str(file.path.relative_to(landing))
    except ValueError:
        where = f"{file.feed_id}/{file.period_key}/{file.path.name}"
    return {
        "feed": file.feed_id, "period": file.period_key, "file": where, "outcome": "refused",
        "rules_failed": [file.rule], "rules_blocking": [file.rule], "refused_because": file.reason,
    }  # fmt: skip


def _pointer(outcome: StageOutcome, receipt: dict) -> dict:
    """What a period's pointer says besides its files: the delivery in force, counts, key range."""
    key_range = None
    if rules.across_periods_rule(outcome.contract) and outcome.staged:
        keys = outcome.staged_rows[outcome.contract.primary_key[0]]
        key_range = [keys.min(), keys.max()]
    return {
        "feed": outcome.contract.id,
        "period": outcome.period_key,
        "delivery": outcome.relative_path,
        "delivery_version": outcome.delivery.version,
        "sha256": outcome.sha256,
        "rows_received": outcome.received,
        "rows_staged": outcome.staged,
        "rows_quarantined": outcome.quarantined,
        "key_range": key_range,
        "receipt": receipt,
    }


def _volume_median(contract: Contract, lake: Lake, period_key: str) -> float | None:
    """Median rows received by the deliveries in force for up to 28 earlier periods."""
    earlier = [k for k in lake.keys(names.STAGED, contract.id) if k < period_key][-VOLUME_HISTORY:]
    rows = [p["rows_received"] for k in earlier if (p := lake.in_force(contract.id, k)) and p.get("rows_received") is not None]
    return statistics.median(rows) if len(rows) >= VOLUME_MIN_HISTORY else None


def _empty_quarantine(contract: Contract) -> pl.DataFrame:
    return pl.DataFrame(
        schema={c: pl.String for c in contract.column_names}
        | {RULES_COLUMN: pl.List(pl.String), SOURCE_COLUMN: pl.String, LINE_COLUMN: pl.Int64}
    )
