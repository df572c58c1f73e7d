"""Spending marts from the regional-currency transactions (and the card and merchant registers)."""

import base64
from collections.abc import Iterator
from datetime import date

import dagster as dg
import polars as pl

from assets.marts.factory import MartSpec, build_mart, each_period
from regional_econ import reference
from regional_econ.marts import plots
from regional_econ.storage.lake import PART_FILE, Lake
from regional_econ.transforms import payments, spending

TRANSACTIONS, CHARGES = "kona/transactions", "kona/charges"
MERCHANTS, CARDHOLDERS = (feed for feed, _ in payments.REGISTERS.values())  # the registers payments reads


def area_names() -> dict[str, str]:
    areas = reference.table("areas")
    return dict(zip(areas["sigungu_cd"], areas["name_ko"])) | {reference.UNKNOWN_AREA: "(미상)"}


def image(png: bytes) -> dg.MetadataValue:
    return dg.MetadataValue.md(f"![plot](data:image/png;base64,{base64.b64encode(png).decode()})")


def top_areas_plot(frame: pl.DataFrame, area: str, title: str) -> dg.MetadataValue:
    by_area = frame.group_by(area).agg(pl.col("net_amount_krw").sum()).sort("net_amount_krw", descending=True).head(20)
    names = area_names()
    return image(plots.bar_by_area([names.get(a, a) for a in by_area[area]], by_area["net_amount_krw"].to_list(), title))


def payments_of_days(store: Lake, keys: list[str]) -> Iterator[tuple[str, pl.DataFrame]]:
    """The run's days of payments; each register is read once, up to the run's last day."""
    delivered = {kind: store.keys("staged", feed) for kind, (feed, _) in payments.REGISTERS.items()}
    for kind, days in delivered.items():
        feed = payments.REGISTERS[kind][0]
        if not days or days[0] > keys[0]:
            raise dg.Failure(f"payments {keys[0]}: nothing staged for {feed} on or before "
                             f"this day (first: {days[0] if days else 'none'}); stage the register first")
    merchants, cards = (
        payments.payment_register(kind, store.scan("staged", payments.REGISTERS[kind][0], [k for k in days if k <= keys[-1]]))
        for kind, days in delivered.items()
    )
    for key in keys:
        transactions = store.scan("staged", TRANSACTIONS, [key])
        if transactions is None:
            raise dg.Failure(f"payments {key}: no staged kona/transactions for this day")
        yield key, payments.payments(transactions, merchants, cards, up_to=date.fromisoformat(key))


def _payments(store: Lake, days: list[str]) -> pl.LazyFrame:
    # Partitions written before payments carried card_key cannot be read with the newer ones.
    stale = [d for d in days if "card_key" not in pl.read_parquet_schema(store.partition_dir("marts", "payments", d) / PART_FILE)]
    if stale:
        raise dg.Failure(f"marts/payments {stale[0]}..{stale[-1]} ({len(stale)} day(s)) predate card_key: "
                         "re-materialize marts/payments for those days first")
    return store.scan("marts", "payments", days)


def day_payments(store: Lake, key: str) -> pl.LazyFrame:
    if key not in store.keys("marts", "payments"):
        raise dg.Failure(f"{key}: marts/payments has no partition for this day; materialize it first")
    return _payments(store, [key])


def month_payments(store: Lake, month: str) -> pl.LazyFrame:
    days = [k for k in store.keys("marts", "payments") if k[:7] == month[:7]]
    if not days:
        raise dg.Failure(f"{month[:7]}: marts/payments has no day in this month; materialize it first")
    return _payments(store, days)


def month_feed(store: Lake, feed: str, month: str, up_to_month_end: bool = False) -> pl.LazyFrame:
    keys = [k for k in store.keys("staged", feed) if (k[:7] <= month[:7] if up_to_month_end else k[:7] == month[:7])]
    frame = store.scan("staged", feed, keys)
    if frame is None:
        raise dg.Failure(f"{month[:7]}: nothing staged for {feed}")
    return frame


def _plot_top_areas(frame: pl.DataFrame) -> dict:
    return {"net_spending_by_area": top_areas_plot(frame, "sigungu_cd", "지역별 순결제금액 (상위 20)")}


def _plots_by_time(frame: pl.DataFrame) -> dict:
    return {"rhythm_weekday_by_hour": image(plots.heatmap(
        frame, "day_of_week", "hour", "net_amount_krw", "요일 x 시간대 순결제금액",
        row_labels={i + 1: d for i, d in enumerate(plots.WEEKDAYS)}))}


def _plots_flows(frame: pl.DataFrame) -> dict:
    names = area_names()
    return {"flow_matrix": image(plots.heatmap(
        frame, "home_sigungu_cd", "merchant_sigungu_cd", "net_amount_krw", "거주지(행) → 가맹점 지역(열) 순결제금액",
        row_labels=names, column_labels=names))}


def _net_inflow_plot(frame: pl.DataFrame) -> dict:
    ranked = frame.sort("net_inflow_krw", descending=True)
    names = area_names()
    return {"net_inflow_by_area": image(plots.bar_by_area(
        [names.get(a, a) for a in ranked["sigungu_cd"]], ranked["net_inflow_krw"].to_list(), "지역별 순유입금액"))}


def _monthly(name, compute, plot=lambda f: {}, feeds=(), marts=("payments",)) -> MartSpec:
    return MartSpec(name, each_period(compute), feeds, marts, plot)


PAYMENTS = MartSpec("payments", payments_of_days, feeds=(TRANSACTIONS, MERCHANTS, CARDHOLDERS))
SPENDING_DAILY = MartSpec(
    "spending_daily", each_period(lambda store, key: spending.spending_daily(day_payments(store, key))),
    marts=("payments",), plot=_plot_top_areas,
)

MONTHLY = {
    spec.name: spec
    for spec in [
        _monthly("spending_monthly", lambda st, k: spending.spending_monthly(month_payments(st, k)), _plot_top_areas),
        _monthly("spending_by_time", lambda st, k: spending.spending_by_time(month_payments(st, k)), _plots_by_time),
        _monthly("spending_by_demographics", lambda st, k: spending.spending_by_demographics(month_payments(st, k))),
        _monthly("spending_flows", lambda st, k: spending.spending_flows(month_payments(st, k)), _plots_flows),
        _monthly("area_flow_summary",
                 lambda st, k: spending.area_flow_summary(st.scan("marts", "spending_flows", [k], column="month").collect()),
                 _net_inflow_plot, marts=("spending_flows",)),
        _monthly("currency_circulation",
                 lambda st, k: spending.currency_circulation(month_payments(st, k), reference.table("areas"))),
        _monthly("currency_balance",
                 lambda st, k: spending.currency_balance(
                     st.scan("marts", "currency_circulation", [k], column="month").collect(),
                     month_feed(st, CHARGES, k), month_feed(st, CARDHOLDERS, k, up_to_month_end=True)),
                 feeds=(CHARGES, CARDHOLDERS), marts=("currency_circulation",)),
        _monthly("policy_fund_usage", lambda st, k: spending.policy_fund_usage(month_payments(st, k))),
    ]
}

SPENDING_MARTS = [build_mart(spec) for spec in (PAYMENTS, SPENDING_DAILY, *MONTHLY.values())]
