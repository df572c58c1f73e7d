"""msc: household finance counselling cases of the Money Stress Prevention Center.

Clients come from where people live, mostly of working age; the kind and size of debt
shape the outcome: small card and credit-loan debts end in education or a welfare link,
large ones in debt adjustment or a bankruptcy referral. Client tokens are the center's
own pseudonyms (never joined across centers).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.synth import areas
from regional_econ.synth.common import Context, choice, codes_at, conform, day_ids, grouped_choice, hex_tokens, weekday_factor

FEED = "msc/counseling_cases"
CASES = 150  # a day at real scale
AGES = {"20": 0.12, "30": 0.18, "40": 0.24, "50": 0.24, "60": 0.15, "70": 0.06, "80": 0.01}
DEBT_TYPES = {
    "CARD": 0.20,
    "CREDIT_LOAN": 0.35,
    "MORTGAGE": 0.08,
    "PRIVATE_LENDER": 0.07,
    "GUARANTEE": 0.05,
    "TAX_ARREARS": 0.05,
    "OTHER": 0.20,
}
BANDS = ("UNDER_10M", "10M_30M", "30M_50M", "50M_100M", "OVER_100M")
BAND_BY_TYPE = {  # weights over BANDS
    "CARD": (0.45, 0.35, 0.12, 0.06, 0.02),
    "CREDIT_LOAN": (0.20, 0.35, 0.25, 0.15, 0.05),
    "MORTGAGE": (0.02, 0.08, 0.15, 0.35, 0.40),
    "PRIVATE_LENDER": (0.35, 0.35, 0.15, 0.10, 0.05),
    "GUARANTEE": (0.10, 0.20, 0.25, 0.25, 0.20),
    "TAX_ARREARS": (0.40, 0.30, 0.15, 0.10, 0.05),
    "OTHER": (0.40, 0.30, 0.15, 0.10, 0.05),
}
OUTCOMES = ("DEBT_ADJUSTMENT", "BANKRUPTCY_REFERRAL", "WELFARE_LINK", "EDUCATION")
OUTCOME_BY_BAND = {
    "UNDER_10M": (0.15, 0.02, 0.33, 0.50),
    "10M_30M": (0.40, 0.08, 0.27, 0.25),
    "30M_50M": (0.55, 0.15, 0.15, 0.15),
    "50M_100M": (0.55, 0.25, 0.10, 0.10),
    "OVER_100M": (0.45, 0.40, 0.08, 0.07),
}


def cases(ctx: Context, day: date) -> pl.DataFrame:
    gen = ctx.rng(FEED, day)
    n = ctx.count(FEED, CASES, 1, day, factor=weekday_factor(day, 1.15, 0.45, 0.40))
    area_codes, w = areas.population_weights(day)
    types = list(DEBT_TYPES)
    debt_type = choice(gen, n, np.array(list(DEBT_TYPES.values())))
    band = grouped_choice(
        gen, debt_type, np.repeat(np.arange(len(types)), len(BANDS)), np.array([BAND_BY_TYPE[t] for t in types]).ravel()
    ) % len(BANDS)
    outcome = grouped_choice(
        gen, band, np.repeat(np.arange(len(BANDS)), len(OUTCOMES)), np.array([OUTCOME_BY_BAND[b] for b in BANDS]).ravel()
    ) % len(OUTCOMES)
    frame = pl.DataFrame(
        {
            "case_id": day_ids("CS", day, n),
            "client_token": hex_tokens(gen, n),
            "sigungu_cd": codes_at(area_codes, choice(gen, n, w)),
            "age_band": codes_at(list(AGES), choice(gen, n, np.array(list(AGES.values())))),
            "gender": codes_at(("F", "M"), (gen.random(n) < 0.55).astype(np.int64)),
            "debt_type": codes_at(types, debt_type),
            "debt_band": codes_at(BANDS, band),
            "outcome": codes_at(OUTCOMES, outcome),
            "opened_on": day,
        }
    )
    return conform(contract(FEED), frame)
