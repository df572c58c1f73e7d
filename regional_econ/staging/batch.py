"""The batch gate: each batch rule of the vocabulary, judged on a period's staging outcome.

``evaluate`` returns the rules a delivery breaks, each with what the operator and the center
should read (file, line, column, counts; never a cell's content). An ERROR keeps the delivery
from being promoted; a WARN is recorded. The Dagster checks (``checks/batch_gate.py``) only
report what is decided here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from regional_econ.contracts import rules

if TYPE_CHECKING:
    from regional_econ.staging import StageOutcome

ENCODINGS = {  # encoding names a manifest may give for each contract encoding
    "utf-8": {"utf-8", "utf8"},
    "utf-8-sig": {"utf-8-sig", "utf-8 with bom", "utf-8-bom"},
    "cp949": {"cp949", "euc-kr", "ms949", "uhc", "ks_c_5601-1987"},
}


def _refused(o: StageOutcome, rule: rules.Rule) -> str | None:
    """Refused files that arrived after the delivery in force: the center's latest sending did not count."""
    late = [f for f in o.refused if f.rule == rule.id and f.arrived >= o.arrived]
    if not late:
        return None
    return "; ".join(f"{o.folder}/{f.path.name}: {f.reason}" for f in late)


def _rejected(*read_rules: rules.Rule) -> Callable[[StageOutcome], str | None]:
    ids = {r.id for r in read_rules}
    return lambda o: str(o.rejection) if o.rejection and o.rejection.rule in ids else None


def _manifest_encoding(o: StageOutcome) -> str | None:
    declared, terms = o.manifest.get("encoding"), o.contract.delivery
    wrong = []
    if declared is not None and declared.strip().lower() not in ENCODINGS.get(terms.encoding, {terms.encoding}):
        wrong.append(f"encoding {declared!r} where the contract declares {terms.encoding}")
    fmt = o.manifest.get("format")
    if fmt is not None and fmt.strip().lower() != terms.format:
        wrong.append(f"format {fmt!r} where the contract declares {terms.format}")
    return f"{o.relative_path}: the manifest gives " + " and ".join(wrong) if wrong else None


def _manifest_rows(o: StageOutcome) -> str | None:
    declared = o.manifest.get("rows")
    if o.records is None or declared is None or declared == o.records:
        return None
    return f"{o.relative_path}: the manifest declares {declared} rows, the file has {o.records} data lines (cut or padded)"


def _manifest_sha256(o: StageOutcome) -> str | None:
    declared = o.manifest.get("sha256")
    if declared is None or declared == o.sha256:
        return None
    return f"{o.relative_path}: sha256 differs from the manifest (the file changed or was cut in transit)"


def _min_rows(o: StageOutcome) -> str | None:
    least = o.contract.min_rows
    if o.rejection or o.records is None or o.records >= least:
        return None
    return f"{o.relative_path}: {o.records} rows; {o.contract.id} is never empty (at least {least})"


def _in_period(o: StageOutcome) -> str | None:
    share = o.in_period_share
    if share is None or share >= 0.5:
        return None
    return f"{o.relative_path}: {share:.0%} of the rows are in {o.period_key}'s period; the file is for another period"


def _lookups_ready(o: StageOutcome) -> str | None:
    if not o.lookups_missing:
        return None
    return f"{o.relative_path}: waits for {', '.join(o.lookups_missing)} to be staged first"


def _conserved(o: StageOutcome) -> str | None:
    if o.records is None or o.records == o.staged + o.quarantined + o.rejected:
        return None
    return (
        f"{o.relative_path}: {o.records} data lines counted in the file != staged {o.staged} + quarantined "
        f"{o.quarantined} + rejected {o.rejected}"
    )


def _on_time(o: StageOutcome) -> str | None:
    if o.received_at is None or o.deadline is None or o.received_at <= o.deadline:
        return None
    late = o.received_at - o.deadline
    return f"{o.relative_path}: arrived {o.received_at:%Y-%m-%d %H:%M} KST, {late} after the deadline {o.deadline:%Y-%m-%d %H:%M}"


def _volume(o: StageOutcome) -> str | None:
    band = o.contract.volume
    if o.volume_median is None or "min_rows_vs_28d_median" not in band or o.records is None:
        return None
    low, high = band["min_rows_vs_28d_median"] * o.volume_median, band["max_rows_vs_28d_median"] * o.volume_median
    if low <= o.records <= high:
        return None
    return f"{o.relative_path}: {o.records} rows, outside the band {low:.0f}..{high:.0f} around the median {o.volume_median:.0f}"


def _not_shrinking(o: StageOutcome) -> str | None:
    before = o.in_force_before
    if not before or o.records is None or before.get("delivery") == o.relative_path:
        return None
    kept = before.get("rows_received") or 0
    if kept and o.records < o.contract.min_resend_share * kept:
        return f"{o.relative_path}: {o.records} rows where {before['delivery']} in force has {kept}"
    return None


def _row_rules(o: StageOutcome) -> str | None:
    if not o.broken_by_rule:
        return None
    counts = ", ".join(f"{rule} {n}" for rule, n in sorted(o.broken_by_rule.items()))
    return f"{o.relative_path}: {o.quarantined} rows quarantined ({counts})"


JUDGES: dict[rules.Rule, Callable[[StageOutcome], str | None]] = {
    rules.LANDING_REGULAR_FILE: lambda o: _refused(o, rules.LANDING_REGULAR_FILE),
    rules.FILE_NAME_MATCHES_FOLDER: lambda o: _refused(o, rules.FILE_NAME_MATCHES_FOLDER),
    rules.MANIFEST_READABLE: _rejected(rules.MANIFEST_READABLE),
    rules.MANIFEST_ENCODING: _manifest_encoding,
    rules.DELIVERY_READABLE: _rejected(*rules.READ_RULES),
    rules.NO_DIRECT_IDENTIFIERS: _rejected(rules.NO_DIRECT_IDENTIFIERS),
    rules.MANIFEST_ROWS: _manifest_rows,
    rules.MANIFEST_SHA256: _manifest_sha256,
    rules.MIN_ROWS: _min_rows,
    rules.DELIVERY_IN_PERIOD: _in_period,
    rules.LOOKUPS_READY: _lookups_ready,
    rules.ROWS_CONSERVED: _conserved,
    rules.DELIVERED_ON_TIME: _on_time,
    rules.VOLUME_IN_BAND: _volume,
    rules.RESEND_NOT_SHRINKING: _not_shrinking,
    rules.ROWS_PASS_CONTRACT: _row_rules,
}
if set(JUDGES) != set(rules.BATCH_RULES):
    raise RuntimeError("every batch rule of the vocabulary is judged here, and only those")


def evaluate(outcome: StageOutcome) -> dict[str, str]:
    """Rule id -> what breaks it, for every batch rule the outcome breaks (ERROR and WARN)."""
    found = {}
    for rule in rules.BATCH_RULES:
        message = JUDGES[rule](outcome)
        if message:
            found[rule.id] = message
    return found
