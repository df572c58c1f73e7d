"""Disclosure control: the primary rules on every shown cell, and attacks that must fail: an
attacker's linear programs over every product of the period, a cell shared by two products, a
median of three, a withheld gu recovered from its si's total."""

import itertools
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regional_econ.marts import Disclosure, Statistic
from regional_econ.publish.disclosure import P_PERCENT, PERSON_DOMINANCE, rules
from regional_econ.publish.disclosure.linked import audit, protect

GRID = Disclosure(("month", "row", "col"), ("net_amount_krw",), ("net_amount_krw",), "test")


def grid(values, persons, businesses, shares, n_rows, n_cols) -> pl.DataFrame:
    cells = list(itertools.product(range(n_rows), range(n_cols)))
    n = len(cells)
    top1 = [s[0] for s in shares[:n]]
    return pl.DataFrame(
        {
            "month": ["2026-09-01"] * n,
            "row": [r for r, _ in cells],
            "col": [c for _, c in cells],
            "net_amount_krw": values[:n],
            "cards": persons[:n],
            "merchants": businesses[:n],
            "approved_amount_krw": values[:n],
            "top_merchant_share": top1,
            "second_merchant_share": [min(s[1], 1 - s[0]) for s in shares[:n]],
            "top_card_share": [s[2] for s in shares[:n]],
        }
    )


@st.composite
def grids(draw):
    n_rows, n_cols = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    n = n_rows * n_cols
    ints = lambda lo, hi: st.lists(st.integers(lo, hi), min_size=n, max_size=n)  # noqa: E731
    share = st.tuples(st.floats(0.05, 0.95), st.floats(0.0, 0.5), st.floats(0.01, 0.9))
    return grid(
        draw(ints(1, 1_000_000)),
        draw(ints(0, 12)),
        draw(ints(0, 6)),
        draw(st.lists(share, min_size=n, max_size=n)),
        n_rows,
        n_cols,
    )


def _shown_break_a_rule(cells: pl.DataFrame) -> pl.DataFrame:
    reason = rules.primary_reason(set(cells.columns))
    return cells.filter(~pl.col("suppressed") & reason.is_not_null())


@settings(max_examples=60, deadline=None)
@given(grids())
def test_after_protection_no_withheld_cell_is_recoverable_and_every_shown_cell_keeps_the_rules(frame):
    protection = protect({"t": (frame, GRID)})
    cells = protection.published("t")
    assert _shown_break_a_rule(cells).is_empty()
    # An independent audit (exact extremes for every withheld value) finds nothing within +-15%.
    found = audit(protection.linked, protection.withheld)
    assert found.failing.is_empty()
    assert found.intervals.height == int(protection.withheld.sum())
    leaves = cells.filter(pl.col("row").is_not_null() & pl.col("col").is_not_null())
    assert leaves.height == frame.height  # every mart cell is published (or withheld), and the totals beside them


def test_the_p_percent_rule_by_hand():
    # 100 approved: the largest merchant 60, the second 30, the rest 10: the second could estimate
    # the largest as 100 - 30 = 70, 10 off, more than 15% of 60 (9): shown. With the rest at 8
    # (largest 62): 8 < 9.3: withheld.
    frame = pl.DataFrame({"_contributions": [100.0, 100.0], "_top1": [60.0, 62.0], "_top12": [90.0, 92.0]})
    reasons = frame.select(rules.primary_reason(set(frame.columns)))[:, 0].to_list()
    assert P_PERCENT == 0.15 and reasons == [None, "p_percent"]


def test_one_person_above_half_of_a_cell_withholds_it():
    frame = pl.DataFrame({"_contributions": [100.0, 100.0], "_top_person": [50.0, 51.0]})
    assert PERSON_DOMINANCE == 0.5
    assert frame.select(rules.primary_reason(set(frame.columns)))[:, 0].to_list() == [None, "person_dominance"]


