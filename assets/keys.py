"""Asset keys, from the one module that names everything (``regional_econ.names``)."""

from __future__ import annotations

import dagster as dg

from regional_econ import names
from regional_econ.contracts import Contract


def feed_key(layer: str, contract: Contract | str) -> dg.AssetKey:
    """``landing/kona/transactions``, ``staged/...`` or ``quarantine/...``."""
    return dg.AssetKey(list(names.feed_key(layer, contract if isinstance(contract, str) else contract.id)))


def landing_key(contract: Contract | str) -> dg.AssetKey:
    return feed_key(names.LANDING, contract)


def staged_key(contract: Contract | str) -> dg.AssetKey:
    return feed_key(names.STAGED, contract)


def quarantine_key(contract: Contract | str) -> dg.AssetKey:
    return feed_key(names.QUARANTINE, contract)


def mart_key(mart: str) -> dg.AssetKey:
    return dg.AssetKey(list(names.mart_key(mart)))


def product_key(mart: str) -> dg.AssetKey:
    return dg.AssetKey(list(names.product_key(mart)))


CATALOG_KEY = dg.AssetKey(list(names.CATALOG_KEY))
WAREHOUSE_KEY = dg.AssetKey(list(names.WAREHOUSE_KEY))


def source_key(layer: str, name: str) -> dg.AssetKey:
    """The asset a mart input reads: a staged feed or a mart."""
    return staged_key(name) if layer == names.STAGED else mart_key(name)
