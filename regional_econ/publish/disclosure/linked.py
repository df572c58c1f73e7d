"""Every product of a period protected as one linked set, and the attacker's audit of it.

**The linked set.** Each product's cube (``cube.py``) gives cells and relations (a total is the
sum of the cells below it). Products of a family publish the same quantities (the family's
additive values, ``Disclosure.quantity``) over the same named dimensions, so a cell ID names
the same cell in each: ``spending_monthly``'s (gu, category), ``spending_by_demographics``'
(gu, all ages, both genders, category) and ``sme_indicators``' revenue of (gu, category) are one
cell. Such cells are one *unit*: withheld in one product, withheld in all. Where their values
are equal the attacker also knows they are equal (an identity relation).

**The audit.** For each quantity, the withheld cells are the unknowns of the attacker's linear
program: every relation of every product publishing the quantity, with the published cells as
constants, each unknown at least 0 (unless negative: then unbounded below). A cell is protected
when the attacker's minimum and maximum lie at least ``protection`` x |value| away from its
value; feasible points in a mirror box show that for most cells at once (``_certify``), and the
exact extremes are solved for the rest (HiGHS, per connected block of unknowns).

**Secondary suppression.** A cell that breaks a rule (and every cell of its unit) needs the
protection; a complement breaks none, so an attacker may narrow it (``rules.PROTECT_COMPLEMENTS``
asks the protection of complements too, at a far higher loss). After the primary rules, (1) no
relation may hold exactly one withheld cell needing protection (it would be recovered by
subtraction): its cheapest published cell is added; (2) in every relation the other withheld
cells must be able to absorb the protection such a cell needs; (3) then, while the audit does
not show a cell protected, it gets the complements of its cheapest protecting change
(``_paths``); if that stalls, every published cell of its narrowest relation. Throughout, a
part is taken before the total it adds up to (``_spread``), so coarse tables stay published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import polars as pl
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components

from regional_econ.marts import Disclosure
from regional_econ.publish.disclosure import rules
from regional_econ.publish.disclosure.cube import CHILDREN, ID, Cube, build

MAX_ROUNDS = 40  # rounds of complements chosen by the quick audit
STALL_ROUNDS = 2  # ... or sooner, when this many rounds leave as many values failing
CERTIFY_ROUNDS = 6  # certification programs per block
EXACT_LIMIT = 100  # exact extremes solved per block; beyond, a value not certified counts as recoverable
TOLERANCE = 1e-6


@dataclass
class Relations:
    """Sparse relations: relation ``rel[i]`` has member cell ``cell[i]`` with coefficient ``coef[i]``."""

    rel: np.ndarray
    cell: np.ndarray
    coef: np.ndarray
    count: int

    @classmethod
    def empty(cls) -> Relations:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0)

    def extend(self, other: Relations) -> Relations:
        return Relations(
            np.concatenate([self.rel, other.rel + self.count]),
            np.concatenate([self.cell, other.cell]),
            np.concatenate([self.coef, other.coef]),
            self.count + other.count,
        )


@dataclass
class LinkedSet:
    products: dict[str, Cube]
    offsets: dict[str, int]
    size: int
    unit: np.ndarray  # cell -> unit
    cost: np.ndarray  # cell -> information lost when its unit is withheld (the largest share of a product's total)
    values: dict[str, np.ndarray]  # quantity -> value of every cell (nan where the cell has none)
    relations: dict[str, Relations]  # quantity -> its relations (every product publishing it, identities)
    everything: Relations  # all relations, for the subtraction pass
    reasons: np.ndarray  # cell -> primary reason or None
    main: set[str]  # each product's main quantity (its first additive value)
    spread: np.ndarray  # cell -> how far withholding it as a complement spreads (see ``_spread``)
    sensitive: np.ndarray  # cell -> whether, withheld, it needs the protection (see ``rules.PROTECT_COMPLEMENTS``)

    def cells(self, product: str) -> slice:
        start = self.offsets[product]
        return slice(start, start + self.products[product].cells.height)


@dataclass
class Audit:
    """The attacker's result: per withheld cell and quantity, the interval it can compute."""

    protection: float
    intervals: pl.DataFrame  # quantity, cell, value, low, high, protected
    failing: pl.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.failing = self.intervals.filter(~pl.col("protected"))

    @property
    def narrowest(self) -> float | None:
        """The smallest half-width an attacker obtains, as a share of the cell's value."""
        shown = self.intervals.filter(pl.col("sensitive") & (pl.col("value").abs() > 0))
        if shown.is_empty():
            return None
        width = pl.min_horizontal(pl.col("value") - pl.col("low"), pl.col("high") - pl.col("value")) / pl.col("value").abs()
        return float(shown.select(width.min()).item())


