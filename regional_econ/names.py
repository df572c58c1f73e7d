"""Every name of a feed or a mart, derived in one place.

A feed ``kona/transactions`` is the contract id, the asset keys ``landing/kona/transactions``,
``staged/kona/transactions`` and ``quarantine/kona/transactions``, the lake folders
``lake/staged/kona/transactions/date=<period>/``, the warehouse views ``staged.kona_transactions``
and ``quarantine.kona_transactions``, and the landing files
``landing/kona/transactions/<period>/transactions_<YYYYMMDD>_v<N>.csv``.
A mart ``spending_flows`` is the asset ``marts/spending_flows``, the folder
``lake/marts/spending_flows/``, the view ``marts.spending_flows``; its product is the asset
``publish/spending_flows``, the folder ``publish/spending_flows/`` and the view
``publish.spending_flows``. Someone who knows one of these can guess the others.
"""

from __future__ import annotations

import re

# The layers, in the order data flows.
LANDING, STAGED, QUARANTINE, MARTS, PUBLISH = "landing", "staged", "quarantine", "marts", "publish"
FEED_LAYERS = (LANDING, STAGED, QUARANTINE)

MANIFEST_SUFFIX = ".manifest.json"
LANDING_FILE = re.compile(r"^(?P<feed>[a-z_]+)_(?P<day>\d{8})_v(?P<version>\d+)\.(?P<ext>csv|parquet)$")


def center_of(feed_id: str) -> str:
    return feed_id.split("/")[0]


def feed_of(feed_id: str) -> str:
    return feed_id.split("/")[1]


def feed_key(layer: str, feed_id: str) -> tuple[str, str, str]:
    """Asset key parts of a feed in a layer: ``("staged", "kona", "transactions")``."""
    if layer not in FEED_LAYERS:
        raise ValueError(f"feeds live in {FEED_LAYERS}, not {layer!r}")
    return (layer, center_of(feed_id), feed_of(feed_id))


def mart_key(mart: str) -> tuple[str, str]:
    return (MARTS, mart)


def product_key(mart: str) -> tuple[str, str]:
    return (PUBLISH, mart)


CATALOG_KEY = (PUBLISH, "catalog")
WAREHOUSE_KEY = ("warehouse",)


def flat(name: str) -> str:
    """A feed id or mart name as one identifier: ``kona_transactions``."""
    return name.replace("/", "_")


def view(layer: str, name: str) -> str:
    """The warehouse view of a feed, mart or product: ``staged.kona_transactions``."""
    return f"{layer}.{flat(name)}"


def lake_folder(layer: str, name: str) -> str:
    """Where a feed's or mart's partitions live under the lake root: ``staged/kona/transactions``."""
    return f"{layer}/{name}"


def landing_folder(feed_id: str, period_key: str | None = None) -> str:
    """Where a center drops a feed's files, under the landing root."""
    return feed_id if period_key is None else f"{feed_id}/{period_key}"


def landing_file(feed_id: str, period_key: str, version: int, file_format: str) -> str:
    """``transactions_20260901_v1.csv``: the feed, the period's first day, the version."""
    ext = "parquet" if file_format == "parquet" else "csv"
    return f"{feed_of(feed_id)}_{period_key.replace('-', '')}_v{version}.{ext}"


def landing_pattern(feed_id: str, file_format: str) -> str:
    """The landing file name as the contract docs state it."""
    return f"landing/{feed_id}/<period start>/{feed_of(feed_id)}_<YYYYMMDD>_v<N>.{file_format}"


def product_folder(mart: str) -> str:
    """A product's folder under the publish root."""
    return mart
