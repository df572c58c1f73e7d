"""The published layer: disclosure-controlled monthly versions of the marts (``publish/<mart>``)
and their catalog (``publish/catalog``)."""

import dagster as dg

from assets.automation import REBUILD_AFTER_INPUTS, follows_inputs
from assets.keys import CATALOG_KEY, mart_key, product_key
from assets.metadata import partition_materializations, preview
from assets.partitions import partitions_for
from regional_econ.marts import MARTS
from regional_econ.publish.catalog import build_catalog
from regional_econ.publish.disclosure import RULE
from regional_econ.publish.files import publishable, write_product
from resources import ParquetLake, PublishFolder


def build_product(name: str) -> dg.AssetsDefinition:
    mart = MARTS[name]

    @dg.asset(
        key=product_key(name),
        deps=[mart_key(name)],
        partitions_def=partitions_for("monthly"),
        backfill_policy=dg.BackfillPolicy.single_run(),
        automation_condition=follows_inputs([mart_key(name)]),
        group_name="publish",
        kinds={"parquet", "csv"},
        description=f"Published {name}, one file per month (Parquet and Korean-header CSV): {RULE}.",
    )
    def _product(context: dg.AssetExecutionContext, lake: ParquetLake, publish: PublishFolder):
        rows, suppressed = {}, {}
        for key in context.partition_keys:
            frame = lake.lake.scan("marts", name, [key], column=mart.period_column)
            if frame is None:
                raise dg.Failure(f"publish/{name} {key}: marts/{name} has no partition {key}")
            published = publishable(mart, frame.collect())
            write_product(publish.path, mart, key, published)
            rows[key], suppressed[key] = published.height, int(published["suppressed"].sum())
        yield from partition_materializations(
            product_key(name),
            {k: {"dagster/row_count": rows[k], "suppressed_cells": suppressed[k]} for k in rows},
            run={"suppression_rule": RULE},
            latest={"preview": preview(published)},  # the latest period
        )

    return _product


PRODUCTS = [build_product(name) for name, mart in MARTS.items() if mart.publish]


@dg.asset(
    key=CATALOG_KEY,
    deps=[p.key for p in PRODUCTS],
    automation_condition=REBUILD_AFTER_INPUTS,
    group_name="publish",
    kinds={"json"},
    description="data/publish/catalog.json: every product, period, schema, row count, sha256 and the suppression rule.",
)
def publish_catalog(publish: PublishFolder) -> dg.MaterializeResult:
    catalog = build_catalog(publish.path)
    periods = {p["product"]: [x["period"] for x in p["periods"]] for p in catalog["products"]}
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(publish.path / "catalog.json")), "periods": dg.MetadataValue.json(periods)}
    )
