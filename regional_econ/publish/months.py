"""The products of each month, protected together and audited, several months side by side.

A month's products are one linked set, independent of every other month's, so a backfill of
many months protects them in separate processes (the linear programs take most of the time,
one core each). Processes rather than threads: HiGHS instances side by side in one process have
not always been safe, and a process that dies takes nothing else with it. Results come back in
month order, so what is written, and where a failure stops it, is what one month after the
other gives.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from regional_econ.marts import MARTS
from regional_econ.publish.disclosure import Audit, audit
from regional_econ.publish.files import SUPPRESSED, published_frames, withheld_shares
from regional_econ.storage.lake import Lake

# Each process holds one month's marts and linked set; more than this buys little on the
# machines the platform runs on and multiplies memory.
MAX_PROCESSES = 4
LOOKAHEAD = 3


@dataclass
class Month:
    """One month's products as they would be published, and the attacker's audit of exactly that."""

    period: str
    frames: dict[str, pl.DataFrame]  # product -> cells as published
    audits: dict[str, Audit]  # product -> its withheld values, audited over the whole linked set
    shares: dict[str, dict]  # product -> the shares withheld, as published beside it (disclosure.json)
    by_rule: dict[str, dict[str, int]]  # product -> cells withheld per primary rule (internal: never published)
    recoverable: int  # withheld values an attacker narrows to within the protection level


def protect_month(lake_root: str, period: str, published: list[str]) -> Month | None:
    """The month's products protected as one linked set; None when no mart has the month."""
    lake = Lake(lake_root)
    marts = {}
    for name in published:
        frame = lake.scan("marts", name, [period], column=MARTS[name].period_column)
        if frame is not None:
            marts[name] = frame.collect()
    if not marts:
        return None
    frames, protection = published_frames(marts, period)
    # The audit reads what would be published, not what the protection believes it did.
    withheld = protection.withheld.copy()
    for name, frame in frames.items():
        withheld[protection.linked.cells(name)] = frame[SUPPRESSED].to_numpy()
    if np.array_equal(withheld, protection.withheld):
        found = protection.audit  # the protection's last audit was of exactly these cells: not solved twice
    else:
        found = audit(protection.linked, withheld)
    audits, shares, by_rule = {}, {}, {}
    for name, frame in frames.items():
        part = protection.linked.cells(name)
        audits[name] = Audit(found.protection, found.intervals.filter(pl.col("cell").is_between(part.start, part.stop - 1)))
        cells = protection.published(name)
        shares[name] = withheld_shares(MARTS[name], frame, cells)
        reasons = cells.group_by("_reason").len().drop_nulls().sort("_reason")
        by_rule[name] = dict(zip(reasons["_reason"], reasons["len"], strict=True))
    return Month(period, frames, audits, shares, by_rule, found.failing.height)


def _quiet() -> None:
    """A worker's standard output goes nowhere: HiGHS prints its banner in every process that
    creates a solver. Results come back as values, errors as exceptions."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def processes(months: int) -> int:
    """How many months to protect at once: one per core this process may use, within ``MAX_PROCESSES``."""
    return max(1, min(months, len(os.sched_getaffinity(0)), MAX_PROCESSES))


def protect_months(
    lake_root: str, periods: list[str], published: list[str], workers: int | None = None
) -> Iterator[Month | None]:
    """``protect_month`` for each period, in order; up to ``workers`` months at once (default
    ``processes``). Up to ``LOOKAHEAD`` x ``workers`` months are queued, so a process that
    finishes a quick month takes the next while a slow one holds up the order; a month's result
    is small (the published cells and the audit), its working set stays in the process."""
    workers = processes(len(periods)) if workers is None else workers
    if workers <= 1:
        for period in periods:
            yield protect_month(lake_root, period, published)
        return
    # Spawned, not forked: a forked child inherits Polars' and HiGHS' threads in whatever state they were.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet)
    try:
        pending = deque()
        for period in periods:
            pending.append(pool.submit(protect_month, lake_root, period, published))
            if len(pending) >= LOOKAHEAD * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)
