"""What a mart reads for a period: which partitions of which staged feed or mart.

Each mart declares its inputs by name (the names its transform takes). An input is a source
(a staged feed or a mart) and a window of periods relative to the mart's period, counted in
the mart's cadence: ``Window(0, 0)`` is the period itself, ``Window(-11, 0)`` the twelve
months ending with it, ``Window(None, 0)`` everything delivered up to the period's last day
(a register as known then). The Dagster layer derives each mart asset's dependencies from
these declarations, so what an asset reads cannot drift from what it depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from regional_econ import names
from regional_econ.contracts import contract
from regional_econ.periods import period_end, shift_period
from regional_econ.storage.lake import Lake


class MissingInput(Exception):
    """A mart's period cannot be built: an input it needs has nothing for it yet."""


@dataclass(frozen=True)
class Window:
    """Periods of a source, relative to the mart's period: from ``first`` (None: the beginning) to ``last``."""

    first: int | None = 0
    last: int = 0

    def bounds(self, cadence: str, key: str) -> tuple[str, str]:
        """First and last day (ISO) the window covers for the period keyed ``key``."""
        last_start = date.fromisoformat(shift_period(cadence, key, self.last))
        last_day = period_end(cadence, last_start) - timedelta(days=1)
        first_day = "" if self.first is None else shift_period(cadence, key, self.first)
        return first_day, last_day.isoformat()


THIS_PERIOD = Window(0, 0)
UP_TO_PERIOD_END = Window(None, 0)


@dataclass(frozen=True)
class Input:
    layer: str  # names.STAGED or names.MARTS
    name: str  # the feed id or the mart
    window: Window = THIS_PERIOD
    required: bool = True  # False: an empty frame of the source's schema when nothing is there
    collect: bool = False  # hand the transform a DataFrame instead of a LazyFrame
    # Read once for the whole run, as of its last period (a register a long backfill reads once);
    # ``covers_start``: the source must have a partition on or before the run's first period.
    per_run: bool = False
    covers_start: bool = False
    prepare: Callable[[pl.LazyFrame], Any] | None = None  # applied once to what was read

    @property
    def source(self) -> str:
        return f"{self.layer}/{self.name}"

    @property
    def period_column(self) -> str:
        return "date" if self.layer == names.STAGED else _mart(self.name).period_column

    def keys(self, lake: Lake, first: str, last: str) -> list[str]:
        return [k for k in lake.keys(self.layer, self.name, self.period_column) if first <= k <= last]

    @property
    def cumulative(self) -> bool:
        """Everything up to the period's end (a register as known then), handed over as is."""
        return self.window.first is None and not self.per_run and not self.covers_start

    def read(self, lake: Lake, mart: str, cadence: str, key: str, run_first: str | None = None) -> Any:
        """This input for the mart's period ``key`` (for a per-run input: the run's last period)."""
        first, last = self.window.bounds(cadence, key)
        keys = self.keys(lake, first, last)
        start = run_first or key
        if self.covers_start and (not keys or keys[0] > start):
            raise MissingInput(
                f"{mart} {start}: nothing staged for {self.name} on or before this day "
                f"(first: {keys[0] if keys else 'none'}); stage {self.source} first"
            )
        return self._hand_over(lake.scan(self.layer, self.name, keys, column=self.period_column), mart, key, first, last)

    def history(self, lake: Lake, mart: str, cadence: str, keys: list[str]) -> Callable[[str], Any]:
        """A cumulative input for each of a run's period ``keys``: read once, as of the last, then
        cut to each period's end. The same frames ``read`` gives, but a backfill of many periods
        reads its registers' history once instead of once per period."""
        _, last = self.window.bounds(cadence, keys[-1])
        stored = self.keys(lake, "", last)
        scanned = lake.scan(self.layer, self.name, stored, column=self.period_column)
        history = None if scanned is None else scanned.collect()

        def as_of(key: str) -> Any:
            _, until = self.window.bounds(cadence, key)
            known = history is not None and stored[0] <= until
            frame = history.lazy().filter(pl.col(self.period_column) <= until) if known else None
            return self._hand_over(frame, mart, key, "", until)

        return as_of

    def _hand_over(self, frame: pl.LazyFrame | None, mart: str, key: str, first: str, last: str) -> Any:
        if frame is None:
            if self.required:
                span = f"{first or 'the beginning'}..{last}"
                raise MissingInput(f"{mart} {key}: {self.source} has nothing for {span}; materialize it first")
            frame = pl.LazyFrame(schema=self._schema())
        if self.prepare is not None:
            return self.prepare(frame)
        return frame.collect() if self.collect else frame

    def _schema(self) -> dict[str, pl.DataType]:
        if self.layer == names.STAGED:
            return dict(contract(self.name).schema) | {"date": pl.String}
        return _mart(self.name).schema


def _mart(name: str):
    from regional_econ.marts.declarations import MARTS

    return MARTS[name]


def feed(feed_id: str, window: Window = THIS_PERIOD, required: bool = True, **options) -> Input:
    """A staged feed's partitions in the window (a LazyFrame with the partition key as ``date``)."""
    return Input(names.STAGED, feed_id, window, required, **options)


def register(feed_id: str, required: bool = False) -> Input:
    """A register or snapshot feed as delivered up to the period's last day."""
    return Input(names.STAGED, feed_id, UP_TO_PERIOD_END, required)


def mart(name: str, window: Window = THIS_PERIOD, required: bool = True, collect: bool = True) -> Input:
    """Another mart's (or this mart's own earlier) partitions in the window."""
    return Input(names.MARTS, name, window, required, collect)
