"""The DuckDB warehouse file: the only writer of ``data/warehouse.duckdb`` (pool of one)."""

import dagster as dg

from assets.keys import WAREHOUSE_KEY
from resources import DuckDBWarehouse, ParquetLake, PublishFolder

WAREHOUSE_POOL = "warehouse"


def build_warehouse_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=WAREHOUSE_KEY,
        deps=upstream,
        pool=WAREHOUSE_POOL,
        group_name="warehouse",
        kinds={"duckdb"},
        description="Rebuilds data/warehouse.duckdb: ref.* tables and staged.*, quarantine.*, marts.*, "
        "ops.receipts views over the Parquet lake, publish.* over the published files. Built in a temporary file and renamed into place.",
    )
    def warehouse(lake: ParquetLake, warehouse: DuckDBWarehouse, publish: PublishFolder) -> dg.MaterializeResult:
        made = warehouse.build(lake.lake, publish.path)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(warehouse.path),
                "objects": dg.MetadataValue.json(made),
                "views": sum(len(v) for k, v in made.items() if k != "ref"),
            }
        )

    return warehouse
