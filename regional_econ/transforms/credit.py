"""Credit early warning: businesses whose currency revenue falls while their credit is weak.

Fuses kona (merchant revenue, by biz_token), ked (credit grade, closure) and gcgf
(guarantee defaults) on biz_token only.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from regional_econ.periods import month_days, months_back, shift_month
from regional_econ.reference import table
from regional_econ.transforms.common import GUARANTEE_DEFAULTS, Frame
from regional_econ.transforms.registers import latest_snapshot

# A revenue drop of at least 30%: current <= 70% of base, compared in integers (no float edge).
DROP_NUMERATOR, DROP_DENOMINATOR = 7, 10


def credit_early_warning(revenue: Frame, credit: Frame, guarantees: Frame, month: str) -> pl.DataFrame:
    """Per business (biz_token) and month: the early-warning flag and its reasons.

    Inputs: ``merchant_revenue_monthly`` rows for the 15 months ending ``month`` (rows without
    a biz_token are ignored), staged ked ``sme_credit`` snapshots and gcgf ``guarantee_events``
    (with their ``date`` partition key; nothing after month end is used).

    Grain: every business with merchant revenue rows in the current, prior or year-earlier
    window. Windows of 3 months: current = month-2..month, prior = month-5..month-3,
    year-earlier = month-14..month-12; a window's revenue is the sum of its merchants' net
    revenue (a month without a row counts 0). Columns:

    - sigungu_cd, category_cd: those of the business's main merchant (highest net revenue in
      the current window, ties to the smallest merchant_id), as in its latest row.
    - revenue_3m_krw (current window), base_3m_krw and base_period: the year-earlier window
      when its revenue is positive ("year_earlier"), else the prior window when positive
      ("prior_3m"), else none; assessed = a base exists; revenue_change = current / base - 1.
    - revenue_drop: assessed and current <= 70% of base (a fall of 30% or more).
    - credit_grade, is_closed (latest ked snapshot delivered for a month up to ``month``;
      null when the business is not in it), grade_b_or_worse (B..D; false when unknown),
      guarantee_default_12m: a DEFAULTED or SUBROGATED event in the 12 months ending ``month``.
    - flagged = revenue_drop AND (grade_b_or_worse OR guarantee_default_12m OR is_closed).
    - reasons: every condition that holds, flagged or not, in this order: revenue_drop_yoy or
      revenue_drop_vs_prior, grade_b_or_worse, guarantee_default, closed (empty list if none).
    """
    current = months_back(month, 3)
    prior = months_back(shift_month(month, -3), 3)
    year_earlier = months_back(shift_month(month, -12), 3)
    net = pl.col("net_revenue_krw")
    rows = revenue.lazy().filter(pl.col("biz_token").is_not_null() & pl.col("month").is_in(current + prior + year_earlier))
    windows = rows.group_by("biz_token").agg(
        revenue_3m_krw=net.filter(pl.col("month").is_in(current)).sum(),
        _prior=net.filter(pl.col("month").is_in(prior)).sum(),
        _year=net.filter(pl.col("month").is_in(year_earlier)).sum(),
    )
    main_merchant = (
        rows.group_by("biz_token", "merchant_id")
        .agg(
            _current=net.filter(pl.col("month").is_in(current)).sum(),
            sigungu_cd=pl.col("sigungu_cd").sort_by("month").last(),
            category_cd=pl.col("category_cd").sort_by("month").last(),
        )
        .group_by("biz_token")
        .agg(pl.col("sigungu_cd", "category_cd").sort_by(["_current", "merchant_id"], descending=[True, False]).first())
    )

    _, last = month_days(month)
    ked = latest_snapshot(credit, month).select("biz_token", "credit_grade", "is_closed").unique("biz_token")
    grades = table("credit_grades").lazy().select("credit_grade", grade_b_or_worse="b_or_worse")
    since = date.fromisoformat(shift_month(month, -11))
    defaults = (
        guarantees.lazy()
        .filter(pl.col("event_type").is_in(GUARANTEE_DEFAULTS) & pl.col("event_on").is_between(since, last))
        .select("biz_token", guarantee_default_12m=pl.lit(True))
        .unique("biz_token")
    )

    base_period = pl.when(pl.col("_year") > 0).then(pl.lit("year_earlier")).when(pl.col("_prior") > 0).then(pl.lit("prior_3m"))
    base = pl.when(pl.col("_year") > 0).then(pl.col("_year")).when(pl.col("_prior") > 0).then(pl.col("_prior"))
    drop = pl.col("revenue_drop")
    risk = pl.col("grade_b_or_worse") | pl.col("guarantee_default_12m") | pl.col("is_closed").fill_null(False)
    reason = lambda condition, name: pl.when(condition).then(pl.lit(name))  # noqa: E731
    return (
        windows.join(main_merchant, on="biz_token", how="left")
        .join(ked, on="biz_token", how="left")
        .join(grades, on="credit_grade", how="left")
        .join(defaults, on="biz_token", how="left")
        .with_columns(base_3m_krw=base, base_period=base_period)
        .with_columns(
            pl.col("grade_b_or_worse", "guarantee_default_12m").fill_null(False),
            assessed=pl.col("base_3m_krw").is_not_null(),
            revenue_change=pl.col("revenue_3m_krw") / pl.col("base_3m_krw") - 1,
            revenue_drop=(DROP_DENOMINATOR * pl.col("revenue_3m_krw") <= DROP_NUMERATOR * pl.col("base_3m_krw")).fill_null(False),
        )
        .with_columns(
            flagged=drop & risk,
            reasons=pl.concat_list(
                reason(drop & (pl.col("base_period") == "year_earlier"), "revenue_drop_yoy"),
                reason(drop & (pl.col("base_period") == "prior_3m"), "revenue_drop_vs_prior"),
                reason(pl.col("grade_b_or_worse"), "grade_b_or_worse"),
                reason(pl.col("guarantee_default_12m"), "guarantee_default"),
                reason(pl.col("is_closed").fill_null(False), "closed"),
            ).list.drop_nulls(),
            month=pl.lit(month),
        )
        .select(
            "month",
            "biz_token",
            "sigungu_cd",
            "category_cd",
            "revenue_3m_krw",
            "base_3m_krw",
            "base_period",
            "assessed",
            "revenue_change",
            "revenue_drop",
            "credit_grade",
            "grade_b_or_worse",
            "guarantee_default_12m",
            "is_closed",
            "flagged",
            "reasons",
        )
        .sort("biz_token")
        .collect()
    )


def credit_risk_by_area(warnings: Frame) -> pl.DataFrame:
    """Month x sigungu_cd x category_cd: businesses, assessed, flagged, flag_rate.

    Input: ``credit_early_warning`` rows (any months). flag_rate = flagged / assessed, null
    when no business in the cell could be assessed (no revenue base).
    """
    cell = ["month", "sigungu_cd", "category_cd"]
    return (
        warnings.lazy()
        .group_by(cell)
        .agg(
            businesses=pl.len().cast(pl.Int64),
            assessed=pl.col("assessed").sum().cast(pl.Int64),
            flagged=pl.col("flagged").sum().cast(pl.Int64),
        )
        .with_columns(flag_rate=pl.when(pl.col("assessed") > 0).then(pl.col("flagged") / pl.col("assessed")))
        .sort(cell)
        .collect()
    )
