"""The DuckDB warehouse file: the only writer of ``data/warehouse.duckdb`` (pool of one)."""

import dagster as dg

from assets.automation import REBUILD_AFTER_INPUTS
from assets.keys import WAREHOUSE_KEY
from regional_econ import warehouse as core
from resources import DuckDBWarehouse, ParquetLake, PublishFolder

WAREHOUSE_POOL = "warehouse"
VIEWS_ANSWER = "every_view_answers"


def build_warehouse_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=WAREHOUSE_KEY,
        deps=upstream,
        pool=WAREHOUSE_POOL,
        automation_condition=REBUILD_AFTER_INPUTS,
        group_name="warehouse",
        kinds={"duckdb"},
        description="Rebuilds data/warehouse.duckdb: ref.* tables and staged.*, quarantine.*, marts.*, ops.receipts "
        "views over the Parquet lake, publish.* over the published files. Built in a temporary file and renamed into place.",
        check_specs=[
            dg.AssetCheckSpec(
                VIEWS_ANSWER, asset=WAREHOUSE_KEY, description="Opened read-only as users open it, every view answers."
            )
        ],
    )
    def warehouse(lake: ParquetLake, warehouse: DuckDBWarehouse, publish: PublishFolder):
        made = warehouse.build(lake.lake, publish.path)
        # The new views read only the files in force: superseded ones can go now.
        removed = lake.lake.collect_garbage()
        rows, broken = {}, {}
        with warehouse.read(lake.lake) as con:
            for view in core.views(con):
                try:
                    rows[view] = con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
                except Exception as err:  # noqa: BLE001 - a view that cannot answer is what this check reports
                    broken[view] = type(err).__name__
        yield dg.AssetCheckResult(
            check_name=VIEWS_ANSWER,
            passed=not broken,
            description="; ".join(f"{v}: {e}" for v, e in broken.items()) or f"{len(rows)} views answer",
            metadata={"rows_by_view": dg.MetadataValue.json(rows), "failing": sorted(broken)},
        )
        yield dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(warehouse.path),
                "objects": dg.MetadataValue.json(made),
                "views": sum(len(v) for k, v in made.items() if k != "ref"),
                "superseded_files_removed": len(removed),
            }
        )

    return warehouse