def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def assemble(products: dict[str, tuple[pl.DataFrame, Disclosure]]) -> LinkedSet:
    """The linked set of one period: ``products`` maps a product to its mart's period and declaration."""
    cubes, offsets, size = {}, {}, 0
    for name, (frame, d) in products.items():
        cubes[name] = build(frame, d)
        offsets[name], size = size, size + cubes[name].cells.height
    unit = np.arange(size)
    share = np.zeros(size)  # cell -> its share of its product's largest main value (the grand total)
    reasons = np.full(size, None, dtype=object)
    values: dict[str, np.ndarray] = {}
    relations: dict[str, Relations] = {}
    everything = Relations.empty()
    by_id: dict[tuple[str, str], list[int]] = {}
    for name, cube in cubes.items():
        d, cells, offset = products[name][1], cube.cells, offsets[name]
        index = cells.select(ID, _cell=pl.int_range(offset, offset + cells.height, dtype=pl.Int64))
        reasons[offset : offset + cells.height] = cells.select(rules.primary_reason(set(cells.columns)))[:, 0].to_numpy()
        if d.additive:
            main_value = cells[d.additive[0]].cast(pl.Float64).fill_null(0).abs().to_numpy()
            share[offset : offset + cells.height] = main_value / max(float(main_value.max(initial=0.0)), 1.0)
        own = _relations(cube.relations, index)
        everything = everything.extend(own)
        for value in d.additive:
            q = d.quantity(name, value)
            column = values.setdefault(q, np.full(size, np.nan))
            column[offset : offset + cells.height] = cells[value].cast(pl.Float64).fill_null(0).to_numpy()
            relations[q] = relations.get(q, Relations.empty()).extend(own)
            for i, key in enumerate(cells[ID].to_list()):
                by_id.setdefault((q, key), []).append(offset + i)
    identities: dict[str, list[tuple[int, int]]] = {}
    for (q, _), members in by_id.items():
        for a, b in zip(members, members[1:], strict=False):
            ra, rb = _find(unit, a), _find(unit, b)
            unit[rb] = ra
            if abs(values[q][a] - values[q][b]) < 0.5:
                identities.setdefault(q, []).append((a, b))
    unit = np.array([_find(unit, i) for i in range(size)])
    # A unit costs what its most informative cell is worth to its own product: the cells of a unit
    # are one value, so every relation of every product must rank a complement the same way (a
    # sme_indicators relation ranking by merchants and a spending one by amount would withhold
    # two cells where one does).
    unit_cost = np.zeros(size)
    np.maximum.at(unit_cost, unit, share)
    cost = unit_cost[unit] + 1e-9
    for q, pairs in identities.items():
        pairs_a = np.array(pairs, dtype=np.int64)
        n = len(pairs)
        identity = Relations(np.repeat(np.arange(n), 2), pairs_a.reshape(-1), np.tile([1.0, -1.0], n), n)
        relations[q] = relations[q].extend(identity)
    main = {products[name][1].quantity(name, products[name][1].additive[0]) for name in cubes if products[name][1].additive}
    spread = _spread(everything, values, unit, rules.PROTECTION)
    breaks = np.zeros(size, bool)
    breaks[unit[reasons != None]] = True  # noqa: E711 - an object array
    sensitive = np.ones(size, bool) if rules.PROTECT_COMPLEMENTS else breaks[unit]
    return LinkedSet(cubes, offsets, size, unit, cost, values, relations, everything, reasons, main, spread, sensitive)


