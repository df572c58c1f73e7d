"""Spending marts from the payments fact table.

Net spending on day D = approvals on D minus cancels on D: a cancel counts on its own day,
at the original merchant (a cancel row carries the original's merchant). KRW integers.
Every cell carries what disclosure control needs: distinct cards (persons), distinct
merchants (businesses), the approved amount and the shares of it of the largest and the
second-largest merchant (the p% rule) and of the largest card (one person's dominance).
"""

from __future__ import annotations

import polars as pl

from regional_econ import reference
from regional_econ.reference import UNKNOWN_AREA
from regional_econ.transforms.common import IS_APPROVAL, IS_CANCEL, signed_amount
from regional_econ.transforms.payments import PAYMENT_ATTRIBUTES, UNKNOWN_CURRENCY, coded, decoded
from regional_econ.transforms.registers import attach_as_of

# Gyeonggi card data's 10 time bands: 1 = 00:00-06:59, 2 = 07-08, ..., 9 = 21-22, 10 = 23.
TIME_BAND_STARTS = [0, 7, 9, 11, 13, 15, 17, 19, 21, 23]


def time_band(hour: pl.Expr) -> pl.Expr:
    return pl.sum_horizontal([(hour >= start).cast(pl.Int8) for start in TIME_BAND_STARTS]).cast(pl.Int8)


def spending_daily(payments: pl.LazyFrame) -> pl.DataFrame:
    """Day x merchant area x category: net amount, approvals, cancels, cards, merchants, average ticket."""
    keys = ["date", "sigungu_cd", "category_cd"]
    approved = pl.col("amount_krw").filter(IS_APPROVAL).sum()
    approvals = IS_APPROVAL.sum().cast(pl.Int64)
    out = (
        coded(payments, keys)
        .group_by(keys)
        .agg(
            net_amount_krw=signed_amount().sum(),
            approvals=approvals,
            cancels=IS_CANCEL.sum().cast(pl.Int64),
            cards=pl.col("card_key").n_unique().cast(pl.Int64),
            merchants=pl.col("_merchant").n_unique().cast(pl.Int64),
            approved_amount_krw=approved,
        )
        .with_columns(
            # Average ticket = approved amount / approvals, rounded half up to a whole won.
            avg_ticket_krw=pl.when(pl.col("approvals") > 0).then(
                (2 * pl.col("approved_amount_krw") + pl.col("approvals")) // (2 * pl.col("approvals"))
            )
        )
        .drop("approved_amount_krw")
    )
    return decoded(out, keys).sort(keys).collect()


def _largest_shares(approvals: pl.LazyFrame, keys: list[str], who: str, names: list[str]) -> pl.LazyFrame:
    """The shares of the cell's approved amount of its ``len(names)`` largest contributors ``who``."""
    by = approvals.group_by([*keys, who]).agg(approved=pl.col("amount_krw").sum())
    top = pl.col("approved").top_k(len(names)).sort(descending=True)
    total = pl.col("approved").sum()
    return by.group_by(keys).agg(
        approved_amount_krw=total, **{n: top.get(i, null_on_oob=True).fill_null(0) / total for i, n in enumerate(names)}
    )


# The merchant's attributes a cell may be keyed on (the flows and circulation marts name its area so).
MERCHANT_KEYS = {*PAYMENT_ATTRIBUTES["merchant"], "merchant_sigungu_cd", "merchant_si_cd"}


