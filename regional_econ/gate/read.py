"""Reading a delivery as the center sent it: bytes -> text -> one string column per contract column.

Everything is read as text first so that the row gate can say which value broke which
rule and quarantine the original; typing happens in ``rows.py``. Anything that makes the
file unreadable as a whole raises ``DeliveryError`` naming file, line, column and rule.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from regional_econ.contracts import Contract, rules
from regional_econ.gate.errors import LINE_COLUMN, DeliveryError

BOM = b"\xef\xbb\xbf"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(contract: Contract, data: bytes, path: Path | str) -> str:
    """The file's text in the contract's encoding; a mismatch is a rejection, not mojibake."""
    declared = contract.delivery.encoding
    if declared in ("utf-8", "utf-8-sig"):
        try:
            return data.removeprefix(BOM).decode("utf-8")
        except UnicodeDecodeError as err:
            raise DeliveryError(
                path,
                rules.ENCODING_DECLARED.id,
                f"bytes are not UTF-8 as the contract declares ({err.reason})",
                line=_line_of(data, err.start),
            ) from None
    if declared == "cp949":
        # Korean UTF-8 text is almost never valid CP949-and-UTF-8 at once: a file that decodes
        # as UTF-8 with non-ASCII bytes was sent in UTF-8, not the CP949 the contract declares.
        if data.startswith(BOM) or (not data.isascii() and _is_utf8(data)):
            raise DeliveryError(path, rules.ENCODING_DECLARED.id, "file is UTF-8 but the contract declares CP949")
        try:
            return data.decode("cp949")
        except UnicodeDecodeError as err:
            raise DeliveryError(
                path,
                rules.ENCODING_DECLARED.id,
                f"bytes are not CP949 as the contract declares ({err.reason})",
                line=_line_of(data, err.start),
            ) from None
    raise DeliveryError(path, rules.ENCODING_DECLARED.id, f"unsupported declared encoding {declared!r}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def header_map(contract: Contract, header: list[str], path: Path | str) -> dict[str, str]:
    """Delivered header -> column name; each column may be labelled by name or Korean label."""
    known = {c.name: c.name for c in contract.columns} | {c.label_ko: c.name for c in contract.columns}
    mapping = {h: known[h.strip()] for h in header if h.strip() in known}
    unknown = [h for h in header if h.strip() not in known]
    if unknown:
        # Only the position is named: an unexpected header may itself be personal data.
        positions = ", ".join(str(header.index(h) + 1) for h in unknown)
        raise DeliveryError(path, rules.HEADER_MATCHES.id, f"columns at positions {positions} are not in the contract", line=1)
    missing = [c for c in contract.column_names if c not in mapping.values()]
    if missing:
        raise DeliveryError(path, rules.HEADER_MATCHES.id, f"missing columns: {', '.join(missing)}", line=1)
    if len(set(mapping.values())) != len(mapping):
        raise DeliveryError(path, rules.HEADER_MATCHES.id, "a column appears twice (by name and by label)", line=1)
    return mapping


def read_delivery(contract: Contract, path: Path, data: bytes | None = None) -> pl.DataFrame:
    """The delivery as strings with the contract's column names, plus its line numbers.

    ``data``: the file's bytes when the caller has read them already (to hash them).
    """
    data = path.read_bytes() if data is None else data
    if contract.delivery.format == "parquet":
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except Exception as err:  # noqa: BLE001 - any reader error means an unreadable file
            raise DeliveryError(path, rules.FORMAT_DECLARED.id, f"not a readable Parquet file ({type(err).__name__})") from None
        frame = frame.rename(header_map(contract, frame.columns, path))
        frame = frame.select(_as_string(frame[c]).alias(c) for c in contract.column_names)
    else:
        frame = _read_csv(contract, path, data)
        frame = frame.rename(header_map(contract, frame.columns, path)).select(contract.column_names)
    # No quoted newlines are allowed in deliveries, so line = row index + 2.
    return frame.with_row_index(LINE_COLUMN, offset=2).with_columns(pl.col(LINE_COLUMN).cast(pl.Int64))


def _read_csv(contract: Contract, path: Path, data: bytes) -> pl.DataFrame:
    if contract.delivery.encoding in ("utf-8", "utf-8-sig"):
        # Polars reads the bytes as they are and rejects invalid UTF-8 itself; only then is
        # the file decoded here, to name the line of the first bad byte.
        body = data.removeprefix(BOM)
        # Polars checks the cells but decodes the header leniently: check the header here.
        end = body.find(b"\n")
        if not _is_utf8(body[: end if end >= 0 else len(body)]):
            decode(contract, data, path)  # raises with the line
    else:
        body = decode(contract, data, path).encode("utf-8")
    try:
        return pl.read_csv(body, infer_schema=False, has_header=True, truncate_ragged_lines=False, raise_if_empty=False)
    except pl.exceptions.PolarsError as err:
        if "utf-8" in str(err).lower():
            decode(contract, data, path)  # raises with the line
        raise DeliveryError(path, rules.CSV_WELLFORMED.id, f"not well-formed CSV ({str(err).splitlines()[0]})") from None


def _as_string(series: pl.Series) -> pl.Series:
    if series.dtype == pl.String:
        return series
    if series.dtype == pl.Boolean:
        return series.replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
    if isinstance(series.dtype, pl.Datetime):
        tz = series.dt.convert_time_zone("Asia/Seoul") if series.dtype.time_zone else series.dt.replace_time_zone("Asia/Seoul")
        return tz.dt.strftime("%Y-%m-%dT%H:%M:%S+09:00")
    if series.dtype == pl.Date:
        return series.dt.strftime("%Y-%m-%d")
    return series.cast(pl.String)
