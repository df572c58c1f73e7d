"""Household finance stress: msc counselling cases per 10,000 regional-currency cardholders.

The two centers are joined on the area only: clients and cardholders are different people's
tokens in different centers and are never matched.
"""

from __future__ import annotations

import polars as pl

from regional_econ.contracts import contract
from regional_econ.periods import month_days
from regional_econ.transforms.common import Frame
from regional_econ.transforms.registers import as_of

PER = 10_000
NO_CARDHOLDERS = "no_cardholders"
# Breakdowns, in output order: the total, then each value of the contract's domains.
DIMENSIONS = ("debt_type", "outcome")
ALL = "ALL"


def finance_stress(cases: Frame, cardholders: Frame, month: str) -> pl.DataFrame:
    """Month x sigungu_cd x breakdown: counselling cases and cases per 10,000 cardholders.

    Long format: per area one ``dimension = "all"`` row (value "ALL"), then one row per
    debt_type and per outcome of the msc contract's domains, zero-filled, so every area has
    the same rows and a breakdown sums to its total. Inputs: msc ``counseling_cases`` (cases
    opened in the month count, in the client's home area) and the kona ``cardholders``
    register deliveries (cardholders registered by month end, as of month end, by
    home_sigungu_cd). Areas: those with a case or a cardholder.

    Columns: month, sigungu_cd, dimension, value, cases, clients (distinct client_token, for
    disclosure control), cardholders, cases_per_10k = cases * 10,000 / cardholders (null
    with ``rate_null_reason`` = "no_cardholders" when the area has none).
    """
    first, last = month_days(month)
    opened = cases.lazy().filter(pl.col("opened_on").is_between(first, last))
    residents = (
        as_of(cardholders.lazy(), "card_token", last.isoformat())
        .filter(pl.col("registered_on") <= last)
        .group_by(sigungu_cd="home_sigungu_cd")
        .agg(cardholders=pl.len().cast(pl.Int64))
    )
    areas = pl.concat([opened.select("sigungu_cd"), residents.select("sigungu_cd")]).unique()
    breakdown = _breakdown_rows()
    counted = pl.concat(
        [
            opened.group_by("sigungu_cd").agg(_counts()).with_columns(dimension=pl.lit("all"), value=pl.lit(ALL)),
            *[
                opened.group_by("sigungu_cd", pl.col(d).alias("value")).agg(_counts()).with_columns(dimension=pl.lit(d))
                for d in DIMENSIONS
            ],
        ],
        how="diagonal",
    )
    no_cardholders = pl.col("cardholders").fill_null(0) == 0
    return (
        areas.join(breakdown, how="cross")
        # Full join: a value outside the domain (the gate should have stopped it) still shows.
        .join(counted, on=["sigungu_cd", "dimension", "value"], how="full", coalesce=True)
        .join(residents, on="sigungu_cd", how="left")
        .with_columns(pl.col("cases", "clients", "cardholders").fill_null(0), month=pl.lit(month))
        .with_columns(
            cases_per_10k=pl.when(~no_cardholders).then(pl.col("cases") * PER / pl.col("cardholders")),
            rate_null_reason=pl.when(no_cardholders).then(pl.lit(NO_CARDHOLDERS)),
        )
        .sort("sigungu_cd", "_order", "value", nulls_last=True)
        .select(
            "month", "sigungu_cd", "dimension", "value", "cases", "clients", "cardholders", "cases_per_10k", "rate_null_reason"
        )
        .collect()
    )


def _counts() -> list[pl.Expr]:
    return [pl.len().cast(pl.Int64).alias("cases"), pl.col("client_token").n_unique().cast(pl.Int64).alias("clients")]


def _breakdown_rows() -> pl.LazyFrame:
    """(dimension, value) pairs every area gets, in a stable order."""
    msc = contract("msc/counseling_cases")
    pairs = [("all", ALL)] + [(d, v) for d in DIMENSIONS for v in msc.column(d).domain]
    return pl.LazyFrame({"dimension": [d for d, _ in pairs], "value": [v for _, v in pairs], "_order": list(range(len(pairs)))})
