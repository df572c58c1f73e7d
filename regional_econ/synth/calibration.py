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
from regional_econ.synth import areas, calendar
from regional_econ.synth.common import grouped_choice

MISSING_INTENSITY = 0.05  # below this share of the median city's spending per resident, a city had not joined
INTENSITY_RANGE = (0.5, 2.0)  # a joined city's spending per resident, relative to the median city's
MIN_AGE_PAYMENTS = 1_000  # an area with fewer 2019 payments by age takes the province's age mix
TICKET_SIGMA = 0.8  # lognormal spread of one payment around its cell's mean

# Relative mean ticket per category (restaurant = 12,000), before each area's level from the portal.
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
def area_tickets() -> dict[str, float]:
    """Per 2019 area, the factor on ``_TICKET`` that gives its mean ticket in the portal
    (amount over payments): an area's payments are sum over categories of amount / ticket.
    Areas with fewer than ``MIN_AGE_PAYMENTS`` payments (not joined in 2019) take the
    payment-weighted mean of the others, so that the province's mean ticket is the portal's."""
    amounts = table("calibration_spending_share")
    counts = dict(table("calibration_age_usage").group_by("sigungu_cd").agg(pl.col("payments").sum()).iter_rows())
    relative = amounts.with_columns(implied=pl.col("amount_krw") / pl.col("category_cd").replace_strict(_TICKET)).sort(
        "sigungu_cd", "category_cd", "gender"
    )
    codes_, first = np.unique(relative["sigungu_cd"].to_numpy(), return_index=True)
    implied = dict(zip(codes_, np.add.reduceat(relative["implied"].to_numpy(), first), strict=True))  # summed in row order
    counted = {a: counts[a] for a in sorted(counts) if counts[a] >= MIN_AGE_PAYMENTS}
    mean = sum(counted.values()) and sum(implied[a] for a in counted) / sum(counted.values())
    return {a: implied[a] / counted[a] if a in counted else mean for a in sorted(implied)}


def mean_ticket_krw() -> float:
    """The portal's mean ticket: every amount over every payment."""
    return float(table("calibration_spending_share")["amount_krw"].sum() / table("calibration_age_usage")["payments"].sum())


def category_amount_shares(cells: pl.DataFrame) -> np.ndarray:
    """Amount share per category (in ``categories()`` order) of a table with category_cd and share.

    Sums here and below use numpy, which adds in row order: polars' parallel group-by may
    add in a thread-dependent order, and the last bit of a probability changes draws.
    """
    index = cells["category_cd"].str.slice(1).cast(pl.Int64).to_numpy() - 1
    return np.bincount(index, weights=cells["share"].to_numpy(), minlength=len(categories()))


# How prices end, per category group (``calendar.GROUPS``): the share of payments in whole
# 10, 100, 500, 1,000 and 10,000 KRW. Menus end in hundreds, shop tills in tens, clothes and
# haircuts in thousands, academies' fees in ten thousands, fuel by the litre.
PRICE_UNITS = (10, 100, 500, 1_000, 10_000)
PRICE_ENDINGS = {
    "G1": (0.10, 0.50, 0.25, 0.15, 0.00),
    "G2": (0.55, 0.35, 0.05, 0.05, 0.00),
    "G3": (0.05, 0.25, 0.10, 0.55, 0.05),
    "G4": (0.15, 0.70, 0.10, 0.05, 0.00),
    "G5": (0.05, 0.20, 0.10, 0.40, 0.25),
    "G6": (0.60, 0.20, 0.05, 0.10, 0.05),
    "G7": (0.05, 0.20, 0.15, 0.50, 0.10),
}


