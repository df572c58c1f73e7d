"""The embedded Dagster instance in ``DAGSTER_HOME``, set up once before anything uses it.

Dagster creates its SQLite storage on first use; two processes doing so at the same moment
(two materializations started at once against a fresh home) race on creating the same
tables. ``initialize`` copies the default ``dagster.yaml`` when there is none and creates the
storage under a file lock, so that every later process finds it ready.

    regional-econ-instance          # what `make demo`, `make ui` and `make materialize` run first
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from pathlib import Path

import dagster as dg

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "dagster.local.yaml"


def initialize(home: Path | None = None) -> Path:
    """Make ``home`` (default ``$DAGSTER_HOME``) a ready instance; returns it."""
    home = Path(home or os.environ.get("DAGSTER_HOME") or ".dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".initialize.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        config = home / "dagster.yaml"
        if not config.exists():
            shutil.copyfile(DEFAULT_CONFIG, config)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            instance.upgrade()  # creates (or migrates) run, event and schedule storage
    os.environ.setdefault("DAGSTER_HOME", str(home))
    return home


def main() -> int:
    print(f"Dagster instance ready in {initialize()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
