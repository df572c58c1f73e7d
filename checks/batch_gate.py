"""The batch gate as Dagster asset checks on each staged feed: one check per batch rule of the
vocabulary, reporting what ``regional_econ.staging.batch`` decided for each partition of the run.

They run in the same step as staging (``check_specs`` of the staged multi-asset), so the
gate's counts are used directly, without reading the data again. ERROR checks are blocking:
the delivery was not promoted (the period keeps what was in force) and nothing downstream of
the feed runs; WARN checks are recorded.
"""

from __future__ import annotations

import dagster as dg

from regional_econ.contracts import Contract, rules
from regional_econ.staging import StageOutcome


def _severity(rule: rules.Rule) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if rule.severity == rules.ERROR else dg.AssetCheckSeverity.WARN


def check_specs(staged_key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(name=r.id, asset=staged_key, description=r.sentence, blocking=r.severity == rules.ERROR)
        for r in rules.BATCH_RULES
    ]


def check_results(contract: Contract, staged_key: dg.AssetKey, outcomes: list[StageOutcome]) -> list[dg.AssetCheckResult]:
    results = []
    for rule in rules.BATCH_RULES:
        failing = {o.period_key: o.failures[rule.id] for o in outcomes if rule.id in o.failures}
        held = sorted(k for k in failing if rule.severity == rules.ERROR)
        text = "; ".join(failing.values()) if failing else "all partitions pass"
        if held:
            text += f" - not promoted, the period keeps what was in force: {', '.join(held)}. {rule.fix}"
        results.append(
            dg.AssetCheckResult(
                asset_key=staged_key,
                check_name=rule.id,
                passed=not failing,
                severity=_severity(rule),
                description=f"{contract.id}: {text}",
                metadata={
                    "partitions_checked": len(outcomes),
                    "partitions_failing": sorted(failing),
                    "rows_by_rule": dg.MetadataValue.json(_rows_by_rule(outcomes)) if rule is rules.ROWS_PASS_CONTRACT else None,
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
