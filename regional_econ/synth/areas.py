"""Geography of the generator: which area codes are valid on a date, populations, centroids.

Codes come from ``reference.leaf_areas(on=...)`` and boundaries from ``reference.boundaries``;
what the reference tables do not hold (residents, a point near each area's centre) is declared
here, approximately: it only shapes synthetic data.

Bucheon: one area 41190 until 2023-12-31, three gu (41192/41194/41196) from 2024-01-01.
Everything that carries an area (a merchant, a card, a business) keeps one stable key, and
``recode`` maps it onto the codes valid on the date with the same gu for the same key, so a
business is in the same gu in every center's feed.
"""

from __future__ import annotations

import bisect
from datetime import date
from functools import cache

import numpy as np
import polars as pl

from regional_econ.reference import leaf_areas, table
from regional_econ.reference.boundaries import leaf_shapes

BUCHEON = "41190"
# Share of Bucheon's activity per reinstated gu (roughly their populations).
BUCHEON_GU = {"41192": 0.50, "41194": 0.27, "41196": 0.23}

# Residents in thousands: the Ministry of the Interior and Safety's resident registration population
# at the end of 2023, rounded to 10,000 (1,000 below 100,000) and transcribed by hand; gu of Bucheon
# split as above. Weights the areas the 2019 portal had not reached (``calibration.area_intensity``).
POPULATION_K = {
    "41111": 270,
    "41113": 370,
    "41115": 190,
    "41117": 360,
    "41131": 230,
    "41133": 210,
    "41135": 480,
    "41150": 460,
    "41171": 240,
    "41173": 310,
    "41190": 790,
    "41210": 280,
    "41220": 580,
    "41250": 90,
    "41271": 340,
    "41273": 290,
    "41281": 480,
    "41285": 300,
    "41287": 290,
    "41290": 80,
    "41310": 190,
    "41360": 730,
    "41370": 230,
    "41390": 510,
    "41410": 260,
    "41430": 160,
    "41450": 330,
    "41461": 270,
    "41463": 450,
    "41465": 380,
    "41480": 490,
    "41500": 220,
    "41550": 190,
    "41570": 480,
    "41590": 930,
    "41610": 390,
    "41630": 240,
    "41650": 150,
    "41670": 110,
    "41800": 42,
    "41820": 62,
    "41830": 120,
}
for _gu, _share in BUCHEON_GU.items():
    POPULATION_K[_gu] = round(POPULATION_K[BUCHEON] * _share)

# Where firms (not shops) cluster: industrial and IT areas get more than their population.
INDUSTRY_FACTOR = {"41590": 2.2, "41273": 2.0, "41390": 1.8, "41220": 1.6, "41135": 1.8, "41570": 1.4, "41500": 1.3}

# A point near the middle of each area (WGS84 lat, lon); Pyeongtaek and Yeoncheon stay inside
# the contract's box (lat 36.89..38.30, lon 126.37..127.86).
CENTROID = {
    "41111": (37.304, 127.010),
    "41113": (37.258, 126.972),
    "41115": (37.282, 127.020),
    "41117": (37.259, 127.047),
    "41131": (37.450, 127.146),
    "41133": (37.430, 127.137),
    "41135": (37.383, 127.119),
    "41150": (37.738, 127.034),
    "41171": (37.387, 126.932),
    "41173": (37.393, 126.957),
    "41190": (37.503, 126.766),
    "41192": (37.504, 126.776),
    "41194": (37.478, 126.795),
    "41196": (37.528, 126.796),
    "41210": (37.478, 126.865),
    "41220": (36.992, 127.113),
    "41250": (37.904, 127.061),
    "41271": (37.301, 126.846),
    "41273": (37.319, 126.813),
    "41281": (37.638, 126.832),
    "41285": (37.659, 126.775),
    "41287": (37.676, 126.750),
    "41290": (37.429, 126.988),
    "41310": (37.594, 127.130),
    "41360": (37.636, 127.216),
    "41370": (37.150, 127.077),
    "41390": (37.380, 126.803),
    "41410": (37.362, 126.935),
    "41430": (37.345, 126.968),
    "41450": (37.539, 127.215),
    "41461": (37.234, 127.201),
    "41463": (37.280, 127.115),
    "41465": (37.322, 127.098),
    "41480": (37.760, 126.780),
    "41500": (37.272, 127.435),
    "41550": (37.008, 127.280),
    "41570": (37.615, 126.716),
    "41590": (37.199, 126.831),
    "41610": (37.429, 127.255),
    "41630": (37.785, 127.046),
    "41650": (37.895, 127.200),
    "41670": (37.298, 127.637),
    "41800": (38.096, 127.075),
    "41820": (37.831, 127.510),
    "41830": (37.492, 127.488),
}


@cache
def all_leaf_codes() -> tuple[str, ...]:
    """Every leaf code ever valid, in code order: the integer index used in arrays."""
    return tuple(sorted(leaf_areas()["sigungu_cd"].to_list()))


def index_of(codes: list[str] | tuple[str, ...]) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(all_leaf_codes())}
    return np.array([lookup[c] for c in codes], dtype=np.int64)


def codes_on(day: date) -> tuple[str, ...]:
    return _codes_on(regime(day))


@cache
def _codes_on(day: date) -> tuple[str, ...]:
    return tuple(sorted(leaf_areas(on=day.isoformat())["sigungu_cd"].to_list()))


@cache
def _changes() -> tuple[date, ...]:
    """The days on which the set of valid areas changed (a code's first day or the day after its last)."""
    leaf = leaf_areas()
    days = {d for d in leaf["valid_from"].drop_nulls().to_list()}
    days |= {d.fromordinal(d.toordinal() + 1) for d in leaf["valid_to"].drop_nulls().to_list()}
    return tuple(sorted(days))


def regime(day: date) -> date:
    """The first day of the area regime ``day`` is in (the areas valid are the same from it to ``day``):
    tables that depend only on which areas exist are cached per regime, not per day."""
    changes = _changes()
    i = bisect.bisect_right(changes, day)
    return changes[i - 1] if i else date.min


@cache
def si_of() -> dict[str, str]:
    """Leaf area -> its si/gun code (the issuer of its regional currency)."""
    areas = table("areas")
    return dict(zip(areas["sigungu_cd"].to_list(), areas["si_cd"].to_list(), strict=True))


@cache
def names_ko() -> dict[str, str]:
    areas = table("areas")
    return dict(zip(areas["sigungu_cd"].to_list(), areas["name_ko"].to_list(), strict=True))


def bucheon_split(day: date) -> bool:
    return BUCHEON not in codes_on(day)


def _gu_of_keys(keys: np.ndarray) -> np.ndarray:
    """Deterministic gu of Bucheon for each stable integer key, in the BUCHEON_GU shares."""
    gu = list(BUCHEON_GU)
    cut = np.cumsum(list(BUCHEON_GU.values()))
    u = ((np.asarray(keys, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)).astype(float) / 2**24
    return np.array(gu)[np.minimum(np.searchsorted(cut, u, side="right"), len(gu) - 1)]


def recode(codes: np.ndarray | pl.Series, keys: np.ndarray, day: date) -> np.ndarray:
    """Area codes made valid on ``day``: Bucheon one code before 2024, its gu from 2024."""
    codes = np.asarray(codes.to_numpy() if isinstance(codes, pl.Series) else codes, dtype=object)
    out = codes.copy()
    if bucheon_split(day):
        old = codes == BUCHEON
        if old.any():
            out[old] = _gu_of_keys(np.asarray(keys)[old])
    else:
        new = np.isin(codes, list(BUCHEON_GU))
        out[new] = BUCHEON
    return out


def split_bucheon(frame: pl.DataFrame, day: date, share_columns: tuple[str, ...] = ()) -> pl.DataFrame:
    """A table keyed by ``sigungu_cd`` (2019 areas) with Bucheon's rows split over its gu on ``day``.

    ``share_columns`` are additive (amounts, shares) and are split by BUCHEON_GU; other
    columns are copied (a gu inherits Bucheon's age mix, currency mix...).
    """
    if not bucheon_split(day):
        return frame
    rest = frame.filter(pl.col("sigungu_cd") != BUCHEON)
    bucheon = frame.filter(pl.col("sigungu_cd") == BUCHEON)
    parts = [
        bucheon.with_columns(
            pl.lit(gu).alias("sigungu_cd"), *[(pl.col(c) * share).cast(frame.schema[c]).alias(c) for c in share_columns]
        )
        for gu, share in BUCHEON_GU.items()
    ]
    return pl.concat([rest, *parts]).sort("sigungu_cd", maintain_order=True)


def population_weights(day: date, firms: bool = False) -> tuple[tuple[str, ...], np.ndarray]:
    """Areas valid on ``day`` and their weights: residents, or where firms cluster."""
    codes = codes_on(day)
    w = np.array([POPULATION_K[c] * (INDUSTRY_FACTOR.get(c, 1.0) if firms else 1.0) for c in codes], dtype=float)
    return codes, w / w.sum()


POINT_SPREAD = (0.012, 0.015)  # degrees lat, lon: shops cluster around the town centre
POINT_TRIES = 30
BOX = ((36.90, 38.29), (126.38, 127.85))  # inside the contract's Gyeonggi box (lat 36.89..38.30, lon 126.37..127.86)


def points(gen: np.random.Generator, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A lat/lon inside each area's boundary (``reference.boundaries``), drawn around its centroid;
    a point that falls outside is drawn again (after ``POINT_TRIES``, the centroid, which is inside)."""
    import shapely

    codes = np.asarray(codes)
    lat = np.array([CENTROID[c][0] for c in codes])
    lon = np.array([CENTROID[c][1] for c in codes])
    shapes = leaf_shapes()
    todo = np.arange(len(codes))
    for _ in range(POINT_TRIES):
        if not todo.size:
            break
        y = (lat[todo] + gen.normal(0, POINT_SPREAD[0], todo.size)).round(6)
        x = (lon[todo] + gen.normal(0, POINT_SPREAD[1], todo.size)).round(6)
        inside = (y >= BOX[0][0]) & (y <= BOX[0][1]) & (x >= BOX[1][0]) & (x <= BOX[1][1])
        for code in np.unique(codes[todo]):
            rows = codes[todo] == code
            inside[rows] &= shapely.contains_xy(shapes[code], x[rows], y[rows])
        lat[todo[inside]], lon[todo[inside]] = y[inside], x[inside]
        todo = todo[~inside]
    return lat.round(6), lon.round(6)