def _spread(r: Relations, values: dict[str, np.ndarray], unit: np.ndarray, protection: float) -> np.ndarray:
    """Per cell, how far withholding it as a complement spreads, in the manner of tau-ARGUS'
    hierarchical method (totals are settled before their parts): twice its height above the
    cells it totals (a total opens its whole line to the attack, and the lines above), plus 1
    where it dominates a line it is part of (the rest of the line cannot absorb its protection,
    so the line's total would follow). Complements are chosen from the lowest spread first; a
    unit takes the highest spread of its cells."""
    dominant = np.zeros(unit.size, bool)
    child = r.coef < 0
    for value in values.values():
        size = np.abs(np.nan_to_num(value[r.cell]))
        children = np.bincount(r.rel[child], weights=size[child], minlength=r.count)
        dominant[r.cell[child & (size > 0) & (children[r.rel] - size < protection * size - TOLERANCE)]] = True
    height = np.zeros(unit.size, np.int64)
    parent = np.full(r.count, -1)
    parent[r.rel[~child]] = r.cell[~child]
    for _ in range(16):  # hierarchies are a few levels deep
        below = np.zeros(r.count, np.int64)
        np.maximum.at(below, r.rel[child], height[r.cell[child]])
        raised = height.copy()
        np.maximum.at(raised, parent[parent >= 0], below[parent >= 0] + 1)
        if (raised == height).all():
            break
        height = raised
    spread = 2 * height + dominant
    per_unit = np.zeros(unit.size, np.int64)
    np.maximum.at(per_unit, unit, spread)
    return per_unit[unit]


def _relations(frame: pl.DataFrame, index: pl.DataFrame) -> Relations:
    long = (
        frame.with_row_index("_rel")
        .select("_rel", pl.concat_list(pl.col(ID), pl.col(CHILDREN)).alias("_member"))
        .with_columns(_coef=pl.concat_list(pl.lit([1.0]), pl.col("_member").list.slice(1).list.eval(pl.lit(-1.0))))
        .explode("_member", "_coef")
        .join(index, left_on="_member", right_on=ID, how="left")
    )
    if long["_cell"].null_count():
        raise ValueError("a relation names a cell the cube does not have")
    return Relations(long["_rel"].to_numpy().astype(np.int64), long["_cell"].to_numpy(), long["_coef"].to_numpy(), frame.height)


def _withhold(linked: LinkedSet, withheld_units: np.ndarray, cells: np.ndarray) -> None:
    withheld_units[linked.unit[cells]] = True


def _subtraction_pass(linked: LinkedSet, withheld_units: np.ndarray) -> None:
    """Until no relation holds exactly one withheld cell, withhold the cheapest other cell of each that does."""
    r = linked.everything
    while True:
        w = withheld_units[linked.unit]
        count = np.bincount(r.rel, weights=w[r.cell].astype(float), minlength=r.count)
        sensitive = np.bincount(r.rel, weights=(w & linked.sensitive)[r.cell].astype(float), minlength=r.count)
        need = (count == 1) & (sensitive == 1)
        if not need.any():
            return
        mask = need[r.rel] & ~w[r.cell]
        rel, cell = r.rel[mask], r.cell[mask]
        order = np.lexsort((cell, linked.cost[cell], linked.spread[cell], rel))
        rel, cell = rel[order], cell[order]
        first = np.r_[True, rel[1:] != rel[:-1]]
        _withhold(linked, withheld_units, cell[first])


def _capacity_pass(linked: LinkedSet, withheld_units: np.ndarray, protection: float) -> None:
    """Until, in every relation, the other withheld cells of each withheld cell could absorb the
    change protection needs (their values add up to at least +-protection of it), add the
    cheapest published cell that covers the shortfall. A quick stand-in for most of what the
    audit would ask for; the audit still decides."""
    for _ in range(MAX_ROUNDS):
        added = []
        w = withheld_units[linked.unit]
        for q, r in linked.relations.items():
            size = np.abs(np.nan_to_num(linked.values[q][r.cell]))
            held = w[r.cell]
            total = np.bincount(r.rel, weights=np.where(held, size, 0.0), minlength=r.count)
            short = held & linked.sensitive[r.cell] & (total[r.rel] - size < protection * size - TOLERANCE)
            if not short.any():
                continue
            deficit = np.zeros(r.count)
            np.maximum.at(deficit, r.rel[short], (protection * size - (total[r.rel] - size))[short])
            open_ = ~held & (deficit[r.rel] > 0)
            rel, cell, s, need = r.rel[open_], r.cell[open_], size[open_], deficit[r.rel[open_]]
            # The cheapest cell that covers the shortfall alone, else the largest.
            rank = np.where(s >= need, linked.cost[cell], 1e30 - s)
            order = np.lexsort((cell, rank, linked.spread[cell], rel))
            rel, cell = rel[order], cell[order]
            first = np.r_[True, rel[1:] != rel[:-1]] if rel.size else np.zeros(0, bool)
            added.append(cell[first])
        cells = np.concatenate(added) if added else np.zeros(0, np.int64)
        if cells.size == 0 or withheld_units[linked.unit[cells]].all():
            return
        _withhold(linked, withheld_units, cells)
        _subtraction_pass(linked, withheld_units)


