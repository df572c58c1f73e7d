"""Where everything lives: one data root, ``REGIONAL_ECON_DATA`` (default ``./data``).

The lake may live elsewhere, ``REGIONAL_ECON_LAKE`` (default ``<data root>/lake``): a folder or
an object store URL such as ``s3://bucket/prefix/lake``, which every worker of a multi-host
deployment then shares. Credentials and endpoint come from the usual ``AWS_*`` variables.
"""

from __future__ import annotations

import os
from pathlib import Path

from upath import UPath

DATA_ROOT_ENV = "REGIONAL_ECON_DATA"
LAKE_ENV = "REGIONAL_ECON_LAKE"

# A folder (Path) or an object store location (UPath over fsspec); the lake accepts both.
Location = Path | UPath


def data_root() -> Path:
    return Path(os.environ.get(DATA_ROOT_ENV, "data")).resolve()


def is_remote(location: Location | str) -> bool:
    return "://" in str(location)


def location(text: Location | str) -> Location:
    """A folder, or an object store URL. Listings are not cached: other runs write the same prefixes.
    An S3 endpoint set in ``AWS_ENDPOINT_URL`` goes into the options: fsspec caches filesystems by
    their options, and one made for an earlier endpoint would otherwise be handed out again."""
    if isinstance(text, UPath):
        return text
    if not is_remote(text):
        return Path(text)
    options: dict[str, object] = {"use_listings_cache": False}
    if str(text).split("://")[0] in ("s3", "s3a") and os.environ.get("AWS_ENDPOINT_URL"):
        options["endpoint_url"] = os.environ["AWS_ENDPOINT_URL"]
    return UPath(str(text), **options)


def landing_root(root: Path | None = None) -> Path:
    return (root or data_root()) / "landing"


def lake_root(root: Path | None = None) -> Location:
    configured = os.environ.get(LAKE_ENV)
    return location(configured) if configured else (root or data_root()) / "lake"


def warehouse_path(root: Path | None = None) -> Path:
    return (root or data_root()) / "warehouse.duckdb"


def reports_root(root: Path | None = None) -> Path:
    return (root or data_root()) / "reports"


def publish_root(root: Path | None = None) -> Path:
    return (root or data_root()) / "publish"
