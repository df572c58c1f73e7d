"""Staged feeds: each delivery gated by its contract into staged rows and quarantined rows.

One multi-asset per feed writes ``staged/<center>/<feed>`` and ``quarantine/<center>/<feed>``
for every partition of the run (a range runs as one run: ``BackfillPolicy.single_run``),
with the batch gate as blocking checks on the staged asset.
"""

import dagster as dg

from assets.keys import landing_key, quarantine_key, staged_key
from assets.metadata import column_schema, feed_tags, owners, partition_materializations
from assets.partitions import partitions_for, wait_for_staging_seconds
from checks.batch_gate import check_results, check_specs
from checks.freshness import freshness_policy
from checks.output_schema import SchemaFailures, schema_check_result, schema_check_spec, staged_schema
from regional_econ import names
from regional_econ.contracts import Contract, contracts, rules
from regional_econ.gate.lookups import LOOKUPS
from regional_econ.staging import MissingDelivery, StageOutcome, stage_period
from resources import ContractReports, LandingZone, ParquetLake


def _figures(o: StageOutcome, layer: str) -> dict:
    """One partition's figures: what is in force after this run (a blocked delivery leaves the
    earlier one in force, and says so)."""
    count = "rows_staged" if layer == names.STAGED else "rows_quarantined"
    if o.promoted:
        rows, in_force = (o.staged if layer == names.STAGED else o.quarantined), o.relative_path
    else:
        before = o.in_force_before or {}
        rows, in_force = before.get(count, 0), before.get("delivery")
    figures: dict = {"dagster/row_count": rows, "delivery_in_force": in_force or "none"}
    if not o.promoted:
        figures["delivery_blocked"] = dg.MetadataValue.json({"delivery": o.relative_path, "rules": sorted(o.blocking)})
    if layer == names.STAGED:
        figures |= {"rows_received": o.received, "rows_quarantined": o.quarantined, "rows_rejected_whole": o.rejected}
    else:
        figures["rows_by_rule"] = dg.MetadataValue.json(dict(sorted(o.broken_by_rule.items())))
    return figures


def _lookup_deps(contract: Contract) -> list[dg.AssetDep]:
    """Staged feeds this feed's lookup rules read (transactions need the day's merchants first), and
    the feed's own previous period when a lookup reads it (a cancel's approval): a partition waits
    for them."""
    lookups = [LOOKUPS[rule.id] for rule in contract.rules_at("lookup")]
    deps = [dg.AssetDep(staged_key(f)) for f in sorted({f for lookup in lookups for f in lookup.needs})]
    if any(lookup.previous_period for lookup in lookups):
        deps.append(dg.AssetDep(staged_key(contract), partition_mapping=dg.TimeWindowPartitionMapping(-1, -1)))
    return deps


def build_staged(contract: Contract) -> dg.AssetsDefinition:
    staged, quarantine = staged_key(contract), quarantine_key(contract)
    upstream = [landing_key(contract), *_lookup_deps(contract)]

    @dg.multi_asset(
        name=f"stage_{contract.name}",
        specs=[
            dg.AssetSpec(
                staged,
                deps=upstream,
                group_name=contract.center,
                kinds={"polars", "parquet"},
                owners=owners(contract),
                tags=feed_tags(contract, names.STAGED),
                freshness_policy=freshness_policy(contract),
                description=f"Contract-valid rows of {contract.id}, typed. {contract.description}",
                metadata={"dagster/column_schema": column_schema(contract), "contract": contract.id},
            ),
            dg.AssetSpec(
                quarantine,
                deps=[landing_key(contract)],
                group_name=contract.center,
                kinds={"quarantine", "parquet"},
                owners=owners(contract),
                tags=feed_tags(contract, names.QUARANTINE),
                description=f"Rows of {contract.id} that broke a contract rule: original text, rules, file, line.",
            ),
        ],
        check_specs=[*check_specs(staged), schema_check_spec(staged, f"the {contract.id} contract")],
        partitions_def=partitions_for(contract.delivery.cadence),
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def stage(context: dg.AssetExecutionContext, landing: LandingZone, lake: ParquetLake, reports: ContractReports):
        outcomes, missing, pages = [], [], {}
        schema, failures = staged_schema(contract), SchemaFailures()

        def output_check(o: StageOutcome) -> dict[str, str]:
            # Before promotion: a frame the contract's schema refuses is never promoted.
            if failures.add(o.period_key, o.staged_rows, schema):
                return {}
            return {rules.OUTPUT_SCHEMA.id: f"{o.relative_path}: {failures.describe()}"}

        for key in context.partition_keys:
            try:
                outcome = stage_period(contract, landing.path, lake.lake, key, (output_check,), wait_for_staging_seconds())
            except MissingDelivery as err:
                missing.append(str(err))
                continue
            pages[key] = reports.write(outcome)
            outcome.staged_rows = outcome.quarantined_rows = None  # a long backfill holds no partition's rows
            outcomes.append(outcome)
        if pages:
            reports.write_index(contract.center)
        if missing:
            raise dg.Failure(description="\n".join(missing), metadata={"missing_partitions": len(missing)})
        for key, layer in ((staged, names.STAGED), (quarantine, names.QUARANTINE)):
            figures = {o.period_key: _figures(o, layer) for o in outcomes}
            if layer == names.STAGED:
                for o in outcomes:
                    figures[o.period_key]["contract_report"] = dg.MetadataValue.path(str(pages[o.period_key]))
            yield from partition_materializations(context, key, figures, run={})
        yield from check_results(contract, staged, outcomes)
        yield schema_check_result(staged, [o.period_key for o in outcomes], failures)

    return stage


STAGED_ASSETS = [build_staged(c) for c in contracts().values()]
