"""What the benchmark measures and where it writes."""

from __future__ import annotations

import os
from pathlib import Path

from regional_econ.synth.common import WORLD_OPENS

REPO = Path(__file__).resolve().parent.parent
BASELINE_SQL = Path(__file__).resolve().parent / "baseline"

# The world's first days: a later window would first move the real-scale world on over every day since
# the opening (``synth.generate``), which the generator's timing is not about.
START = WORLD_OPENS
SEED = 1
SCALE = 1.0
WINDOWS = (1, 7, 31)  # days; all start on START, the first N days of one generated window
GENERATED_DAYS = max(WINDOWS)
# kona: the spending marts and every kona feed they may read; cycle: every daily feed (see marts.plan).
SCOPES = ("kona", "cycle")
SCOPE_CENTERS = ("kona",)

# Marts benchmarked besides those named spending*: add a name here and write baseline/<name>.sql.
EXTRA_MARTS: tuple[str, ...] = ()

# The feeds the baseline may read, by placeholder {{files:<feed>}} (any contract id works).
TRANSACTIONS = "kona/transactions"


def bench_root() -> Path:
    data = Path(os.environ.get("REGIONAL_ECON_DATA", REPO / "data")).resolve()
    return Path(os.environ.get("BENCH_ROOT", data / "bench")).resolve()


def landing_root() -> Path:
    return bench_root() / "landing"


def benchmarks_md() -> Path:
    return REPO / "BENCHMARKS.md"
