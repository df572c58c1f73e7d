"""Write every feed due in a window into a landing zone, as the nine centers would.

One timeline: the world opens on ``common.WORLD_OPENS`` and days are generated in order from
it, because registers, balances, open postings and guarantees carry over from one day to the
next; the days before the window move the state on and write nothing. Each day's draws are
seeded by (seed, purpose, day), so a day's files are the same in every window that holds it
(with ``defect_rate`` 0; the defect plan depends on the whole window), except that a window's
first day is its initial load: the registers in full, the open postings and registered seekers,
and no cancel of an approval made before the window. Snapshot feeds (weekly, monthly,
quarterly) of the periods the window touches are written from the state on their period's
first day. Files carry a simulated arrival time (mtime) shortly before the contract's
deadline, never the wall clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

from regional_econ.contracts import Contract, contracts
from regional_econ.periods import deadline, period_keys
from regional_econ.synth import events, gbsa, gca, gtp, ked, msc, theimc
from regional_econ.synth.businesses import DECLINES, KED_COVERAGE, LINKAGE, write_declines
from regional_econ.synth.common import Context
from regional_econ.synth.defects import DEFECT_CLASSES, Defect, Planner, write_ground_truth
from regional_econ.synth.gcgf import Guarantees
from regional_econ.synth.gjf import Jobs
from regional_econ.synth.kona import Kona
from regional_econ.synth.writer import write_delivery


@dataclass
class GenerationReport:
    """What a run wrote: files and rows per feed, planted defects and business linkage."""

    out: Path
    start: date
    days: int
    scale: float
    seed: int
    defect_rate: float
    files: dict[str, int] = field(default_factory=dict)  # deliveries per feed (a re-send counts)
    rows: dict[str, int] = field(default_factory=dict)  # clean rows per feed (planted extra rows not counted)
    defects: dict[str, int] = field(default_factory=dict)  # planted defects by class
    # Share of each feed's businesses that are kona merchants / in ked: planted and observed.
    linkage_planted: dict[str, dict[str, float]] = field(default_factory=dict)
    linkage_observed: dict[str, dict[str, float]] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)  # planted events touching the window (``_events.json``)
    declines: int = 0  # planted business declines begun by the window's end (``_declines.csv``)

    def __str__(self) -> str:
        lines = [
            f"wrote {sum(self.files.values())} files ({sum(self.rows.values()):,} rows) to {self.out}: "
            f"{self.start} + {self.days} days, scale {self.scale}, seed {self.seed}"
        ]
        width = max(map(len, self.files))
        lines += [f"  {feed:<{width}}  {self.files[feed]:>4} files  {self.rows[feed]:>12,} rows" for feed in self.files]
        if self.defects:
            lines.append(
                f"  defects planted: {sum(self.defects.values())} "
                f"({', '.join(f'{k} {v}' for k, v in sorted(self.defects.items()))}); truth in _defects.jsonl"
            )
        if self.events:
            lines.append(f"  events planted: {', '.join(self.events)}; truth in _events.json")
        if self.declines:
            lines.append(f"  business declines planted (begun by the last day): {self.declines}; truth in {DECLINES}")
        for feed, observed in self.linkage_observed.items():
            planted = self.linkage_planted.get(feed, {})
            lines.append(
                f"  linkage {feed}: "
                + ", ".join(f"{k} {observed[k]:.2f} (planted {planted[k]:.2f})" for k in observed if k in planted)
            )
        return "\n".join(lines)


def arrival_time(ctx: Context, contract: Contract, key: str) -> tuple[datetime, datetime]:
    """When the center drops the period's file (its mtime), and the contract's deadline.

    Centers deliver on time, 20 minutes to 5 hours before the deadline: simulated arrival
    times keep the files free of the wall clock and the freshness check meaningful.
    """
    d = contract.delivery
    due = deadline(d.cadence, key, d.deadline_days_after_period_end, d.deadline_at)
    minutes = int(ctx.rng(f"arrival:{contract.id}", date.fromisoformat(key)).integers(20, 300))
    return due - timedelta(minutes=minutes), due


def generate(out: Path, start: date, days: int, scale: float, seed: int, defect_rate: float = 0.0) -> GenerationReport:
    """Write every feed due in the days ``start`` .. ``start + days - 1`` under landing root ``out``."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = Path(out)
    ctx = Context(seed=seed, scale=scale, start=start, days=days)
    feeds = contracts()
    keys = {f: period_keys(c.delivery.cadence, ctx.start, ctx.last) for f, c in feeds.items()}
    planner = Planner(ctx, feeds, keys, defect_rate)
    report = GenerationReport(out, start, days, scale, seed, defect_rate, files={f: 0 for f in feeds}, rows={f: 0 for f in feeds})
    truth: list[Defect] = []
    tokens: dict[str, set[str]] = {}  # biz tokens per feed, for the observed linkage

    def deliver(feed_id: str, key: str, frame: pl.DataFrame, referenced: set[str] | None = None) -> None:
        contract = feeds[feed_id]
        arrival, due = arrival_time(ctx, contract, key)
        for d in planner.deliveries(contract, key, frame, referenced):
            write_delivery(out, contract, key, frame, version=d.version, data=d.data, manifest=d.manifest, received_at=arrival)
            arrival += (due - arrival) / 2  # a correction arrives later, still before the deadline
            report.files[feed_id] += 1
            truth.extend(d.defects)
        report.rows[feed_id] += frame.height
        column = next((c for c in ("biz_token", "employer_biz_token") if c in frame.columns), None)
        if column:
            tokens.setdefault(feed_id, set()).update(frame[column].to_list())

    kona = Kona(ctx)
    universe = kona.universe
    guarantees = Guarantees(ctx, universe)
    jobs = Jobs(ctx, universe)
    snapshots = {
        "ked/sme_credit": lambda key, day: ked.snapshot(ctx, universe, kona.merchants, key, day),
        "gtp/tech_firms": lambda key, day: gtp.snapshot(ctx, universe, key, day),
        "gca/content_firms": lambda key, day: gca.snapshot(ctx, universe, key, day),
        "theimc/consumer_trends": lambda key, day: theimc.snapshot(ctx, key),
    }
    for day in ctx.timeline:  # from the opening: the days before the window only move the state on
        kona_day = kona.day(day, files=day >= ctx.start)
        jobs_day = jobs.day(day, files=day >= ctx.start)
        guarantee_events = guarantees.day(day)
        if day >= ctx.start:
            for feed_id, frame in kona_day.frames.items():
                deliver(feed_id, day.isoformat(), frame, kona_day.referenced_approvals)
            for feed_id, frame in jobs_day.items():
                deliver(feed_id, day.isoformat(), frame)
            deliver("gcgf/guarantee_events", day.isoformat(), guarantee_events)
            deliver("gbsa/sme_support", day.isoformat(), gbsa.awards(ctx, universe, day))
            deliver("msc/counseling_cases", day.isoformat(), msc.cases(ctx, day))
        for feed_id, make in snapshots.items():  # a period's snapshot as known on its first day
            for key in keys[feed_id]:
                if max(date.fromisoformat(key), ctx.opening) == day:
                    deliver(feed_id, key, make(key, day))

    missing = set(DEFECT_CLASSES) - {d.defect for d in truth}
    if defect_rate > 0 and missing:  # a guarantee of the ground truth, not a hope
        raise RuntimeError(f"defect classes not planted: {sorted(missing)}")
    if defect_rate > 0 or (out / "_defects.jsonl").exists():
        write_ground_truth(out, truth)
    report.events = [e["id"] for e in events.write_ground_truth(out, ctx.start, ctx.last)]
    report.declines = write_declines(out, universe, kona.merchants, ctx.last)
    report.defects = dict(sorted(Counter(d.defect for d in truth).items()))
    report.linkage_planted = {f: {"in_merchants": l.merchant, "in_ked": l.ked} for f, l in LINKAGE.items()}
    report.linkage_planted["kona/merchants"] = {"in_ked": KED_COVERAGE["merchant"]}
    merchants, in_ked = tokens.get("kona/merchants", set()), tokens.get("ked/sme_credit", set())
    for feed_id in [*LINKAGE, "kona/merchants"]:
        found = tokens.get(feed_id, set())
        if found:
            report.linkage_observed[feed_id] = {
                "in_merchants": len(found & merchants) / len(found),
                "in_ked": len(found & in_ked) / len(found),
            }
    return report