def audit(
    linked: LinkedSet,
    withheld: np.ndarray,
    protection: float = rules.PROTECTION,
    exact: bool = True,
    only: set[str] | None = None,
    certified: dict[str, np.ndarray] | None = None,
) -> Audit:
    """The attacker's interval for every withheld cell of every quantity (``withheld``: per cell).

    ``exact=False`` (while protecting) skips the exact extremes of cells not certified: they
    count as failing, which at worst withholds a complement more than needed. ``only``: the
    quantities to audit (default all). ``certified``: per quantity, cells an earlier audit of a
    subset of ``withheld`` found protected; they still are (withholding more only widens what
    the attacker cannot rule out), so they are not certified again."""
    rows = []
    for q, r in linked.relations.items():
        if only is not None and q not in only:
            continue
        value = linked.values[q]
        unknown = np.flatnonzero(withheld & ~np.isnan(value))
        if unknown.size == 0:
            continue
        var = np.full(linked.size, -1)
        var[unknown] = np.arange(unknown.size)
        member_var = var[r.cell]
        touching = np.zeros(r.count, bool)
        touching[r.rel[member_var >= 0]] = True
        keep = touching[r.rel]
        rel, cell, coef, mv = r.rel[keep], r.cell[keep], r.coef[keep], member_var[keep]
        rel_ids, rel = np.unique(rel, return_inverse=True)
        known = mv < 0
        rhs = -np.bincount(rel[known], weights=coef[known] * value[cell[known]], minlength=rel_ids.size)
        a = csr_matrix((coef[~known], (rel[~known], mv[~known])), shape=(rel_ids.size, unknown.size))
        # Solved in units that keep the largest value near 1e4: HiGHS' tolerances are absolute.
        scale = max(1.0, float(np.nanmax(np.abs(value[r.cell]))) / 1e4) if r.cell.size else 1.0
        done = certified[q][unknown] if certified and q in certified else None
        sensitive = linked.sensitive[unknown]
        low, high = _bounds(a, rhs / scale, value[unknown] / scale, np.where(sensitive, protection, 0.0), exact, done)
        low, high = low * scale, high * scale
        rows.append(
            pl.DataFrame(
                {"quantity": q, "cell": unknown, "value": value[unknown], "low": low, "high": high, "sensitive": sensitive}
            )
        )
    schema = {
        "quantity": pl.String,
        "cell": pl.Int64,
        "value": pl.Float64,
        "low": pl.Float64,
        "high": pl.Float64,
        "sensitive": pl.Boolean,
    }
    intervals = pl.concat(rows) if rows else pl.DataFrame(schema=schema)
    need = protection * pl.col("value").abs()
    slack = TOLERANCE * (1 + pl.col("value").abs())
    # A cell that needs no protection counts as protected; its interval is only what was needed to know that.
    protected = ~pl.col("sensitive") | (
        (pl.col("high") >= pl.col("value") + need - slack) & (pl.col("low") <= pl.col("value") - need + slack)
    )
    return Audit(protection, intervals.with_columns(protected=protected))


def _highs(n: int, lower: np.ndarray, upper: np.ndarray) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(n, lower, upper)
    return h


def _add_rows(h: highspy.Highs, m, lower: np.ndarray, upper: np.ndarray) -> None:
    m = m.tocsr()
    h.addRows(m.shape[0], lower, upper, m.nnz, m.indptr[:-1].astype(np.int32), m.indices.astype(np.int32), m.data.astype(float))


