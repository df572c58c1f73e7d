"""Planted events: what happens in the synthetic economy on purpose, and its ground truth.

Each event is a function of the date alone. The generator applies them (a category rising across
the province, one area's category in a downturn, a hiring surge in one area's occupation, a
province-wide relief payment) and writes the ones that touch its window to ``_events.json`` at the
landing root, beside the defects' ground truth, so that what the indicators report can be checked
against what was planted (``summary`` does, for the demo).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

GROUND_TRUTH = "_events.json"


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # category_rise | downturn | hiring_surge | relief_payment
    start: date
    description: str
    sigungu_cd: str | None = None  # None: every area
    category_cd: str | None = None
    occupation_cd: str | None = None
    factor: float = 1.0  # volume once fully in effect (spending, postings)
    ramp_days: int = 0  # days from the start to the full effect
    days: int = 0  # a relief payment: the days it is paid over
    amount_krw: int = 0  # ... to each card
    share: float = 0.0  # ... of the cards

    def effect(self, day: date) -> float:
        """The volume multiplier on ``day``: 1 before the start, then growing to ``factor``."""
        if day < self.start:
            return 1.0
        progress = 1.0 if self.ramp_days <= 0 else min(1.0, ((day - self.start).days + 1) / self.ramp_days)
        return float(self.factor**progress)

    def touches(self, first: date, last: date) -> bool:
        return self.start <= last and (self.kind != "relief_payment" or self.start + timedelta(days=self.days) > first)

    def truth(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v not in (None, 0, 0.0)}


EVENTS = (
    Event(
        "health_hygiene_rise",
        "category_rise",
        date(2026, 9, 7),
        "Health and hygiene shops (C12) boom across the province (an early flu season): spending grows to "
        "1.8 times within two weeks.",
        category_cd="C12",
        factor=1.8,
        ramp_days=14,
    ),
    Event(
        "danwon_restaurants_downturn",
        "downturn",
        date(2026, 9, 7),
        "Restaurants (C27) of Ansan Danwon-gu lose half their spending within a week.",
        sigungu_cd="41273",
        category_cd="C27",
        factor=0.5,
        ramp_days=7,
    ),
    Event(
        "hwaseong_factory_hiring",
        "hiring_surge",
        date(2026, 9, 7),
        "A plant opens in Hwaseong: postings for machine operators and assemblers (83) there triple.",
        sigungu_cd="41590",
        occupation_cd="83",
        factor=3.0,
    ),
    Event(
        "relief_payment_2026_09",
        "relief_payment",
        date(2026, 9, 7),
        "A province-wide relief payment: 100,000 KRW to 30% of cards over ten days, paid as the DRS fund "
        "(a card still holding another fund's money on its day is not paid).",
        days=10,
        amount_krw=100_000,
        share=0.3,
    ),
)


def spending_factors(day: date, area: list[str] | np.ndarray, category: list[str] | np.ndarray) -> np.ndarray:
    """Per payment cell (area, category codes), the planted events' volume multiplier on ``day``."""
    out = np.ones(len(area))
    area, category = np.asarray(area), np.asarray(category)
    for e in EVENTS:
        if e.kind in ("category_rise", "downturn") and day >= e.start:
            hit = (category == e.category_cd) & ((area == e.sigungu_cd) if e.sigungu_cd else True)
            out = np.where(hit, out * e.effect(day), out)
    return out


def category_factors(day: date, categories: tuple[str, ...]) -> np.ndarray:
    """Per category, province-wide events only (what people talk and search about)."""
    return np.array(
        [np.prod([e.effect(day) for e in EVENTS if e.kind == "category_rise" and e.category_cd == c]) for c in categories]
    )


def surges_on(day: date) -> list[Event]:
    """Hiring surges in effect on ``day``."""
    return [e for e in EVENTS if e.kind == "hiring_surge" and day >= e.start]


def relief_on(day: date) -> Event | None:
    """The relief payment paid on ``day``, if any (an equal part of its cards each day)."""
    return next((e for e in EVENTS if e.kind == "relief_payment" and e.start <= day < e.start + timedelta(days=e.days)), None)


def write_ground_truth(out: Path, first: date, last: date) -> list[dict]:
    """The events touching the window, as ``<out>/_events.json``."""
    truth = [e.truth() for e in EVENTS if e.touches(first, last)]
    (Path(out) / GROUND_TRUTH).write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth
