"""The levels a product publishes above its cells: gu within their si (the 31 si/gun beside the
42 gu), card categories within their groups, occupations within their major groups, and for
every dimension its total (a null in the published file)."""

from __future__ import annotations

from functools import cache

import polars as pl

from regional_econ import reference

AREA_DIMS = ("sigungu_cd", "home_sigungu_cd", "merchant_sigungu_cd")
# What a code below its parent is called, and what the other codes are (the catalog's levels).
LEVELS = {dim: ("gu", "si/gun") for dim in AREA_DIMS} | {
    "category_cd": ("category", "group"),
    "occupation_cd": ("occupation", "major group"),
}


@cache
def parents(dim: str) -> dict[str, str]:
    """Code -> the code of the level above, for codes that have one below the total."""
    if dim in AREA_DIMS:
        areas = reference.table("areas").filter(pl.col("si_cd") != pl.col("sigungu_cd"))
        return dict(zip(areas["sigungu_cd"], areas["si_cd"], strict=True))
    if dim == "category_cd":
        groups = reference.table("category_groups")
        return dict(zip(groups["category_cd"], groups["group_cd"], strict=True))
    if dim == "occupation_cd":
        occupations = reference.table("occupations")
        return {code: f"M{major}" for code, major in zip(occupations["occupation_cd"], occupations["major_cd"], strict=True)}
    return {}


@cache
def level_names(dim: str) -> dict[str, str]:
    """Names of the codes above the cells that the cells' own reference table does not hold."""
    if dim == "category_cd":
        groups = reference.table("category_groups").unique("group_cd")
        return dict(zip(groups["group_cd"], groups["group_name_ko"], strict=True))
    if dim == "occupation_cd":
        majors = reference.table("occupations").unique("major_cd")
        return {f"M{m}": name for m, name in zip(majors["major_cd"], majors["major_name_ko"], strict=True)}
    return {}
