"""Marts that fuse the centers through biz_token: SME revenue and profile, credit early warning,
job matching, consumption trends, household finance stress. Persons are never joined across centers."""

from datetime import date, timedelta

import dagster as dg
import polars as pl

from assets.marts.factory import MartSpec, build_mart, each_period, mart_between, staged_between
from assets.marts.spending import area_names, image
from regional_econ.marts import plots
from regional_econ.contracts import contract
from regional_econ.storage.lake import Lake
from regional_econ.periods import month_days, shift_month
from regional_econ.transforms import credit, jobs, sme, stress, trends

FEEDS = {
    "transactions": "kona/transactions", "merchants": "kona/merchants", "cardholders": "kona/cardholders",
    "credit": "ked/sme_credit", "guarantees": "gcgf/guarantee_events", "support": "gbsa/sme_support",
    "tech": "gtp/tech_firms", "content": "gca/content_firms", "postings": "gjf/job_postings",
    "seekers": "gjf/job_seekers", "placements": "gjf/placements", "cases": "msc/counseling_cases",
    "trends": "theimc/consumer_trends",
}


def feed(store: Lake, name: str, first: str, last: str) -> pl.LazyFrame:
    """A feed's staged partitions in [first, last]; an empty frame of its schema when there are none."""
    frame = staged_between(store, FEEDS[name], first, last)
    if frame is None:
        schema = dict(contract(FEEDS[name]).schema) | {"date": pl.String}
        return pl.DataFrame(schema=schema).lazy()
    return frame


def mart(store: Lake, name: str, first: str, last: str) -> pl.DataFrame | None:
    frame = mart_between(store, name, first, last)
    return None if frame is None else frame.collect()


def required(frame, what: str, key: str):
    if frame is None:
        raise dg.Failure(f"{key}: {what} has nothing for this period; materialize it first")
    return frame


def month_end(key: str) -> str:
    return month_days(key)[1].isoformat()


def merchant_revenue(store: Lake, key: str) -> pl.DataFrame:
    first, last = month_days(key)
    transactions = required(staged_between(store, FEEDS["transactions"], first.isoformat(), last.isoformat()),
                            "staged kona/transactions", key)
    history = mart(store, "merchant_revenue_monthly", shift_month(key, -12), shift_month(key, -1))
    return sme.merchant_revenue_monthly(transactions, feed(store, "merchants", "", last.isoformat()), key, history)


def revenue_months(store: Lake, key: str, months: int) -> pl.DataFrame:
    return required(mart(store, "merchant_revenue_monthly", shift_month(key, -(months - 1)), key),
                    "marts/merchant_revenue_monthly", key)


def profile(store: Lake, key: str) -> pl.DataFrame:
    last = month_end(key)
    return sme.sme_profile(
        revenue=revenue_months(store, key, 12), merchants=feed(store, "merchants", "", last),
        credit=feed(store, "credit", "", last), guarantees=feed(store, "guarantees", "", last),
        support=feed(store, "support", "", last), tech=feed(store, "tech", "", last),
        content=feed(store, "content", "", last), postings=feed(store, "postings", "", last),
        placements=feed(store, "placements", "", last), month=key,
    )


def early_warning(store: Lake, key: str) -> pl.DataFrame:
    last = month_end(key)
    return credit.credit_early_warning(
        revenue_months(store, key, 15), feed(store, "credit", "", last), feed(store, "guarantees", "", last), key
    )


def matching(store: Lake, key: str) -> pl.DataFrame:
    last = month_end(key)
    return jobs.job_matching(feed(store, "postings", "", last), feed(store, "seekers", "", last),
                             feed(store, "placements", "", last), key)


def finance(store: Lake, key: str) -> pl.DataFrame:
    first, last = month_days(key)
    return stress.finance_stress(feed(store, "cases", first.isoformat(), last.isoformat()),
                                 feed(store, "cardholders", "", last.isoformat()), key)


def weekly_trends(store: Lake, key: str) -> pl.DataFrame:
    week = date.fromisoformat(key)
    previous, end = (week - timedelta(days=7)).isoformat(), (week + timedelta(days=6)).isoformat()
    transactions = required(staged_between(store, FEEDS["transactions"], previous, end), "staged kona/transactions", key)
    return trends.consumption_trends(transactions, feed(store, "merchants", "", end), feed(store, "trends", previous, key), key)


def _bar(frame: pl.DataFrame, value: str, title: str) -> dict:
    by_area = frame.group_by("sigungu_cd").agg(pl.col(value).sum()).sort(value, descending=True).head(20)
    names = area_names()
    return {f"{value}_by_area": image(plots.bar_by_area(
        [names.get(a, a) for a in by_area["sigungu_cd"]], by_area[value].cast(pl.Float64).to_list(), title))}


def _spec(name: str, feeds: tuple[str, ...], compute, marts=(), plot=lambda f: {}) -> MartSpec:
    return MartSpec(name, each_period(compute), tuple(FEEDS[f] for f in feeds), marts, plot)


FUSION_SPECS = [
    _spec("merchant_revenue_monthly", ("transactions", "merchants"), merchant_revenue),
    _spec("sme_indicators", (), lambda s, k: sme.sme_indicators(revenue_months(s, k, 2), k),
          ("merchant_revenue_monthly",), lambda f: _bar(f, "total_revenue_krw", "지역별 가맹점 매출 (상위 20)")),
    _spec("sme_profile", ("merchants", "credit", "guarantees", "support", "tech", "content", "postings", "placements"),
          profile, ("merchant_revenue_monthly",)),
    _spec("linkage_rates", (), lambda s, k: sme.linkage_rates(
        required(mart(s, "sme_profile", k, k), "marts/sme_profile", k), k), ("sme_profile",),
        lambda f: {"linkage_matrix": image(plots.heatmap(
            f.with_columns(pl.col("rate").fill_null(0)), "center_a", "center_b", "rate", "기관 간 사업체 연계율 (A 중 B에도 있는 비율)"))}),
    _spec("credit_early_warning", ("credit", "guarantees"), early_warning, ("merchant_revenue_monthly",)),
    _spec("credit_risk_by_area", (), lambda s, k: credit.credit_risk_by_area(
        required(mart(s, "credit_early_warning", k, k), "marts/credit_early_warning", k)), ("credit_early_warning",),
        lambda f: _bar(f, "flagged", "지역별 조기경보 사업체 수")),
    _spec("job_matching", ("postings", "seekers", "placements"), matching,
          plot=lambda f: _bar(f, "openings", "지역별 모집인원")),
    _spec("job_mismatch", (), lambda s, k: jobs.job_mismatch(
        required(mart(s, "job_matching", k, k), "marts/job_matching", k)), ("job_matching",)),
    _spec("consumption_trends", ("transactions", "merchants", "trends"), weekly_trends),
    _spec("finance_stress", ("cases", "cardholders"), finance,
          plot=lambda f: _bar(f.filter(pl.col("dimension") == "all"), "cases", "지역별 서민금융 상담 건수")),
]

FUSION_MARTS = [build_mart(spec) for spec in FUSION_SPECS]
