"""One asset per mart declared in ``regional_econ.marts``: its dependencies come from the mart's
declared inputs, its column schema from the mart's declared columns.

Every mart asset writes one lake partition per period key of the run (a range runs as one
run) and reports row counts, schema, a preview and its plots.
"""

import dagster as dg
import polars as pl

from assets.automation import follows_inputs
from assets.keys import mart_key, source_key
from assets.marts.plots import PLOTS
from assets.metadata import partition_materializations, preview
from assets.partitions import partitions_for, wait_for_staging_seconds
from checks import output_schema
from checks.conservation import CONSERVED, conservation_check_result, conservation_check_spec
from checks.output_schema import schema_check_result, schema_check_spec
from regional_econ.marts import Mart, build
from regional_econ.marts.inputs import MissingInput
from resources import LandingZone, ParquetLake


def mart_schema(mart: Mart) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=c.name, type=str(c.dtype), description=f"{c.label_ko}: {c.description}")
            for c in mart.declared_columns
        ]
    )


def mart_deps(mart: Mart) -> list[dg.AssetKey]:
    """The assets the mart's inputs read (its own earlier periods are not a dependency)."""
    keys = {source_key(i.layer, i.name) for i in mart.inputs.values()} - {mart_key(mart.name)}
    return sorted(keys, key=lambda k: k.to_user_string())


def required_deps(mart: Mart) -> list[dg.AssetKey]:
    """The inputs a period cannot be built without (those of the period itself, required)."""
    keys = {source_key(i.layer, i.name) for i in mart.inputs.values() if i.required and i.window.first == 0}
    return sorted(keys - {mart_key(mart.name)}, key=lambda k: k.to_user_string())


def build_mart(mart: Mart) -> dg.AssetsDefinition:
    key = mart_key(mart.name)

    @dg.asset(
        key=key,
        deps=mart_deps(mart),
        partitions_def=partitions_for(mart.cadence),
        backfill_policy=dg.BackfillPolicy.single_run(),
        automation_condition=follows_inputs(required_deps(mart)),
        group_name="marts",
        kinds={"parquet", "polars"},
        description=mart.description,
        metadata={"dagster/column_schema": mart_schema(mart)},
        check_specs=[
            schema_check_spec(key, "the mart's declared columns"),
            *([conservation_check_spec(key, mart.name)] if mart.name in CONSERVED else []),
        ],
    )
    def _mart(context: dg.AssetExecutionContext, lake: ParquetLake, landing: LandingZone):
        store, schema, failures = lake.lake, output_schema.mart_schema(mart), output_schema.SchemaFailures()
        rows, frame, conserved, differences = {}, pl.DataFrame(), CONSERVED.get(mart.name), {}
        try:
            # Only the latest period is kept for the preview and plots: a long backfill would
            # otherwise hold every period in memory just for metadata.
            delivered = landing.path if build.staged_inputs(mart) else None
            for period, frame in build.periods(mart, store, context.partition_keys, delivered, wait_for_staging_seconds()):
                # A period that breaks the declared schema is never written.
                if not failures.add(period, frame, schema):
                    yield schema_check_result(key, [*rows, period], failures)
                    raise dg.Failure(description=f"marts/{mart.name}: {failures.describe()}")
                if conserved:
                    differences[period] = conserved.difference(store, period, frame)
                    if differences[period]:
                        yield schema_check_result(key, [*rows, period], failures)
                        yield conservation_check_result(key, differences)
                        raise dg.Failure(description=f"marts/{mart.name} {period}: net spending differs from payments")
                store.write("marts", mart.name, period, frame, column=mart.period_column)
                rows[period] = frame.height
        except MissingInput as err:
            raise dg.Failure(description=str(err)) from None
        plot = PLOTS.get(mart.name)
        yield schema_check_result(key, list(rows), failures)
        if conserved:
            yield conservation_check_result(key, differences)
        yield from partition_materializations(
            context,
            key,
            {period: {"dagster/row_count": n} for period, n in rows.items()},
            run={"dagster/column_schema": mart_schema(mart)},
            latest={"preview": preview(frame), **(plot(frame) if plot and frame.height else {})},
        )

    return _mart
