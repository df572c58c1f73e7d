"""The published layer: disclosure-controlled monthly versions of the marts (``publish/<mart>``),
protected together each month as one linked set, and their catalog (``publish/catalog``)."""

import dagster as dg

from assets.automation import REBUILD_AFTER_INPUTS, follows_inputs
from assets.keys import CATALOG_KEY, mart_key, product_key
from assets.metadata import partition_materializations, preview
from assets.partitions import partitions_for
from regional_econ.marts import MARTS
from regional_econ.publish.catalog import build_catalog
from regional_econ.publish.disclosure import PROTECTION, RULE
from regional_econ.publish.disclosure.linked import Audit
from regional_econ.publish.files import write_product
from regional_econ.publish.months import protect_months
from resources import ParquetLake, PublishFolder

PUBLISHED = [name for name, mart in MARTS.items() if mart.publish]
PROTECTED = "protected_against_linear_attack"
FOLLOWS = follows_inputs([mart_key(name) for name in PUBLISHED])


def _linked_marts(name: str) -> list[str]:
    """The marts whose products share quantities with ``name``'s (its linked set)."""
    quantities = lambda m: {MARTS[m].publish.quantity(m, v) for v in MARTS[m].publish.additive}  # noqa: E731
    return [m for m in PUBLISHED if m == name or quantities(m) & quantities(name)]


def _check(name: str, audits: dict[str, dict[str, Audit]], figures: dict[str, dict]) -> dg.AssetCheckResult:
    per_period = {period: found[name] for period, found in audits.items() if name in found}
    failing = {p: a.failing.height for p, a in per_period.items() if a.failing.height}
    narrowest = [a.narrowest for a in per_period.values() if a.narrowest is not None]
    return dg.AssetCheckResult(
        asset_key=product_key(name),
        check_name=PROTECTED,
        passed=not failing,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(f"{p}: {n} withheld value(s) recoverable within the protection level" for p, n in failing.items())
        or f"every cell withheld for a rule keeps at least +-{PROTECTION:.0%} in {len(per_period)} period(s)",
        metadata={
            "narrowest_interval_share": min(narrowest) if narrowest else None,
            "withheld_values_audited": sum(a.intervals.height for a in per_period.values()),
            "values_needing_protection": sum(int(a.intervals["sensitive"].sum()) for a in per_period.values()),
            "recoverable": sum(failing.values()),
            "periods": dg.MetadataValue.json(figures),
        },
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            product_key(name),
            deps=[mart_key(m) for m in _linked_marts(name)],
            # One condition for the one step that publishes them all.
            automation_condition=FOLLOWS,
            group_name="publish",
            kinds={"parquet", "csv"},
            skippable=True,
            description=f"Published {name}, one file per month (Parquet and Korean-header CSV): {RULE}.",
        )
        for name in PUBLISHED
    ],
    check_specs=[
        dg.AssetCheckSpec(
            PROTECTED,
            asset=product_key(name),
            blocking=True,
            description="Before any file is written: an attacker solving linear programs over every product of the month "
            "(their cells, totals and shared cells) cannot narrow any withheld value to within the protection level.",
        )
        for name in PUBLISHED
    ],
    partitions_def=partitions_for("monthly"),
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
    name="publish_products",
)
def publish_products(context: dg.AssetExecutionContext, lake: ParquetLake, publish: PublishFolder):
    audits, figures, written = {}, {name: {} for name in PUBLISHED}, {name: None for name in PUBLISHED}
    periods = context.partition_keys
    for period, month in zip(periods, protect_months(lake.root, periods, PUBLISHED), strict=True):
        if month is None:
            raise dg.Failure(f"publish {period}: no mart of a product has this month")
        audits[period] = month.audits
        if month.recoverable:
            for name in PUBLISHED:
                yield _check(name, audits, figures)
            raise dg.Failure(f"publish {period}: {month.recoverable} withheld value(s) recoverable; nothing was written")
        for name, frame in month.frames.items():
            figures[name][period] = month.shares[name] | {"withheld_by_rule": month.by_rule[name]}
            write_product(publish.path, MARTS[name], period, frame, month.shares[name])
            written[name] = frame
    for name in PUBLISHED:
        yield _check(name, audits, figures)
    for name in PUBLISHED:
        if written[name] is None:
            continue
        yield from partition_materializations(
            context,
            product_key(name),
            {p: {"dagster/row_count": f["cells"], "suppressed_cells": f["withheld_cells"]} for p, f in figures[name].items()},
            run={"suppression_rule": RULE},
            latest={"preview": preview(written[name])},
        )


PRODUCTS = [publish_products]


@dg.asset(
    key=CATALOG_KEY,
    deps=[product_key(name) for name in PUBLISHED],
    automation_condition=REBUILD_AFTER_INPUTS,
    group_name="publish",
    kinds={"json"},
    description="data/publish/catalog.json: every product, period, schema, row count, sha256, the suppression rule and "
    "the shares of cells and of the measure withheld.",
)
def publish_catalog(publish: PublishFolder) -> dg.MaterializeResult:
    catalog = build_catalog(publish.path)
    periods = {p["product"]: [x["period"] for x in p["periods"]] for p in catalog["products"]}
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(publish.path / "catalog.json")), "periods": dg.MetadataValue.json(periods)}
    )
