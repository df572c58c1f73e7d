"""The pictures an operator sees on a mart's latest period (Korean labels, NanumGothic)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import dagster as dg
import polars as pl

from regional_econ import reference
from regional_econ.marts import plots


def area_names() -> dict[str, str]:
    areas = reference.table("areas")
    return dict(zip(areas["sigungu_cd"], areas["name_ko"], strict=True)) | {reference.UNKNOWN_AREA: "(미상)"}


def image(png: bytes) -> dg.MetadataValue:
    return dg.MetadataValue.md(f"![plot](data:image/png;base64,{base64.b64encode(png).decode()})")


def _bar(value: str, title: str, rows: pl.Expr | None = None) -> Callable[[pl.DataFrame], dict]:
    def plot(frame: pl.DataFrame) -> dict:
        shown = frame if rows is None else frame.filter(rows)
        by_area = shown.group_by("sigungu_cd").agg(pl.col(value).sum()).sort(value, descending=True).head(20)
        names = area_names()
        return {
            f"{value}_by_area": image(
                plots.bar_by_area(
                    [names.get(a, a) for a in by_area["sigungu_cd"]], by_area[value].cast(pl.Float64).to_list(), title
                )
            )
        }

    return plot


def _top_areas(frame: pl.DataFrame) -> dict:
    by_area = frame.group_by("sigungu_cd").agg(pl.col("net_amount_krw").sum()).sort("net_amount_krw", descending=True).head(20)
    names = area_names()
    return {
        "net_spending_by_area": image(
            plots.bar_by_area(
                [names.get(a, a) for a in by_area["sigungu_cd"]],
                by_area["net_amount_krw"].to_list(),
                "지역별 순결제금액 (상위 20)",
            )
        )
    }


def _rhythm(frame: pl.DataFrame) -> dict:
    return {
        "rhythm_weekday_by_hour": image(
            plots.heatmap(
                frame,
                "day_of_week",
                "hour",
                "net_amount_krw",
                "요일 x 시간대 순결제금액",
                row_labels={i + 1: d for i, d in enumerate(plots.WEEKDAYS)},
            )
        )
    }


def _flows(frame: pl.DataFrame) -> dict:
    names = area_names()
    return {
        "flow_matrix": image(
            plots.heatmap(
                frame,
                "home_sigungu_cd",
                "merchant_sigungu_cd",
                "net_amount_krw",
                "거주지(행) → 가맹점 지역(열) 순결제금액",
                row_labels=names,
                column_labels=names,
            )
        )
    }


def _net_inflow(frame: pl.DataFrame) -> dict:
    ranked = frame.sort("net_inflow_krw", descending=True)
    names = area_names()
    return {
        "net_inflow_by_area": image(
            plots.bar_by_area(
                [names.get(a, a) for a in ranked["sigungu_cd"]], ranked["net_inflow_krw"].to_list(), "지역별 순유입금액"
            )
        )
    }


def _linkage(frame: pl.DataFrame) -> dict:
    return {
        "linkage_matrix": image(
            plots.heatmap(
                frame.with_columns(pl.col("rate").fill_null(0)),
                "center_a",
                "center_b",
                "rate",
                "기관 간 사업체 연계율 (A 중 B에도 있는 비율)",
            )
        )
    }


PLOTS: dict[str, Callable[[pl.DataFrame], dict]] = {
    "spending_daily": _top_areas,
    "spending_monthly": _top_areas,
    "spending_by_time": _rhythm,
    "spending_flows": _flows,
    "area_flow_summary": _net_inflow,
    "sme_indicators": _bar("total_revenue_krw", "지역별 가맹점 매출 (상위 20)"),
    "linkage_rates": _linkage,
    "credit_risk_by_area": _bar("flagged", "지역별 조기경보 사업체 수"),
    "job_matching": _bar("openings", "지역별 모집인원"),
    "finance_stress": _bar("cases", "지역별 서민금융 상담 건수", rows=pl.col("dimension") == "all"),
}
