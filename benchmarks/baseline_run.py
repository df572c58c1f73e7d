"""Child process: run one DuckDB SQL script (the baseline or the floor) and report its time.

python -m benchmarks.baseline_run --script baseline.sql --result r.json
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", required=True, type=Path)
    parser.add_argument("--result", required=True, type=Path)
    args = parser.parse_args(argv)
    import duckdb

    imported = time.perf_counter()
    con = duckdb.connect(":memory:")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    last = con.execute(args.script.read_text(encoding="utf-8")).fetchall()
    con.close()
    finished = time.perf_counter()
    args.result.write_text(
        json.dumps(
            {
                "import_s": imported - STARTED,
                "run_s": finished - imported,
                "process_s": finished - STARTED,
                "duckdb": duckdb.__version__,
                "threads": threads,
                "last_result": [list(map(str, r)) for r in last][:5],
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
