"""Reference tables: code lists the contracts check against and the marts label with.

Each table is a CSV beside this file, loaded once per process. ``README.md`` gives every
table's source; ``derive.py`` rebuilds the ones derived from ``shared/reference``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent

# Explicit codes for "not found in the registry": marts count such rows, they never drop them.
UNKNOWN_AREA = "99999"
UNKNOWN_CATEGORY = "C99"

# Every table is read with string codes; only these columns are typed otherwise.
_TYPES: dict[str, dict[str, pl.DataType]] = {
    "areas": {"is_leaf": pl.Boolean, "in_portal_2019": pl.Boolean, "valid_from": pl.Date, "valid_to": pl.Date},
    "currencies": {"in_portal_2019": pl.Boolean},
    "credit_grades": {"rank": pl.Int32, "b_or_worse": pl.Boolean},
    "sales_classes": {"max_annual_revenue_krw": pl.Int64, "is_small": pl.Boolean},
    "age_bands": {"min_age": pl.Int32, "max_age": pl.Int32},
    "calibration_spending_share": {"amount_krw": pl.Int64, "share": pl.Float64},
    "calibration_area_month": {"amount_krw": pl.Int64},
    "calibration_age_usage": {"payments": pl.Int64, "share": pl.Float64},
    "calibration_currency_usage": {"payments": pl.Int64, "share": pl.Float64},
}

TABLES = (
    "areas",
    "merchant_categories",
    "category_groups",
    "currencies",
    "ksic",
    "occupations",
    "age_bands",
    "policy_funds",
    "credit_grades",
    "sales_classes",
)


@cache
def table(name: str) -> pl.DataFrame:
    """One reference table by name, e.g. ``table("areas")``."""
    frame = pl.read_csv(HERE / f"{name}.csv", infer_schema=False)
    casts = _TYPES.get(name, {})
    return frame.with_columns(_parse(pl.col(c), t) for c, t in casts.items())


def _parse(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Boolean:
        return col == "true"
    if dtype == pl.Date:
        return col.str.to_date("%Y-%m-%d")
    return col.cast(dtype)


def codes(name: str) -> list[str]:
    """The code column (the first) of a reference table, as a list."""
    frame = table(name)
    return frame[frame.columns[0]].to_list()


def accepted_codes(name: str) -> list[str]:
    """The codes a contract column with ``ref: <name>`` accepts: records are coded to leaf areas."""
    return leaf_areas()["sigungu_cd"].to_list() if name == "areas" else codes(name)


def leaf_areas(on: str | None = None) -> pl.DataFrame:
    """Areas that records are coded to, optionally only those valid on ISO date ``on``."""
    areas = table("areas").filter(pl.col("is_leaf"))
    if on is None:
        return areas
    day = pl.lit(on).str.to_date()
    return areas.filter(
        (pl.col("valid_from").is_null() | (pl.col("valid_from") <= day))
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= day))
    )
