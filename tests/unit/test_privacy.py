"""Disclosure control: thresholds on every published cell; no suppressed cell recoverable."""

import itertools

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from regional_econ.marts import Disclosure
from regional_econ.publish.disclosure import MAX_DOMINANCE, MIN_BUSINESSES, MIN_PERSONS, protect, recoverable_cells

TABLE = Disclosure(("month", "row", "col"), ("net_amount_krw",))


def table(values, persons, businesses, dominance, n_rows, n_cols):
    cells = list(itertools.product(range(n_rows), range(n_cols)))
    return pl.DataFrame(
        {
            "month": ["2026-09-01"] * len(cells),
            "row": [r for r, _ in cells],
            "col": [c for _, c in cells],
            "net_amount_krw": values[: len(cells)],
            "cards": persons[: len(cells)],
            "merchants": businesses[: len(cells)],
            "top_merchant_share": dominance[: len(cells)],
        }
    )


@st.composite
def tables(draw):
    n_rows, n_cols = draw(st.integers(2, 6)), draw(st.integers(2, 6))
    n = n_rows * n_cols
    ints = lambda lo, hi: st.lists(st.integers(lo, hi), min_size=n, max_size=n)  # noqa: E731
    return table(
        draw(ints(-1_000, 1_000_000)),
        draw(ints(0, 12)),
        draw(ints(0, 6)),
        draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n)),
        n_rows,
        n_cols,
    )


@settings(max_examples=200, deadline=None)
@given(tables())
def test_no_published_cell_breaks_a_threshold_and_none_suppressed_is_recoverable(frame):
    published = protect(frame, TABLE)
    joined = published.join(frame.select("row", "col", "cards", "merchants", "top_merchant_share"), on=["row", "col"])
    shown = joined.filter(~pl.col("suppressed"))
    assert (shown["cards"] >= MIN_PERSONS).all() and (shown["merchants"] >= MIN_BUSINESSES).all()
    assert (shown["top_merchant_share"] <= MAX_DOMINANCE).all()
    assert published.filter(pl.col("suppressed"))["net_amount_krw"].null_count() == published["suppressed"].sum()
    # With every row and column total known, no suppressed cell is alone in its row or column.
    assert recoverable_cells(published, TABLE.line_dims).is_empty()
    for line in ("row", "col"):
        per_line = published.group_by(line).agg(pl.col("suppressed").sum())
        assert not (per_line["suppressed"] == 1).any()


def test_secondary_suppression_takes_the_smallest_other_cell_of_the_line():
    ok, few = (10, 5, 0.2), (2, 5, 0.2)
    spec = [  # rows x cols: (value, persons, businesses, dominance)
        [(100, *few), (50, *ok), (70, *ok)],
        [(300, *ok), (20, *ok), (90, *ok)],
    ]
    cells = [(r, c, *spec[r][c]) for r in range(2) for c in range(3)]
    frame = pl.DataFrame(cells, schema=["row", "col", "net_amount_krw", "cards", "merchants", "top_merchant_share"], orient="row")
    frame = frame.with_columns(month=pl.lit("2026-09-01"))
    published = {(r["row"], r["col"]): r["suppression"] for r in protect(frame, TABLE).to_dicts()}
    assert published[(0, 0)] == "persons"
    # Row 0's smallest other cell is (0, 1); column 0's only other cell is (1, 0); then row 1
    # holds one suppressed cell (1, 0), so its smallest other cell (1, 1) goes too, which makes
    # column 1 hold two. Every row and column now has 0 or 2+.
    assert published[(0, 1)] == "secondary" and published[(1, 0)] == "secondary" and published[(1, 1)] == "secondary"
    assert published[(0, 2)] is None and published[(1, 2)] is None


def test_a_dominant_business_suppresses_the_cell():
    frame = table([100, 200, 300, 400], [9] * 4, [5] * 4, [0.9, 0.1, 0.1, 0.1], 2, 2)
    reasons = protect(frame, TABLE)["suppression"].to_list()
    # In a 2 x 2 table with known margins, one withheld cell forces the other three.
    assert reasons == ["dominance", "secondary", "secondary", "secondary"]