def _bounds(
    a: csr_matrix, rhs: np.ndarray, value: np.ndarray, protection: np.ndarray, exact: bool = True, done: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """How far each unknown can move down and up subject to ``a x = rhs`` and ``x >= 0`` (for a
    value that is not negative).

    Exact extremes are costly (two linear programs per unknown), so per connected block a few
    programs first certify every unknown they can. Each finds a point the attacker cannot rule
    out with every value inside ``[v - |v|, v + |v|]``: its mirror image ``2v - x`` is then
    feasible too, so an unknown it moves by the protection level in either direction is
    protected on both sides. Each round pushes the unknowns not certified yet up to their
    protection level (the others free within the box). For the unknowns no round certifies, the
    exact extremes are solved (``exact``; else they count as recoverable). So ``low`` and
    ``high`` are exact where protection fails and at least the protection level where it holds.
    """
    n = a.shape[1]
    # What the attacker knows before: a value is not negative, unless it is (a month of more
    # cancels than approvals); then it knows nothing below.
    lower = np.where(value >= 0, 0.0, -np.inf)
    low, high = lower.copy(), np.full(n, np.inf)
    if n == 0:
        return low, high
    need = protection * np.abs(value)
    blocks, label = connected_components(abs(a.T) @ abs(a), directed=False)
    csc = a.tocsc()
    for block in range(blocks):
        cols = np.flatnonzero(label == block)
        sub = csc[:, cols]
        rows = np.unique(sub.nonzero()[0])
        if rows.size == 0:
            continue  # in no relation: nothing bounds it from above
        sub, b = sub[rows, :], rhs[rows]
        v, k = value[cols], cols.size
        certified = _certify(sub, b, v, need[cols], None if done is None else done[cols])
        low[cols[certified]] = v[certified] - need[cols[certified]]
        high[cols[certified]] = v[certified] + need[cols[certified]]
        rest = np.flatnonzero(~certified)
        if rest.size and (not exact or rest.size > EXACT_LIMIT):
            low[cols[rest]] = high[cols[rest]] = v[rest]  # not shown to be protected: treated as recoverable
        elif rest.size:
            h = _highs(k, lower[cols], np.full(k, highspy.kHighsInf))
            _add_rows(h, sub, b, b)
            for sign, out in ((1.0, high), (-1.0, low)):
                h.changeObjectiveSense(highspy.ObjSense.kMaximize if sign > 0 else highspy.ObjSense.kMinimize)
                for j in rest:
                    h.changeColCost(int(j), 1.0)
                    h.run()
                    status = h.getModelStatus()
                    if status == highspy.HighsModelStatus.kOptimal:
                        out[cols[j]] = h.getInfo().objective_function_value
                    elif status == highspy.HighsModelStatus.kUnbounded:
                        out[cols[j]] = sign * np.inf
                    else:
                        raise RuntimeError(f"the attacker's linear program has no solution ({status}): the relations do not hold")
                    h.changeColCost(int(j), 0.0)
    return low, high


def _certify(a: csr_matrix, b: np.ndarray, value: np.ndarray, need: np.ndarray, done: np.ndarray | None) -> np.ndarray:
    """Which unknowns some feasible point in the mirror box moves by at least ``need`` (``done``:
    known already)."""
    k = value.size
    certified = need <= 0
    if done is not None:
        certified = certified | done
    # The box: within |v| of v, and not below 0 where the attacker knows a value is not negative.
    box_low = np.where(value >= 0, 0.0, -highspy.kHighsInf)
    box_high = np.where(value >= 0, 2 * value, highspy.kHighsInf)
    h = _highs(k, box_low, box_high)
    _add_rows(h, a, b, b)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    # Any feasible point certifies: the interior-point method without crossover finds one fastest.
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    index = np.arange(k, dtype=np.int32)
    weight = 1.0 / np.maximum(np.abs(value), 1e-9)
    tolerance = 1e-7 * (1 + np.abs(value))
    for _ in range(CERTIFY_ROUNDS):
        if certified.all():
            break
        h.changeColsBounds(k, index, box_low, np.where(certified, box_high, np.minimum(box_high, value + need)))
        h.changeColsCost(k, index, np.where(certified, 0.0, weight))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        x = np.asarray(h.getSolution().col_value)
        reached = np.abs(x - value) >= need - tolerance
        if not (reached & ~certified).any():
            break
        certified |= reached
    return certified


def _paths(linked: LinkedSet, failing: pl.DataFrame, withheld_units: np.ndarray, protection: float) -> np.ndarray:
    """The published cells to withhold so that every failing value can move by its protection
    level both ways: the cheapest change of the table that moves each failing value up by that
    much, keeps every relation and moves no cell by more than its value (a linear program in the
    manner of Fischetti and Salazar's single-cell protection, for all failing values at once).
    Its mirror image (every cell moved the other way) is then feasible too, so once the cells it
    touches are withheld, neither is a change the attacker can rule out. Changing a withheld
    cell costs nothing; changing a published one costs its unit's ``cost``, weighted by how far
    withholding it spreads (``_spread``), so parts are taken before totals. Where no such change
    exists, the values' narrowest relations are opened (``_open_relations``)."""
    chosen = []
    for (q,), group in failing.group_by(["quantity"]):
        r, value = linked.relations[q], np.nan_to_num(linked.values[q])
        cells = np.unique(r.cell)
        n = cells.size
        column = np.full(linked.size, -1)
        column[cells] = np.arange(n)
        scale = max(1.0, float(np.abs(value[cells]).max()) / 1e4)
        v = value[cells] / scale
        a = csr_matrix((r.coef, (r.rel, column[r.cell])), shape=(r.count, n))
        weight = (linked.cost[cells] + 1e-3) * 4.0 ** np.minimum(linked.spread[cells], 8)
        held = withheld_units[linked.unit[cells]].copy()
        cost = np.where(held, 0.0, weight)
        fail = column[group["cell"].to_numpy()]
        x = _cheapest_change(a, v, cost, fail, protection * np.abs(v[fail]))
        if x is None:  # no such change (cells too small to absorb it): open this quantity's relations
            chosen.append(_open_relations(linked, group, withheld_units[linked.unit], protection))
            continue
        chosen.append(cells[np.flatnonzero(~held & (x > 0))])
    return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)


