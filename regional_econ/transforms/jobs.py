"""Job matching marts from the Gyeonggi Job Foundation (gjf) feeds.

Postings count where the job is (workplace sigungu_cd, occupation_cd); seekers where they
live (home_sigungu_cd, desired_occupation_cd). Seekers are joined to placements only within
gjf (its own seeker_token); no person is joined to another center.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from regional_econ.periods import month_days
from regional_econ.reference import UNKNOWN_AREA
from regional_econ.transforms.common import Frame
from regional_econ.transforms.registers import as_of

# A placement whose posting is missing from the register: counted under the unknowns.
UNKNOWN_OCCUPATION = "99"
# A job-seeking registration is valid this long unless renewed (a renewal is a new registration): a
# seeker registered earlier and never hired has left the register by then (the generator lapses them too).
REGISTRATION_DAYS = 180
NO_ACTIVE_SEEKERS = "no_active_seekers"
NO_POSTINGS_ENDED = "no_postings_ended"
NO_OPENINGS = "no_openings"
NO_OPENINGS_OR_SEEKERS = "no_openings_or_seekers"

CELL = ["sigungu_cd", "occupation_cd"]


def job_matching(postings: Frame, seekers: Frame, placements: Frame, month: str) -> pl.DataFrame:
    """Month x sigungu_cd x occupation_cd: openings, seekers, placements and their ratios.

    Inputs (staged, with ``date``; everything delivered up to month end is used, earlier
    months included): the job_postings register deliveries, the job_seekers register, and
    placements.

    Definitions, for a month M (first day F, last day L):

    - A posting's open spell runs from posted_on to its last open day: for FILLED the fill
      day (its last hire by L, else the day FILLED was delivered); for CLOSED the earlier of
      closes_on and the day CLOSED was delivered; for OPEN (as of L) closes_on.
      open_postings: spells that overlap M; openings: their openings (as of L).
    - new_postings: posted_on in M. ended_postings: last open day in M (filled, closed, or
      reaching closes_on). filled_postings: ended postings with status FILLED.
      fill_rate = filled_postings / ended_postings (null with ``fill_rate_null_reason`` =
      "no_postings_ended" when none ended).
    - median_days_to_fill: median of (fill day - posted_on) over filled_postings (null when
      there are none).
    - placements: hires in M, in the cell of the posting (workplace); a posting missing from
      the register counts under UNKNOWN_AREA / UNKNOWN_OCCUPATION.
    - active_seekers: seekers in the register as of L, registered on or before L and at most
      ``REGISTRATION_DAYS`` days before F (still valid on F or later), and not
      hired before F (a seeker hired in M is active in M); in their home area and desired
      occupation. new_seekers: registered in M. placed_seekers: active seekers hired in M.
    - vacancy_to_seeker_ratio = openings / active_seekers; placement_rate = placed_seekers /
      active_seekers (in [0, 1]); both null with ``ratio_null_reason`` = "no_active_seekers"
      when the cell has no active seeker.
    """
    first, last = month_days(month)
    until = last.isoformat()
    delivered = postings.lazy().filter(pl.col("date") <= until)
    settled = (
        delivered.filter(pl.col("status") != "OPEN")
        .group_by("posting_id")
        .agg(_settled_on=pl.col("date").min().str.to_date("%Y-%m-%d"))
    )
    hires = placements.lazy().filter(pl.col("hired_on") <= last)
    last_hire = hires.group_by("posting_id").agg(_last_hire=pl.col("hired_on").max())
    fill_day = pl.coalesce("_last_hire", "_settled_on")
    register = (
        as_of(delivered, "posting_id", until)
        .join(settled, on="posting_id", how="left")
        .join(last_hire, on="posting_id", how="left")
        .with_columns(
            _fill_day=pl.when(pl.col("status") == "FILLED").then(fill_day),
            _last_open=pl.when(pl.col("status") == "FILLED")
            .then(fill_day)
            .when(pl.col("status") == "CLOSED")
            .then(pl.min_horizontal("closes_on", "_settled_on"))
            .otherwise(pl.col("closes_on")),
        )
    )
    is_open = (pl.col("posted_on") <= last) & (pl.col("_last_open") >= first)
    ended = pl.col("_last_open").is_between(first, last)
    filled = ended & (pl.col("status") == "FILLED")
    by_posting = register.group_by(CELL).agg(
        open_postings=is_open.sum().cast(pl.Int64),
        openings=pl.col("openings").filter(is_open).sum().cast(pl.Int64),
        new_postings=pl.col("posted_on").is_between(first, last).sum().cast(pl.Int64),
        ended_postings=ended.sum().cast(pl.Int64),
        filled_postings=filled.sum().cast(pl.Int64),
        median_days_to_fill=(pl.col("_fill_day") - pl.col("posted_on")).dt.total_days().filter(filled).median(),
        # Distinct employers with an open posting: the businesses disclosure control counts.
        employers=pl.col("employer_biz_token").filter(is_open).n_unique().cast(pl.Int64),
    )

    this_month = hires.filter(pl.col("hired_on") >= first)
    by_workplace = (
        this_month.join(register.select("posting_id", *CELL), on="posting_id", how="left")
        .with_columns(pl.col("sigungu_cd").fill_null(UNKNOWN_AREA), pl.col("occupation_cd").fill_null(UNKNOWN_OCCUPATION))
        .group_by(CELL)
        .agg(placements=pl.len().cast(pl.Int64))
    )

    placed_before = hires.filter(pl.col("hired_on") < first).select("seeker_token").unique()
    placed_now = this_month.select("seeker_token").unique().with_columns(_placed=pl.lit(True))
    by_seeker = (
        as_of(seekers.lazy(), "seeker_token", until)
        .filter(pl.col("registered_on").is_between(first - timedelta(days=REGISTRATION_DAYS), last))
        .join(placed_before, on="seeker_token", how="anti")
        .join(placed_now, on="seeker_token", how="left")
        .group_by(sigungu_cd="home_sigungu_cd", occupation_cd="desired_occupation_cd")
        .agg(
            active_seekers=pl.len().cast(pl.Int64),
            new_seekers=pl.col("registered_on").is_between(first, last).sum().cast(pl.Int64),
            placed_seekers=pl.col("_placed").fill_null(False).sum().cast(pl.Int64),
        )
    )

    counts = [
        "open_postings",
        "openings",
        "new_postings",
        "ended_postings",
        "filled_postings",
        "placements",
        "active_seekers",
        "new_seekers",
        "placed_seekers",
    ]
    no_seekers = pl.col("active_seekers") == 0
    return (
        by_posting.join(by_workplace, on=CELL, how="full", coalesce=True)
        .join(by_seeker, on=CELL, how="full", coalesce=True)
        .with_columns(pl.col(*counts, "employers").fill_null(0))
        # Cells known only from postings that ended before the month have nothing to say.
        .filter(pl.sum_horizontal(*counts) > 0)
        .with_columns(
            month=pl.lit(month),
            vacancy_to_seeker_ratio=pl.when(~no_seekers).then(pl.col("openings") / pl.col("active_seekers")),
            placement_rate=pl.when(~no_seekers).then(pl.col("placed_seekers") / pl.col("active_seekers")),
            ratio_null_reason=pl.when(no_seekers).then(pl.lit(NO_ACTIVE_SEEKERS)),
            fill_rate=pl.when(pl.col("ended_postings") > 0).then(pl.col("filled_postings") / pl.col("ended_postings")),
            fill_rate_null_reason=pl.when(pl.col("ended_postings") == 0).then(pl.lit(NO_POSTINGS_ENDED)),
        )
        .select(
            "month",
            *CELL,
            *counts,
            "vacancy_to_seeker_ratio",
            "placement_rate",
            "ratio_null_reason",
            "fill_rate",
            "fill_rate_null_reason",
            "median_days_to_fill",
            "employers",
        )
        .sort(CELL)
        .collect()
    )


def job_mismatch(matching: Frame) -> pl.DataFrame:
    """Month x sigungu_cd: the mismatch between the occupations offered and those sought.

    Input: ``job_matching`` rows. With o_i openings and s_i active seekers of occupation i in
    the area, O = sum o_i and S = sum s_i:

        mismatch_index = 0.5 * sum_i |o_i / O - s_i / S|  =  sum_i |o_i S - s_i O| / (2 O S)

    computed in integers and divided once, so identical shares give exactly 0, disjoint ones
    exactly 1, and the index never leaves [0, 1]. Null with ``mismatch_null_reason`` when
    O = 0 ("no_openings"), S = 0 ("no_active_seekers"), or both ("no_openings_or_seekers").
    Columns: month, sigungu_cd, openings, active_seekers, mismatch_index, mismatch_null_reason.
    """
    area = ["month", "sigungu_cd"]
    total_openings = pl.col("openings").sum().over(area)
    total_seekers = pl.col("active_seekers").sum().over(area)
    gap = (pl.col("openings") * total_seekers - pl.col("active_seekers") * total_openings).abs()
    no_openings, no_seekers = pl.col("openings") == 0, pl.col("active_seekers") == 0
    return (
        matching.lazy()
        .with_columns(_gap=gap)
        .group_by(area)
        .agg(pl.col("openings", "active_seekers").sum().cast(pl.Int64), _gap=pl.col("_gap").sum())
        .with_columns(
            mismatch_index=pl.when(~no_openings & ~no_seekers).then(
                pl.col("_gap") / (2 * pl.col("openings") * pl.col("active_seekers"))
            ),
            mismatch_null_reason=pl.when(no_openings & no_seekers)
            .then(pl.lit(NO_OPENINGS_OR_SEEKERS))
            .when(no_openings)
            .then(pl.lit(NO_OPENINGS))
            .when(no_seekers)
            .then(pl.lit(NO_ACTIVE_SEEKERS)),
        )
        .select(*area, "openings", "active_seekers", "mismatch_index", "mismatch_null_reason")
        .sort(area)
        .collect()
    )
