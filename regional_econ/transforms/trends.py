"""Consumption trends: weekly currency spending beside The IMC's mentions and search interest."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from regional_econ.transforms.common import Frame, growth, signed_amount
from regional_econ.transforms.registers import as_of, with_merchant

# The signal's thresholds, in tenths of the previous week: spending at >= 110% or <= 90% of it.
RISING_TENTHS, FALLING_TENTHS = 11, 9
CELL = ["sigungu_cd", "category_cd"]


def consumption_trends(transactions: Frame, merchants: Frame, trends: Frame, week: str) -> pl.DataFrame:
    """Week x sigungu_cd x category_cd: spending growth beside mention and search growth.

    Inputs: kona ``transactions`` covering the week and the week before (KST days; others are
    ignored), the kona ``merchants`` register deliveries (the record as of the week's Sunday
    places both weeks, so a cell compares like with like), and theimc ``consumer_trends`` for
    both weeks. ``week`` is the Monday, ISO date.

    Grain: cells with spending in either week or a theimc row in either week. Columns:

    - net_spending_krw, prev_net_spending_krw: approvals minus cancels in the week and the
      week before (0 when the cell had none; unknown merchants under UNKNOWN_AREA/CATEGORY);
      spending_growth = net / previous - 1, null when the previous week's is not positive
      (which includes a cell with no prior week and the platform's first week).
    - mention_count, prev_mention_count: theimc mentions summed over age_band and gender;
      mention_growth = mentions / previous - 1 (null without a positive base).
    - search_index, prev_search_index: the mean of theimc's 0-100 index over age_band x gender
      rows; search_index_change = search_index - prev_search_index, in index points. Theimc
      columns are null when theimc has no row for the cell that week.
    - signal: ``rising`` when spending_growth >= +10% and mentions are not falling
      (mention_growth >= 0, or unknown); ``falling`` when spending_growth <= -10% and mentions
      are not rising (mention_growth <= 0, or unknown); ``steady`` otherwise, including when
      spending and mentions point opposite ways; null when spending_growth is null.
    """
    start = date.fromisoformat(week)
    previous, sunday = start - timedelta(days=7), start + timedelta(days=6)
    week_of = pl.when(pl.col("date") >= start).then(pl.lit("this")).otherwise(pl.lit("prev"))
    spending = (
        with_merchant(transactions.lazy(), as_of(merchants.lazy(), "merchant_id", sunday.isoformat()))
        .filter(pl.col("date").is_between(previous, sunday))
        .group_by(*CELL)
        .agg(
            net_spending_krw=signed_amount().filter(week_of == "this").sum(),
            prev_net_spending_krw=signed_amount().filter(week_of == "prev").sum(),
        )
    )
    this_week = pl.col("week_start") == start
    attention = (
        trends.lazy()
        .filter(pl.col("week_start").is_between(previous, start))
        .group_by(*CELL)
        .agg(
            mention_count=pl.col("mention_count").filter(this_week).sum().cast(pl.Int64),
            prev_mention_count=pl.col("mention_count").filter(~this_week).sum().cast(pl.Int64),
            search_index=pl.col("search_index").filter(this_week).mean(),
            prev_search_index=pl.col("search_index").filter(~this_week).mean(),
            _seen=this_week.any(),
            _seen_before=(~this_week).any(),
        )
        # A week theimc did not cover for the cell is unknown, not zero mentions.
        .with_columns(
            pl.when(pl.col("_seen")).then(pl.col("mention_count")).alias("mention_count"),
            pl.when(pl.col("_seen_before")).then(pl.col("prev_mention_count")).alias("prev_mention_count"),
        )
    )
    # Compared in integers so that exactly +10% / -10% fall on the documented side.
    spent, spent_before = pl.col("net_spending_krw"), pl.col("prev_net_spending_krw")
    mentions, mentions_before = pl.col("mention_count"), pl.col("prev_mention_count")
    mentions_known = ((mentions_before > 0) & mentions.is_not_null()).fill_null(False)
    return (
        spending.join(attention, on=CELL, how="full", coalesce=True)
        .with_columns(pl.col("net_spending_krw", "prev_net_spending_krw").fill_null(0))
        .with_columns(
            week=pl.lit(week),
            spending_growth=growth("net_spending_krw", "prev_net_spending_krw"),
            mention_growth=growth("mention_count", "prev_mention_count"),
            search_index_change=pl.col("search_index") - pl.col("prev_search_index"),
        )
        .with_columns(
            signal=pl.when(spent_before <= 0)
            .then(pl.lit(None, pl.String))
            .when((10 * spent >= RISING_TENTHS * spent_before) & (~mentions_known | (mentions >= mentions_before)))
            .then(pl.lit("rising"))
            .when((10 * spent <= FALLING_TENTHS * spent_before) & (~mentions_known | (mentions <= mentions_before)))
            .then(pl.lit("falling"))
            .otherwise(pl.lit("steady"))
        )
        .select(
            "week",
            *CELL,
            "net_spending_krw",
            "prev_net_spending_krw",
            "spending_growth",
            "mention_count",
            "prev_mention_count",
            "mention_growth",
            "search_index",
            "prev_search_index",
            "search_index_change",
            "signal",
        )
        .sort(CELL)
        .collect()
    )
