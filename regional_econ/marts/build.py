"""Computing a mart's periods from its declared inputs, and checking every frame against its declaration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from regional_econ import names
from regional_econ.marts.declarations import Mart
from regional_econ.staging.pending import delivered_not_staged, wait_for_staging
from regional_econ.storage.lake import Lake


def periods(
    mart: Mart, lake: Lake, keys: list[str], landing: Path | None = None, wait_seconds: float = 0.0
) -> Iterator[tuple[str, pl.DataFrame]]:
    """(period key, the period's rows as stored) for each of ``keys``, in period order.

    In period order, so that a mart reading its own earlier periods finds them; inputs read
    once per run are read as of the run's last period, and registers (everything up to a
    period's end) are read once and cut to each period's end. Raises ``inputs.MissingInput`` when a
    required input has nothing for a period. Given ``landing``, first waits up to
    ``wait_seconds`` for the staged periods it reads that are delivered and being staged by
    another run (runs side by side; see ``staging.pending.wait_for_staging``).
    """
    keys = sorted(keys)
    if landing is not None and wait_seconds:
        wait_for_staged_inputs(mart, lake, landing, keys, wait_seconds)
    once = {
        name: source.read(lake, mart.name, mart.cadence, keys[-1], run_first=keys[0])
        for name, source in mart.inputs.items()
        if source.per_run
    }
    # Only for runs of several periods: one period reads lazily (only the columns it uses). A mart's
    # own earlier periods are written during the run, so they are read period by period.
    histories = {
        name: source.history(lake, mart.name, mart.cadence, keys)
        for name, source in mart.inputs.items()
        if len(keys) > 1 and source.cumulative and source.source != f"{names.MARTS}/{mart.name}"
    }
    for key in keys:
        frames = {
            name: histories[name](key) if name in histories else source.read(lake, mart.name, mart.cadence, key)
            for name, source in mart.inputs.items()
            if not source.per_run
        }
        period = {mart.period_argument: key} if mart.takes_period else {}
        yield key, conform(mart, mart.compute(**once, **frames, **period))


def staged_inputs(mart: Mart) -> list[str]:
    return sorted({i.name for i in mart.inputs.values() if i.layer == names.STAGED})


def wait_for_staged_inputs(mart: Mart, lake: Lake, landing: Path, keys: list[str], timeout: float) -> None:
    windows = [
        (i.name, i.window.bounds(mart.cadence, keys[0])[0], i.window.bounds(mart.cadence, keys[-1])[1])
        for i in mart.inputs.values()
        if i.layer == names.STAGED
    ]

    def due() -> list[tuple[str, str]]:
        return [p for feed_id, first, last in windows for p in delivered_not_staged(lake, landing, feed_id, first, last)]

    wait_for_staging(lake, landing, due, timeout)


def conform(mart: Mart, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as stored: without the period (the folder's key), the declared columns first in
    their order, a column that is all null (an empty period) of its declared type.

    Columns the declaration lacks are kept at the end, and types are left as computed: the
    mart's output check (a pandera schema derived from the declaration) refuses such a frame
    by name before it is written.
    """
    frame = frame.drop(mart.period_column, strict=False)
    declared = {c.name: c.dtype for c in mart.stored_columns}
    nulls = {n: t for n, t in declared.items() if n in frame.columns and frame.schema[n] == pl.Null}
    frame = frame.cast(nulls) if nulls else frame
    order = [c for c in declared if c in frame.columns]
    return frame.select(*order, *[c for c in frame.columns if c not in declared])
