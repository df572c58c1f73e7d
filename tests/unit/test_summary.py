"""The demo summary's early-warning line against the planted declines: a hand-computed case."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from regional_econ.summary import warning_line


def test_recall_and_precision_of_the_latest_month(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    september, august = date(2026, 9, 1), date(2026, 8, 1)
    warnings = pl.DataFrame(
        {
            "month": [september] * 6 + [august],
            "biz_token": ["a", "b", "c", "d", "e", "f", "a"],
            "assessed": [True, True, True, True, True, True, True],
            "credit_grade": ["B", "BB", "B", "D", "CCC", None, "B"],
            "is_closed": [False, False, False, True, False, False, False],
            "flagged": [True, False, True, True, True, False, True],
        }
    )
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.register("w", warnings.to_arrow())
        con.execute("create table marts.credit_early_warning as select * from w")
    declines = pl.DataFrame(
        {
            "biz_token": ["a", "b", "c", "f", "g"],
            # a, b: declining since before July (the window July-September); c: since mid-August; f: ungraded.
            "onset": [date(2026, 6, 15), date(2026, 5, 1), date(2026, 8, 15), date(2026, 6, 1), date(2026, 10, 2)],
        }
    )
    line = warning_line(warehouse, declines)
    # Recall over a, b (f has no grade): a flagged. Precision over a, c, d, e: a, c planted, d closed.
    assert "2026-09" in line and "recall 0.50 of 2 (declining since 2026-07" in line
    assert "precision 0.75 of 4 flagged" in line


def test_a_month_with_nothing_assessed_says_so(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    warnings = pl.DataFrame(
        {"month": [date(2026, 9, 1)], "biz_token": ["a"], "assessed": [False], "credit_grade": ["B"], "is_closed": [False]}
    ).with_columns(flagged=pl.lit(False))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.register("w", warnings.to_arrow())
        con.execute("create table marts.credit_early_warning as select * from w")
    declines = pl.DataFrame({"biz_token": ["a", "b"], "onset": [date(2026, 6, 1), date(2026, 8, 1)]})
    assert "2026-09: no business assessed yet" in warning_line(warehouse, declines) and "2 planted declines" in (
        warning_line(warehouse, declines)
    )
