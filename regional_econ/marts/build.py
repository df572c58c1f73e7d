"""Computing a mart's periods from its declared inputs, and checking every frame against its declaration."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from regional_econ.marts.declarations import Mart
from regional_econ.storage.lake import Lake


class MartSchemaError(Exception):
    """A mart's transform returned a frame that is not the mart's declared schema."""


def periods(mart: Mart, lake: Lake, keys: list[str]) -> Iterator[tuple[str, pl.DataFrame]]:
    """(period key, the period's rows as stored) for each of ``keys``, in period order.

    In period order, so that a mart reading its own earlier periods finds them; inputs read
    once per run are read as of the run's last period. Raises ``inputs.MissingInput`` when a
    required input has nothing for a period, ``MartSchemaError`` when the transform's frame
    does not match the declaration.
    """
    keys = sorted(keys)
    once = {
        name: source.read(lake, mart.name, mart.cadence, keys[-1], run_first=keys[0])
        for name, source in mart.inputs.items()
        if source.per_run
    }
    for key in keys:
        frames = {
            name: source.read(lake, mart.name, mart.cadence, key) for name, source in mart.inputs.items() if not source.per_run
        }
        period = {mart.period_argument: key} if mart.takes_period else {}
        yield key, conform(mart, mart.compute(**once, **frames, **period))


def conform(mart: Mart, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as stored: the declared columns but the period, in order, of the declared types.

    A column the declaration lacks, a declared column the frame lacks, or another type is an
    error naming them; a column that is all null (an empty period) takes its declared type.
    """
    frame = frame.drop(mart.period_column, strict=False)
    declared = {c.name: c.dtype for c in mart.stored_columns}
    extra = [c for c in frame.columns if c not in declared]
    missing = [c for c in declared if c not in frame.columns]
    if extra or missing:
        raise MartSchemaError(f"marts/{mart.name}: undeclared columns {extra}, declared but missing {missing}")
    nulls = {n: t for n, t in declared.items() if frame.schema[n] == pl.Null}
    frame = frame.cast(nulls) if nulls else frame
    wrong = {n: f"{frame.schema[n]} (declared {t})" for n, t in declared.items() if frame.schema[n] != t}
    if wrong:
        raise MartSchemaError(f"marts/{mart.name}: columns of another type than declared: {wrong}")
    return frame.select(list(declared))
