"""Job matching and the mismatch index on hand-computed fixtures, plus the index's properties."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regional_econ.reference import UNKNOWN_AREA
from regional_econ.transforms.jobs import UNKNOWN_OCCUPATION, job_matching, job_mismatch
from tests.builders.staged import empty, staged, token

MONTH = "2026-03-01"
S = {n: token(200 + n) for n in range(8)}


def _posting(pid, delivered, status="OPEN", **kw):
    return {"posting_id": f"JP{pid:010d}", "status": status, "date": delivered, **kw}


POSTINGS = staged(
    "gjf/job_postings",
    [
        # P1: posted on the 2nd, filled on its second day.
        _posting(1, "2026-03-02", posted_on="2026-03-02", closes_on="2026-03-31"),
        _posting(1, "2026-03-03", "FILLED", posted_on="2026-03-02", closes_on="2026-03-31"),
        # P2: open into March, closes on the 10th unfilled (CLOSED arrives the day after).
        _posting(2, "2026-02-20", openings=3, posted_on="2026-02-20", closes_on="2026-03-10"),
        _posting(2, "2026-03-11", "CLOSED", openings=3, posted_on="2026-02-20", closes_on="2026-03-10"),
        # P3: filled in February: not part of March.
        _posting(3, "2026-02-01", posted_on="2026-02-01", closes_on="2026-02-28"),
        _posting(3, "2026-02-15", "FILLED", posted_on="2026-02-01", closes_on="2026-02-28"),
        # P4: new in March, still open at month end (its April fill is not known yet).
        _posting(4, "2026-03-20", openings=4, posted_on="2026-03-20", closes_on="2026-04-30"),
        _posting(4, "2026-04-05", "FILLED", openings=4, posted_on="2026-03-20", closes_on="2026-04-30"),
        # P5: Seongnam-like area with openings and nobody seeking there; expires on the 31st.
        _posting(
            5, "2026-03-05", openings=5, sigungu_cd="41113", occupation_cd="21", posted_on="2026-03-05", closes_on="2026-03-31"
        ),
        # P6: closed on Feb 28 (CLOSED delivered on Mar 1): not open in March.
        _posting(6, "2026-01-10", posted_on="2026-01-10", closes_on="2026-02-28"),
        _posting(6, "2026-03-01", "CLOSED", posted_on="2026-01-10", closes_on="2026-02-28"),
    ],
)
SEEKERS = staged(
    "gjf/job_seekers",
    [
        {"seeker_token": S[0], "registered_on": "2026-01-05", "date": "2026-01-05"},  # placed in February
        {"seeker_token": S[1], "registered_on": "2026-02-10", "date": "2026-02-10"},  # placed in March
        {"seeker_token": S[2], "registered_on": "2026-03-15", "date": "2026-03-15"},
        {"seeker_token": S[3], "registered_on": "2026-04-02", "date": "2026-04-02"},  # after the month
        {
            "seeker_token": S[4],
            "home_sigungu_cd": "41113",
            "desired_occupation_cd": "02",
            "registered_on": "2026-01-01",
            "date": "2026-01-01",
        },
        {"seeker_token": S[5], "registered_on": "2026-03-01", "date": "2026-03-01"},
        # Registrations are valid 180 days: S6 lapsed before March, S7's last valid day is 1 March.
        {"seeker_token": S[6], "registered_on": "2025-08-01", "date": "2025-08-01"},
        {"seeker_token": S[7], "registered_on": "2025-09-02", "date": "2025-09-02"},
    ],
)
PLACEMENTS = staged(
    "gjf/placements",
    [
        {"posting_id": "JP0000000003", "seeker_token": S[0], "hired_on": "2026-02-15"},
        {"posting_id": "JP0000000001", "seeker_token": S[1], "hired_on": "2026-03-03"},
        {"posting_id": "JP0000000099", "seeker_token": S[5], "hired_on": "2026-03-20"},  # posting never delivered
    ],
)


@pytest.fixture(scope="module")
def matching():
    return job_matching(POSTINGS, SEEKERS, PLACEMENTS, MONTH)


def test_job_matching_hand_computed(matching):
    cells = {(r["sigungu_cd"], r["occupation_cd"]): r for r in matching.to_dicts()}
    assert set(cells) == {("41111", "53"), ("41113", "21"), ("41113", "02"), (UNKNOWN_AREA, UNKNOWN_OCCUPATION)}

    cooks = cells[("41111", "53")]
    assert (cooks["open_postings"], cooks["openings"], cooks["new_postings"]) == (3, 1 + 3 + 4, 2)  # P1, P2, P4
    assert (cooks["ended_postings"], cooks["filled_postings"], cooks["fill_rate"]) == (2, 1, 0.5)  # P1 of P1, P2
    assert cooks["median_days_to_fill"] == 1.0  # posted on the 2nd, hired on the 3rd
    assert cooks["placements"] == 1
    # Active: S1 (hired in March), S2, S5, S7; S0 was placed in February, S3 registered in April, S6 lapsed.
    assert (cooks["active_seekers"], cooks["new_seekers"], cooks["placed_seekers"]) == (4, 2, 2)
    assert cooks["vacancy_to_seeker_ratio"] == pytest.approx(8 / 4)
    assert cooks["placement_rate"] == pytest.approx(2 / 4)
    assert cooks["ratio_null_reason"] is None and cooks["fill_rate_null_reason"] is None

    no_seekers = cells[("41113", "21")]
    assert no_seekers["openings"] == 5 and no_seekers["active_seekers"] == 0
    assert no_seekers["vacancy_to_seeker_ratio"] is None and no_seekers["placement_rate"] is None
    assert no_seekers["ratio_null_reason"] == "no_active_seekers"
    assert (no_seekers["fill_rate"], no_seekers["median_days_to_fill"]) == (0.0, None)  # expired unfilled

    office = cells[("41113", "02")]
    assert (office["active_seekers"], office["vacancy_to_seeker_ratio"]) == (1, 0.0)
    assert office["fill_rate"] is None and office["fill_rate_null_reason"] == "no_postings_ended"

    unknown = cells[(UNKNOWN_AREA, UNKNOWN_OCCUPATION)]
    assert unknown["placements"] == 1 and unknown["ratio_null_reason"] == "no_active_seekers"


def test_rates_within_bounds_or_null(matching):
    for name in ("placement_rate", "fill_rate"):
        assert matching[name].drop_nulls().is_between(0, 1).all()
    assert (matching["vacancy_to_seeker_ratio"].drop_nulls() >= 0).all()
    assert matching.filter(pl.col("vacancy_to_seeker_ratio").is_null())["ratio_null_reason"].null_count() == 0
    assert matching.filter(pl.col("fill_rate").is_null())["fill_rate_null_reason"].null_count() == 0


def test_job_mismatch_hand_computed(matching):
    out = {r["sigungu_cd"]: r for r in job_mismatch(matching).to_dicts()}
    assert out["41111"]["mismatch_index"] == 0.0  # one occupation on both sides
    assert out["41113"]["mismatch_index"] == 1.0  # openings in 21, seekers want 02
    assert out[UNKNOWN_AREA]["mismatch_index"] is None
    assert out[UNKNOWN_AREA]["mismatch_null_reason"] == "no_openings_or_seekers"


def _matching(area_cells):
    return pl.DataFrame(
        [("2026-03-01", area, occ, o, s) for area, cells in area_cells.items() for occ, (o, s) in cells.items()],
        schema={
            "month": pl.String,
            "sigungu_cd": pl.String,
            "occupation_cd": pl.String,
            "openings": pl.Int64,
            "active_seekers": pl.Int64,
        },
        orient="row",
    )


def test_job_mismatch_partial_overlap_and_one_sided_areas():
    out = {
        r["sigungu_cd"]: r
        for r in job_mismatch(
            _matching(
                {
                    "41111": {"53": (2, 1), "02": (2, 3)},  # shares .5/.5 vs .25/.75: 0.5 x (.25 + .25)
                    "41113": {"53": (4, 0)},
                    "41115": {"53": (0, 7)},
                }
            )
        ).to_dicts()
    }
    assert out["41111"]["mismatch_index"] == 0.25
    assert (out["41113"]["mismatch_index"], out["41113"]["mismatch_null_reason"]) == (None, "no_active_seekers")
    assert (out["41115"]["mismatch_index"], out["41115"]["mismatch_null_reason"]) == (None, "no_openings")


def test_job_matching_empty_month():
    out = job_matching(empty("gjf/job_postings"), empty("gjf/job_seekers"), empty("gjf/placements"), MONTH)
    assert out.height == 0 and job_mismatch(out).height == 0


OCCUPATIONS = ["02", "21", "53", "61", "81"]
counts = st.lists(st.integers(0, 1_000), min_size=len(OCCUPATIONS), max_size=len(OCCUPATIONS))


@settings(max_examples=60, deadline=None)
@given(counts, st.integers(1, 50))
def test_mismatch_is_zero_for_identical_shares(openings, factor):
    seekers = [o * factor for o in openings]
    out = job_mismatch(_matching({"41111": dict(zip(OCCUPATIONS, zip(openings, seekers, strict=True), strict=True))})).row(
        0, named=True
    )
    if sum(openings) == 0:
        assert out["mismatch_index"] is None
    else:
        assert out["mismatch_index"] == 0.0


@settings(max_examples=60, deadline=None)
@given(counts, st.integers(1, len(OCCUPATIONS) - 1))
def test_mismatch_is_one_for_disjoint_occupations(values, split):
    # Openings only in the first `split` occupations, seekers only in the rest.
    cells = {occ: ((v, 0) if i < split else (0, v)) for i, (occ, v) in enumerate(zip(OCCUPATIONS, values, strict=True))}
    out = job_mismatch(_matching({"41111": cells})).row(0, named=True)
    if sum(values[:split]) and sum(values[split:]):
        assert out["mismatch_index"] == 1.0
    else:
        assert out["mismatch_index"] is None and out["mismatch_null_reason"] is not None


@settings(max_examples=100, deadline=None)
@given(counts, counts)
def test_mismatch_is_within_bounds_or_null_with_reason(openings, seekers):
    out = job_mismatch(_matching({"41111": dict(zip(OCCUPATIONS, zip(openings, seekers, strict=True), strict=True))})).row(
        0, named=True
    )
    if out["mismatch_index"] is None:
        assert out["mismatch_null_reason"] is not None
    else:
        assert 0.0 <= out["mismatch_index"] <= 1.0 and out["mismatch_null_reason"] is None
        shares = 0.5 * sum(abs(o / sum(openings) - s / sum(seekers)) for o, s in zip(openings, seekers, strict=True))
        assert out["mismatch_index"] == pytest.approx(shares)
