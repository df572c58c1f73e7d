"""What the portal's map and charts show, each read from a published product in the warehouse.

A map measure gives one value per si/gun for a month: the product's cells of that si/gun with
every other dimension at its total (a null dimension is the total over it). A withheld cell is
no value (the map leaves the area blank). Only published products are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from regional_econ.serve.geo import si_gun


@dataclass(frozen=True)
class Measure:
    name: str
    label: tuple[str, str]  # Korean, English
    product: str
    sql: str  # one row per si/gun: (code, value); ? = the month


def _totals_of(product: str, column: str, area: str, others: tuple[str, ...]) -> str:
    rest = "".join(f" AND {d} IS NULL" for d in others)
    return (
        f"SELECT {area}, {column} FROM publish.{product} "
        f"WHERE month = ? AND NOT suppressed AND {area} IN (SELECT unnest(?)){rest}"
    )


MEASURES = {
    m.name: m
    for m in (
        Measure("net_amount", ("순결제금액 (원)", "Net spending (KRW)"), "spending_monthly",
                _totals_of("spending_monthly", "net_amount_krw", "sigungu_cd", ("category_cd",))),
        Measure("local_retention", ("역내 소비 비율", "Spent at home (share)"), "spending_flows",
                "SELECT f.home_sigungu_cd, f.net_amount_krw / t.net_amount_krw FROM publish.spending_flows f "
                "JOIN publish.spending_flows t ON t.month = f.month AND t.home_sigungu_cd = f.home_sigungu_cd "
                "AND t.merchant_sigungu_cd IS NULL WHERE f.month = ? AND f.home_sigungu_cd = f.merchant_sigungu_cd "
                "AND f.home_sigungu_cd IN (SELECT unnest(?)) AND NOT f.suppressed AND NOT t.suppressed"),
        Measure("inflow", ("외부 유입 소비 (원)", "Spending from elsewhere (KRW)"), "spending_flows",
                "SELECT t.merchant_sigungu_cd, t.net_amount_krw - f.net_amount_krw FROM publish.spending_flows t "
                "JOIN publish.spending_flows f ON f.month = t.month AND f.home_sigungu_cd = t.merchant_sigungu_cd "
                "AND f.merchant_sigungu_cd = t.merchant_sigungu_cd WHERE t.month = ? AND t.home_sigungu_cd IS NULL "
                "AND t.merchant_sigungu_cd IN (SELECT unnest(?)) AND NOT f.suppressed AND NOT t.suppressed"),
        Measure("flag_rate", ("신용위험 경보 비율", "Credit early-warning flag rate"), "credit_risk_by_area",
                _totals_of("credit_risk_by_area", "flag_rate", "sigungu_cd", ("category_cd",))),
        Measure("vacancy_ratio", ("구인배수 (구인/구직)", "Vacancies per seeker"), "job_matching",
                _totals_of("job_matching", "vacancy_to_seeker_ratio", "sigungu_cd", ("occupation_cd",))),
    )
}  # fmt: skip


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows from the read-only warehouse; none while the product is not published (no view yet)."""
    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            return con.execute(sql, params or []).fetchall()
        except duckdb.CatalogException:
            return []


def months(warehouse: Path, product: str) -> list[str]:
    return [r[0] for r in _rows(warehouse, f"SELECT DISTINCT month FROM publish.{product} ORDER BY 1")]


def map_values(warehouse: Path, measure: Measure, month: str) -> dict[str, float]:
    """si/gun code -> value; areas whose cell is withheld are absent."""
    rows = _rows(warehouse, measure.sql, [month, sorted(si_gun())])
    return {code: float(value) for code, value in rows if value is not None}


def monthly_series(warehouse: Path) -> list[tuple[str, float | None]]:
    """Net spending of all Gyeonggi per month (the published total cell)."""
    return _rows(warehouse, "SELECT month, net_amount_krw FROM publish.spending_monthly "
                            "WHERE sigungu_cd IS NULL AND category_cd IS NULL ORDER BY month")  # fmt: skip


def rhythm(warehouse: Path, month: str) -> list[tuple[int, int, float | None]]:
    """(weekday 1 = Monday, hour, net spending) for all Gyeonggi in a month."""
    return _rows(
        warehouse,
        "SELECT day_of_week, hour, net_amount_krw FROM publish.spending_by_time WHERE month = ? "
        "AND sigungu_cd IS NULL AND day_of_week IS NOT NULL AND hour IS NOT NULL AND NOT suppressed ORDER BY 1, 2",
        [month],
    )


def top_flows(warehouse: Path, month: str, limit: int = 15) -> list[tuple[str, str, float]]:
    """The largest published flows between two different si/gun (home -> where the money was spent)."""
    return _rows(
        warehouse,
        "SELECT home_sigungu_cd, merchant_sigungu_cd, net_amount_krw FROM publish.spending_flows "
        "WHERE month = ? AND NOT suppressed AND home_sigungu_cd <> merchant_sigungu_cd "
        "AND home_sigungu_cd IN (SELECT unnest(?)) AND merchant_sigungu_cd IN (SELECT unnest(?)) "
        "ORDER BY net_amount_krw DESC LIMIT ?",
        [month, sorted(si_gun()), sorted(si_gun()), limit],
    )
