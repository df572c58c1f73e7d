"""Writing deliveries as a center does: the contract's format, encoding and header, then the manifest.

The synthetic centers and the tests drop files through ``write_delivery``; the platform
itself never writes to the landing zone.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from datetime import datetime
from pathlib import Path

import polars as pl

from regional_econ import names
from regional_econ.contracts import Contract
from regional_econ.storage.landing import DeliveredFile


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


def file_name(contract: Contract, period_key: str, version: int) -> str:
    return names.landing_file(contract.id, period_key, version, contract.delivery.format)


def write_delivery(
    landing: Path,
    contract: Contract,
    period_key: str,
    frame: pl.DataFrame,
    version: int = 1,
    data: bytes | None = None,
    manifest: dict | None = None,
    received_at: datetime | None = None,
) -> DeliveredFile:
    """Drop a file and then its manifest, as a center does; ``data``/``manifest`` override them.

    ``received_at`` sets the arrival time (the files' mtime) for simulated deliveries.
    """
    directory = landing / names.landing_folder(contract.id, period_key)
    directory.mkdir(parents=True, exist_ok=True)
    delivery = DeliveredFile(contract.id, period_key, version, directory / file_name(contract, period_key, version))
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
