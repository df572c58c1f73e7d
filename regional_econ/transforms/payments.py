"""The payments fact table: each staged transaction with its KST day, hour and weekday and
its merchant's and card's attributes as delivered up to its day. The spending marts
aggregate it; the register joins happen once, here."""

from __future__ import annotations

from datetime import date
from functools import cache

import polars as pl

from regional_econ.contracts import contract
from regional_econ.reference import UNKNOWN_AREA, UNKNOWN_CATEGORY
from regional_econ.transforms.registers import Register

UNKNOWN_AGE_BAND = "unknown"
UNKNOWN_GENDER = "U"
UNKNOWN_CURRENCY = "99999"
UNKNOWN_SALES_CLASS = "unknown"

# The attributes a payment takes from the registers, and what it gets when the merchant or
# card is not in its register (an explicit unknown: marts count such payments, never drop them).
PAYMENT_ATTRIBUTES = {
    "merchant": {"sigungu_cd": UNKNOWN_AREA, "category_cd": UNKNOWN_CATEGORY, "sales_class": UNKNOWN_SALES_CLASS},
    "card": {
        "home_sigungu_cd": UNKNOWN_AREA,
        "currency_cd": UNKNOWN_CURRENCY,
        "age_band": UNKNOWN_AGE_BAND,
        "gender": UNKNOWN_GENDER,
    },
}
REGISTERS = {"merchant": ("kona/merchants", "merchant_id"), "card": ("kona/cardholders", "card_token")}


def card_key(token: pl.Expr) -> pl.Expr:
    """A card as a 128-bit integer: the first 32 hex digits of its token.

    Tokens are 64 hex digits (the contracts' pattern) of a keyed hash, so 128 of their bits
    identify a card as well as the token does (two of 3M cards share them with probability
    about 1e-26), and distinct counts over a month of payments run on integers instead of
    64-character strings. A shared key could only lower a count of cards, which makes
    disclosure control stricter, never looser.
    """
    return token.str.slice(0, 32).str.to_integer(base=16, dtype=pl.UInt128)


def merchant_number(merchant_id: pl.Expr) -> pl.Expr:
    """The 9 digits of a merchant id (``M`` + 9 digits, the contract's pattern) as an integer."""
    return merchant_id.str.slice(1).cast(pl.UInt32)


def payment_register(kind: str, history: pl.LazyFrame) -> Register:
    """The merchant or card register (``kind``) for ``payments``, from its staged history."""
    return Register(history, REGISTERS[kind][1], list(PAYMENT_ATTRIBUTES[kind]))


def merchant_register(history: pl.LazyFrame) -> Register:
    return payment_register("merchant", history)


def card_register(history: pl.LazyFrame) -> Register:
    return payment_register("card", history)


def payments(transactions: pl.LazyFrame, merchants: Register, cards: Register, day: str | None = None) -> pl.DataFrame:
    """Each transaction with its KST day, hour and weekday and the merchant's and card's attributes
    as delivered up to that day (and up to ``day``): the fact table every spending mart aggregates.

    A merchant or card missing from its register gets the explicit unknowns. The card is
    carried as ``card_key`` (see ``card_key``), not as its token.
    """
    up_to = None if day is None else date.fromisoformat(day)
    local = pl.col("_local")
    events = (
        transactions.drop("date", strict=False)  # the delivery's key gives way to the KST day
        .with_columns(_local=pl.col("approved_at").dt.convert_time_zone("Asia/Seoul"))
        .with_columns(
            _day=local.dt.date(),
            hour=local.dt.hour().cast(pl.Int8),
            day_of_week=local.dt.weekday().cast(pl.Int8),
            month=local.dt.strftime("%Y-%m-01"),
        )
        .drop("_local")
        .collect()
    )
    events = cards.attach(merchants.attach(events, up_to), up_to)
    unknowns = PAYMENT_ATTRIBUTES["merchant"] | PAYMENT_ATTRIBUTES["card"]
    return (
        events.with_columns(
            *[pl.col(column).fill_null(unknown) for column, unknown in unknowns.items()], card_key=card_key(pl.col("card_token"))
        )
        .drop("card_token")
        .rename({"_day": "date"})
        .sort("approved_at", "txn_id")
    )


@cache
def dimension_enums() -> dict[str, pl.Enum]:
    """Each register attribute a cell can be cut by, as an Enum of the codes its contract
    accepts plus its unknown. The monthly marts group a month of payments on these (and on
    merchant numbers): categorical keys group faster than strings."""
    enums = {}
    for kind, attributes in PAYMENT_ATTRIBUTES.items():
        register = contract(REGISTERS[kind][0])
        for column, unknown in attributes.items():
            enums[column] = pl.Enum(sorted({*register.column(column).allowed, unknown}))
    return enums | {"merchant_sigungu_cd": enums["sigungu_cd"]}


def coded(events: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """``events`` with the ``keys`` that have a ``dimension_enums`` entry as Enums and the
    merchant as a number (``_merchant``): what cell aggregations group and count on."""
    enums = dimension_enums()
    return events.with_columns(
        *[pl.col(k).cast(enums[k]) for k in keys if k in enums], _merchant=merchant_number(pl.col("merchant_id"))
    )


def decoded(cells: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """The cells' Enum keys back to the strings the marts publish."""
    return cells.with_columns(pl.col(k).cast(pl.String) for k in keys if k in dimension_enums())
