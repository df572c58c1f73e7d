"""The DuckDB warehouse: views over the Parquet lake plus the reference tables.

``data/warehouse.duckdb`` is rebuilt whole into a temporary file and renamed into place,
so readers never see it half-built; only one writer (the ``warehouse`` asset, in a
concurrency pool of one) ever builds it. Views use absolute paths to the lake so the file
answers queries from any working directory. A lake on an object store (``s3://...``) is read
through its fsspec filesystem, registered on every connection this module opens (DuckDB's
httpfs extension is not needed; the ``duckdb`` command needs it, see deploy/README.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb
import polars as pl

from regional_econ import names, reference
from regional_econ.contracts import Contract, contracts
from regional_econ.gate import LINE_COLUMN, RULES_COLUMN, SOURCE_COLUMN
from regional_econ.marts import MARTS
from regional_econ.storage import paths
from regional_econ.storage.lake import PART_FILE, Lake
from regional_econ.storage.paths import Location

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}


def _quote(path: Location | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _files(directory: Location) -> Location | None:
    return directory / "*" / PART_FILE if any(directory.glob(f"*/{PART_FILE}")) else None


def _empty_select(columns: list[tuple[str, str]]) -> str:
    return "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {n}" for n, t in columns) + " WHERE false"


def _file_list(files: list[Location]) -> str:
    return "[" + ", ".join(_quote(p) for p in files) + "]"


def register_lake(con: duckdb.DuckDBPyConnection, lake: Location | str | None = None) -> duckdb.DuckDBPyConnection:
    """Let ``con`` read a lake on an object store (default: the configured lake)."""
    root = paths.location(lake) if lake is not None else paths.lake_root()
    if paths.is_remote(root) and not con.filesystem_is_registered(root.fs.protocol[0]):
        con.register_filesystem(root.fs)
    return con


def _feed_views(con: duckdb.DuckDBPyConnection, lake: Lake, contract: Contract) -> None:
    """Views over the files in force (the pointers, not a folder glob): a period's staged and
    quarantined rows are always of the same delivery, whatever is being staged meanwhile."""
    typed = [(c.name, DUCKDB_TYPES[c.type]) for c in contract.columns]
    text = [(c.name, "VARCHAR") for c in contract.columns] + [
        (RULES_COLUMN, "VARCHAR[]"),
        (SOURCE_COLUMN, "VARCHAR"),
        (LINE_COLUMN, "BIGINT"),
    ]
    for layer, columns in ((names.STAGED, typed), (names.QUARANTINE, text)):
        files = list(lake.files(layer, contract.id).values())
        body = (
            f"SELECT * FROM read_parquet({_file_list(files)}, hive_partitioning = true, hive_types = {{'date': DATE}})"
            if files
            else _empty_select(columns + [("date", "DATE")])
        )
        con.execute(f"CREATE OR REPLACE VIEW {names.view(layer, contract.id)} AS {body}")


def _mart_views(con: duckdb.DuckDBPyConnection, lake: Location) -> list[str]:
    built = []
    for mart in MARTS:
        files = _files(lake / names.lake_folder(names.MARTS, mart))
        if files:
            con.execute(
                f"CREATE OR REPLACE VIEW {names.view(names.MARTS, mart)} AS "
                f"SELECT * FROM read_parquet({_quote(files)}, hive_partitioning = true)"
            )
            built.append(mart)
    return built


def _product_views(con: duckdb.DuckDBPyConnection, publish: Path) -> list[str]:
    built = []
    for mart, declared in MARTS.items():
        folder = publish / names.product_folder(mart)
        if declared.publish and any(folder.glob("*/*.parquet")):
            con.execute(
                f"CREATE OR REPLACE VIEW {names.view(names.PUBLISH, mart)} AS "
                f"SELECT * FROM read_parquet({_quote(folder / '*' / '*.parquet')})"
            )
            built.append(mart)
    return built


# Readable by any DuckDB from 1.0 on (the CLI users have may be older than the library).
WRITE_CONFIG = {"storage_compatibility_version": "v1.0.0"}
READ_ONLY_CONFIG = {"access_mode": "READ_ONLY"}
Connect = Callable[[Path], AbstractContextManager[duckdb.DuckDBPyConnection]]


def connect_for_writing(path: Path) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    return duckdb.connect(str(path), config=WRITE_CONFIG)


def _receipts_view(con: duckdb.DuckDBPyConnection, lake: Lake) -> bool:
    """``ops.receipts``: every delivered file's receipt, with ``in_force`` from the pointers."""
    receipts = lake.root / "receipts"
    if not any(receipts.glob("*/*/*/*.json")):
        return False
    in_force = [p["delivery"] for c in contracts() for p in lake.in_force_all(c).values()]
    listed = "[" + ", ".join(_literal(f) for f in in_force) + "]" if in_force else "[]::VARCHAR[]"
    con.execute(
        "CREATE OR REPLACE VIEW ops.receipts AS SELECT *, list_contains("
        f"{listed}, file) AS in_force FROM read_json_auto({_quote(receipts / '*' / '*' / '*' / '*.json')}, union_by_name = true)"
    )
    return True


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build(
    lake: Location | str, target: Path, publish: Path | None = None, connect: Connect = connect_for_writing
) -> dict[str, list[str]]:
    """(Re)build the warehouse file; returns the views and tables made, by schema.

    ``connect(path)`` opens the file being built (the Dagster resource hands in a
    ``DuckDBResource``'s connection); it is built beside the target and renamed into place.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    made: dict[str, list[str]] = {}
    store = Lake(lake)
    with connect(tmp) as con:
        register_lake(con, store.root)
        for schema in ("ref", names.STAGED, names.QUARANTINE, names.MARTS, names.PUBLISH, "ops"):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for name in reference.TABLES:
            frame = reference.table(name)
            con.register("_frame", frame.to_arrow())
            con.execute(f"CREATE TABLE ref.{name} AS SELECT * FROM _frame")
            con.unregister("_frame")
        made["ref"] = list(reference.TABLES)
        for contract in contracts().values():
            _feed_views(con, store, contract)
        made[names.STAGED] = made[names.QUARANTINE] = [c.name for c in contracts().values()]
        made[names.MARTS] = _mart_views(con, store.root)
        if publish is not None and publish.exists():
            made[names.PUBLISH] = _product_views(con, publish)
        if _receipts_view(con, store):
            made["ops"] = ["receipts"]
    os.replace(tmp, target)
    return made


def query(target: Path, sql: str, lake: Location | str | None = None) -> pl.DataFrame:
    """Answer ``sql`` from the warehouse, opened read-only (readers never lock out the writer's rename)."""
    with duckdb.connect(str(target), read_only=True) as con:
        return register_lake(con, lake).sql(sql).pl()


def views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every view of the platform's schemas, as ``schema.name``."""
    rows = con.execute("SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
    return [r[0] for r in rows]
