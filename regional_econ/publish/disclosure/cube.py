"""A product's cells: the mart's cells and every level above them, with the additive relations
between them (a total is the sum of the cells below it), which is what a reader can use.

A dimension declared ``coarser`` starts from the level above the mart's cells. Each dimension
of a line is rolled up through its hierarchy (gu -> si -> all, category ->
group -> all, ...); a total is a null in the dimension's column. Additive values are summed;
for the primary rules a total carries bounds that hold whatever the overlap of contributors
between its parts: at least as many persons and businesses as its largest part, at most the
sum of its parts' largest contributions. Along a dimension a business has one value of (its
area, its category: ``Disclosure.business_dims``), the parts share no business unless one moved
between them that period, so there a total's businesses and largest contributions are exact.
Values that do not add up (distinct counts, medians) are left empty in totals unless declared
as a ratio of additive parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from regional_econ import reference
from regional_econ.marts import Disclosure
from regional_econ.publish.disclosure import rules
from regional_econ.publish.disclosure.hierarchy import parents
from regional_econ.transforms.spending import SMALL_SALES_CLASSES, time_band

ID = "_id"  # a cell's key, the same in every product of a family: "category_cd=C27|sigungu_cd=41111|"
CHILDREN = "_children"
BREAKDOWN_TOTAL = "all"


@dataclass(frozen=True)
class Cube:
    cells: pl.DataFrame  # one row per cell: dims (null = total), values, rule columns, ID
    relations: pl.DataFrame  # parent ID, CHILDREN (list of IDs): parent = sum of children, for every additive value


def _derived() -> dict[str, pl.Expr]:
    si = reference.table("areas").select("sigungu_cd", "si_cd")
    merchant_si = pl.col("merchant_sigungu_cd").replace_strict(si["sigungu_cd"], si["si_cd"], default=None)
    return {
        "time_band": pl.when(pl.col("hour").is_not_null()).then(time_band(pl.col("hour"))),
        "is_small_merchant": pl.when(pl.col("sales_class").is_not_null()).then(pl.col("sales_class").is_in(SMALL_SALES_CLASSES)),
        "in_issuing_city": merchant_si == pl.col("currency_cd"),
    }


def _helpers(d: Disclosure) -> list[str]:
    """Additive columns a cube sums beside the published ones: the parts of declared ratios."""
    parts = [p for s in d.statistics.values() if s.ratio_of for p in s.ratio_of[:2]]
    return [p for p in dict.fromkeys(parts) if p not in d.additive]


def _rule_columns(mart: pl.DataFrame, d: Disclosure) -> pl.DataFrame:
    columns = {}
    if d.persons:
        columns[rules.PERSONS] = pl.col(d.persons).cast(pl.Int64)
    if d.businesses:
        columns[rules.BUSINESSES] = pl.col(d.businesses).cast(pl.Int64)
        if d.moved and d.business_dims:
            columns[rules.MOVED] = pl.col(d.moved).fill_null(0).cast(pl.Int64)
    if d.contributions:
        total = pl.col(d.contributions).cast(pl.Float64).fill_null(0)
        columns[rules.CONTRIBUTIONS] = total
        if d.top_shares:
            first, second = (pl.col(s).fill_null(0) * total for s in d.top_shares)
            columns[rules.TOP1], columns[rules.TOP12] = first, first + second
        if d.person_share:
            columns[rules.TOP_PERSON] = pl.col(d.person_share).fill_null(0) * total
    return mart.with_columns(**columns)


def key_expr(dims: list[str], roles: dict[str, str]) -> pl.Expr:
    """A cell's ID from its non-null dims under their family names, in name order."""
    named = sorted((roles.get(c, c), c) for c in dims)
    parts = [
        pl.when(pl.col(c).is_not_null()).then(pl.format(f"{n}={{}}|", pl.col(c).cast(pl.String))).otherwise(pl.lit(""))
        for n, c in named
    ]
    return pl.concat_str(parts) if parts else pl.lit("")


