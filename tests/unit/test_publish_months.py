"""Months protected side by side give what protecting them one after the other gives, in order."""

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from regional_econ.publish.months import protect_months
from regional_econ.storage.lake import Lake
from tests.unit.test_privacy import SUWON, _spending

MONTHS = ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"]


def _month(seed: int) -> pl.DataFrame:
    """Suwon's gu x three categories, a few cells of 1 to 4 cards (withheld, with complements)."""
    rng = np.random.default_rng(seed)
    cells = [
        (gu, cat, int(rng.integers(500_000, 5_000_000)), int(rng.choice([2, 3, 40, 60, 80])))
        for gu in SUWON
        for cat in ("C24", "C27", "C31")
    ]
    return _spending(cells).drop("month")


def _lake(tmp_path, months: list[str]) -> str:
    lake = Lake(str(tmp_path / "lake"))
    for i, month in enumerate(months):
        lake.write("marts", "spending_monthly", month, _month(i), column="month")
    return str(tmp_path / "lake")


def test_months_side_by_side_equal_months_one_after_the_other(tmp_path):
    root = _lake(tmp_path, MONTHS[:3])  # the fourth month has no mart
    alone = list(protect_months(root, MONTHS, ["spending_monthly"], workers=1))
    together = list(protect_months(root, MONTHS, ["spending_monthly"], workers=2))
    assert alone[3] is None and together[3] is None
    assert [m.period for m in together[:3]] == MONTHS[:3]
    for one, other in zip(alone[:3], together[:3], strict=True):
        assert one.recoverable == other.recoverable == 0
        assert one.shares == other.shares and one.by_rule == other.by_rule
        assert_frame_equal(one.frames["spending_monthly"], other.frames["spending_monthly"])
        assert_frame_equal(one.audits["spending_monthly"].intervals, other.audits["spending_monthly"].intervals)
    # Something was withheld, so the comparison compares protections, not empty tables.
    assert all(m.frames["spending_monthly"]["suppressed"].any() for m in together[:3])
