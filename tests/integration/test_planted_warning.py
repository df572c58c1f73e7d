"""The credit early warning finds the businesses the generator planted as declining.

Seven months of kona, ked and gcgf from the generator (in memory, no files), through the platform's
own transform (``transforms.credit.credit_early_warning``): recall over the planted distressed
merchants' businesses, precision over the flagged ones (a business that closed in the window is a
true warning too).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from regional_econ.synth import ked
from regional_econ.synth.common import WORLD_OPENS, Context, day_number
from regional_econ.synth.gcgf import Guarantees
from regional_econ.synth.kona import Kona
from regional_econ.transforms.credit import credit_early_warning

# The world's first seven months (no days to move through before the window).
START, DAYS, MONTH = WORLD_OPENS, 212, "2026-03-01"
# Declining through the whole current window (January-March): the fall is 30% or more by March.
DECLINING_BY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def warned():
    ctx = Context(seed=4, scale=0.03, start=START, days=DAYS)
    kona = Kona(ctx)
    guarantees = Guarantees(ctx, kona.universe)
    revenue, events, snapshots = [], [], []
    for day in ctx.window:
        frames = kona.day(day).frames
        t = frames["kona/transactions"]
        revenue.append(
            t.group_by("merchant_id")
            .agg(net=pl.when(pl.col("txn_type") == "APPROVE").then(pl.col("amount_krw")).otherwise(-pl.col("amount_krw")).sum())
            .with_columns(month=pl.lit(day.replace(day=1).isoformat()))
        )
        events.append(guarantees.day(day))
        if day.day == 1:
            snapshots.append(
                ked.snapshot(ctx, kona.universe, kona.merchants, day.isoformat(), day).with_columns(date=pl.lit(day.isoformat()))
            )
    merchants = kona.merchants.select("merchant_id", "biz_token", "sigungu_cd", "category_cd")
    rows = (
        pl.concat(revenue)
        .group_by("merchant_id", "month")
        .agg(net_revenue_krw=pl.col("net").sum())
        .join(merchants, on="merchant_id")
    )
    flags = credit_early_warning(rows, pl.concat(snapshots, how="diagonal_relaxed"), pl.concat(events), MONTH)
    onset = pl.col("onset")
    biz = kona.universe.frame.select(
        "biz_token",
        declined=onset <= day_number(DECLINING_BY),
        declining=onset <= day_number(date.fromisoformat(MONTH).replace(day=31)),
    )
    closed = kona.merchants.filter(pl.col("closed_on") >= START).select("biz_token").unique().with_columns(closed=pl.lit(True))
    return (
        flags.join(biz, on="biz_token", how="left")
        .join(closed, on="biz_token", how="left")
        .with_columns(pl.col("closed").fill_null(False))
    )


def test_the_early_warning_finds_the_planted_declines(warned):
    # The warning needs a credit signal: businesses the bureau does not cover cannot be flagged.
    planted = warned.filter(pl.col("declined") & pl.col("assessed") & pl.col("credit_grade").is_not_null())
    assert planted.height >= 20
    recall = planted["flagged"].mean()
    flagged = warned.filter("flagged")
    precision = flagged.select((pl.col("declining") | pl.col("closed")).mean()).item()
    print(f"recall {recall:.2f} of {planted.height}, precision {precision:.2f} of {flagged.height}")
    assert recall > 0.9 and precision > 0.7
