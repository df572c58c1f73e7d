"""Spending marts from kona transactions.

Net spending on day D = approvals on D minus cancels on D: a cancel counts on its own day,
at the original merchant (a cancel row carries the original's merchant). KRW integers.
"""

from __future__ import annotations

import polars as pl

from regional_econ.reference import UNKNOWN_AREA, UNKNOWN_CATEGORY

IS_APPROVAL = pl.col("txn_type") == "APPROVE"
IS_CANCEL = pl.col("txn_type") == "CANCEL"


def with_merchant(transactions: pl.LazyFrame, merchants: pl.LazyFrame) -> pl.LazyFrame:
    """Each transaction with its merchant's area and category; unknown merchants are kept as such."""
    return transactions.join(
        merchants.select("merchant_id", "sigungu_cd", "category_cd"), on="merchant_id", how="left"
    ).with_columns(
        pl.col("sigungu_cd").fill_null(UNKNOWN_AREA),
        pl.col("category_cd").fill_null(UNKNOWN_CATEGORY),
        date=pl.col("approved_at").dt.convert_time_zone("Asia/Seoul").dt.date(),
    )


def signed_amount() -> pl.Expr:
    return pl.when(IS_CANCEL).then(-pl.col("amount_krw")).otherwise(pl.col("amount_krw"))


def spending_daily(transactions: pl.LazyFrame, merchants: pl.LazyFrame) -> pl.DataFrame:
    """Day x merchant area x category: net amount, approvals, cancels, cards, merchants, average ticket."""
    approved = pl.col("amount_krw").filter(IS_APPROVAL).sum()
    approvals = IS_APPROVAL.sum().cast(pl.Int64)
    return (
        with_merchant(transactions, merchants)
        .group_by("date", "sigungu_cd", "category_cd")
        .agg(
            net_amount_krw=signed_amount().sum(),
            approvals=approvals,
            cancels=IS_CANCEL.sum().cast(pl.Int64),
            cards=pl.col("card_token").n_unique().cast(pl.Int64),
            merchants=pl.col("merchant_id").n_unique().cast(pl.Int64),
            approved_amount_krw=approved,
        )
        .with_columns(
            # Average ticket = approved amount / approvals, rounded half up to a whole won.
            avg_ticket_krw=pl.when(pl.col("approvals") > 0).then(
                (2 * pl.col("approved_amount_krw") + pl.col("approvals")) // (2 * pl.col("approvals"))
            )
        )
        .drop("approved_amount_krw")
        .sort("date", "sigungu_cd", "category_cd")
        .collect()
    )
