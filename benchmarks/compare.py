"""The check: the baseline's marts equal the platform's, row for row and number for number."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REL_TOL = 1e-9  # float columns (shares); integers must be equal


def platform_mart(lake: Path, mart: str) -> pl.DataFrame:
    """All partitions of a mart, with the partition column (e.g. ``date``, ``month``) from the folder name."""
    frames = []
    for part in sorted((lake / "marts" / mart).glob("*=*/part-0.parquet")):
        column, value = part.parent.name.split("=", 1)
        frame = pl.read_parquet(part)
        if column not in frame.columns:
            lit = pl.lit(value).str.to_date() if ISO_DATE.match(value) else pl.lit(value)
            frame = frame.select(lit.alias(column), pl.all())
        frames.append(frame)
    if not frames:
        raise FileNotFoundError(f"{lake}/marts/{mart}: no partitions")
    return pl.concat(frames, how="vertical_relaxed")


def compare_mart(platform: pl.DataFrame, baseline: pl.DataFrame, mart: str) -> list[str]:
    """Differences, as sentences; empty when the two are the same."""
    if set(platform.columns) != set(baseline.columns):
        return [
            f"{mart}: columns differ: platform only {sorted(set(platform.columns) - set(baseline.columns))}, "
            f"baseline only {sorted(set(baseline.columns) - set(platform.columns))}"
        ]
    try:
        baseline = baseline.select(pl.col(c).cast(t) for c, t in platform.schema.items())
    except pl.exceptions.PolarsError as err:
        return [f"{mart}: baseline columns do not cast to the platform's types ({err})"]
    floats = [c for c, t in platform.schema.items() if t.is_float()]
    keys = [c for c in platform.columns if c not in floats]
    problems = []
    if platform.height != baseline.height:
        problems.append(f"{mart}: {platform.height} rows on the platform, {baseline.height} in the baseline")
    for side, frame in (("platform", platform), ("baseline", baseline)):
        repeated = frame.height - frame.select(keys).unique().height
        if repeated:
            problems.append(f"{mart}: {repeated} {side} rows repeat another row's {', '.join(keys)}")
    only_p = platform.join(baseline, on=keys, how="anti", nulls_equal=True).height
    only_b = baseline.join(platform, on=keys, how="anti", nulls_equal=True).height
    if only_p or only_b:
        problems.append(
            f"{mart}: {only_p} platform rows and {only_b} baseline rows have no equal row on the other side "
            f"(compared on {', '.join(keys)})"
        )
    if not problems:
        try:
            assert_frame_equal(
                platform.sort(keys, nulls_last=True),
                baseline.sort(keys, nulls_last=True),
                check_exact=False,
                rel_tol=REL_TOL,
                abs_tol=0.0,
            )
        except AssertionError as err:
            problems.append(f"{mart}: {str(err).splitlines()[0]}")
    return problems


def compare(lake: Path, baseline_out: Path, marts: list[str]) -> dict[str, list[str]]:
    """Per mart: differences (empty list = equal)."""
    out = {}
    for mart in marts:
        try:
            out[mart] = compare_mart(platform_mart(lake, mart), pl.read_parquet(baseline_out / f"{mart}.parquet"), mart)
        except FileNotFoundError as err:
            out[mart] = [str(err)]
    return out
