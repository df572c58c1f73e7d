"""Spending marts from the regional-currency transactions."""


import dagster as dg

from assets.metadata import frame_schema, preview
from assets.partitions import partitions_for
from regional_econ.contracts import contract
from regional_econ.transforms import registers, spending
from resources import ParquetLake

TRANSACTIONS = contract("kona/transactions")
MERCHANTS = contract("kona/merchants")


@dg.asset(
    key=["marts", "spending_daily"],
    deps=[dg.AssetKey(["staged", "kona", "transactions"]), dg.AssetKey(["staged", "kona", "merchants"])],
    partitions_def=partitions_for("daily"),
    backfill_policy=dg.BackfillPolicy.single_run(),
    automation_condition=dg.AutomationCondition.eager(),
    group_name="marts",
    kinds={"parquet", "polars"},
    description="Day x merchant si/gun/gu x category: net spending (approvals minus cancels on the day), "
    "approvals, cancels, distinct cards and merchants, average ticket.",
)
def spending_daily(context: dg.AssetExecutionContext, lake: ParquetLake) -> dg.MaterializeResult:
    store = lake.lake
    history = store.scan("staged", MERCHANTS.id)
    rows, net, frame = {}, 0, None
    for key in context.partition_keys:
        transactions = store.scan("staged", TRANSACTIONS.id, [key])
        if transactions is None or history is None:
            raise dg.Failure(f"spending_daily {key}: staged transactions or merchants are missing")
        frame = spending.spending_daily(transactions, registers.as_of(history, "merchant_id", key))
        store.write("marts", "spending_daily", key, frame.drop("date"))
        rows[key] = frame.height
        net += int(frame["net_amount_krw"].sum())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(rows.values()),
            "partition_row_counts": dg.MetadataValue.json(rows),
            "net_amount_krw": net,
            "dagster/column_schema": frame_schema(frame),
            "preview": preview(frame.sort("net_amount_krw", descending=True)),
        }
    )
