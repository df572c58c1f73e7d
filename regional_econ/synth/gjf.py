"""gjf: job postings, job seekers and placements of the Gyeonggi Job Foundation.

Postings come from the foundation's employer pool (``businesses.LINKAGE``): a shop mostly
hires for the occupation its category needs (a restaurant cooks and serves), a firm for
its industry's. Seekers register from where people live and want jobs that are not quite
the ones offered (office work over factory work), so areas show a real mismatch.

Each day's placements fill openings of postings delivered on or before that day (in the
window): a posting is rarely filled on the day it appears, most often on its second day,
then at a declining rate. The seeker is registered on or before the hire date, not yet
placed, and wants that occupation 60% of the time. Status changes are upserts: a posting
whose last opening is filled on a later day reappears as FILLED that day; one that reached
its closing date unfilled reappears as CLOSED the day after.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.reference import codes, table
from regional_econ.synth import areas, events
from regional_econ.synth.businesses import LINKAGE, TREND, Universe, log_trend
from regional_econ.synth.common import Context, choice, codes_at, conform, dates, day_ids, day_number, hex_tokens, weekday_factor
from regional_econ.transforms.jobs import REGISTRATION_DAYS

# A day at real scale. A posting averages about 2.2 openings, so openings per seeker are about
# 0.6, as in the employment service's statistics (more seekers than openings overall, shortages in
# factory, driving and care work, a surplus of seekers for office work).
POSTINGS, SEEKERS, PLACEMENTS = 1_000, 3_600, 700
OCCUPATIONS = tuple(codes("occupations"))
# Occupation a shop hires for, by card category (others: sales 61 / personal services 56).
SHOP_OCCUPATION = {
    "C27": "53",
    "C24": "87",
    "C23": "61",
    "C22": "61",
    "C34": "61",
    "C12": "51",
    "C26": "30",
    "C11": "30",
    "C18": "30",
    "C06": "30",
    "C33": "21",
    "C28": "81",
    "C15": "56",
    "C16": "52",
    "C08": "52",
    "C20": "62",
    "C29": "61",
    "C07": "90",
    "C21": "56",
    "C19": "52",
}
FIRM_OCCUPATION = {
    "26410": "83",
    "29150": "81",
    "62010": "13",
    "58211": "13",
    "59111": "41",
    "10712": "87",
    "01110": "90",
    "45110": "61",
    "75210": "52",
    "99990": "89",
}
# What seekers want, relative to what is offered: more office and care work, less factory work.
SEEKER_TILT = {
    "02": 3.0,
    "55": 1.8,
    "23": 1.5,
    "41": 1.5,
    "89": 0.5,
    "81": 0.6,
    "82": 0.5,
    "83": 0.6,
    "87": 0.6,
    "53": 0.8,
    "62": 0.8,
    "70": 0.7,
}
WAGE_BY_MAJOR = {
    "0": 3.0e6,
    "1": 3.8e6,
    "2": 2.8e6,
    "3": 3.0e6,
    "4": 2.8e6,
    "5": 2.3e6,
    "6": 2.6e6,
    "7": 3.2e6,
    "8": 2.7e6,
    "9": 2.3e6,
}
SEEKER_AGES = {"10": 0.03, "20": 0.25, "30": 0.20, "40": 0.18, "50": 0.19, "60": 0.13, "70": 0.02}
# Chance that a posting is filled on its k-th day (k = 0 is the day it is posted).
FILL_BY_AGE = np.array([0.2, 1.5, 1.0, 1.0, 0.9, 0.8, 0.7])


class Jobs:
    def __init__(self, ctx: Context, universe: Universe):
        self.ctx, self.universe = ctx, universe
        self.employers = universe.pool("gjf")
        biz = universe.frame
        cats = biz["category_cd"].gather(self.employers).to_list()
        ksic = biz["ksic_cd"].gather(self.employers).to_list()
        gen = ctx.rng("gjf:employers")
        fallback = np.where(gen.random(len(self.employers)) < 0.5, "61", "56")
        self.main_occupation = np.array(
            [
                SHOP_OCCUPATION.get(c, f) if c else FIRM_OCCUPATION.get(k, "89")
                for c, k, f in zip(cats, ksic, fallback, strict=True)
            ]
        )
        # Bigger employers post more (weight ~ sqrt of headcount), within shops and within firms;
        # which of the two posts is drawn at the planted share, so linkage holds per posting.
        self.employer_weight = np.sqrt(biz["employees"].gather(self.employers).to_numpy() + 1.0)
        self.is_shop = biz["is_merchant"].gather(self.employers).to_numpy()
        self.trend = [biz[c].gather(self.employers).to_numpy() for c in TREND]
        self.offer_mix = np.bincount([OCCUPATIONS.index(o) for o in self.main_occupation], minlength=len(OCCUPATIONS)) + 1.0
        self.postings: pl.DataFrame | None = None  # every posting delivered so far, with its state
        self.seekers: pl.DataFrame | None = None

    # -- postings -------------------------------------------------------------------------

    def _new_postings(self, gen: np.random.Generator, day: date) -> pl.DataFrame:
        n = self.ctx.count("gjf/job_postings", POSTINGS, 3, day, factor=weekday_factor(day, 1.15, 0.45, 0.40))
        shop = gen.random(n) < LINKAGE["gjf/job_postings"].merchant
        if not self.is_shop.any() or self.is_shop.all():
            shop[:] = self.is_shop.any()
        who = np.empty(n, dtype=np.int64)
        weight = self.employer_weight * self._trend(day)
        for kind in (True, False):
            rows = np.flatnonzero(self.is_shop == kind)
            if (shop == kind).any():
                who[shop == kind] = self.employers[rows[choice(gen, int((shop == kind).sum()), weight[rows])]]
        main = self.main_occupation[np.searchsorted(self.employers, who)]
        other = codes_at(OCCUPATIONS, choice(gen, n, self.offer_mix)).to_numpy()
        occupation = np.where(gen.random(n) < 0.75, main, other)
        # A planted hiring surge (``events``): the area's employers post (factor - 1) times more of its
        # occupation than an ordinary day's draw would give them.
        area = self.universe.areas_on(self.employers, day)
        for event in events.surges_on(day):
            local = area == event.sigungu_cd
            if not local.any():
                continue
            p_area = weight[local].sum() / weight.sum()
            p_occupation = 0.75 * weight[local & (self.main_occupation == event.occupation_cd)].sum() / weight[local].sum()
            p_occupation += 0.25 * self.offer_mix[OCCUPATIONS.index(event.occupation_cd)] / self.offer_mix.sum()
            extra = int(gen.poisson((event.effect(day) - 1) * n * p_area * p_occupation))
            if extra:
                rows = np.flatnonzero(local)
                who = np.concatenate([who, self.employers[rows[choice(gen, extra, weight[rows])]]])
                occupation = np.concatenate([occupation, np.full(extra, event.occupation_cd, dtype=object)])
                n += extra
        majors = table("occupations")
        major = dict(zip(majors["occupation_cd"].to_list(), majors["major_cd"].to_list(), strict=True))
        wage = np.array([WAGE_BY_MAJOR[major[o]] for o in occupation]) * gen.lognormal(0, 0.15, n)
        openings = gen.geometric(0.6, n) + (gen.random(n) < 0.05) * gen.integers(2, 20, n)  # a few bulk hires
        dn = day_number(day)
        return pl.DataFrame(
            {
                "posting_id": day_ids("JP", day, n),
                "employer_biz_token": self.universe.frame["biz_token"].gather(who),
                "sigungu_cd": pl.Series(self.universe.areas_on(who, day), dtype=pl.String),
                "occupation_cd": pl.Series(occupation, dtype=pl.String),
                "openings": np.clip(openings, 1, 1000).astype(np.int32),
                "wage_krw": np.clip(np.round(np.maximum(wage, 2.06e6), -4), 0, 1e8).astype(np.int64),
                "posted_on": day,
                "closes_on": dates(dn + gen.choice([7, 14, 30, 60], n, p=[0.2, 0.35, 0.35, 0.1])),
                "status": "OPEN",
                "remaining": np.clip(openings, 1, 1000).astype(np.int64),
                "status_on": np.full(n, dn),  # day the status last changed
            }
        )

    def _trend(self, day: date) -> np.ndarray:
        """A shop hires as it sells (its kona trend); firms 1."""
        return np.exp(log_trend(*self.trend, day))

    # -- seekers --------------------------------------------------------------------------

    def _new_seekers(self, gen: np.random.Generator, day: date) -> pl.DataFrame:
        n = self.ctx.count("gjf/job_seekers", SEEKERS, 3, day, factor=weekday_factor(day, 1.15, 0.45, 0.40))
        codes_, w = areas.population_weights(day)
        want = self.offer_mix * np.array([SEEKER_TILT.get(o, 1.0) for o in OCCUPATIONS])
        ages = list(SEEKER_AGES)
        return pl.DataFrame(
            {
                "seeker_token": hex_tokens(gen, n),
                "home_sigungu_cd": codes_at(codes_, choice(gen, n, w)),
                "desired_occupation_cd": codes_at(OCCUPATIONS, choice(gen, n, want)),
                "age_band": codes_at(ages, choice(gen, n, np.array(list(SEEKER_AGES.values())))),
                "gender": codes_at(("F", "M"), (gen.random(n) < 0.48).astype(np.int64)),
                "registered_on": day,
                "placed": False,
            }
        )

    # -- placements -----------------------------------------------------------------------

    def _place(self, gen: np.random.Generator, day: date) -> pl.DataFrame:
        """Fill openings: slots = open openings, drawn by the posting's age; a seeker each."""
        dn = day_number(day)
        p = self.postings
        posted = p["posted_on"].cast(pl.Int32).to_numpy()
        open_ = (p["status"] == "OPEN").to_numpy() & (p["closes_on"].cast(pl.Int32).to_numpy() >= dn)
        remaining = np.where(open_, p["remaining"].to_numpy(), 0)
        age = np.minimum(dn - posted, len(FILL_BY_AGE) - 1)
        slots = np.repeat(np.arange(p.height), remaining)
        free = np.flatnonzero(~self.seekers["placed"].to_numpy())
        want = self.ctx.count("gjf/placements", PLACEMENTS, 1, day, factor=weekday_factor(day, 1.15, 0.45, 0.40))
        k = min(want, len(slots), len(free))
        if k == 0:
            return pl.DataFrame()
        w = FILL_BY_AGE[age[slots]]
        chosen = np.sort(gen.choice(slots, k, replace=False, p=w / w.sum()))
        # Seekers: one who wants the posting's occupation (60%) when any is free, else anyone free.
        occ = p["occupation_cd"].to_numpy()
        desired = self.seekers["desired_occupation_cd"].to_numpy()
        taken = np.zeros(self.seekers.height, dtype=bool)
        seeker = np.empty(k, dtype=np.int64)
        by_occ: dict[str, list[int]] = {}
        for s in gen.permutation(free):
            by_occ.setdefault(desired[s], []).append(int(s))
        anyone = [int(s) for s in gen.permutation(free)]
        match = gen.random(k) < 0.6
        for i, slot in enumerate(chosen):  # a few hundred a day at real scale: a plain loop is fine
            bucket = by_occ.get(occ[slot], [])
            while bucket and taken[bucket[-1]]:
                bucket.pop()
            if match[i] and bucket:
                s = bucket.pop()
            else:
                while taken[anyone[-1]]:
                    anyone.pop()
                s = anyone.pop()
            taken[s] = True
            seeker[i] = s
        filled = np.bincount(chosen, minlength=p.height)
        left = p["remaining"].to_numpy() - filled
        status = np.where((filled > 0) & (left == 0), "FILLED", p["status"].to_numpy())
        self.postings = p.with_columns(
            remaining=pl.Series(left),
            status=pl.Series(status, dtype=pl.String),
            status_on=pl.Series(np.where(status != p["status"].to_numpy(), dn, p["status_on"].to_numpy())),
        )
        self.seekers = self.seekers.with_columns(placed=pl.Series(self.seekers["placed"].to_numpy() | taken))
        return pl.DataFrame(
            {
                "placement_id": day_ids("PL", day, k),
                "posting_id": p["posting_id"].gather(chosen),
                "seeker_token": self.seekers["seeker_token"].gather(seeker),
                "hired_on": day,
            }
        )

    def day(self, day: date, files: bool = True) -> dict[str, pl.DataFrame]:
        """Move the postings and seekers on by ``day``; its files, unless ``files`` is false (a day
        before the window: the same draws, nothing to deliver)."""
        gen = self.ctx.rng("gjf", day)
        dn = day_number(day)
        new_postings = self._new_postings(gen, day)
        new_seekers = self._new_seekers(gen, day)
        self.postings = new_postings if self.postings is None else pl.concat([self.postings, new_postings])
        self.seekers = new_seekers if self.seekers is None else pl.concat([self.seekers, new_seekers])
        # Postings past their closing date with openings left close (delivered the day after).
        expired = (self.postings["status"] == "OPEN").to_numpy() & (self.postings["closes_on"].cast(pl.Int32).to_numpy() < dn)
        self.postings = self.postings.with_columns(
            status=pl.when(pl.Series(expired)).then(pl.lit("CLOSED")).otherwise(pl.col("status")),
            status_on=pl.when(pl.Series(expired)).then(pl.lit(dn)).otherwise(pl.col("status_on")),
        )
        registered = self.seekers  # before today's placements (placed seekers are dropped at the end of a day)
        placements = self._place(gen, day)
        frames = self._files(day, new_seekers, registered, placements) if files else {}
        # Postings settled more than 60 days ago are dropped from the state (memory stays flat).
        settled = (self.postings["status"] != "OPEN") & (pl.Series(dn - self.postings["status_on"].to_numpy()) > 60)
        self.postings = self.postings.filter(~settled)
        # Seekers not placed while their registration is valid leave the register (placed ones at once).
        stale = self.seekers["registered_on"].cast(pl.Int32) < dn - REGISTRATION_DAYS
        self.seekers = self.seekers.filter(~(self.seekers["placed"] | stale))
        return frames

    def _files(
        self, day: date, new_seekers: pl.DataFrame, registered: pl.DataFrame, placements: pl.DataFrame
    ) -> dict[str, pl.DataFrame]:
        dn = day_number(day)
        # Today's file: today's new postings (status as of today) and status changes of older ones; the
        # window's first day also carries what is still open (postings) and registered (seekers).
        first = day == self.ctx.start
        changed = self.postings.filter((pl.col("status_on") == dn) | (first & (pl.col("status") == "OPEN")))
        seekers = registered if first else new_seekers
        frames = {
            "gjf/job_postings": conform(contract("gjf/job_postings"), changed).sort("posting_id"),
            "gjf/job_seekers": conform(contract("gjf/job_seekers"), seekers),
        }
        if placements.height:
            frames["gjf/placements"] = conform(contract("gjf/placements"), placements)
        else:  # cannot happen with the floors (a posting and a seeker every day); keep the file valid
            frames["gjf/placements"] = pl.DataFrame(schema=contract("gjf/placements").schema)
        return frames
