"""gcgf: credit guarantee events of the Gyeonggi Credit Guarantee Foundation.

Every client in the foundation's pool (``businesses.LINKAGE``) holds one guarantee issued
before the opening; a few are already in default. A window that starts later shows events of
guarantees issued before it (on days it moved the state on over) without their ISSUED event. Each day new guarantees are issued and
older ones are repaid, defaulted (businesses with weak grades or declining sales far more
often) or subrogated after a default. A guarantee's events follow its life: a guarantee
is repaid or defaulted once, and subrogated only after it defaulted on an earlier day.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.synth.businesses import Universe, declining
from regional_econ.synth.common import Context, choice, conform, day_ids, day_number, weekday_factor

FEED = "gcgf/guarantee_events"
EVENTS = 400  # a day at real scale
EVENT_MIX = {"ISSUED": 0.55, "REPAID": 0.33, "DEFAULTED": 0.07, "SUBROGATED": 0.05}
ACTIVE, REPAID, DEFAULTED, SUBROGATED = 0, 1, 2, 3


class Guarantees:
    def __init__(self, ctx: Context, universe: Universe):
        self.ctx, self.universe = ctx, universe
        gen = ctx.rng(f"{FEED}:base")
        pool = universe.pool("gcgf")
        n = len(pool)
        self.ids = [f"G0{i:08d}" for i in range(n)]
        self.biz = pool.astype(np.int64)
        self.amount = _amounts(gen, n)
        weak = self._weakness(pool, ctx.opening)
        self.status = np.where(gen.random(n) < 0.03 * weak / weak.mean(), DEFAULTED, ACTIVE)
        self.since = np.full(n, day_number(ctx.opening) - 30)  # day of the last status change

    def _weakness(self, rows: np.ndarray, day: date) -> np.ndarray:
        """Relative default hazard on ``day``: grade B or worse x6, declining sales x4."""
        biz = self.universe.frame
        grade = biz["grade_rank"].gather(rows).to_numpy()
        falling = declining(biz["onset"].gather(rows).to_numpy(), day)
        return np.where(grade >= 6, 6.0, 1.0) * np.where(falling, 4.0, 1.0)

    def day(self, day: date) -> pl.DataFrame:
        ctx = self.ctx
        gen = ctx.rng(FEED, day)
        dn = day_number(day)
        n = ctx.count(FEED, EVENTS, 1, day, factor=weekday_factor(day, 1.15, 0.45, 0.40))
        kinds = list(EVENT_MIX)
        want = dict(zip(kinds, np.bincount(choice(gen, n, np.array(list(EVENT_MIX.values()))), minlength=4), strict=True))
        rows: list[tuple[np.ndarray, str]] = []
        # Lifecycle events on guarantees whose last change was before today.
        for kind, source, target, weighted in (
            ("REPAID", ACTIVE, REPAID, False),
            ("DEFAULTED", ACTIVE, DEFAULTED, True),
            ("SUBROGATED", DEFAULTED, SUBROGATED, False),
        ):
            candidates = np.flatnonzero((self.status == source) & (self.since < dn))
            k = min(int(want[kind]), len(candidates))
            if k:
                w = self._weakness(self.biz[candidates], day) if weighted else np.ones(len(candidates))
                chosen = gen.choice(candidates, k, replace=False, p=w / w.sum())
                self.status[chosen], self.since[chosen] = target, dn
                rows.append((chosen, kind))
        # New guarantees (at least one a day, so the feed is never empty).
        issued = max(1, int(want["ISSUED"]))
        pool = self.universe.pool("gcgf")
        first = len(self.ids)
        self.ids += day_ids("G", day, issued, seq_digits=4).to_list()
        self.biz = np.concatenate([self.biz, pool[gen.integers(0, len(pool), issued)]])
        self.amount = np.concatenate([self.amount, _amounts(gen, issued)])
        self.status = np.concatenate([self.status, np.full(issued, ACTIVE)])
        self.since = np.concatenate([self.since, np.full(issued, dn)])
        rows.append((np.arange(first, first + issued), "ISSUED"))

        which = np.concatenate([r for r, _ in rows])
        kind = np.concatenate([np.full(len(r), k) for r, k in rows])
        order = gen.permutation(len(which))  # events of a day are not grouped by type
        which, kind = which[order], kind[order]
        biz = self.universe.frame
        frame = pl.DataFrame(
            {
                "event_id": day_ids("GE", day, len(which)),
                "guarantee_id": pl.Series([self.ids[i] for i in which], dtype=pl.String),
                "biz_token": biz["biz_token"].gather(self.biz[which]),
                "sigungu_cd": pl.Series(self.universe.areas_on(self.biz[which], day), dtype=pl.String),
                "ksic_cd": biz["ksic_cd"].gather(self.biz[which]),
                "event_type": pl.Series(kind, dtype=pl.String),
                "guarantee_krw": self.amount[which],
                "event_on": day,
            }
        )
        return conform(contract(FEED), frame)


def _amounts(gen: np.random.Generator, n: int) -> np.ndarray:
    """Guarantee amounts: median 30M KRW, in whole millions, 5M..500M."""
    return np.clip(np.round(gen.lognormal(np.log(30e6), 0.7, n), -6), 5e6, 5e8).astype(np.int64)
