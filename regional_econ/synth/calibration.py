"""What the real 2019 portal data says about spending, made usable on any date.

The reference calibration tables give AMOUNT shares by merchant area x category x gender,
payment shares by area x age band, and payment shares by merchant area x currency. The
generator draws payments, not amounts, so a cell's draw weight is its amount share divided
by the category's mean ticket: then amounts (ticket x count) land on the calibrated shares.
Tables are in the 42 areas of 2019; on a date after 2023 Bucheon's rows are split over its
three gu (``areas.split_bucheon``).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import cache

import numpy as np
import polars as pl

from regional_econ.reference import codes, table
from regional_econ.synth import areas

MEAN_TICKET_KRW = 17_000  # Gyeonggi's several trillion KRW a year at ~17,000 KRW a payment
TICKET_SIGMA = 0.8  # lognormal spread of one payment around its category's mean

# Relative mean ticket per category (restaurant = 12,000 before rescaling to MEAN_TICKET_KRW).
_TICKET = {
    "C01": 150_000,
    "C02": 45_000,
    "C03": 60_000,
    "C04": 80_000,
    "C05": 30_000,
    "C06": 30_000,
    "C07": 35_000,
    "C08": 30_000,
    "C09": 50_000,
    "C10": 25_000,
    "C11": 40_000,
    "C12": 25_000,
    "C13": 60_000,
    "C14": 15_000,
    "C15": 35_000,
    "C16": 70_000,
    "C17": 35_000,
    "C18": 12_000,
    "C19": 150_000,
    "C20": 50_000,
    "C21": 40_000,
    "C22": 25_000,
    "C23": 14_000,
    "C24": 11_000,
    "C25": 50_000,
    "C26": 12_000,
    "C27": 12_000,
    "C28": 80_000,
    "C29": 300_000,
    "C30": 120_000,
    "C31": 30_000,
    "C32": 40_000,
    "C33": 160_000,
    "C34": 60_000,
}


@cache
def categories() -> tuple[str, ...]:
    return tuple(codes("merchant_categories"))


@cache
def mean_tickets() -> dict[str, float]:
    """Mean ticket per category, scaled so that the payment-weighted mean is MEAN_TICKET_KRW."""
    share = dict(zip(categories(), category_amount_shares(table("calibration_spending_share")), strict=True))
    payments = sum(share[c] / _TICKET[c] for c in categories())
    factor = MEAN_TICKET_KRW * payments  # 1 / payments = unscaled mean ticket
    return {c: _TICKET[c] * factor for c in categories()}


def category_amount_shares(cells: pl.DataFrame) -> np.ndarray:
    """Amount share per category (in ``categories()`` order) of a table with category_cd and share.

    Sums here and below use numpy, which adds in row order: polars' parallel group-by may
    add in a thread-dependent order, and the last bit of a probability changes draws.
    """
    index = cells["category_cd"].str.slice(1).cast(pl.Int64).to_numpy() - 1
    return np.bincount(index, weights=cells["share"].to_numpy(), minlength=len(categories()))


def ticket_mu(category_index: np.ndarray) -> np.ndarray:
    """Lognormal mu of each payment's category so that E[amount] is the category's mean."""
    means = np.array([mean_tickets()[c] for c in categories()])
    return np.log(means[category_index]) - TICKET_SIGMA**2 / 2


@cache
def spending_cells(day: date) -> pl.DataFrame:
    """Merchant area x category x gender on ``day``: amount share and payment weight.

    Columns: sigungu_cd, category_cd, gender, area_i, category_i, share (amount, sums to 1),
    payments (relative payment weight, sums to 1).
    """
    cells = areas.split_bucheon(table("calibration_spending_share"), day, ("share", "amount_krw"))
    cells = (
        cells.filter(pl.col("share") > 0)
        .with_columns(
            area_i=pl.col("sigungu_cd").replace_strict(
                {c: i for i, c in enumerate(areas.all_leaf_codes())}, return_dtype=pl.Int64
            ),
            category_i=pl.col("category_cd").str.slice(1).cast(pl.Int64) - 1,
        )
        .sort("area_i", "category_i", "gender")
    )
    ticket = np.array([mean_tickets()[c] for c in categories()])[cells["category_i"].to_numpy()]
    payments = cells["share"].to_numpy() / ticket
    return cells.with_columns(payments=pl.Series(payments / payments.sum())).select(
        "sigungu_cd", "category_cd", "gender", "area_i", "category_i", "share", "payments"
    )


def merchant_cells(day: date) -> pl.DataFrame:
    """Area x category with its share of payments (how many merchants a cell needs) and of amount."""
    cells = spending_cells(day)
    key = cells["area_i"].to_numpy() * len(categories()) + cells["category_i"].to_numpy()
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return (
        cells[first]
        .select("sigungu_cd", "category_cd", "area_i", "category_i")
        .with_columns(
            payments=pl.Series(np.bincount(inverse, weights=cells["payments"].to_numpy())),
            share=pl.Series(np.bincount(inverse, weights=cells["share"].to_numpy())),
        )
    )


@cache
def age_by_area(day: date) -> pl.DataFrame:
    """Home area x age band -> share of payments (cardholders' ages per home area)."""
    ages = areas.split_bucheon(table("calibration_age_usage"), day)
    return ages.select("sigungu_cd", "age_band", "share").sort("sigungu_cd", "age_band")


@cache
def currency_by_area(day: date) -> pl.DataFrame:
    """Merchant area x currency -> share of payments, made usable for every area.

    Where the area's own si currency carried at least half of the 2019 payments the portal
    shares are used as they are (99%+ home currency, a trickle of other cities' cards).
    Cities whose currency was not on the 2019 platform (Seongnam, Anyang, Gimpo...) show
    only stray foreign payments in 2019; there the home currency takes 90% and the 2019
    mix the other 10%, so that their residents' own cards are used.
    """
    raw = areas.split_bucheon(table("calibration_currency_usage"), day)
    si = areas.si_of()
    rows = []
    for code in areas.codes_on(day):
        mix = raw.filter(pl.col("sigungu_cd") == code)
        home = si[code]
        shares = dict(zip(mix["currency_cd"].to_list(), mix["share"].to_list(), strict=True))
        if shares.get(home, 0.0) < 0.5:
            total = sum(shares.values()) or 1.0
            shares = {k: 0.1 * v / total for k, v in shares.items()}
            shares[home] = shares.get(home, 0.0) + (0.9 if mix.height else 1.0)
        rows += [(code, k, v) for k, v in sorted(shares.items())]
    return pl.DataFrame(rows, schema={"sigungu_cd": pl.String, "currency_cd": pl.String, "share": pl.Float64}, orient="row")


def category_trend(seed: int, day: date) -> np.ndarray:
    """Weekly demand factor per category (~ +-5%): seasonal wave plus weekly noise.

    The same factor moves the category's spending in kona/transactions and its mentions and
    search interest in theimc/consumer_trends, so the two feeds are correlated. Factors are
    normalized so that the total amount is unchanged.
    """
    monday = day - timedelta(days=day.weekday())
    week = (monday - date(1970, 1, 5)).days // 7
    phase = np.random.default_rng([seed & 0xFFFFFFFF, 7001]).uniform(0, 2 * math.pi, len(categories()))
    noise = np.random.default_rng([seed & 0xFFFFFFFF, 7002, week]).normal(0, 0.02, len(categories()))
    factor = np.exp(0.04 * np.sin(2 * math.pi * week / 52 + phase) + noise)
    weights = category_amount_shares(spending_cells(monday))
    return factor / float((weights * factor).sum())
