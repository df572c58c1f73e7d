"""The Dagster instance in ``DAGSTER_HOME``: set up once before anything uses it, and checked
before a production service starts.

Dagster creates its SQLite storage on first use; two processes doing so at the same moment
(two materializations started at once against a fresh home) race on creating the same
tables. ``initialize`` copies the default ``dagster.yaml`` when there is none and creates the
storage under a file lock, so that every later process finds it ready.

``check`` reads an instance's ``dagster.yaml`` and names every ``{env: NAME}`` it needs that
is not set, instead of Dagster's bare ``PostProcessingError``.

    regional-econ-instance                  # what `make demo`, `make ui` and `make materialize` run first
    regional-econ-instance check            # before `dagster-daemon run` / `dagster-webserver` in production
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import sys
from pathlib import Path

import dagster as dg
import yaml

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
        missing = check(home)
        if missing:
            raise SystemExit(_missing_message(home, missing))
        with dg.DagsterInstance.from_config(str(home)) as instance:
            instance.upgrade()  # creates (or migrates) run, event and schedule storage
    os.environ.setdefault("DAGSTER_HOME", str(home))
    return home


def _env_names(node) -> list[str]:
    if isinstance(node, dict):
        if set(node) == {"env"} and isinstance(node["env"], str):
            return [node["env"]]
        return [name for value in node.values() for name in _env_names(value)]
    if isinstance(node, list):
        return [name for value in node for name in _env_names(value)]
    return []


def check(home: Path) -> list[str]:
    """The environment variables ``home``'s dagster.yaml reads that are not set (in order)."""
    config = yaml.safe_load((Path(home) / "dagster.yaml").read_text(encoding="utf-8")) or {}
    return [name for name in dict.fromkeys(_env_names(config)) if not os.environ.get(name)]


def _missing_message(home: Path, missing: list[str]) -> str:
    return (
        f"{home / 'dagster.yaml'} reads environment variables that are not set: {', '.join(missing)}. "
        "Set them (deploy/README.md says what each is) and start again."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="regional-econ-instance", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=("init", "check"), default="init")
    parser.add_argument("--home", type=Path, help="the instance folder (default: $DAGSTER_HOME)")
    args = parser.parse_args(argv)
    home = Path(args.home or os.environ.get("DAGSTER_HOME") or ".dagster").resolve()
    if args.command == "check":
        if not (home / "dagster.yaml").exists():
            print(f"{home}: no dagster.yaml (set DAGSTER_HOME to the folder holding it)", file=sys.stderr)
            return 2
        missing = check(home)
        if missing:
            print(_missing_message(home, missing), file=sys.stderr)
            return 2
        print(f"{home / 'dagster.yaml'}: every variable it reads is set")
        return 0
    print(f"Dagster instance ready in {initialize(home)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
