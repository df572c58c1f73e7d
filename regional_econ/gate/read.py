"""Reading a delivery as the center sent it: bytes -> text -> one string column per contract column.

Everything is read as text first so that the row gate can say which value broke which
rule and quarantine the original; typing happens in ``rows.py``. Anything that makes the
file unreadable as a whole raises ``DeliveryError`` naming file, line, column and rule.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

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
    # Only positions are named: an unexpected header may itself be personal data.
    unknown = [i + 1 for i, h in enumerate(header) if h.strip() not in known]
    if unknown:
        positions = ", ".join(map(str, unknown))
        raise DeliveryError(path, rules.HEADER_MATCHES.id, f"columns at positions {positions} are not in the contract", line=1)
    names = [known[h.strip()] for h in header]
    repeated = [i + 1 for i, n in enumerate(names) if names.index(n) != i]
    if repeated:
        positions = ", ".join(map(str, repeated))
        raise DeliveryError(path, rules.HEADER_MATCHES.id, f"columns at positions {positions} repeat an earlier column", line=1)
    missing = [c for c in contract.column_names if c not in names]
    if missing:
        raise DeliveryError(path, rules.HEADER_MATCHES.id, f"missing columns: {', '.join(missing)}", line=1)
    return dict(zip(header, names, strict=True))


@dataclass(frozen=True)
class Read:
    """A delivery as text columns (with each row's line), and its rows counted from the file itself."""

    frame: pl.DataFrame
    records: int  # data lines counted in the CSV bytes, or rows in the Parquet footer


def read_delivery(contract: Contract, path: Path, data: bytes | None = None) -> pl.DataFrame:
    """The delivery as strings with the contract's column names, plus its line numbers."""
    return read(contract, path, data).frame


def read(contract: Contract, path: Path | str, data: bytes | None = None) -> Read:
    """Read a delivery as sent. ``data``: the file's bytes when the caller has read them already."""
    data = Path(path).read_bytes() if data is None else data
    if contract.delivery.format == "parquet":
        frame, records = _read_parquet(contract, path, data)
        lines = None
    else:
        frame, records, lines = _read_csv(contract, path, data)
    frame = frame.rename(header_map(contract, frame.columns, path)).select(contract.column_names)
    if lines is None:  # no record spans two lines: line = row index + 2
        frame = frame.with_row_index(LINE_COLUMN, offset=2).with_columns(pl.col(LINE_COLUMN).cast(pl.Int64))
    else:
        frame = frame.with_columns(pl.Series(LINE_COLUMN, lines, dtype=pl.Int64))
    return Read(frame, records)


def _read_parquet(contract: Contract, path: Path | str, data: bytes) -> tuple[pl.DataFrame, int]:
    try:
        records = pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - any reader error means an unreadable file
        raise DeliveryError(path, rules.FORMAT_DECLARED.id, f"not a readable Parquet file ({type(err).__name__})") from None
    header_map(contract, frame.columns, path)  # unknown columns are named by position, before anything else
    nested = [i + 1 for i, t in enumerate(frame.dtypes) if not _flat(t)]
    if nested:
        positions = ", ".join(map(str, nested))
        raise DeliveryError(path, rules.FORMAT_DECLARED.id, f"columns at positions {positions} are not plain values")
    return frame.select(_as_string(frame[c]).alias(c) for c in frame.columns), records


def _flat(dtype: pl.DataType) -> bool:
    plain = (pl.String, pl.Boolean, pl.Date, pl.Null, pl.Categorical)
    return dtype.is_numeric() or dtype in plain or isinstance(dtype, pl.Datetime | pl.Enum)


def _read_csv(contract: Contract, path: Path | str, data: bytes) -> tuple[pl.DataFrame, int, np.ndarray | None]:
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
    body = _one_final_break(body)
    if body == b"\n":
        raise DeliveryError(path, rules.CSV_WELLFORMED.id, "the file is empty: no header line", line=1)
    structure = csv_structure(body, path)
    try:
        frame = pl.read_csv(body, infer_schema=False, has_header=True, truncate_ragged_lines=False, raise_if_empty=False)
    except pl.exceptions.PolarsError as err:
        if "utf-8" in str(err).lower():
            decode(contract, data, path)  # raises with the line
        # Polars' message quotes the text it could not parse: only the rule is said.
        raise DeliveryError(path, rules.CSV_WELLFORMED.id, "the CSV could not be parsed") from None
    if frame.height != structure.records:
        raise DeliveryError(path, rules.CSV_WELLFORMED.id, f"{structure.records} data lines but {frame.height} rows parsed")
    return frame, structure.records, structure.lines


def count_records(contract: Contract, data: bytes) -> int | None:
    """Data rows of a delivery counted from its bytes alone, for one that could not be gated
    (None when even that is impossible)."""
    if contract.delivery.format == "parquet":
        try:
            return pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
        except Exception:  # noqa: BLE001 - an unreadable file has no count
            return None
    body = _one_final_break(data.removeprefix(BOM))
    if body == b"\n":
        return 0
    try:
        return csv_structure(body).records
    except DeliveryError:
        return body.count(b"\n") - 1  # lines after the header, quotes aside


def _one_final_break(body: bytes) -> bytes:
    """The text ending with exactly one line break: blank lines at the end are no rows (a blank
    line anywhere else is a row of one empty field). Copies only when it must."""
    if body.endswith(b"\n") and not body.endswith((b"\n\n", b"\n\r\n")) and len(body) > 1:
        return body
    return body.rstrip(b"\r\n") + b"\n"


_ALL_BUT_BREAKS_AND_SEPARATORS = bytes(b for b in range(256) if b not in b"\n,")


@dataclass(frozen=True)
class Structure:
    records: int  # data records (lines after the header, a quoted line break kept inside its record)
    lines: np.ndarray | None  # each record's first line, when a record spans lines; else None


def csv_structure(body: bytes, path: Path | str = "") -> Structure:
    """Check what the CSV parser would gloss over, naming the line: a quote never closed, a lone
    carriage return, a line with more or fewer fields than the header (the parser pads short
    lines with nulls). Counts the data records independently of the parser.

    ``body``: UTF-8 bytes ending with one line break. Only files with quotes need a byte scan;
    for the others counting separators and line breaks (in C) is enough.
    """
    crs = body.count(b"\r") if b"\r" in body else 0
    if crs and crs != body.count(b"\r\n") and b'"' not in body:
        raise DeliveryError(
            path,
            rules.CSV_WELLFORMED.id,
            "a carriage return without a line break",
            line=_line_of(body, re.search(rb"\r(?!\n)", body).start()),
        )
    if b'"' not in body:
        # Only line breaks and separators, counted in one pass over a much shorter copy.
        marks = body.translate(None, _ALL_BUT_BREAKS_AND_SEPARATORS)
        lines = marks.count(b"\n")
        fields = body[: body.find(b"\n")].count(b",") + 1
        if len(marks) - lines != lines * (fields - 1):
            _raise_field_count(body.split(b"\n")[:-1], fields, path)
        return Structure(lines - 1, None)
    return _quoted_structure(body, path)


def _raise_field_count(rows: list[bytes], fields: int, path: Path | str, first_line: int = 1) -> None:
    for number, row in enumerate(rows, start=first_line):
        found = row.count(b",") + 1
        if found != fields:
            raise DeliveryError(path, rules.CSV_WELLFORMED.id, f"{found} fields where the header has {fields}", line=number)
    raise DeliveryError(path, rules.CSV_WELLFORMED.id, "fields do not line up with the header")


def _quoted_structure(body: bytes, path: Path | str) -> Structure:
    array = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(array == ord('"'))
    breaks = np.flatnonzero(array == ord("\n"))
    if len(quotes) % 2:
        raise DeliveryError(
            path, rules.CSV_WELLFORMED.id, "a quote is opened and never closed", line=_line_of(body, int(quotes[-1]))
        )

    def outside(positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(quotes, positions) % 2 == 0

    ends = breaks[outside(breaks)]  # line breaks that end a record
    carriage = np.flatnonzero(array == ord("\r"))
    lone = carriage[outside(carriage) & ~np.isin(carriage + 1, ends)]
    if len(lone):
        raise DeliveryError(
            path, rules.CSV_WELLFORMED.id, "a carriage return without a line break", line=_line_of(body, int(lone[0]))
        )
    commas = np.flatnonzero(array == ord(","))
    commas = commas[outside(commas)]
    per_record = np.bincount(np.searchsorted(ends, commas), minlength=len(ends))[: len(ends)]
    starts = np.concatenate([[0], ends[:-1] + 1])
    first_lines = np.searchsorted(breaks, starts) + 1  # physical line of each record's start
    bad = np.flatnonzero(per_record != per_record[0])
    if len(bad):
        i = int(bad[0])
        raise DeliveryError(
            path,
            rules.CSV_WELLFORMED.id,
            f"{per_record[i] + 1} fields where the header has {per_record[0] + 1}",
            line=int(first_lines[i]),
        )
    spans = len(ends) != len(breaks)
    return Structure(len(ends) - 1, first_lines[1:].astype(np.int64) if spans else None)


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
