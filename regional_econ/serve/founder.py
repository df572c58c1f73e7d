"""A would-be founder's traffic light per area and merchant category, from published data only
(``publish.sme_indicators`` and ``publish.sme_churn``: withheld cells stay withheld, and count as
no signal).

Four signals, each -1, 0 or +1, over the last ``MONTHS`` published months of the cell:

- trend: revenue growth of the latest month, >= +3% is +1, <= -3% is -1;
- churn: openings minus closures, more openings +1, more closures -1;
- survival: the closure rate (closures / merchants) against the category group's rate in all of
  Gyeonggi, at most 0.8 times +1, at least 1.25 times -1;
- competition: merchants against the median area of the same level for the category, at least
  1.5 times -1, at most 0.67 times +1.

Openings and closures are published by si/gun and category group (``sme_churn``): churn and
survival are those of the area's si/gun (a gu reads its si's) and the category's group.

Their sum is the light: >= 2 green, <= -2 red, otherwise yellow; grey when fewer than two
signals could be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from regional_econ.publish.disclosure.hierarchy import parents
from regional_econ.reference import table

MONTHS = 3
GROWTH = 0.03
CLOSURE_BETTER, CLOSURE_WORSE = 0.8, 1.25
CROWDED, SPARSE = 1.5, 0.67
LIGHTS = {"green": ("유망", "promising"), "yellow": ("보통", "average"), "red": ("주의", "caution"),
          "grey": ("판단 불가", "not enough published data")}  # fmt: skip
RULE_KO = (
    "최근 매출 증감(±3%), 시·군과 업종군의 개업-폐업 차이와 폐업률(경기도 대비 0.8배 이하/1.25배 이상), "
    "경쟁(같은 업종 중위 지역 대비 가맹점 수 1.5배 이상/0.67배 이하) 네 신호의 합이 2 이상이면 초록, "
    "-2 이하이면 빨강, 그 밖에는 노랑; 읽을 수 있는 신호가 둘 미만이면 회색."
)
RULE_EN = (
    "Four signals: revenue growth of the latest month (+/-3%), openings minus closures and the closure rate "
    "against Gyeonggi (<= 0.8x / >= 1.25x), both of the si/gun and category group, and competition (merchants against the "
    "median area of the same level, >= 1.5x / <= 0.67x). Their sum: >= 2 green, <= -2 red, else yellow; "
    "grey with fewer than two readable signals."
)


@dataclass(frozen=True)
class Light:
    area: str
    category: str
    colour: str
    signals: dict[str, int | None]  # None: withheld or not published
    values: dict[str, float | int | None]

    @property
    def label(self) -> tuple[str, str]:
        return LIGHTS[self.colour]


def _sign(value: float | None, plus: bool, minus: bool) -> int | None:
    if value is None:
        return None
    return 1 if plus else -1 if minus else 0


@cache
def _levels() -> dict[str, str]:
    return dict(zip(table("areas")["sigungu_cd"], table("areas")["level"], strict=True))


def lights(indicators: pl.DataFrame, category: str, churn: pl.DataFrame | None = None) -> list[Light]:
    """The light of every published area for one category, in the latest month of ``indicators``;
    ``churn``: the published ``sme_churn`` (without it, no churn or survival signal)."""
    months = sorted(indicators["month"].unique().to_list())[-MONTHS:]
    recent = indicators.filter(pl.col("month").is_in(months) & (pl.col("category_cd") == category))
    latest = recent.filter(pl.col("month") == months[-1]) if months else recent
    group = parents("category_cd").get(category)
    # The churn table's cells of the category's group, beside the indicators' merchants of the same cells.
    opened = _group_cells(churn, months, group, ["openings", "closures"]) if churn is not None else None
    counted = _group_cells(indicators, months, group, ["merchants"])
    province_rate = _rate(opened, counted, None) if opened is not None else None
    levels = latest.with_columns(level=pl.col("sigungu_cd").replace_strict(_levels(), default=None, return_dtype=pl.String))
    medians = (
        levels.filter(~pl.col("suppressed") & pl.col("level").is_not_null())
        .group_by("level")
        .agg(pl.col("merchants").median().alias("median_merchants"))
    )
    medians = dict(zip(medians["level"], medians["median_merchants"], strict=True))
    found = []
    for row in levels.filter(pl.col("sigungu_cd").is_not_null()).sort("sigungu_cd").iter_rows(named=True):
        si = parents("sigungu_cd").get(row["sigungu_cd"], row["sigungu_cd"])
        net = _net_openings(opened, si) if opened is not None else None
        rate = _rate(opened, counted, si) if opened is not None else None
        found.append(_light(row, net, rate, province_rate, medians.get(row["level"])))
    return found


def _group_cells(frame: pl.DataFrame, months: list[str], group: str | None, values: list[str]) -> pl.DataFrame:
    """Shown cells of the group in ``months``: (sigungu_cd, null for Gyeonggi) and ``values``."""
    return frame.filter(pl.col("month").is_in(months) & (pl.col("category_cd") == group) & ~pl.col("suppressed")).select(
        "month", "sigungu_cd", *values
    )


def _area(frame: pl.DataFrame, si: str | None) -> pl.DataFrame:
    return frame.filter(pl.col("sigungu_cd").is_null() if si is None else pl.col("sigungu_cd") == si)


def _net_openings(opened: pl.DataFrame, si: str) -> int | None:
    cells = _area(opened, si)
    return int(cells["openings"].sum() - cells["closures"].sum()) if cells.height else None


def _rate(opened: pl.DataFrame, counted: pl.DataFrame, si: str | None) -> float | None:
    """Closures over merchants in the months both are shown for the area (None: Gyeonggi)."""
    both = _area(opened, si).join(_area(counted, si), on=["month", "sigungu_cd"], how="inner", nulls_equal=True)
    merchants = both["merchants"].sum() if both.height else 0
    return both["closures"].sum() / merchants if merchants else None


def _light(
    row: dict, churn: int | None, rate: float | None, province_rate: float | None, median_merchants: float | None
) -> Light:
    growth = None if row["suppressed"] else row["revenue_growth"]
    relative_rate = rate / province_rate if rate is not None and province_rate else None
    merchants = None if row["suppressed"] else row["merchants"]
    crowding = merchants / median_merchants if merchants is not None and median_merchants else None
    signals = {
        "trend": _sign(growth, growth is not None and growth >= GROWTH, growth is not None and growth <= -GROWTH),
        "churn": _sign(churn, churn is not None and churn > 0, churn is not None and churn < 0),
        "survival": _sign(
            relative_rate,
            relative_rate is not None and relative_rate <= CLOSURE_BETTER,
            relative_rate is not None and relative_rate >= CLOSURE_WORSE,
        ),  # fmt: skip
        "competition": _sign(crowding, crowding is not None and crowding <= SPARSE, crowding is not None and crowding >= CROWDED),
    }
    read = [s for s in signals.values() if s is not None]
    total = sum(read)
    colour = "grey" if len(read) < 2 else "green" if total >= 2 else "red" if total <= -2 else "yellow"
    values = {"revenue_growth": growth, "net_openings": churn, "closure_rate_vs_gyeonggi": relative_rate,
              "merchants_vs_median_area": crowding}  # fmt: skip
    return Light(row["sigungu_cd"], row["category_cd"], colour, signals, values)
