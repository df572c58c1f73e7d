"""gca: the Gyeonggi Content Agency's quarterly snapshot of content-industry firms.

Firms are the agency's pool (``businesses.LINKAGE``): game, film and software studios
plus a few shops (bookshops, culture and leisure venues) that also publish or produce.
The genre follows the industry code; revenue (last four quarters) and headcount move a
little from quarter to quarter.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.periods import period_label
from regional_econ.synth.businesses import Universe
from regional_econ.synth.common import Context, conform, day_number

FEED = "gca/content_firms"
GENRES = ("GAME", "WEBTOON", "VIDEO", "MUSIC", "ANIMATION", "CHARACTER", "PUBLISHING", "EDUTECH")
GENRE_BY_KSIC = {  # weights over GENRES; shops (any other code) mostly publish
    "58211": (0.85, 0.0, 0.0, 0.0, 0.05, 0.05, 0.0, 0.05),
    "59111": (0.0, 0.0, 0.55, 0.15, 0.25, 0.05, 0.0, 0.0),
    "62010": (0.15, 0.35, 0.0, 0.0, 0.0, 0.15, 0.0, 0.35),
}
SHOP = (0.0, 0.10, 0.0, 0.15, 0.0, 0.15, 0.60, 0.0)


def snapshot(ctx: Context, universe: Universe, key: str, as_of: date) -> pl.DataFrame:
    """The snapshot of the quarter starting ``key`` as known on ``as_of``."""
    biz = universe.frame
    rows = universe.pool("gca")
    rows = rows[biz["founded_on"].cast(pl.Int32).gather(rows).to_numpy() <= day_number(as_of)]
    n = len(rows)
    genre_u = ctx.rng(f"{FEED}:genre").random(int(rows.max()) + 1 if n else 0)[rows]  # a firm keeps its genre
    gen = ctx.rng(FEED, date.fromisoformat(key))
    ksic = biz["ksic_cd"].gather(rows).to_list()
    cum = [np.cumsum(GENRE_BY_KSIC.get(k, SHOP)) for k in ksic]
    genre = [
        GENRES[min(int(np.searchsorted(c, u * c[-1], side="right")), len(GENRES) - 1)] for c, u in zip(cum, genre_u, strict=True)
    ]
    frame = pl.DataFrame(
        {
            "biz_token": biz["biz_token"].gather(rows),
            "base_quarter": period_label("quarterly", key),
            "genre_cd": pl.Series(genre, dtype=pl.String),
            "revenue_krw": np.round(biz["revenue_krw"].gather(rows).to_numpy() * gen.lognormal(0, 0.08, n), -3).astype(np.int64),
            "employees": np.maximum(1, np.round(biz["employees"].gather(rows).to_numpy() * gen.lognormal(0, 0.04, n))).astype(
                np.int32
            ),
        }
    )
    return conform(contract(FEED), frame).sort("biz_token")