def _moved_merchants(events: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Per cell, its merchants that are in more than one cell along the merchant's own attributes
    among ``keys`` (re-registered in another area or category during the period). Where there
    are none, a total's merchants along those dims add up (publish/disclosure/cube.py)."""
    attributes = [k for k in keys if k in MERCHANT_KEYS]
    period = [k for k in ("month", "date") if k in keys]
    placed = events.select(*keys, "_merchant").unique()
    if not attributes:
        return placed.group_by(keys).agg(moved_merchants=pl.lit(0, dtype=pl.Int64))
    moved = placed.group_by([*period, "_merchant"]).agg(_moved=pl.struct(attributes).n_unique() > 1)
    return placed.join(moved, on=[*period, "_merchant"]).group_by(keys).agg(moved_merchants=pl.col("_moved").sum().cast(pl.Int64))


def cells(events: pl.LazyFrame, keys: list[str]) -> pl.DataFrame:
    """Net amount, approvals, cancels, cards, merchants, approved amount, the largest contributors'
    shares of it and the merchants that moved between cells, per cell of ``keys``."""
    events = coded(events, keys)
    totals = events.group_by(keys).agg(
        net_amount_krw=signed_amount().sum(),
        approvals=IS_APPROVAL.sum().cast(pl.Int64),
        cancels=IS_CANCEL.sum().cast(pl.Int64),
        cards=pl.col("card_key").n_unique().cast(pl.Int64),
        merchants=pl.col("_merchant").n_unique().cast(pl.Int64),
    )
    approvals = events.filter(IS_APPROVAL)
    merchants = _largest_shares(approvals, keys, "_merchant", ["top_merchant_share", "second_merchant_share"])
    cards = _largest_shares(approvals, keys, "card_key", ["top_card_share"]).drop("approved_amount_krw")
    out = totals.join(merchants, on=keys, how="left", nulls_equal=True).join(cards, on=keys, how="left", nulls_equal=True)
    out = out.join(_moved_merchants(events, keys), on=keys, how="left", nulls_equal=True)
    out = out.with_columns(pl.col("approved_amount_krw").fill_null(0))
    return decoded(out, keys).sort(keys).collect()


def spending_monthly(payments: pl.LazyFrame) -> pl.DataFrame:
    """Month x merchant area x category: spending_daily's month (distinct cards and merchants over the month)."""
    return cells(payments, ["month", "sigungu_cd", "category_cd"])


def spending_by_time(payments: pl.LazyFrame) -> pl.DataFrame:
    """Month x merchant area x weekday (1 = Monday) x hour, with the 10 time bands as a column."""
    out = cells(payments, ["month", "sigungu_cd", "day_of_week", "hour"])
    return out.with_columns(time_band=time_band(pl.col("hour"))).select(
        "month",
        "sigungu_cd",
        "day_of_week",
        "hour",
        "time_band",
        pl.exclude("month", "sigungu_cd", "day_of_week", "hour", "time_band"),
    )


def spending_by_demographics(payments: pl.LazyFrame) -> pl.DataFrame:
    """Month x merchant area x age band x gender x category: the cuts the 2019 portal published."""
    return cells(payments, ["month", "sigungu_cd", "age_band", "gender", "category_cd"])


def spending_flows(payments: pl.LazyFrame) -> pl.DataFrame:
    """Month x cardholder's home area x merchant area: where residents of each area spend."""
    return cells(payments.rename({"sigungu_cd": "merchant_sigungu_cd"}), ["month", "home_sigungu_cd", "merchant_sigungu_cd"])


def area_flow_summary(flows: pl.DataFrame) -> pl.DataFrame:
    """Per month and area: inflow (non-residents' spending there), outflow (residents' spending
    elsewhere), net inflow, and local retention = residents' spending at home / residents' total.

    Cardholders of unknown home count as non-residents of every area (their spending is inflow).
    """
    home = pl.col("home_sigungu_cd") == pl.col("merchant_sigungu_cd")
    inflow = (
        flows.filter(~home).group_by("month", sigungu_cd="merchant_sigungu_cd").agg(inflow_krw=pl.col("net_amount_krw").sum())
    )
    outflow = flows.filter(~home).group_by("month", sigungu_cd="home_sigungu_cd").agg(outflow_krw=pl.col("net_amount_krw").sum())
    at_home = flows.filter(home).group_by("month", sigungu_cd="home_sigungu_cd").agg(home_krw=pl.col("net_amount_krw").sum())
    areas = pl.concat([f.select("month", "sigungu_cd") for f in (inflow, outflow, at_home)]).unique()
    out = (
        areas.join(inflow, on=["month", "sigungu_cd"], how="left")
        .join(outflow, on=["month", "sigungu_cd"], how="left")
        .join(at_home, on=["month", "sigungu_cd"], how="left")
        .with_columns(pl.col("inflow_krw", "outflow_krw", "home_krw").fill_null(0))
        .filter(pl.col("sigungu_cd") != UNKNOWN_AREA)
    )
    residents_total = pl.col("home_krw") + pl.col("outflow_krw")
    return (
        out.with_columns(
            net_inflow_krw=pl.col("inflow_krw") - pl.col("outflow_krw"),
            local_retention=pl.when(residents_total > 0).then(pl.col("home_krw") / residents_total),
        )
        .rename({"home_krw": "resident_spending_at_home_krw"})
        .sort("month", "sigungu_cd")
    )


def currency_circulation(payments: pl.LazyFrame, areas: pl.DataFrame | None = None) -> pl.DataFrame:
    """Month x currency x merchant area: where each city's currency is spent, inside the issuing city or not.

    ``areas``: the area reference table (default ``ref.areas``), for each merchant area's si/gun.
    """
    areas = reference.table("areas") if areas is None else areas
    events = payments.join(areas.lazy().select("sigungu_cd", merchant_si_cd="si_cd"), on="sigungu_cd", how="left")
    out = cells(
        events.rename({"sigungu_cd": "merchant_sigungu_cd"}), ["month", "currency_cd", "merchant_sigungu_cd", "merchant_si_cd"]
    )
    return out.with_columns(in_issuing_city=pl.col("merchant_si_cd") == pl.col("currency_cd")).drop("merchant_si_cd")


def currency_balance(circulation: pl.DataFrame, charges: pl.LazyFrame, cardholders: pl.LazyFrame) -> pl.DataFrame:
    """Month x currency: money charged, incentives paid, spending in and outside the issuing city,
    and incentive cost per won spent locally (null when nothing was spent locally)."""
    charged = (
        attach_as_of(
            charges.with_columns(
                _day=pl.col("charged_at").dt.convert_time_zone("Asia/Seoul").dt.date(),
                month=pl.col("charged_at").dt.convert_time_zone("Asia/Seoul").dt.truncate("1mo").dt.date().cast(pl.String),
            ).collect(),
            cardholders,
            "card_token",
            ["currency_cd"],
        )
        .lazy()
        .with_columns(pl.col("currency_cd").fill_null(UNKNOWN_CURRENCY))
    )
    money_in = (
        charged.group_by("month", "currency_cd")
        .agg(
            charged_krw=pl.col("amount_krw").sum(),
            incentive_krw=pl.col("incentive_krw").sum(),
            policy_charged_krw=pl.col("amount_krw").filter(pl.col("policy_fund_cd").is_not_null()).sum(),
            charges=pl.len().cast(pl.Int64),
        )
        .collect()
    )
    spent = circulation.group_by("month", "currency_cd").agg(
        spent_in_issuing_city_krw=pl.col("net_amount_krw").filter(pl.col("in_issuing_city")).sum(),
        spent_elsewhere_krw=pl.col("net_amount_krw").filter(~pl.col("in_issuing_city")).sum(),
    )
    out = money_in.join(spent, on=["month", "currency_cd"], how="full", coalesce=True).with_columns(
        pl.col(
            "charged_krw", "incentive_krw", "policy_charged_krw", "charges", "spent_in_issuing_city_krw", "spent_elsewhere_krw"
        ).fill_null(0)
    )
    return out.with_columns(
        incentive_cost_per_local_won=pl.when(pl.col("spent_in_issuing_city_krw") > 0).then(
            pl.col("incentive_krw") / pl.col("spent_in_issuing_city_krw")
        )
    ).sort("month", "currency_cd")


SMALL_SALES_CLASSES = ("영세", "중소1", "중소2", "중소3")


def policy_fund_usage(payments: pl.LazyFrame) -> pl.DataFrame:
    """Month x policy fund x merchant area x category x sales class: where policy money was spent,
    and each cell's share of its fund's month (sum the 영세/중소 rows for the share reaching them)."""
    events = payments.filter(pl.col("policy_fund_cd").is_not_null())
    out = cells(events, ["month", "policy_fund_cd", "sigungu_cd", "category_cd", "sales_class"])
    fund_total = pl.col("net_amount_krw").sum().over("month", "policy_fund_cd")
    return out.with_columns(
        is_small_merchant=pl.col("sales_class").is_in(SMALL_SALES_CLASSES),
        share_of_fund=pl.when(fund_total != 0).then(pl.col("net_amount_krw") / fund_total),
    )
