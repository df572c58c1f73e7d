"""The vocabulary every transform shares: what a payment event and a guarantee event mean,
growth rates, rounding. Kept here so that no transform module is another's library."""

from __future__ import annotations

import polars as pl

Frame = pl.DataFrame | pl.LazyFrame

IS_APPROVAL = pl.col("txn_type") == "APPROVE"
IS_CANCEL = pl.col("txn_type") == "CANCEL"

GUARANTEE_ENDS = ("REPAID", "DEFAULTED", "SUBROGATED")
GUARANTEE_DEFAULTS = ("DEFAULTED", "SUBROGATED")


def signed_amount() -> pl.Expr:
    """An approval's amount, or minus a cancel's: net spending sums this."""
    return pl.when(IS_CANCEL).then(-pl.col("amount_krw")).otherwise(pl.col("amount_krw"))


def growth(current: str | pl.Expr, base: str | pl.Expr) -> pl.Expr:
    """current / base - 1; null without a positive base (a net-negative month has no growth)."""
    current = pl.col(current) if isinstance(current, str) else current
    base = pl.col(base) if isinstance(base, str) else base
    return pl.when(base > 0).then(current / base - 1)


def round_half_up(value: pl.Expr) -> pl.Expr:
    return (value + 0.5).floor().cast(pl.Int64)