def _spending(cells: list[tuple[str, str, int, int]]) -> pl.DataFrame:
    """(gu, category, amount, persons) cells of a spending mart with 10 merchants each, none dominant."""
    return pl.DataFrame(
        {
            "month": "2026-09-01",
            "sigungu_cd": [c[0] for c in cells],
            "category_cd": [c[1] for c in cells],
            "net_amount_krw": [c[2] for c in cells],
            "approvals": [c[2] // 1000 for c in cells],
            "cancels": [0 for _ in cells],
            "cards": [c[3] for c in cells],
            "merchants": [10 for _ in cells],
            "approved_amount_krw": [c[2] for c in cells],
            "top_merchant_share": [0.2 for _ in cells],
            "second_merchant_share": [0.15 for _ in cells],
            "top_card_share": [0.05 for _ in cells],
            "moved_merchants": [0 for _ in cells],
        }
    )


SPENDING = Disclosure(("month", "sigungu_cd", "category_cd"), ("net_amount_krw",), ("net_amount_krw",), "spending")
# Suwon's four gu (one si), two categories of one group.
SUWON = ["41111", "41113", "41115", "41117"]


def test_a_withheld_gu_is_not_recovered_from_its_si_total_and_the_other_gu():
    cells = [
        (gu, cat, 1_000_000 * (i + 1) + 100_000 * j, 50) for i, gu in enumerate(SUWON) for j, cat in enumerate(["C24", "C27"])
    ]
    cells[0] = (*cells[0][:3], 2)  # 41111 x C24: two persons
    protection = protect({"spending_monthly": (_spending(cells), SPENDING)})
    published = protection.published("spending_monthly")
    withheld = published.filter("suppressed")
    assert ("41111", "C24") in set(zip(withheld["sigungu_cd"], withheld["category_cd"], strict=True))
    # The attack by hand: the si's C24 total minus the other gu's C24 cells.
    si = published.filter((pl.col("sigungu_cd") == "41110") & (pl.col("category_cd") == "C24"))
    others = published.filter(pl.col("sigungu_cd").is_in(SUWON[1:]) & (pl.col("category_cd") == "C24"))
    assert si["suppressed"].item() or others["suppressed"].any()
    assert audit(protection.linked, protection.withheld).failing.is_empty()


def test_a_cell_withheld_in_one_product_is_withheld_in_every_product_that_shares_it():
    # spending_monthly's cell is fine on its own; the same cell's revenue in the SME product is one
    # dominant merchant. Protected one by one, the revenue's cell would be shown in spending.
    cells = [
        (gu, cat, 1_000_000 * (i + 1) + 300_000 * j, 50) for i, gu in enumerate(SUWON) for j, cat in enumerate(["C24", "C27"])
    ]
    spending = _spending(cells)
    sme = spending.select(
        "month",
        "sigungu_cd",
        "category_cd",
        pl.lit(10).alias("merchants"),
        pl.col("net_amount_krw").alias("total_revenue_krw"),
        pl.col("net_amount_krw").alias("positive_revenue_krw"),
        pl.when(pl.col("sigungu_cd") == "41113").then(0.95).otherwise(0.2).alias("top_merchant_share"),
        pl.lit(0.01).alias("second_merchant_share"),
    )
    revenue = Disclosure(
        ("month", "sigungu_cd", "category_cd"), ("total_revenue_krw",), ("total_revenue_krw",),
        links={"total_revenue_krw": "spending.net_amount_krw"}, persons=None,
        contributions="positive_revenue_krw", person_share=None,
    )  # fmt: skip
    protection = protect({"spending_monthly": (spending, SPENDING), "sme_indicators": (sme, revenue)})
    both = {}
    for name in ("spending_monthly", "sme_indicators"):
        cells = protection.published(name)
        both[name] = {(r["sigungu_cd"], r["category_cd"]) for r in cells.filter("suppressed").iter_rows(named=True)}
    assert ("41113", "C24") in both["spending_monthly"] and ("41113", "C27") in both["spending_monthly"]
    assert both["spending_monthly"] == both["sme_indicators"]
    assert audit(protection.linked, protection.withheld).failing.is_empty()


def test_a_median_is_shown_only_over_ten_businesses_and_rounded():
    from regional_econ.marts import MARTS
    from regional_econ.publish.files import _publishable

    mart = MARTS["sme_indicators"]
    assert mart.publish.statistics["median_revenue_krw"] == Statistic(("trading_merchants",), None, significant=3)
    cells = pl.DataFrame(
        {"sigungu_cd": ["41111", "41113"], "category_cd": ["C24", "C24"], **{v: [0, 0] for v in mart.publish.values}}
    ).with_columns(
        trading_merchants=pl.Series([3, 12]),
        median_revenue_krw=pl.Series([1_234_567, 7_654_321]),
        suppressed=pl.Series([False, False]),
    )
    published = _publishable(mart, cells, "2026-09-01")
    # The median of three trading merchants is the middle merchant's exact revenue: never shown.
    assert published["median_revenue_krw"].to_list() == [None, 7_650_000]


def test_only_suppressed_is_published_never_why():
    frame = grid([100, 200, 300, 400], [2, 9, 9, 9], [5] * 4, [(0.2, 0.1, 0.1)] * 4, 2, 2)
    from regional_econ.publish.files import _publishable

    class Product:
        publish = GRID
        period_column = "month"

    protection = protect({"t": (frame, GRID)})
    published = _publishable(Product, protection.published("t"), "2026-09-01")
    assert "suppressed" in published.columns and not any("reason" in c or "suppression" in c for c in published.columns)
    assert published.filter("suppressed")["net_amount_krw"].null_count() == int(published["suppressed"].sum())


@st.composite
def attacker_systems(draw):
    """A random nonnegative table's relations with some cells withheld: (a, rhs, values)."""
    n_rows, n_cols = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    values = np.array(draw(st.lists(st.integers(0, 1000), min_size=n_rows * n_cols, max_size=n_rows * n_cols)), float)
    table = values.reshape(n_rows, n_cols)
    withheld = np.array(draw(st.lists(st.booleans(), min_size=table.size, max_size=table.size))).reshape(table.shape)
    # Relations of the cells alone (the margins published): one per row, one per column.
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)] + [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    unknown = [(r, c) for r in range(n_rows) for c in range(n_cols) if withheld[r, c]]
    index = {cell: i for i, cell in enumerate(unknown)}
    a = np.zeros((len(rows), len(unknown)))
    rhs = np.zeros(len(rows))
    for i, members in enumerate(rows):
        for cell in members:
            if cell in index:
                a[i, index[cell]] = 1.0
        # What the published margin leaves for the withheld members of the relation.
        rhs[i] = sum(table[cell] for cell in members if cell in index)
    return a, rhs, np.array([table[cell] for cell in unknown])


@settings(max_examples=80, deadline=None)
@given(attacker_systems())
def test_a_value_certified_protected_is_protected_by_its_exact_extremes(system):
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    from regional_econ.publish.disclosure.linked import _certify

    a, rhs, values = system
    if values.size == 0:
        return
    need = 0.15 * values
    certified = _certify(csr_matrix(a), rhs, values, need, None)
    for j in np.flatnonzero(certified):
        objective = np.zeros(values.size)
        objective[j] = 1.0
        low = linprog(objective, A_eq=a, b_eq=rhs, bounds=(0, None)).fun
        high = -linprog(-objective, A_eq=a, b_eq=rhs, bounds=(0, None)).fun
        assert low <= values[j] - need[j] + 1e-6 and high >= values[j] + need[j] - 1e-6


def test_a_coarser_product_starts_from_the_si_and_its_cells_add_up_to_the_gu():
    from dataclasses import replace

    from regional_econ.publish.disclosure.cube import build

    cells = [
        (gu, cat, 1_000_000 * (i + 1) + 100_000 * j, 50) for i, gu in enumerate(SUWON) for j, cat in enumerate(["C24", "C27"])
    ]
    frame = _spending([*cells, ("41590", "C24", 7_000_000, 50)])  # Hwaseong: a si/gun without gu
    cube = build(frame, replace(SPENDING, coarser=("sigungu_cd",))).cells
    areas = set(cube["sigungu_cd"].drop_nulls())
    assert areas == {"41110", "41590"}  # Suwon's gu rolled into Suwon; Hwaseong as it was
    suwon_c24 = cube.filter((pl.col("sigungu_cd") == "41110") & (pl.col("category_cd") == "C24"))
    assert suwon_c24["net_amount_krw"].item() == sum(c[2] for c in cells if c[1] == "C24")
    # The persons bound of a rolled cell holds whatever the overlap: the largest part's.
    assert suwon_c24["_persons"].item() == 50


BY_MERCHANT = replace(SPENDING, business_dims=("sigungu_cd", "category_cd"))


def test_along_a_merchant_s_own_dims_a_total_s_businesses_and_largest_are_exact_unless_one_moved():
    from regional_econ.publish.disclosure.cube import build

    # Three of Suwon's gu with one merchant each in C24 (1, 2 and 3 million won). Suwon's C24 has
    # 3 merchants, its largest 3 million, its two largest 5; the rest (1) is above 15% of 3 (0.45):
    # the si's cell keeps the rules, though each gu's breaks them.
    frame = _spending([(gu, "C24", 1_000_000 * (i + 1), 50) for i, gu in enumerate(SUWON[:3])])
    frame = frame.with_columns(merchants=1, top_merchant_share=1.0, second_merchant_share=0.0)
    suwon = (pl.col("sigungu_cd") == "41110") & (pl.col("category_cd") == "C24")
    si = build(frame, BY_MERCHANT).cells.filter(suwon)
    assert si.select("_businesses", "_top1", "_top12").row(0) == (3, 3_000_000, 5_000_000)
    assert si.select(rules.primary_reason(set(si.columns))).item() is None
    # Declared along no dim, the bounds that hold whatever the overlap: one business at least.
    assert build(frame, SPENDING).cells.filter(suwon)["_businesses"].item() == 1
    # A merchant in two of the gu that month (it moved): only the bounds again.
    moved = frame.with_columns(moved_merchants=pl.Series([1, 1, 0]))
    si = build(moved, BY_MERCHANT).cells.filter(suwon)
    assert si.select("_businesses", "_top1").row(0) == (1, 6_000_000)
    assert si.select(rules.primary_reason(set(si.columns))).item() == "businesses"


@st.composite
def payments(draw):
    """Payments of a month at up to 8 merchants in Suwon's gu and two categories; a merchant may be
    re-registered in another gu or category during the month (two cells)."""
    merchants = draw(st.integers(1, 8))
    rows = []
    for m in range(merchants):
        places = draw(st.lists(st.tuples(st.sampled_from(SUWON), st.sampled_from(["C24", "C27"])), min_size=1, max_size=2))
        for gu, cat in places:
            for amount in draw(st.lists(st.integers(1, 100_000), min_size=1, max_size=3)):
                rows.append(("2026-09-01", gu, cat, f"M{m:09d}", amount, "APPROVE", f"card{len(rows) % 7}"))
    return pl.DataFrame(
        rows, schema=["month", "sigungu_cd", "category_cd", "merchant_id", "amount_krw", "txn_type", "card_key"], orient="row"
    )


@settings(max_examples=60, deadline=None)
@given(payments())
def test_a_total_s_rule_columns_bound_its_merchants_and_are_exact_when_none_moved(events):
    from regional_econ.publish.disclosure.cube import build
    from regional_econ.publish.disclosure.hierarchy import parents
    from regional_econ.transforms.spending import cells

    cube = build(cells(events.lazy(), ["month", "sigungu_cd", "category_cd"]), BY_MERCHANT).cells
    up = parents("sigungu_cd")
    groups = parents("category_cd")
    events = events.with_columns(si=pl.col("sigungu_cd").replace_strict(up), group=pl.col("category_cd").replace_strict(groups))
    moved = events.group_by("merchant_id").agg(pl.struct("sigungu_cd", "category_cd").n_unique() > 1)["sigungu_cd"].any()
    for row in cube.iter_rows(named=True):
        area, cat = row["sigungu_cd"], row["category_cd"]
        mine = events
        if area is not None:
            mine = mine.filter((pl.col("sigungu_cd") == area) | (pl.col("si") == area))
        if cat is not None:
            mine = mine.filter((pl.col("category_cd") == cat) | (pl.col("group") == cat))
        by_merchant = mine.group_by("merchant_id").agg(pl.col("amount_krw").sum())["amount_krw"].sort(descending=True)
        top1, top12 = float(by_merchant[0]), float(by_merchant[:2].sum())
        # The rules' bounds hold whatever moved: at most the merchants there are, at least the largest.
        assert row["_businesses"] <= by_merchant.len()
        assert row["_top1"] >= top1 - 1e-6 and row["_top12"] >= top12 - 1e-6
        if not moved:
            assert row["_businesses"] == by_merchant.len()
            assert row["_top1"] == pytest.approx(top1) and row["_top12"] == pytest.approx(top12)


@pytest.mark.parametrize("fallback", ["no_change", "relations", "last_resort"])
@settings(max_examples=40, deadline=None)
@given(frame=grids())
def test_every_fallback_of_secondary_suppression_ends_protected(fallback, frame):
    # Without the capacity pass and the single complements the rounds must open whole relations
    # (or, with those refused too, go to the last resort); what they publish must still hold.
    import regional_econ.publish.disclosure.linked as linked

    nothing = lambda *args, **kwargs: np.zeros(0, np.int64)  # noqa: E731
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(linked, "_capacity_pass", lambda *args: None)
        calls = {"program": 0, "opened": 0}
        if fallback == "no_change":  # the program has no solution for any quantity: its relations open
            opened = linked._open_relations

            def no_change(*args):
                calls["program"] += 1

            def spy(*args):
                calls["opened"] += 1
                return opened(*args)

            patch.setattr(linked, "_cheapest_change", no_change)
            patch.setattr(linked, "_open_relations", spy)
            patch.setattr(linked, "STALL_ROUNDS", linked.MAX_ROUNDS + 1)  # only that branch opens them
        else:
            patch.setattr(linked, "_paths", nothing)
            patch.setattr(linked, "STALL_ROUNDS", 0)
        if fallback == "last_resort":
            patch.setattr(linked, "_open_relations", nothing)
            patch.setattr(linked, "_open_neighbourhood", nothing)
        protection = protect({"t": (frame, GRID)})
    assert _shown_break_a_rule(protection.published("t")).is_empty()
    assert audit(protection.linked, protection.withheld).failing.is_empty()
    assert calls["opened"] == calls["program"]


def test_the_cheapest_change_is_none_where_the_cells_cannot_absorb_it():
    from scipy.sparse import csr_matrix

    from regional_econ.publish.disclosure.linked import _cheapest_change

    # One relation, a = b: a must move up by 2, b (worth 1) can move by at most 1.
    a = csr_matrix(np.array([[1.0, -1.0]]))
    fail = np.array([0])
    assert _cheapest_change(a, np.array([10.0, 1.0]), np.ones(2), fail, np.array([2.0])) is None
    moved = _cheapest_change(a, np.array([10.0, 5.0]), np.ones(2), fail, np.array([2.0]))
    assert moved is not None and moved == pytest.approx([2.0, 2.0])


def _attack(cells: pl.DataFrame) -> pl.DataFrame:
    """An attacker written apart from the audit: scipy's linear programs over a two-way table
    (rows, columns, their totals), for every withheld cell that breaks a rule."""
    from scipy.optimize import linprog

    key = list(zip(cells["row"].to_list(), cells["col"].to_list(), strict=True))
    value = dict(zip(key, cells["net_amount_krw"].to_list(), strict=True))
    hidden = [k for k, s in zip(key, cells["suppressed"].to_list(), strict=True) if s]
    index = {k: i for i, k in enumerate(hidden)}
    rows, cols = sorted({r for r, _ in key if r is not None}), sorted({c for _, c in key if c is not None})
    lines = [[(r, c) for c in cols] + [(r, None)] for r in rows] + [[(r, c) for r in rows] + [(None, c)] for c in cols]
    lines += [[(r, None) for r in rows] + [(None, None)], [(None, c) for c in cols] + [(None, None)]]
    a, b = [], []
    for line in lines:  # parts minus total = 0
        coef, rhs = np.zeros(len(hidden)), 0.0
        for i, k in enumerate(line):
            sign = -1.0 if i == len(line) - 1 else 1.0
            if k in index:
                coef[index[k]] += sign
            else:
                rhs -= sign * value[k]
        if coef.any():
            a.append(coef)
            b.append(rhs)
    out = []
    for k in hidden:
        reason = cells.filter((pl.col("row").eq_missing(k[0])) & (pl.col("col").eq_missing(k[1])))["_reason"][0]
        if reason is None:
            continue
        c = np.zeros(len(hidden))
        c[index[k]] = 1.0
        low = linprog(c, A_eq=np.array(a), b_eq=b, bounds=(0, None)).fun
        high = linprog(-c, A_eq=np.array(a), b_eq=b, bounds=(0, None))
        out.append({"value": value[k], "low": low, "high": -high.fun if high.status == 0 else np.inf})
    return pl.DataFrame(out, schema={"value": pl.Float64, "low": pl.Float64, "high": pl.Float64})


@settings(max_examples=40, deadline=None)
@given(grids())
def test_an_attacker_written_apart_recovers_no_cell_that_breaks_a_rule(frame):
    cells = protect({"t": (frame, GRID)}).published("t")
    found = _attack(cells)
    need = rules.PROTECTION * pl.col("value") - 1e-6 * (1 + pl.col("value"))
    assert found.filter((pl.col("value") - pl.col("low") < need) | (pl.col("high") - pl.col("value") < need)).is_empty()


def test_products_sharing_a_cell_rank_its_complements_alike():
    # One gu, the five categories of one group; C11 has two merchants. Its complement in the group
    # must be one cell for both products: ranked by amount, spending would take C18; ranked by
    # merchants, the SME product would take C06, and withholding both loses ten times the amount.
    cats = {"C06": (1_000_000_000, 30), "C11": (1_000_000, 2), "C12": (2_000_000_000, 200),
            "C18": (100_000_000, 60), "C26": (2_000_000_000, 200)}  # fmt: skip
    spending = _spending([("41111", cat, amount, 500) for cat, (amount, _) in cats.items()]).with_columns(
        merchants=pl.Series([m for _, m in cats.values()])
    )
    sme = spending.select(
        "month",
        "sigungu_cd",
        "category_cd",
        "merchants",
        pl.col("net_amount_krw").alias("total_revenue_krw"),
        pl.col("net_amount_krw").alias("positive_revenue_krw"),
        pl.lit(0.2).alias("top_merchant_share"),
        pl.lit(0.15).alias("second_merchant_share"),
    )
    revenue = Disclosure(
        ("month", "sigungu_cd", "category_cd"), ("merchants", "total_revenue_krw"), ("merchants", "total_revenue_krw"),
        links={"total_revenue_krw": "spending.net_amount_krw"}, persons=None, businesses="merchants",
        contributions="positive_revenue_krw", person_share=None,
    )  # fmt: skip
    protection = protect({"spending_monthly": (spending, SPENDING), "sme_indicators": (sme, revenue)})
    for name in ("spending_monthly", "sme_indicators"):
        leaves = protection.published(name).filter(pl.col("sigungu_cd") == "41111", pl.col("category_cd").is_in(list(cats)))
        assert set(leaves.filter("suppressed")["category_cd"]) == {"C11", "C18"}, name
    assert audit(protection.linked, protection.withheld).failing.is_empty()


def test_complements_are_parts_before_totals():
    # One small cell breaks the p% rule in a 3 x 3 table of even cells: the cheapest protection
    # is a rectangle of four leaves, leaving every row, column and the grand total published.
    shares = [(0.3, 0.2, 0.1)] * 9
    shares[0] = (0.95, 0.01, 0.1)
    frame = grid([100_000] * 9, [50] * 9, [20] * 9, shares, 3, 3)
    cells = protect({"t": (frame, GRID)}).published("t")
    withheld = cells.filter("suppressed")
    assert withheld.height == 4 and withheld["row"].null_count() == withheld["col"].null_count() == 0
    assert not _attack(cells).is_empty()


def test_the_withheld_shares_are_stated_per_level_of_the_hierarchy():
    from regional_econ.publish.files import _by_level

    cells = pl.DataFrame(
        {
            "sigungu_cd": ["41111", "41113", "41110", "41150", "41111", None],
            "category_cd": ["C01", "C01", "C01", "C01", "G2", None],
            "net_amount_krw": [10, 30, 40, 60, 10, 100],
            "suppressed": [True, True, False, True, False, False],
        }
    )
    levels = _by_level(cells, ["sigungu_cd", "category_cd"], "net_amount_krw")
    # 41110 (Suwon) and 41150 (a si without gu) are si/gun; 41111 and 41113 are Suwon's gu.
    assert levels["gu x category"] == {"cells": 2, "withheld_cells_share": 1.0, "withheld_measure_share": 1.0}
    assert levels["si/gun x category"] == {"cells": 2, "withheld_cells_share": 0.5, "withheld_measure_share": 0.6}
    assert levels["gu x group"]["withheld_cells_share"] == 0.0 and levels["all"]["cells"] == 1