def build(mart: pl.DataFrame, d: Disclosure) -> Cube:
    """The cube of one period of a mart (its period column, if any, is dropped)."""
    breakdown = d.breakdown
    dims = [c for c in d.line_dims if not (breakdown and c in breakdown)]
    fixed = list(breakdown or ())
    additive = [*d.additive, *_helpers(d)]
    frame = _rule_columns(mart, d)
    rule_cols = [c for c in (rules.PERSONS, rules.BUSINESSES, rules.MOVED) if c in frame.columns]
    bound_cols = [c for c in (rules.CONTRIBUTIONS, rules.TOP1, rules.TOP12, rules.TOP_PERSON) if c in frame.columns]
    contributors = [c for s in d.statistics.values() for c in s.contributors]
    keep = [*fixed, *dims, *dict.fromkeys([*d.values, *additive, *contributors]), *rule_cols, *bound_cols]
    key = key_expr([*fixed, *dims], d.roles)
    cells = frame.select(keep).with_columns(key.alias(ID))

    def aggregations(dim: str) -> list[pl.Expr]:
        return _aggregations(additive, rule_cols, bound_cols, dim in d.business_dims)

    for dim in d.coarser:
        up, others = parents(dim), [*fixed, *[x for x in dims if x != dim]]
        has_parent = pl.col(dim).cast(pl.String).is_in(list(up))
        above = pl.col(dim).cast(pl.String).replace_strict(up, default=None).cast(cells.schema[dim])
        rolled = _roll(cells.filter(has_parent).with_columns(above), others, dim, aggregations(dim), key)
        cells = pl.concat([cells.filter(~has_parent), rolled], how="diagonal_relaxed")
    for dim in dims:
        others = [*fixed, *[x for x in dims if x != dim]]
        up = parents(dim)
        below = cells
        if up:
            has_parent = pl.col(dim).cast(pl.String).is_in(list(up))
            middle = _roll(
                below.filter(has_parent).with_columns(pl.col(dim).cast(pl.String).replace_strict(up)),
                others,
                dim,
                aggregations(dim),
                key,
            )
            middle = middle.with_columns(pl.col(dim).cast(below.schema[dim]))
            level = pl.concat([below.filter(~has_parent), middle], how="diagonal_relaxed")
        else:
            middle, level = None, below
        total = _roll(level.with_columns(pl.lit(None, dtype=below.schema[dim]).alias(dim)), others, dim, aggregations(dim), key)
        cells = pl.concat([below, *([middle] if middle is not None else []), total], how="diagonal_relaxed")
    # Every relation a reader has: along each dimension, at every level of the others.
    relations = [_relations_along(cells, dim, [*fixed, *[x for x in dims if x != dim]], key) for dim in dims]
    if breakdown:
        relations.append(_breakdown_relations(cells, breakdown, d))
    cells = _finish(cells, d, additive)
    if cells[ID].n_unique() != cells.height:
        raise ValueError("two cells of a product have the same dims (a code and the code above it in one period)")
    relations = pl.concat(relations) if relations else pl.DataFrame(schema={ID: pl.String, CHILDREN: pl.List(pl.String)})
    return Cube(cells, relations.filter(pl.col(CHILDREN).list.len() > 0))


def _aggregations(additive: list[str], rule_cols: list[str], bound_cols: list[str], by_business: bool) -> list[pl.Expr]:
    """How a total's values and rule columns follow from its parts'. Along a dim a business has one
    value of, parts with no business that moved between them share none: their businesses add
    up, the total's largest business is its parts' largest, and its two largest are one part's
    two largest or two parts' largest. Otherwise only the bounds hold whatever the overlap (see
    the module's doc)."""
    exprs = [pl.col(c).sum() for c in additive]
    disjoint = (pl.col(rules.MOVED).sum() == 0) if by_business and rules.MOVED in rule_cols else pl.lit(by_business)
    exact = {
        rules.BUSINESSES: pl.col(rules.BUSINESSES).sum(),
        rules.TOP1: pl.col(rules.TOP1).max(),
        rules.TOP12: pl.max_horizontal(pl.col(rules.TOP12).max(), pl.col(rules.TOP1).top_k(2).sum()),
    }
    for c in rule_cols:
        bound = pl.col(c).sum() if c == rules.MOVED else pl.col(c).max()
        exprs.append(pl.when(disjoint).then(exact[c]).otherwise(bound).alias(c) if c in exact and by_business else bound)
    for c in bound_cols:
        bound = pl.col(c).sum()
        exprs.append(pl.when(disjoint).then(exact[c]).otherwise(bound).alias(c) if c in exact and by_business else bound)
    return exprs


