"""Dagster resources: the landing zone, the Parquet lake and the DuckDB warehouse.

Each wraps a piece of ``regional_econ`` with the paths the deployment configures; the
defaults follow ``REGIONAL_ECON_DATA`` (``./data``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from regional_econ import warehouse
from regional_econ.contracts import Contract
from regional_econ.staging import StageOutcome
from regional_econ.staging.reports import write_center_index, write_delivery_report
from regional_econ.storage import paths
from regional_econ.storage.lake import Lake
from regional_econ.storage.landing import DeliveredFile as Delivery
from regional_econ.storage.landing import find_deliveries


class LandingZone(dg.ConfigurableResource):
    """Where the centers' files arrive. Read only: the platform never edits a landing file."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)

    def deliveries(self, contract: Contract, period_key: str | None = None) -> list[Delivery]:
        return find_deliveries(self.path, contract, period_key)


class ParquetLake(dg.ConfigurableResource):
    """Staged, quarantined and mart partitions as Parquet files, plus delivery receipts; a folder
    or an object store URL (``s3://bucket/prefix/lake``)."""

    root: str

    @property
    def lake(self) -> Lake:
        return Lake(self.root)


class ContractReports(dg.ConfigurableResource):
    """Static HTML pages telling each center what its deliveries brought and why rows were rejected."""

    root: str

    def write(self, outcome: StageOutcome) -> Path:
        return write_delivery_report(Path(self.root), outcome, outcome.quarantined_rows)

    def write_index(self, center_id: str) -> Path:
        return write_center_index(Path(self.root), center_id)


class PublishFolder(dg.ConfigurableResource):
    """The published folder: disclosure-controlled files, dictionaries and the catalog."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)


class DuckDBWarehouse(dg.ConfigurableResource):
    """The DuckDB file of views over the lake, through dagster-duckdb's ``DuckDBResource``.

    Built only by the ``warehouse`` asset (in a concurrency pool of one), into a file beside the
    target that is renamed into place; every reader opens the file read-only.
    """

    path: str

    def build(self, lake: Lake, publish: Path) -> dict[str, list[str]]:
        def connect(building: Path):
            return DuckDBResource(database=str(building), connection_config=warehouse.WRITE_CONFIG).get_connection()

        return warehouse.build(lake.root, Path(self.path), publish, connect)

    @contextmanager
    def read(self, lake: Lake) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection, as users open the file, that can read ``lake`` wherever it is."""
        reader = DuckDBResource(database=self.path, connection_config=warehouse.READ_ONLY_CONFIG)
        with reader.get_connection() as con:
            yield warehouse.register_lake(con, lake.root)


def default_resources(root: Path | None = None) -> dict[str, dg.ConfigurableResource]:
    root = root or paths.data_root()
    return {
        "landing": LandingZone(root=str(paths.landing_root(root))),
        "lake": ParquetLake(root=str(paths.lake_root(root))),
        "warehouse": DuckDBWarehouse(path=str(paths.warehouse_path(root))),
        "reports": ContractReports(root=str(paths.reports_root(root))),
        "publish": PublishFolder(root=str(paths.publish_root(root))),
    }
