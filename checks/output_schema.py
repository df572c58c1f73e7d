"""Output checks: every staged and mart partition a run writes is validated against a pandera
schema derived from its declaration (the feed's contract, the mart's columns), never written
by hand.

The row gate is vectorized Polars rules on the hot path; these schemas guard the edges
declaratively: dtypes, nullability, the key unique on the grain, ranges and domains where
declared. Patterns are left to the gate, which already tested every value against them on
the same frame (regular expressions are the costliest check). Frames are validated as
``pl.DataFrame`` (pandera's polars backend checks only the schema of a LazyFrame).

A failure is reported by column and check with counts and row positions only: no cell
content, so a failing check never copies a value of a non-public column anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import dagster as dg
import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData
from pandera.dtypes import immutable
from pandera.engines import polars_engine

from regional_econ.contracts import Contract, contracts
from regional_econ.marts import MARTS, Mart

SCHEMA_CHECK = "schema_matches_declaration"
FIRST_ROWS = 5


# pandera's polars engine has no 128-bit integer yet (polars 2 added it); payments' card_key is one.
if pl.UInt128 not in polars_engine.Engine.get_registered_dtypes():

    @polars_engine.Engine.register_dtype(equivalents=["uint128", pl.UInt128, pl.UInt128()])
    @immutable
    class UInt128(polars_engine.DataType):
        type = pl.UInt128


def unique_on(keys: list[str]) -> pa.Check:
    """The grain unique, tested on a 64-bit hash of the key first (twice as fast on long
    strings as pandera's ``unique``), exactly only when two hashes are equal."""

    def check(data: PolarsData) -> bool | pl.LazyFrame:
        value = pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)
        frame = data.lazyframe
        if frame.select(value.hash().n_unique() == pl.len()).collect().item():
            return True
        return frame.select((~value.is_duplicated()).alias("unique"))  # row by row: which rows repeat

    return pa.Check(check, name="grain_unique", error=f"grain_unique ({', '.join(keys)})")


def _range_check(low: float, high: float | None) -> pa.Check:
    return pa.Check.ge(low) if high is None else pa.Check.in_range(low, high)


def staged_schema(contract: Contract) -> pa.DataFrameSchema:
    """The staged (typed) frame of a feed, from its contract."""
    return _declared_staged_schema(contract.id) if contract is contracts().get(contract.id) else _staged_schema(contract)


@cache
def _declared_staged_schema(feed_id: str) -> pa.DataFrameSchema:
    return _staged_schema(contracts()[feed_id])


def _staged_schema(contract: Contract) -> pa.DataFrameSchema:
    columns = {}
    for c in contract.columns:
        checks = []
        if c.range:
            checks.append(_range_check(*c.range))
        if c.domain or c.ref:
            checks.append(pa.Check.isin(c.allowed))
        columns[c.name] = pa.Column(c.dtype, checks=checks, nullable=not c.required)
    checks = [unique_on(list(contract.primary_key))]
    return pa.DataFrameSchema(columns, checks=checks, strict=True, name=f"staged/{contract.id}")


def mart_schema(mart: Mart) -> pa.DataFrameSchema:
    """A mart's partition as stored (all columns but the period), from its declaration."""
    return _mart_schema(mart) if mart is not MARTS.get(mart.name) else _declared_mart_schema(mart.name)


@cache
def _declared_mart_schema(name: str) -> pa.DataFrameSchema:
    return _mart_schema(MARTS[name])


def _mart_schema(mart: Mart) -> pa.DataFrameSchema:
    grain = [g for g in mart.grain if g != mart.period_column]
    columns = {}
    for c in mart.stored_columns:
        checks = []
        if c.range:
            checks.append(_range_check(*c.range))
        if c.domain:
            checks.append(pa.Check.isin(list(c.domain)))
        columns[c.name] = pa.Column(c.dtype, checks=checks, nullable=c.nullable and c.name not in grain)
    checks = [unique_on(grain)] if grain else []
    return pa.DataFrameSchema(columns, checks=checks, strict=True, name=f"marts/{mart.name}")


@dataclass
class SchemaFailures:
    """What failed, by (column, check): rows failing and the first row positions. Never a value."""

    partitions: dict[str, dict[str, dict]] = field(default_factory=dict)

    def add(self, key: str, frame: pl.DataFrame, schema: pa.DataFrameSchema) -> bool:
        """Validate one partition's frame; True when it passes."""
        try:
            with pl.Config(engine_affinity="in-memory"):  # each check is a tiny query: the streaming engine's start-up dominates
                schema.validate(frame, lazy=True)
            return True
        except pa.errors.SchemaErrors as err:
            self.partitions[key] = _summary(err.failure_cases)
            return False
        except TypeError:  # pandera could not tabulate the failing rows (a 128-bit key): name the first failure
            try:
                schema.validate(frame, lazy=False)
            except pa.errors.SchemaError as err:
                check = getattr(err.check, "name", None) or str(err.reason_code)
                what = f"{err.column_name}: {check}" if getattr(err, "column_name", None) else check
                self.partitions[key] = {what: {"rows": None, "first_rows": []}}
            return False
        except pa.errors.SchemaError as err:  # raised eagerly for errors that stop validation
            self.partitions[key] = {f"{err.schema.name}: {err.reason_code}": {"rows": None, "first_rows": []}}
            return False

    @property
    def passed(self) -> bool:
        return not self.partitions

    def describe(self) -> str:
        parts = [
            f"{key}: " + "; ".join(f"{what} ({v['rows']} rows)" if v["rows"] else what for what, v in found.items())
            for key, found in sorted(self.partitions.items())
        ]
        return "; ".join(parts)


def _summary(cases: pl.DataFrame) -> dict[str, dict]:
    cases = cases.with_columns(
        what=pl.when(pl.col("column").is_not_null()).then(pl.col("column") + pl.lit(": ")).otherwise(pl.lit("")) + pl.col("check")
    )
    grouped = cases.group_by("what", maintain_order=True).agg(
        rows=pl.col("index").drop_nulls().n_unique(), first_rows=pl.col("index").drop_nulls().sort().head(FIRST_ROWS)
    )
    return {r["what"]: {"rows": r["rows"], "first_rows": r["first_rows"]} for r in grouped.iter_rows(named=True)}


def schema_check_spec(asset: dg.AssetKey, what: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        SCHEMA_CHECK,
        asset=asset,
        blocking=True,
        description=f"Every partition written matches the pandera schema derived from {what}: dtypes, nullability, "
        "the grain unique, ranges and domains; a failing partition is not written and nothing downstream runs.",
    )


def schema_check_result(asset: dg.AssetKey, checked: list[str], failures: SchemaFailures) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=SCHEMA_CHECK,
        passed=failures.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=failures.describe() or f"{len(checked)} partition(s) match the declared schema",
        metadata={
            "partitions_checked": len(checked),
            "partitions_failing": sorted(failures.partitions),
            "failures_by_column_and_check": dg.MetadataValue.json(failures.partitions),
        },
    )
