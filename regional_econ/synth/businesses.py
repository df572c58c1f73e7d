"""One business universe behind every center's ``biz_token``.

Each business has a 10-digit registration number (``common.business_numbers``) and the
token every center computes from it, ``HMAC-SHA256(common.BIZ_KEY, number)``, so the same
business carries the same token in kona, ked, gcgf, gbsa, gtp, gca and gjf. The universe
holds kona's merchant businesses (one per merchant, new ones join as merchants register)
plus firms that sell no consumer goods (manufacturers, IT, content studios).

Planted linkage (the SME-profile fusion and its linkage rates per center pair are tested
against these): ``KED_COVERAGE`` is the share of merchant businesses / other firms in the
ked/sme_credit snapshots; ``LINKAGE[feed]`` gives, for each feed drawing on the universe,
the share of its businesses that are kona merchants and the share known to ked. Pools are
drawn stratified (merchant x in-ked) so those shares hold exactly for the pool; a window's
feed shows a sample of its pool, so observed shares scatter around them
(``GenerationReport.linkage_observed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from regional_econ.synth import areas
from regional_econ.synth.common import Context, biz_tokens, business_numbers, dates, day_number

FIRMS = 40_000  # businesses outside kona (manufacturing, IT, content) at real scale
KED_COVERAGE = {"merchant": 0.60, "firm": 0.75}


@dataclass(frozen=True)
class Linkage:
    size: int  # pool of businesses at real scale
    floor: int  # pool size at tiny scales
    merchant: float  # share of the pool that are kona merchants
    ked: float  # share of the pool in ked/sme_credit


LINKAGE: dict[str, Linkage] = {
    "gcgf/guarantee_events": Linkage(40_000, 20, merchant=0.80, ked=0.90),
    "gbsa/sme_support": Linkage(20_000, 10, merchant=0.45, ked=0.80),
    "gjf/job_postings": Linkage(30_000, 10, merchant=0.55, ked=0.70),
    "gtp/tech_firms": Linkage(3_000, 5, merchant=0.0, ked=0.85),
    "gca/content_firms": Linkage(2_000, 5, merchant=0.10, ked=0.70),
}

# KSIC of firms by role (the reference ksic table's codes without a card category).
TECH_KSIC = {"26410": 0.35, "29150": 0.35, "62010": 0.30}
CONTENT_KSIC = {"58211": 0.40, "59111": 0.30, "62010": 0.30}
OTHER_FIRM_KSIC = {
    "29150": 0.28,
    "26410": 0.15,
    "62010": 0.15,
    "10712": 0.10,
    "01110": 0.06,
    "58211": 0.03,
    "59111": 0.03,
    "45110": 0.06,
    "75210": 0.06,
    "99990": 0.08,
}
CONTENT_MERCHANT_CATEGORIES = ("C14", "C10", "C08")  # bookshops, culture & hobby, leisure venues

# A business's sales follow its drift (log, a month, small) since it joined the timeline and, for the
# few planted as distressed, a steep decline from their onset day on (the credit early warning's cases).
DECLINE = -0.25  # log sales a month once a planted decline has started
NO_ONSET = np.iinfo(np.int32).max  # day number of "never declines"
TREND = ("drift", "since", "onset")  # the columns ``log_trend`` reads, on merchants and businesses

# Credit grade mix (AAA..D), applied to a score. Most SMEs sit at BBB and BB; B or worse, where
# a bureau's observed default rates rise above a few percent a year, is about a fifth of them
# (22%: B 16%, CCC 4%, CC..D 2%), so the early warning's credit condition picks a minority.
# A distressed business starts a notch worse and falls another every ``NOTCH_MONTHS`` (``ked``).
GRADE_MIX = [0.003, 0.012, 0.055, 0.25, 0.46, 0.16, 0.04, 0.012, 0.005, 0.003]


def log_trend(drift: np.ndarray, since: np.ndarray, onset: np.ndarray, day: date) -> np.ndarray:
    """Log of a business's sales on ``day`` relative to its level: ``drift`` a month since day number
    ``since``, plus ``DECLINE`` a month since its ``onset`` (``NO_ONSET``: none)."""
    dn = day_number(day)
    return (np.asarray(drift) * np.maximum(0, dn - np.asarray(since)) + DECLINE * np.maximum(0, dn - np.asarray(onset))) / 30.4


def declining(onset: np.ndarray, day: date) -> np.ndarray:
    """Businesses whose planted decline has started by ``day``."""
    return np.asarray(onset) <= day_number(day)


class Universe:
    """Every business as rows of ``frame``; a business's row number never changes."""

    def __init__(self, ctx: Context, merchants: pl.DataFrame):
        """Build from kona's base merchants (columns biz_key, ksic_cd, sigungu_cd, sales_krw,
        registered_on, closed_on, drift, since, onset, category_cd) plus non-merchant firms."""
        self.ctx = ctx
        gen = ctx.rng("businesses")
        shops = self._merchant_businesses(gen, merchants)
        firms = self._firms(gen, first_key=int(merchants["biz_key"].max()) + 1)
        frame = pl.concat([shops, firms], how="diagonal_relaxed")
        self.frame = self._with_pools(gen, frame)

    # -- construction ------------------------------------------------------------------

    def _merchant_businesses(self, gen: np.random.Generator, merchants: pl.DataFrame) -> pl.DataFrame:
        n = merchants.height
        registered = merchants["registered_on"].cast(pl.Int32).to_numpy()
        # Revenue of the last fiscal year: at least the card sales that set the sales class.
        revenue = (merchants["sales_krw"].to_numpy() * gen.uniform(1.0, 1.1, n)).round(-3).astype(np.int64)
        distressed = merchants["onset"].to_numpy() != NO_ONSET
        margin = np.where(distressed, gen.normal(-0.05, 0.05, n), gen.normal(0.08, 0.07, n))
        in_ked = np.zeros(n, dtype=bool)
        in_ked[gen.permutation(n)[: round(KED_COVERAGE["merchant"] * n)]] = True
        return pl.DataFrame(
            {
                "biz_key": merchants["biz_key"],
                "is_merchant": np.ones(n, dtype=bool),
                "ksic_cd": merchants["ksic_cd"],
                "sigungu_cd": merchants["sigungu_cd"],
                "founded_on": dates(registered - gen.integers(0, 2500, n)),
                "revenue_krw": revenue,
                "employees": np.maximum(0, np.round(revenue / 60e6 * gen.lognormal(0, 0.4, n))).astype(np.int32),
                "margin": margin,
                "grade_rank": self._grades(gen, margin),
                "distressed": distressed,  # planted to decline from ``onset``
                **{c: merchants[c].to_numpy() for c in TREND},
                "in_ked": in_ked,
                "closed_before": merchants["closed_on"].is_not_null(),
                "category_cd": merchants["category_cd"],
            }
        )

    def _firms(self, gen: np.random.Generator, first_key: int) -> pl.DataFrame:
        n = max(30, round(FIRMS * self.ctx.scale))
        codes, w = areas.population_weights(self.ctx.opening, firms=True)
        revenue = gen.lognormal(np.log(1.5e9), 1.1, n).round(-4).astype(np.int64)
        margin = gen.normal(0.06, 0.08, n)
        in_ked = np.zeros(n, dtype=bool)
        in_ked[gen.permutation(n)[: round(KED_COVERAGE["firm"] * n)]] = True
        start = day_number(self.ctx.opening)
        return pl.DataFrame(
            {
                "biz_key": np.arange(first_key, first_key + n, dtype=np.int64),
                "is_merchant": np.zeros(n, dtype=bool),
                "ksic_cd": pl.Series([None] * n, dtype=pl.String),  # set once roles are known
                "sigungu_cd": np.array(codes)[gen.choice(len(codes), n, p=w)],
                "founded_on": dates(start - gen.integers(100, 8000, n)),
                "revenue_krw": revenue,
                "employees": np.clip(np.round(revenue / 150e6 * gen.lognormal(0, 0.5, n)), 1, 20_000).astype(np.int32),
                "margin": margin,
                "grade_rank": self._grades(gen, margin),
                "distressed": np.zeros(n, dtype=bool),
                "drift": np.zeros(n),
                "since": np.full(n, start, dtype=np.int64),
                "onset": np.full(n, NO_ONSET, dtype=np.int64),
                "in_ked": in_ked,
                "closed_before": np.zeros(n, dtype=bool),
                "category_cd": pl.Series([None] * n, dtype=pl.String),
            }
        )

    @staticmethod
    def _grades(gen: np.random.Generator, margin: np.ndarray) -> np.ndarray:
        """Rank 1 (AAA) .. 10 (D): a noisy score from the margin cut at GRADE_MIX quantiles (a
        planted decline lowers it further once it starts, in ``ked``)."""
        score = -margin * 8 + gen.normal(0, 1, len(margin))
        cuts = np.quantile(score, np.cumsum(GRADE_MIX)[:-1]) if len(score) > 10 else np.linspace(-2, 2, 9)
        rank = 1 + np.searchsorted(cuts, score)
        return np.clip(rank, 1, 10).astype(np.int32)

    def _with_pools(self, gen: np.random.Generator, frame: pl.DataFrame) -> pl.DataFrame:
        """Draw each feed's pool stratified by merchant x in-ked; give firms their KSIC."""
        merchant = frame["is_merchant"].to_numpy()
        in_ked = frame["in_ked"].to_numpy()
        alive = ~frame["closed_before"].to_numpy()
        taken_firm = np.zeros(frame.height, dtype=bool)  # firms already given a role
        flags: dict[str, np.ndarray] = {}
        category = frame["category_cd"].fill_null("").to_numpy()
        content_shop = np.isin(category, CONTENT_MERCHANT_CATEGORIES)
        for feed, link in LINKAGE.items():
            size = max(link.floor, round(link.size * self.ctx.scale))
            eligible = alive.copy()
            if feed in ("gtp/tech_firms", "gca/content_firms"):
                eligible &= ~taken_firm  # a firm is a tech firm or a content firm, not both
            shop_ok = eligible & merchant
            if feed == "gca/content_firms" and (shop_ok & content_shop).any():
                shop_ok &= content_shop
            pool = np.zeros(frame.height, dtype=bool)
            for is_shop, ok in ((True, shop_ok), (False, eligible & ~merchant)):
                share = link.merchant if is_shop else 1 - link.merchant
                for known, k_share in ((True, link.ked), (False, 1 - link.ked)):
                    want = round(size * share * k_share)
                    candidates = np.flatnonzero(ok & (in_ked == known))
                    if want and len(candidates):
                        pool[gen.choice(candidates, min(want, len(candidates)), replace=False)] = True
            flags[feed] = pool
            if feed in ("gtp/tech_firms", "gca/content_firms"):
                taken_firm |= pool & ~merchant
        ksic = frame["ksic_cd"].to_numpy().astype(object)
        for mask, mix in (
            (flags["gtp/tech_firms"] & ~merchant, TECH_KSIC),
            (flags["gca/content_firms"] & ~merchant, CONTENT_KSIC),
            (~merchant & ~flags["gtp/tech_firms"] & ~flags["gca/content_firms"], OTHER_FIRM_KSIC),
        ):
            codes, w = list(mix), np.array(list(mix.values()))
            ksic[mask] = np.array(codes)[gen.choice(len(codes), int(mask.sum()), p=w / w.sum())]
        columns = {feed.split("/")[0]: flag for feed, flag in flags.items()}
        numbers = business_numbers(self.ctx.seed, frame["biz_key"].to_numpy())
        return frame.with_columns(
            pl.Series("ksic_cd", ksic, dtype=pl.String),
            biz_tokens(numbers).alias("biz_token"),
            *[pl.Series(f"pool_{c}", v) for c, v in columns.items()],
        )

    # -- growth -------------------------------------------------------------------------

    def add_merchant_businesses(self, day: date, merchants: pl.DataFrame) -> None:
        """Businesses of merchants registering on ``day`` (founded shortly before)."""
        n = merchants.height
        gen = self.ctx.rng("businesses:new", day)
        revenue = (merchants["sales_krw"].to_numpy() * gen.uniform(1.0, 1.1, n)).round(-3).astype(np.int64)
        margin = gen.normal(0.05, 0.08, n)
        numbers = business_numbers(self.ctx.seed, merchants["biz_key"].to_numpy())
        new = pl.DataFrame(
            {
                "biz_key": merchants["biz_key"],
                "is_merchant": np.ones(n, dtype=bool),
                "ksic_cd": merchants["ksic_cd"],
                "sigungu_cd": merchants["sigungu_cd"],
                "founded_on": dates(day_number(day) - gen.integers(0, 60, n)),
                "revenue_krw": revenue,
                "employees": np.maximum(0, np.round(revenue / 60e6 * gen.lognormal(0, 0.4, n))).astype(np.int32),
                "margin": margin,
                "grade_rank": self._grades(gen, margin),
                "distressed": merchants["onset"].to_numpy() != NO_ONSET,
                **{c: merchants[c].to_numpy() for c in TREND},
                "in_ked": gen.random(n) < KED_COVERAGE["merchant"],
                "closed_before": np.zeros(n, dtype=bool),
                "category_cd": merchants["category_cd"],
                "biz_token": biz_tokens(numbers),
            }
        )
        pools = [pl.lit(False).alias(c) for c in self.frame.columns if c.startswith("pool_")]  # no pool takes them
        self.frame = pl.concat([self.frame, new.with_columns(pools)], how="diagonal_relaxed")

    # -- views ---------------------------------------------------------------------------

    def pool(self, center: str) -> np.ndarray:
        """Row numbers of the businesses a center draws on."""
        return np.flatnonzero(self.frame[f"pool_{center}"].to_numpy())

    def areas_on(self, rows: np.ndarray, day: date) -> np.ndarray:
        """Area codes of businesses valid on ``day`` (Bucheon's gu stable per business)."""
        codes = self.frame["sigungu_cd"].gather(rows).to_numpy()
        return areas.recode(codes, self.frame["biz_key"].gather(rows).to_numpy(), day)


DECLINES = "_declines.csv"


def write_declines(out: Path, universe: Universe, merchants: pl.DataFrame, last: date) -> int:
    """The planted declines that have begun by ``last`` (of businesses whose shop had not closed
    before): ``<out>/_declines.csv`` (biz_token, onset), the credit early warning's ground truth beside
    the events'. ``merchants``: kona's register (biz_key, closed_on). Returns how many."""
    closed = merchants.select("biz_key", closed=pl.col("closed_on").cast(pl.Int32))
    frame = (
        universe.frame.filter(pl.col("onset") <= day_number(last))
        .join(closed, on="biz_key", how="left")
        .filter(pl.col("closed").is_null() | (pl.col("closed") >= pl.col("onset")))
        .select("biz_token", onset=pl.col("onset").cast(pl.Int32).cast(pl.Date))
    )
    frame.sort("biz_token").write_csv(Path(out) / DECLINES)
    return frame.height
