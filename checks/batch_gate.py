"""The batch gate: checks on each staged feed, evaluated from the staging outcome of its partitions.

They run in the same step as staging (``check_specs`` of the staged multi-asset), so the
gate's counts are used directly, without reading the data again. ERROR checks are
blocking: a failure stops everything downstream of that feed; WARN checks are recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg

from regional_econ.contracts import Contract, rules
from regional_econ.staging import StageOutcome


@dataclass(frozen=True)
class BatchCheck:
    rule: rules.Rule  # name, severity and description come from the rule vocabulary
    # The partitions that break the check, each with what the operator should read.
    failures: Callable[[StageOutcome], str | None]

    @property
    def name(self) -> str:
        return self.rule.id

    @property
    def severity(self) -> dg.AssetCheckSeverity:
        return dg.AssetCheckSeverity.ERROR if self.rule.severity == rules.ERROR else dg.AssetCheckSeverity.WARN


def _readable(o: StageOutcome) -> str | None:
    return str(o.rejection) if o.rejection and o.rejection.rule != rules.NO_DIRECT_IDENTIFIERS.id else None


def _no_identifiers(o: StageOutcome) -> str | None:
    return str(o.rejection) if o.rejection and o.rejection.rule == rules.NO_DIRECT_IDENTIFIERS.id else None


def _manifest_rows(o: StageOutcome) -> str | None:
    declared = o.manifest.get("rows")
    if o.rejection or declared == o.received:
        return None
    return f"{o.relative_path}: manifest declares {declared} rows, file has {o.received} (truncated or padded)"


def _manifest_sha256(o: StageOutcome) -> str | None:
    if o.manifest.get("sha256") == o.sha256:
        return None
    return f"{o.relative_path}: sha256 differs from the manifest (file changed or cut in transit)"


def _conserved(o: StageOutcome) -> str | None:
    if o.received == o.staged + o.quarantined + o.rejected:
        return None
    return f"{o.relative_path}: received {o.received} != staged {o.staged} + quarantined {o.quarantined} + rejected {o.rejected}"


def _fresh(o: StageOutcome) -> str | None:
    if o.received_at is None or o.deadline is None or o.received_at <= o.deadline:
        return None
    late = o.received_at - o.deadline
    return f"{o.relative_path}: arrived {o.received_at:%Y-%m-%d %H:%M} KST, {late} after the deadline {o.deadline:%Y-%m-%d %H:%M}"


def _volume(o: StageOutcome) -> str | None:
    band = o.contract.volume
    if o.volume_median is None or not band:
        return None
    low, high = band["min_rows_vs_28d_median"] * o.volume_median, band["max_rows_vs_28d_median"] * o.volume_median
    if low <= o.received <= high:
        return None
    return f"{o.relative_path}: {o.received} rows, outside the band {low:.0f}..{high:.0f} around the median {o.volume_median:.0f}"


def _row_rules(o: StageOutcome) -> str | None:
    if not o.broken_by_rule:
        return None
    counts = ", ".join(f"{rule} {n}" for rule, n in sorted(o.broken_by_rule.items()))
    return f"{o.relative_path}: {o.quarantined} rows quarantined ({counts})"


FAILURES = {
    rules.DELIVERY_READABLE: _readable,
    rules.NO_DIRECT_IDENTIFIERS: _no_identifiers,
    rules.MANIFEST_ROWS: _manifest_rows,
    rules.MANIFEST_SHA256: _manifest_sha256,
    rules.ROWS_CONSERVED: _conserved,
    rules.DELIVERED_ON_TIME: _fresh,
    rules.VOLUME_IN_BAND: _volume,
    rules.ROWS_PASS_CONTRACT: _row_rules,
}
BATCH_CHECKS = [BatchCheck(rule, FAILURES[rule]) for rule in rules.BATCH_RULES]


def check_specs(staged_key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=c.name, asset=staged_key, description=c.rule.sentence, blocking=c.severity == dg.AssetCheckSeverity.ERROR
        )
        for c in BATCH_CHECKS
    ]


def check_results(contract: Contract, staged_key: dg.AssetKey, outcomes: list[StageOutcome]) -> list[dg.AssetCheckResult]:
    results = []
    for check in BATCH_CHECKS:
        failures = {o.period_key: msg for o in outcomes if (msg := check.failures(o))}
        results.append(
            dg.AssetCheckResult(
                asset_key=staged_key,
                check_name=check.name,
                passed=not failures,
                severity=check.severity,
                description=f"{contract.id}: " + ("; ".join(failures.values()) if failures else "all partitions pass"),
                metadata={
                    "partitions_checked": len(outcomes),
                    "partitions_failing": sorted(failures),
                    "rows_by_rule": dg.MetadataValue.json(_rows_by_rule(outcomes))
                    if check.rule is rules.ROWS_PASS_CONTRACT
                    else None,
                },
            )
        )
    return results


def _rows_by_rule(outcomes: list[StageOutcome]) -> dict[str, int]:
    total: dict[str, int] = {}
    for o in outcomes:
        for rule, n in o.broken_by_rule.items():
            total[rule] = total.get(rule, 0) + n
    return dict(sorted(total.items()))
