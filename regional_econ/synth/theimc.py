"""theimc: weekly mentions, search interest and sentiment by area x category x age x gender.

The full grid of areas valid on the Monday x 34 categories x 9 age bands x 2 genders,
minus cells with no mention that week. Mentions follow residents (population), the
category's weight in spending (flattened: people talk about travel far more than they
pay for it with a local currency), a young-skewed age profile and the category's gender
mix in spending; the week's category trend (``calibration.category_trend``) moves both
mentions here and spending in kona/transactions, so the two feeds are correlated.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.reference import codes, table
from regional_econ.synth import areas, calibration, events
from regional_econ.synth.common import Context, conform

FEED = "theimc/consumer_trends"
MENTIONS = 5_000_000  # a week at real scale
MIN_MENTIONS = 20_000  # a week at tiny scales, so the grid is not empty
AGE_WEIGHT = {"10": 0.12, "20": 0.28, "30": 0.24, "40": 0.17, "50": 0.11, "60": 0.06, "70": 0.015, "80": 0.004, "90+": 0.001}
SENTIMENT = {
    "C27": 0.35,
    "C24": 0.25,
    "C16": 0.3,
    "C19": 0.4,
    "C10": 0.35,
    "C11": -0.05,
    "C26": 0.0,
    "C18": 0.05,
    "C20": -0.1,
    "C28": -0.05,
    "C33": 0.05,
}


def snapshot(ctx: Context, key: str) -> pl.DataFrame:
    monday = date.fromisoformat(key)
    gen = ctx.rng(FEED, monday)
    area_codes, pop = areas.population_weights(monday)
    cats = calibration.categories()
    spending = table("calibration_spending_share")
    cat_share = calibration.category_amount_shares(spending)
    women = calibration.category_amount_shares(spending.filter(pl.col("gender") == "F"))
    f_share = np.divide(women, cat_share, out=np.full(len(cats), 0.5), where=cat_share > 0)
    cat_w = np.sqrt(cat_share)
    cat_w *= calibration.category_trend(ctx.seed, monday)
    cat_w *= events.category_factors(monday + timedelta(days=3), tuple(cats))  # a planted rise is talked about
    cat_w /= cat_w.sum()
    ages = tuple(codes("age_bands"))
    age_w = np.array([AGE_WEIGHT[a] for a in ages])
    age_w /= age_w.sum()
    # Grid as broadcast arrays: area x category x age x gender.
    lam = (
        pop[:, None, None, None]
        * cat_w[None, :, None, None]
        * age_w[None, None, :, None]
        * np.stack([f_share, 1 - f_share], axis=-1)[None, :, None, :]
    ) * max(MENTIONS * ctx.scale, MIN_MENTIONS)
    mentions = gen.poisson(lam * gen.lognormal(0, 0.2, lam.shape))
    a, c, g, s = np.nonzero(mentions)
    lam_cell, count = lam[a, c, g, s], mentions[a, c, g, s]
    peak = lam.max(axis=(0, 2, 3))  # search interest relative to the category's busiest cell
    search = np.clip(100 * np.sqrt(lam_cell / peak[c]) * gen.lognormal(0, 0.1, len(count)), 0, 100).round(1)
    trend = calibration.category_trend(ctx.seed, monday)
    base = np.array([SENTIMENT.get(x, 0.15) for x in cats])[c] + 2 * (trend[c] - 1)
    sentiment = np.clip(base + gen.normal(0, 1, len(count)) * 0.5 / np.sqrt(count + 1), -1, 1).round(3)
    frame = pl.DataFrame(
        {
            "week_start": monday,
            "sigungu_cd": pl.Series(np.array(area_codes)[a], dtype=pl.String),
            "category_cd": pl.Series(np.array(cats)[c], dtype=pl.String),
            "age_band": pl.Series(np.array(ages)[g], dtype=pl.String),
            "gender": pl.Series(np.array(["F", "M"])[s], dtype=pl.String),
            "mention_count": count.astype(np.int64),
            "search_index": search,
            "sentiment": sentiment,
        }
    )
    return conform(contract(FEED), frame)