def _cheapest_change(a: csr_matrix, v: np.ndarray, cost: np.ndarray, fail: np.ndarray, need: np.ndarray) -> np.ndarray | None:
    """How much the cheapest change moves each cell (up plus down), or None where none exists."""
    n = v.size
    # Columns: each cell's change up, then down; both within its value (the mirror box).
    bound = np.where(v >= 0, np.abs(v), highspy.kHighsInf)
    lower, upper = np.zeros(2 * n), np.concatenate([bound, bound])
    lower[fail] = upper[fail] = need
    upper[n + fail] = 0.0
    h = _highs(2 * n, lower, upper)
    _add_rows(h, hstack([a, -a]), np.zeros(a.shape[0]), np.zeros(a.shape[0]))
    h.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.tile(cost, 2))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.asarray(h.getSolution().col_value)
    moved = x[:n] + x[n:]
    return np.where(moved > 1e-6 * max(1.0, float(need.min(initial=1.0))), moved, 0.0)


@dataclass
class Protection:
    linked: LinkedSet
    withheld: np.ndarray  # per cell
    audit: Audit  # the last audit, of exactly ``withheld``
    rounds: int

    def published(self, product: str) -> pl.DataFrame:
        """The product's cells with ``suppressed`` (the reason stays in ``_reason``, internal)."""
        part = self.linked.cells(product)
        cube = self.linked.products[product].cells
        return cube.with_columns(
            suppressed=pl.Series(self.withheld[part]), _reason=pl.Series(self.linked.reasons[part].tolist(), dtype=pl.String)
        )


def protect(products: dict[str, tuple[pl.DataFrame, Disclosure]], protection: float = rules.PROTECTION) -> Protection:
    """Primary rules, then secondary suppression until the audit finds every withheld cell protected."""
    linked = assemble(products)
    withheld_units = np.zeros(linked.size, bool)
    _withhold(linked, withheld_units, np.flatnonzero(linked.reasons != None))  # noqa: E711 - an object array
    rounds, scope, certified, failing = 0, linked.main, {}, []
    while True:
        _subtraction_pass(linked, withheld_units)
        _capacity_pass(linked, withheld_units, protection)
        withheld = withheld_units[linked.unit]
        # Rounds audit each product's main value first, then every value; an audit without a
        # failing value is final (every value certified: the exact extremes add nothing).
        result = audit(linked, withheld, protection, exact=False, only=scope, certified=certified)
        _remember(certified, result, linked.size)
        if not result.failing.is_empty():
            failing.append(result.failing.height)
            stalled = len(failing) > STALL_ROUNDS and failing[-1] >= failing[-1 - STALL_ROUNDS]
            # Each failing value's cheapest complements first; when they stop paying off, its
            # narrowest relation is opened whole.
            if not stalled:
                added = _paths(linked, result.failing, withheld_units, protection)
            else:
                added = _open_relations(linked, result.failing, withheld, protection)
                if not added.size or withheld_units[linked.unit[added]].all():
                    added = _open_neighbourhood(linked, result.failing, withheld)
            if rounds < MAX_ROUNDS and added.size and not withheld_units[linked.unit[added]].all():
                _withhold(linked, withheld_units, added)
                rounds += 1
                continue
            # Complements no longer help: the exact extremes decide whether the rest are protected.
            result = audit(linked, withheld, protection, only=scope, certified=certified)
            if not result.failing.is_empty():
                return _last_resort(linked, withheld_units, result, protection, rounds, certified)
            _remember(certified, result, linked.size)
        if scope is None:
            return Protection(linked, withheld, result, rounds)
        scope = None  # the main values are protected: now every value


