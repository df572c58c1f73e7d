"""gtp: the Gyeonggi Technopark's quarterly snapshot of the technology firms it supports.

Firms are the technopark's pool (``businesses.LINKAGE``), all firms outside kona with a
manufacturing or IT industry code; the technology field follows the industry. R&D spend,
patents and headcount move a little from quarter to quarter; venture certification is a
property of the firm.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.periods import period_label
from regional_econ.synth.businesses import Universe
from regional_econ.synth.common import Context, conform, day_number

FEED = "gtp/tech_firms"
FIELDS = ("ICT", "BIO", "MATERIALS", "MACHINERY", "ENERGY", "SEMICONDUCTOR", "MOBILITY")
FIELD_BY_KSIC = {  # weights over FIELDS
    "26410": (0.45, 0.0, 0.05, 0.0, 0.05, 0.45, 0.0),
    "29150": (0.0, 0.05, 0.25, 0.40, 0.15, 0.0, 0.15),
    "62010": (0.80, 0.15, 0.0, 0.0, 0.0, 0.0, 0.05),
}
EVEN = tuple(1 / len(FIELDS) for _ in FIELDS)


def snapshot(ctx: Context, universe: Universe, key: str, as_of: date) -> pl.DataFrame:
    """The snapshot of the quarter starting ``key`` as known on ``as_of``."""
    biz = universe.frame
    rows = universe.pool("gtp")
    rows = rows[biz["founded_on"].cast(pl.Int32).gather(rows).to_numpy() <= day_number(as_of)]
    n = len(rows)
    # Properties of the firm, the same every quarter: one stream each, indexed by row number.
    size = int(rows.max()) + 1 if n else 0
    field_u = ctx.rng(f"{FEED}:field").random(size)[rows]
    venture = ctx.rng(f"{FEED}:venture").random(size)[rows] < 0.4
    patents_base = ctx.rng(f"{FEED}:patents").negative_binomial(1, 0.15, size)[rows]
    rnd_share = ctx.rng(f"{FEED}:rnd").uniform(0.05, 0.3, size)[rows]
    gen = ctx.rng(FEED, date.fromisoformat(key))
    ksic = biz["ksic_cd"].gather(rows).to_list()
    cum = [np.cumsum(FIELD_BY_KSIC.get(k, EVEN)) for k in ksic]
    field = [
        FIELDS[min(int(np.searchsorted(c, u * c[-1], side="right")), len(FIELDS) - 1)] for c, u in zip(cum, field_u, strict=True)
    ]
    revenue = biz["revenue_krw"].gather(rows).to_numpy()
    frame = pl.DataFrame(
        {
            "biz_token": biz["biz_token"].gather(rows),
            "base_quarter": period_label("quarterly", key),
            "tech_field_cd": pl.Series(field, dtype=pl.String),
            "rnd_krw": np.clip(np.round(revenue * rnd_share * gen.lognormal(0, 0.1, n), -6), 0, 1e12).astype(np.int64),
            "patents": (patents_base + gen.binomial(2, 0.2, n)).astype(np.int32),
            "employees": np.maximum(1, np.round(biz["employees"].gather(rows).to_numpy() * gen.lognormal(0, 0.04, n))).astype(
                np.int32
            ),
            "is_venture": venture,
        }
    )
    return conform(contract(FEED), frame).sort("biz_token")
