"""ked: the SME credit bureau's monthly snapshot of the businesses it covers.

Covers ``businesses.KED_COVERAGE`` of the universe (merchant businesses and other firms),
as known on the snapshot's as-of day. Revenue is the last fiscal year's: at the opening at
least the card sales that set the merchant's sales class (so ked revenue and kona's sales
class agree), then moved by the merchant's trend over each fiscal year on file since.
Distressed merchants drop a notch when their planted decline (in kona's sales) starts and another every
``NOTCH_MONTHS`` of their decline; closed businesses are flagged and graded D for a year, then dropped.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.periods import period_label
from regional_econ.reference import codes
from regional_econ.synth.businesses import TREND, Universe, declining, log_trend
from regional_econ.synth.common import Context, codes_at, conform, day_number

FEED = "ked/sme_credit"
NOTCH_MONTHS = 2
KEPT_CLOSED_DAYS = 365  # a closed business stays in the snapshots (graded D) this long
FILED_BY = 4  # the month from which last year's accounts are on file
REVISION = 0.02  # of businesses, a month, revised a notch up (and as many down)


def _revisions(ctx: Context, rows: np.ndarray, month: date) -> np.ndarray:
    """Notches a business's grade has moved by the month: each month since the opening's a
    few are revised a notch up or down (``REVISION``), and a revision stays (grades do not flicker),
    never more than a notch from what its accounts say (so the grade mix stays a bureau's).
    Draws are per month over businesses in row order, so a business's revisions do not depend on
    how many businesses came after it."""
    total = np.zeros(len(rows), dtype=np.int64)
    m = date(ctx.opening.year, ctx.opening.month, 1)
    while m <= month:
        u = ctx.rng(f"{FEED}:revisions", m).random(int(rows.max()) + 1 if len(rows) else 0)[rows]
        total = np.clip(total + (u < REVISION) * -1 + (u > 1 - REVISION), -1, 1)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return total


def snapshot(ctx: Context, universe: Universe, merchants: pl.DataFrame, key: str, as_of: date) -> pl.DataFrame:
    """The snapshot of month ``key`` (ISO first day) as the bureau knows it on ``as_of``."""
    gen = ctx.rng(FEED, date.fromisoformat(key))
    biz = universe.frame
    rows = np.flatnonzero(biz["in_ked"].to_numpy() & (biz["founded_on"].cast(pl.Int32).to_numpy() <= day_number(as_of)))
    # A merchant business is closed once its shop closed (on or before as-of); a year on, it is dropped.
    closed_on = merchants.select("biz_key", "closed_on")
    view = biz[rows].join(closed_on, on="biz_key", how="left", maintain_order="left")
    closed_day = view["closed_on"].cast(pl.Int32).fill_null(2**31 - 1).to_numpy()
    kept = closed_day > day_number(as_of) - KEPT_CLOSED_DAYS
    rows, view, closed_day = rows[kept], view.filter(pl.Series(kept)), closed_day[kept]
    closed = closed_day <= day_number(as_of)
    n = len(rows)
    # Month to month: headcount moves a little, grades move a notch now and then.
    # A merchant's own trend (kona's slope, a month) moves its staff as it goes, and its revenue once a
    # year: the bureau reports the last fiscal year closed, known from April.
    month = date.fromisoformat(key)
    trend = [view[c].to_numpy() for c in TREND]
    year_end = date(month.year - (1 if month.month >= FILED_BY else 2), 12, 31)
    employees = view["employees"].to_numpy() * np.exp(log_trend(*trend, month) / 2) * gen.lognormal(0, 0.03, n)
    employees = np.maximum(0, np.round(employees)).astype(np.int32)
    # A planted decline costs a notch when it starts and another every NOTCH_MONTHS of it.
    onset = trend[2]
    months = np.maximum(0, day_number(month) - onset) // 30
    falling = np.where(declining(onset, month), 1 + months // NOTCH_MONTHS, 0)
    rank = view["grade_rank"].to_numpy() + falling + _revisions(ctx, rows, month)
    rank = np.where(closed, 10, np.clip(rank, 1, 10))
    revenue = (view["revenue_krw"].to_numpy() * np.exp(log_trend(*trend, year_end))).round(-3).astype(np.int64)
    frame = pl.DataFrame(
        {
            "biz_token": view["biz_token"],
            "base_month": period_label("monthly", key),
            "ksic_cd": view["ksic_cd"],
            "sigungu_cd": pl.Series(universe.areas_on(rows, as_of), dtype=pl.String),
            "founded_on": view["founded_on"],
            "employees": employees,
            "revenue_krw": revenue,
            "operating_income_krw": (revenue * view["margin"].to_numpy()).round(-3).astype(np.int64),
            "credit_grade": codes_at(codes("credit_grades"), rank - 1),
            "is_closed": closed,
        }
    )
    return conform(contract(FEED), frame).sort("biz_token")
