"""Where everything lives: one data root, ``REGIONAL_ECON_DATA`` (default ``./data``)."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ROOT_ENV = "REGIONAL_ECON_DATA"


def data_root() -> Path:
    return Path(os.environ.get(DATA_ROOT_ENV, "data")).resolve()


def landing_root(root: Path | None = None) -> Path:
    return (root or data_root()) / "landing"


def lake_root(root: Path | None = None) -> Path:
    return (root or data_root()) / "lake"


def warehouse_path(root: Path | None = None) -> Path:
    return (root or data_root()) / "warehouse.duckdb"


def reports_root(root: Path | None = None) -> Path:
    return (root or data_root()) / "reports"


def publish_root(root: Path | None = None) -> Path:
    return (root or data_root()) / "publish"
