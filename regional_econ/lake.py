"""The Parquet lake: one file per partition, written atomically, replaced exactly on re-run.

``<lake>/<layer>/<name>/<period column>=<key>/part-0.parquet`` where layer is ``staged`` or
``quarantine`` (name = ``<center>/<feed>``) or ``marts`` (name = the mart). Writers put the
file beside its final place and rename it, so a reader sees the old partition or the new
one, never half of one, and partitions can be written in parallel.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

PART_FILE = "part-0.parquet"


class Lake:
    def __init__(self, root: Path):
        self.root = Path(root)

    def partition_dir(self, layer: str, name: str, key: str, column: str = "date") -> Path:
        return self.root / layer / name / f"{column}={key}"

    def write(self, layer: str, name: str, key: str, frame: pl.DataFrame, column: str = "date") -> Path:
        directory = self.partition_dir(layer, name, key, column)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / PART_FILE
        tmp = directory / f".{PART_FILE}.{os.getpid()}.tmp"
        # zstd level 1: as fast to write as lz4 at half the size (level 3 took 2.5x longer).
        frame.write_parquet(tmp, compression="zstd", compression_level=1, statistics=True)
        os.replace(tmp, target)
        return target

    def keys(self, layer: str, name: str, column: str = "date") -> list[str]:
        base = self.root / layer / name
        prefix = f"{column}="
        if not base.exists():
            return []
        # A receipts folder counts when it holds a receipt; a data folder when it holds its file.
        marker = "*.json" if layer == "receipts" else PART_FILE
        return sorted(p.name[len(prefix):] for p in base.glob(f"{prefix}*") if any(p.glob(marker)))

    def scan(self, layer: str, name: str, keys: list[str] | None = None, column: str = "date") -> pl.LazyFrame | None:
        """The partitions ``keys`` (default: all) as one frame, or None when none exist."""
        present = self.keys(layer, name, column)
        wanted = present if keys is None else [k for k in keys if k in set(present)]
        if not wanted:
            return None
        paths = [str(self.partition_dir(layer, name, k, column) / PART_FILE) for k in wanted]
        return pl.concat(
            [pl.scan_parquet(p).with_columns(pl.lit(k).alias(column)) for p, k in zip(paths, wanted)],
            how="vertical_relaxed",
        )

    # Receipts: one JSON record per delivered file, rewritten as its outcome becomes known.
    def receipt_path(self, feed_id: str, period_key: str, file_name: str) -> Path:
        return self.root / "receipts" / feed_id / f"date={period_key}" / f"{file_name}.json"

    def write_receipt(self, feed_id: str, period_key: str, file_name: str, record: dict) -> None:
        path = self.receipt_path(feed_id, period_key, file_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def read_receipt(self, feed_id: str, period_key: str, file_name: str) -> dict | None:
        path = self.receipt_path(feed_id, period_key, file_name)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def receipts(self, feed_id: str, period_key: str) -> list[dict]:
        directory = self.root / "receipts" / feed_id / f"date={period_key}"
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]
