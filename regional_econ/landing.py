"""The landing zone: where centers drop files, and how the platform reads them.

Layout: ``<landing>/<center>/<feed>/<period key>/<feed>_<YYYYMMDD>_v<N>.<csv|parquet>`` with a
``<file>.manifest.json`` control record ``{"rows", "sha256", "encoding"}`` beside it. The
platform never edits or deletes anything here. A delivery is complete once its manifest
exists; the newest complete version of a period is the one in force.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from regional_econ.contracts import Contract
from regional_econ.periods import KST

FILE_NAME = re.compile(r"^(?P<feed>[a-z_]+)_(?P<day>\d{8})_v(?P<version>\d+)\.(?P<ext>csv|parquet)$")
MANIFEST_SUFFIX = ".manifest.json"
LINE_COLUMN = "_line"  # 1-based line of the row in the delivered file (the header is line 1)


class DeliveryError(Exception):
    """A delivery that cannot be read at all. The message names file, line, column and rule."""

    def __init__(self, path: Path | str, rule: str, message: str, line: int | None = None, column: str | None = None):
        self.path, self.rule, self.line, self.column = str(path), rule, line, column
        where = ", ".join(
            part for part in (str(path), f"line {line}" if line else "", f"column {column}" if column else "") if part
        )
        super().__init__(f"{where}: {message} (rule {rule})")


@dataclass(frozen=True)
class Delivery:
    """One delivered file of one feed for one period."""

    feed_id: str
    period_key: str
    version: int
    path: Path

    @property
    def manifest_path(self) -> Path:
        return self.path.with_name(self.path.name + MANIFEST_SUFFIX)

    @property
    def complete(self) -> bool:
        return self.manifest_path.exists()

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    @property
    def received_at(self) -> datetime:
        """When the delivery landed: the manifest's arrival, which completes it."""
        source = self.manifest_path if self.complete else self.path
        return datetime.fromtimestamp(source.stat().st_mtime, KST)


def file_name(contract: Contract, period_key: str, version: int) -> str:
    ext = "parquet" if contract.delivery.format == "parquet" else "csv"
    return f"{contract.feed}_{period_key.replace('-', '')}_v{version}.{ext}"


def find_deliveries(landing: Path, contract: Contract, period_key: str | None = None) -> list[Delivery]:
    """Every file delivered for the feed (and period), oldest version first."""
    feed_dir = landing / contract.center / contract.feed
    pattern = f"{period_key}/*" if period_key else "*/*"
    found = []
    for path in feed_dir.glob(pattern):
        match = FILE_NAME.match(path.name)
        if match and match["feed"] == contract.feed:
            found.append(Delivery(contract.id, path.parent.name, int(match["version"]), path))
    return sorted(found, key=lambda d: (d.period_key, d.version))


def newest_complete(landing: Path, contract: Contract, period_key: str) -> Delivery | None:
    complete = [d for d in find_deliveries(landing, contract, period_key) if d.complete]
    return complete[-1] if complete else None


def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- writing, as a center does ------------------------------------------------------------

def _as_text(contract: Contract, frame: pl.DataFrame) -> pl.DataFrame:
    """Values as the center writes them in CSV: ISO dates, +09:00 times, Y/N or true/false."""
    yes, no = ("Y", "N") if contract.delivery.header == "ko" else ("true", "false")
    out = []
    for column in contract.columns:
        col = pl.col(column.name)
        if column.type == "timestamp":
            col = col.dt.convert_time_zone("Asia/Seoul").dt.strftime("%Y-%m-%dT%H:%M:%S+09:00")
        elif column.type == "date":
            col = col.dt.strftime("%Y-%m-%d")
        elif column.type == "boolean":
            col = pl.when(col).then(pl.lit(yes)).when(col.not_()).then(pl.lit(no))
        out.append(col.cast(pl.String).alias(column.name))
    return frame.select(out)


def encode(contract: Contract, frame: pl.DataFrame) -> bytes:
    """The bytes of a delivery as the contract says the center sends it."""
    frame = frame.select(contract.column_names)
    if contract.delivery.format == "parquet":
        buffer = io.BytesIO()
        frame.cast(dict(contract.schema)).write_parquet(buffer)
        return buffer.getvalue()
    text = _as_text(contract, frame)
    text.columns = contract.header_names()
    csv = text.write_csv(line_terminator="\n")
    encoding = contract.delivery.encoding
    return csv.encode("utf-8-sig" if encoding == "utf-8-sig" else encoding)


def write_delivery(
    landing: Path, contract: Contract, period_key: str, frame: pl.DataFrame, version: int = 1,
    data: bytes | None = None, manifest: dict | None = None, received_at: datetime | None = None,
) -> Delivery:
    """Drop a file and then its manifest, as a center does; ``data``/``manifest`` override them.

    ``received_at`` sets the arrival time (the files' mtime) for simulated deliveries.
    """
    directory = landing / contract.center / contract.feed / period_key
    directory.mkdir(parents=True, exist_ok=True)
    delivery = Delivery(contract.id, period_key, version, directory / file_name(contract, period_key, version))
    payload = encode(contract, frame) if data is None else data
    _write_atomic(delivery.path, payload)
    record = {
        "feed": contract.id,
        "period": period_key,
        "version": version,
        "rows": frame.height,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "encoding": contract.delivery.encoding,
        "format": contract.delivery.format,
    } | (manifest or {})
    _write_atomic(delivery.manifest_path, json.dumps(record, ensure_ascii=False, indent=2).encode())
    if received_at is not None:
        stamp = received_at.timestamp()
        for path in (delivery.path, delivery.manifest_path):
            os.utime(path, (stamp, stamp))
    return delivery


def _write_atomic(path: Path, payload: bytes) -> None:
    # Re-sending identical bytes leaves the file (and its arrival time) untouched.
    if path.exists() and path.stat().st_size == len(payload) and path.read_bytes() == payload:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)