def _remember(certified: dict[str, np.ndarray], result: Audit, size: int) -> None:
    """Add the cells ``result`` found protected to ``certified`` (per quantity, over all cells)."""
    for (q,), group in result.intervals.filter("protected").group_by(["quantity"]):
        certified.setdefault(q, np.zeros(size, bool))[group["cell"].to_numpy()] = True


def _open_relations(linked: LinkedSet, failing: pl.DataFrame, withheld: np.ndarray, protection: float) -> np.ndarray:
    """For each failing value, every published cell of its relation with the fewest of them."""
    chosen = []
    for (q,), group in failing.group_by(["quantity"]):
        r = linked.relations[q]
        open_ = ~withheld[r.cell]
        published = np.bincount(r.rel, weights=open_.astype(float), minlength=r.count)
        mine = np.isin(r.cell, group["cell"].to_numpy()) & (published[r.rel] > 0)
        pairs = pl.DataFrame({"cell": r.cell[mine], "rel": r.rel[mine], "published": published[r.rel[mine]]})
        best = pairs.sort("published", "rel").group_by("cell", maintain_order=True).first()["rel"].to_numpy()
        # Of a relation's published cells, those that spread least (its parts before its total).
        candidates = np.isin(r.rel, best) & open_
        least = np.full(r.count, np.iinfo(np.int64).max)
        np.minimum.at(least, r.rel[candidates], linked.spread[r.cell[candidates]])
        chosen.append(r.cell[candidates & (linked.spread[r.cell] == least[r.rel])])
    return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)


def _open_neighbourhood(linked: LinkedSet, failing: pl.DataFrame, withheld: np.ndarray) -> np.ndarray:
    """For a failing value whose relations hold no published cell: every published cell of the
    relations of the cells it shares a relation with."""
    chosen = []
    for (q,), group in failing.group_by(["quantity"]):
        r = linked.relations[q]
        near = np.unique(r.cell[np.isin(r.rel, r.rel[np.isin(r.cell, group["cell"].to_numpy())])])
        rels = np.unique(r.rel[np.isin(r.cell, near)])
        chosen.append(r.cell[np.isin(r.rel, rels) & ~withheld[r.cell]])
    return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)


def _last_resort(
    linked: LinkedSet, withheld_units: np.ndarray, result: Audit, protection: float, rounds: int, certified: dict[str, np.ndarray]
) -> Protection:
    """When complements chosen one by one do not get there: withhold every cell of every relation of
    a value still recoverable (or of the nearest relations not withheld whole yet), until none is
    (everything withheld is protected: nothing bounds it)."""
    for _ in range(MAX_ROUNDS):
        if result.failing.is_empty():
            break
        for (q,), group in result.failing.group_by(["quantity"]):
            r, near = linked.relations[q], group["cell"].to_numpy()
            # One relation further each time what is near is withheld already (a withheld part
            # of a published total bounds the values beside it).
            while True:
                rels = np.unique(r.rel[np.isin(r.cell, near)])
                reach = np.unique(r.cell[np.isin(r.rel, rels)])
                if not withheld_units[linked.unit[reach]].all() or reach.size == near.size:
                    break
                near = reach
            _withhold(linked, withheld_units, reach)
        result = audit(linked, withheld_units[linked.unit], protection, exact=False, certified=certified)
        _remember(certified, result, linked.size)
        rounds += 1
    withheld = withheld_units[linked.unit]
    # The last word: exact extremes for what is still not certified.
    return Protection(
        linked,
        withheld,
        result if result.failing.is_empty() else audit(linked, withheld, protection, certified=certified),
        rounds,
    )
