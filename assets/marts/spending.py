"""Spending marts from the regional-currency transactions (and the card and merchant registers)."""

import base64

import dagster as dg
import polars as pl

from assets.marts.factory import MartSpec, build_mart, mart_key, staged_key
from assets.metadata import frame_schema, preview
from assets.partitions import partitions_for
from regional_econ import plots, reference
from regional_econ.lake import Lake
from regional_econ.marts import MARTS
from regional_econ.transforms import registers, spending
from resources import ParquetLake

TRANSACTIONS, MERCHANTS, CARDHOLDERS, CHARGES = "kona/transactions", "kona/merchants", "kona/cardholders", "kona/charges"


def area_names() -> dict[str, str]:
    areas = reference.table("areas")
    return dict(zip(areas["sigungu_cd"], areas["name_ko"])) | {reference.UNKNOWN_AREA: "(미상)"}


def image(png: bytes) -> dg.MetadataValue:
    return dg.MetadataValue.md(f"![plot](data:image/png;base64,{base64.b64encode(png).decode()})")


def top_areas_plot(frame: pl.DataFrame, area: str, title: str) -> dg.MetadataValue:
    by_area = frame.group_by(area).agg(pl.col("net_amount_krw").sum()).sort("net_amount_krw", descending=True).head(20)
    names = area_names()
    return image(plots.bar_by_area([names.get(a, a) for a in by_area[area]], by_area["net_amount_krw"].to_list(), title))


def mart_metadata(name: str, rows: dict[str, int], frame: pl.DataFrame, **extra) -> dict:
    return {
        "dagster/row_count": sum(rows.values()),
        "partition_row_counts": dg.MetadataValue.json(rows),
        "dagster/column_schema": frame_schema(frame),
        "preview": preview(frame),
        **extra,
    }


@dg.asset(
    key=mart_key("spending_daily"),
    deps=[staged_key(TRANSACTIONS), staged_key(MERCHANTS)],
    partitions_def=partitions_for("daily"),
    backfill_policy=dg.BackfillPolicy.single_run(),
    automation_condition=dg.AutomationCondition.eager(),
    group_name="marts",
    kinds={"parquet", "polars"},
    description=MARTS["spending_daily"].description + " Net = approvals minus cancels on the day.",
)
def spending_daily(context: dg.AssetExecutionContext, lake: ParquetLake) -> dg.MaterializeResult:
    store = lake.lake
    history = store.scan("staged", MERCHANTS)
    rows, frames = {}, []
    for key in context.partition_keys:
        transactions = store.scan("staged", TRANSACTIONS, [key])
        if transactions is None or history is None:
            raise dg.Failure(f"spending_daily {key}: staged transactions or merchants are missing")
        frame = spending.spending_daily(transactions, registers.as_of(history, "merchant_id", key))
        store.write("marts", "spending_daily", key, frame.drop("date"))
        rows[key] = frame.height
        frames.append(frame)
    frame = pl.concat(frames)
    return dg.MaterializeResult(
        metadata=mart_metadata(
            "spending_daily", rows, frame.sort("net_amount_krw", descending=True),
            net_amount_krw=int(frame["net_amount_krw"].sum()),
            net_spending_by_area=top_areas_plot(frame, "sigungu_cd", "지역별 순결제금액 (상위 20)"),
        )
    )


def month_inputs(store: Lake, month: str) -> dict[str, pl.LazyFrame]:
    """The month's transactions and charges, and the registers as delivered up to its end."""
    days = [k for k in store.keys("staged", TRANSACTIONS) if k[:7] == month[:7]]
    if not days:
        raise dg.Failure(f"{month[:7]}: no staged kona/transactions partition in this month")
    last = days[-1]
    inputs = {
        "transactions": store.scan("staged", TRANSACTIONS, days),
        "charges": store.scan("staged", CHARGES, [k for k in store.keys("staged", CHARGES) if k[:7] == month[:7]]),
        "merchants": store.scan("staged", MERCHANTS, [k for k in store.keys("staged", MERCHANTS) if k <= last]),
        "cardholders": store.scan("staged", CARDHOLDERS, [k for k in store.keys("staged", CARDHOLDERS) if k <= last]),
    }
    missing = [name for name, frame in inputs.items() if frame is None]
    if missing:
        raise dg.Failure(f"{month[:7]}: nothing staged for {', '.join(missing)}")
    return inputs


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


def _monthly(name, feeds, compute, plot=lambda f: {}, marts=()) -> MartSpec:
    def run(store: Lake, key: str) -> pl.DataFrame:
        return compute(month_inputs(store, key), {m: store.scan("marts", m, [key], column="month").collect() for m in marts})

    return MartSpec(name, "monthly", MARTS[name].description, feeds, marts, run, plot)


MONTHLY = {
    spec.name: spec
    for spec in [
        _monthly("spending_monthly", (TRANSACTIONS, MERCHANTS),
                 lambda i, m: spending.spending_monthly(i["transactions"], i["merchants"]),
                 lambda f: {"net_spending_by_area": top_areas_plot(f, "sigungu_cd", "지역별 순결제금액 (상위 20)")}),
        _monthly("spending_by_time", (TRANSACTIONS, MERCHANTS),
                 lambda i, m: spending.spending_by_time(i["transactions"], i["merchants"]), _plots_by_time),
        _monthly("spending_by_demographics", (TRANSACTIONS, MERCHANTS, CARDHOLDERS),
                 lambda i, m: spending.spending_by_demographics(i["transactions"], i["merchants"], i["cardholders"])),
        _monthly("spending_flows", (TRANSACTIONS, MERCHANTS, CARDHOLDERS),
                 lambda i, m: spending.spending_flows(i["transactions"], i["merchants"], i["cardholders"]), _plots_flows),
        _monthly("area_flow_summary", (), lambda i, m: spending.area_flow_summary(m["spending_flows"]),
                 _net_inflow_plot, marts=("spending_flows",)),
        _monthly("currency_circulation", (TRANSACTIONS, MERCHANTS, CARDHOLDERS),
                 lambda i, m: spending.currency_circulation(
                     i["transactions"], i["merchants"], i["cardholders"], reference.table("areas"))),
        _monthly("currency_balance", (CHARGES, CARDHOLDERS),
                 lambda i, m: spending.currency_balance(m["currency_circulation"], i["charges"], i["cardholders"]),
                 marts=("currency_circulation",)),
        _monthly("policy_fund_usage", (TRANSACTIONS, MERCHANTS),
                 lambda i, m: spending.policy_fund_usage(i["transactions"], i["merchants"])),
    ]
}

SPENDING_MARTS = [spending_daily, *[build_mart(spec) for spec in MONTHLY.values()]]
