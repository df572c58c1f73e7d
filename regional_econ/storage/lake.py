"""The Parquet lake: one file per partition, written atomically, replaced exactly on re-run.

``<lake>/<layer>/<name>/<period column>=<key>/part-0.parquet`` where layer is ``staged`` or
``quarantine`` (name = ``<center>/<feed>``) or ``marts`` (name = the mart). Writers put the
file beside its final place and rename it, so a reader sees the old partition or the new
one, never half of one, and partitions can be written in parallel. Delivery receipts live
beside the partitions (``receipts``).
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from regional_econ import names
from regional_econ.storage.receipts import Receipts

PART_FILE = "part-0.parquet"


class Lake(Receipts):
    def __init__(self, root: Path):
        self.root = Path(root)

    def partition_dir(self, layer: str, name: str, key: str, column: str = "date") -> Path:
        return self.root / names.lake_folder(layer, name) / f"{column}={key}"

    def write(self, layer: str, name: str, key: str, frame: pl.DataFrame, column: str = "date") -> Path:
        directory = self.partition_dir(layer, name, key, column)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / PART_FILE
        tmp = directory / f".{PART_FILE}.{os.getpid()}.tmp"
        # zstd level 1: as fast to write as lz4 at half the size.
        frame.write_parquet(tmp, compression="zstd", compression_level=1, statistics=True)
        os.replace(tmp, target)
        return target

    def keys(self, layer: str, name: str, column: str = "date") -> list[str]:
        base = self.root / names.lake_folder(layer, name)
        prefix = f"{column}="
        if not base.exists():
            return []
        # A receipts folder counts when it holds a receipt; a data folder when it holds its file.
        marker = "*.json" if layer == "receipts" else PART_FILE
        return sorted(p.name[len(prefix) :] for p in base.glob(f"{prefix}*") if any(p.glob(marker)))

    def scan(self, layer: str, name: str, keys: list[str] | None = None, column: str = "date") -> pl.LazyFrame | None:
        """The partitions ``keys`` (default: all) as one frame, or None when none exist."""
        present = self.keys(layer, name, column)
        wanted = present if keys is None else [k for k in keys if k in set(present)]
        if not wanted:
            return None
        paths = [str(self.partition_dir(layer, name, k, column) / PART_FILE) for k in wanted]
        return pl.concat(
            [pl.scan_parquet(p).with_columns(pl.lit(k).alias(column)) for p, k in zip(paths, wanted, strict=True)],
            how="vertical_relaxed",
        )