def _roll(frame: pl.DataFrame, others: list[str], dim: str, aggregations: list[pl.Expr], key: pl.Expr) -> pl.DataFrame:
    return frame.group_by([*others, dim], maintain_order=True).agg(aggregations).with_columns(key.alias(ID))


def _relations_along(cells: pl.DataFrame, dim: str, others: list[str], key: pl.Expr) -> pl.DataFrame:
    """Each cell above another in ``dim`` is the sum of the cells just below it (same other dims)."""
    up = parents(dim)
    code = pl.col(dim).cast(pl.String)
    found = []
    if up:
        children = cells.filter(code.is_in(list(up))).select(*others, dim, ID).with_columns(code.replace_strict(up).alias(dim))
        found.append(children.with_columns(pl.col(dim).cast(cells.schema[dim])))
    # The level just below the total: the codes above others, and the codes with nothing above them.
    top_level = cells.filter(pl.col(dim).is_not_null() & ~code.is_in(list(up)))
    found.append(top_level.select(*others, dim, ID).with_columns(pl.lit(None, dtype=cells.schema[dim]).alias(dim)))
    rows = [
        f.group_by([*others, dim], maintain_order=True)
        .agg(pl.col(ID).alias(CHILDREN))
        .with_columns(key.alias(ID))
        .select(ID, CHILDREN)
        for f in found
    ]
    return pl.concat(rows)


def _breakdown_relations(cells: pl.DataFrame, breakdown: tuple[str, str], d: Disclosure) -> pl.DataFrame:
    """Long tables (``dimension``, ``value``): each breakdown's values add up to the total row, where
    they do (a reader can use the relation only when it holds)."""
    kind, _ = breakdown
    rest = [c for c in d.line_dims if c not in breakdown]
    first = d.additive[0]
    totals = cells.filter(pl.col(kind) == BREAKDOWN_TOTAL).select(*rest, ID, _total=pl.col(first))
    parts = (
        cells.filter(pl.col(kind) != BREAKDOWN_TOTAL)
        .group_by([*rest, kind], maintain_order=True)
        .agg(pl.col(ID).alias(CHILDREN), _sum=pl.col(first).sum())
    )
    joined = parts.join(totals, on=rest, how="inner", nulls_equal=True)
    return joined.filter(pl.col("_sum") == pl.col("_total")).select(ID, CHILDREN)


def _finish(cells: pl.DataFrame, d: Disclosure, additive: list[str]) -> pl.DataFrame:
    """Derived dims from the row, ratios recomputed for totals, bounds capped by the total."""
    derived = _derived()
    cells = cells.with_columns(derived[c].alias(c) for c in d.derived)
    for name, statistic in d.statistics.items():
        if statistic.ratio_of:
            num, den, scale = statistic.ratio_of
            ratio = pl.when(pl.col(den) > 0).then(pl.col(num) * scale / pl.col(den))
            cells = cells.with_columns(pl.when(pl.col(name).is_null()).then(ratio).otherwise(pl.col(name)).alias(name))
    if rules.CONTRIBUTIONS in cells.columns:
        total = pl.col(rules.CONTRIBUTIONS)
        cells = cells.with_columns(
            pl.min_horizontal(pl.col(c), total).alias(c)
            for c in (rules.TOP1, rules.TOP12, rules.TOP_PERSON)
            if c in cells.columns
        )
    return cells.select(*[c for c in d.dims if c != "month" and c in cells.columns], pl.exclude(*d.dims))