def prices(gen: np.random.Generator, raw: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Amounts rounded to the unit their group's prices end in (never below one unit)."""
    table_group = np.repeat(np.arange(len(PRICE_ENDINGS)), len(PRICE_UNITS))
    weights = np.array([PRICE_ENDINGS[g] for g in calendar.GROUPS]).ravel()
    unit = np.array(PRICE_UNITS)[grouped_choice(gen, group, table_group, weights) % len(PRICE_UNITS)]
    return np.maximum(unit, np.round(raw / unit) * unit).astype(np.int64)


def ticket_mu(mean: np.ndarray) -> np.ndarray:
    """Lognormal mu of each payment so that E[amount] is its cell's mean ticket."""
    return np.log(mean) - TICKET_SIGMA**2 / 2


@cache
def area_intensity() -> pl.DataFrame:
    """Per 2019 area: residents, spending per resident in the portal's latest full month
    (relative to the median city's), and the intensity the generator uses.

    The 2019 table caught cities mid-rollout: ten areas (Seongnam, Anyang, Siheung, Gimpo,
    Pyeongtaek, Uiwang, Pocheon) had not joined, and early campaigns (Gunpo, Yangpyeong, Hanam)
    ran several times their residents' share. A joined currency's use follows residents, so a
    city below ``MISSING_INTENSITY`` of the median takes the median, and the others are kept
    within ``INTENSITY_RANGE`` of it.
    """
    month = table("calibration_area_month")
    latest = month.filter(pl.col("month") == month["month"].max()).select("sigungu_cd", "amount_krw")
    codes = month["sigungu_cd"].unique().sort()
    frame = (
        pl.DataFrame({"sigungu_cd": codes, "residents_k": [areas.POPULATION_K[c] for c in codes]})
        .join(latest, on="sigungu_cd", how="left")
        .with_columns(pl.col("amount_krw").fill_null(0))
        .with_columns(
            observed=(pl.col("amount_krw") / pl.col("amount_krw").sum()) / (pl.col("residents_k") / pl.col("residents_k").sum())
        )
    )
    observed = frame["observed"].to_numpy()
    joined = observed >= MISSING_INTENSITY * np.median(observed)
    median = float(np.median(observed[joined]))
    low, high = INTENSITY_RANGE
    used = np.where(joined, np.clip(observed / median, low, high), 1.0)
    return frame.with_columns(observed=pl.Series(observed / median), joined=pl.Series(joined), intensity=pl.Series(used)).select(
        "sigungu_cd", "residents_k", "amount_krw", "joined", "observed", "intensity"
    )


def calibrated_shares() -> pl.DataFrame:
    """The 2019 cells re-weighted: each area's total from its residents and intensity; its
    category x gender mix its own where it had joined, the joined areas' mix where not."""
    cells = table("calibration_spending_share")
    weights = area_intensity().select("sigungu_cd", "joined", w=pl.col("residents_k") * pl.col("intensity"))
    cells = cells.join(weights, on="sigungu_cd")
    joined = cells.filter("joined")
    # Integer amounts: their sums are exact in any order (a float sum's last bit could change a draw).
    own = joined.with_columns(mix=pl.col("amount_krw") / pl.col("amount_krw").sum().over("sigungu_cd"))
    province = (
        joined.group_by("category_cd", "gender")
        .agg(mix=pl.col("amount_krw").sum())
        .with_columns(pl.col("mix") / pl.col("mix").sum())
    )
    missing = weights.filter(~pl.col("joined")).join(province, how="cross")
    mixed = pl.concat(
        [
            own.select("sigungu_cd", "category_cd", "gender", "w", "mix"),
            missing.select("sigungu_cd", "category_cd", "gender", "w", "mix"),
        ]
    ).sort("sigungu_cd", "category_cd", "gender")
    area_total = float(np.sum(weights.sort("sigungu_cd")["w"].to_numpy()))
    share = mixed["w"].to_numpy() * mixed["mix"].to_numpy() / area_total
    factor = area_tickets()
    return mixed.select("sigungu_cd", "category_cd", "gender").with_columns(
        share=pl.Series(share),
        amount_krw=pl.Series(np.round(share * 1e12).astype(np.int64)),
        ticket=pl.col("category_cd").replace_strict(_TICKET, return_dtype=pl.Float64)
        * pl.col("sigungu_cd").replace_strict(factor, return_dtype=pl.Float64),
    )


def spending_cells(day: date) -> pl.DataFrame:
    """Merchant area x category x gender on ``day``: amount share and payment weight.

    Columns: sigungu_cd, category_cd, gender, area_i, category_i, share (amount, sums to 1),
    payments (relative payment weight, sums to 1), ticket (mean KRW of a payment).
    """
    return _spending_cells(areas.regime(day))


@cache
def _spending_cells(day: date) -> pl.DataFrame:
    # Cached per area regime (``areas.regime``), not per day: the tables change only when areas do.
    cells = areas.split_bucheon(calibrated_shares(), day, ("share", "amount_krw"))
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
    payments = cells["share"].to_numpy() / cells["ticket"].to_numpy()
    return cells.with_columns(payments=pl.Series(payments / payments.sum())).select(
        "sigungu_cd", "category_cd", "gender", "area_i", "category_i", "share", "payments", "ticket"
    )


def merchant_cells(day: date) -> pl.DataFrame:
    """Area x category with its share of payments (how many merchants a cell needs) and of amount."""
    return _merchant_cells(areas.regime(day))


@cache
def _merchant_cells(day: date) -> pl.DataFrame:
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


def age_by_area(day: date) -> pl.DataFrame:
    """Home area x age band -> share of payments (cardholders' ages per home area)."""
    return _age_by_area(areas.regime(day))


@cache
def _age_by_area(day: date) -> pl.DataFrame:
    ages = table("calibration_age_usage")
    counted = ages.group_by("sigungu_cd").agg(pl.col("payments").sum())
    thin = counted.filter(pl.col("payments") < MIN_AGE_PAYMENTS)["sigungu_cd"]
    province = (
        ages.filter(~pl.col("sigungu_cd").is_in(thin.implode()))
        .group_by("age_band")
        .agg(payments=pl.col("payments").sum())
        .with_columns(share=pl.col("payments") / pl.col("payments").sum())
    )
    filled = pl.DataFrame({"sigungu_cd": thin}).join(province, how="cross")
    ages = pl.concat([ages.filter(~pl.col("sigungu_cd").is_in(thin.implode())), filled.select(ages.columns)])
    ages = areas.split_bucheon(ages, day)
    return ages.select("sigungu_cd", "age_band", "share").sort("sigungu_cd", "age_band")


def currency_by_area(day: date) -> pl.DataFrame:
    """Merchant area x currency -> share of payments, made usable for every area.

    Where the area's own si currency carried at least half of the 2019 payments the portal
    shares are used as they are (99%+ home currency, a trickle of other cities' cards).
    Cities whose currency was not on the 2019 platform (Seongnam, Anyang, Gimpo...) show
    only stray foreign payments in 2019; there the home currency takes 90% and the 2019
    mix the other 10%, so that their residents' own cards are used.
    """
    return _currency_by_area(areas.regime(day))


@cache
def _currency_by_area(day: date) -> pl.DataFrame:
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
