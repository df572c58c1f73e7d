"""gbsa: support awarded to small businesses by the Gyeonggi Business & Science Accelerator.

Awards go to the accelerator's pool (``businesses.LINKAGE``). Shops get marketing,
management-stability finance and start-up support; other firms also export, R&D and
smart-factory support, each with its typical amount.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.synth.businesses import Universe
from regional_econ.synth.common import Context, conform, day_ids, grouped_choice, weekday_factor

FEED = "gbsa/sme_support"
AWARDS = 100  # a day at real scale
# program: (Korean name, median award KRW, weight for shops, weight for other firms)
PROGRAMS = {
    "MARKETING": ("소상공인 온라인 마케팅 지원", 3e6, 0.50, 0.10),
    "EXPORT": ("중소기업 수출 지원", 15e6, 0.00, 0.20),
    "RND": ("기술개발(R&D) 지원", 100e6, 0.00, 0.25),
    "SMART_FACTORY": ("스마트공장 구축 지원", 50e6, 0.00, 0.20),
    "STARTUP": ("창업 지원", 30e6, 0.10, 0.10),
    "FINANCE": ("경영안정자금 지원", 50e6, 0.40, 0.15),
}


def awards(ctx: Context, universe: Universe, day: date) -> pl.DataFrame:
    gen = ctx.rng(FEED, day)
    pool = universe.pool("gbsa")
    n = min(len(pool), ctx.count(FEED, AWARDS, 1, day, factor=weekday_factor(day, 1.15, 0.45, 0.40)))
    biz = np.sort(gen.choice(pool, n, replace=False))  # one award per business a day
    shop = universe.frame["is_merchant"].gather(biz).to_numpy().astype(np.int64)
    names = list(PROGRAMS)
    # rows: (kind 0 = firm, 1 = shop) x program, grouped by kind
    table_kind = np.repeat([0, 1], len(names))
    table_w = np.array([PROGRAMS[p][3] for p in names] + [PROGRAMS[p][2] for p in names])
    program = grouped_choice(gen, shop, table_kind, table_w) % len(names)
    median = np.array([PROGRAMS[p][1] for p in names])[program]
    amount = np.clip(np.round(median * gen.lognormal(0, 0.5, n), -5), 1e5, 1e10).astype(np.int64)
    frame = pl.DataFrame(
        {
            "award_id": day_ids("AW", day, n),
            "biz_token": universe.frame["biz_token"].gather(biz),
            "program_cd": pl.Series([names[p] for p in program], dtype=pl.String),
            "program_name": pl.Series([f"{day.year}년 {PROGRAMS[names[p]][0]}" for p in program], dtype=pl.String),
            "support_krw": amount,
            "awarded_on": day,
        }
    )
    return conform(contract(FEED), frame)
