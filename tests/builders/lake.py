"""Staged partitions put straight into a lake, for tests of what reads them (marts, lookups)."""

import polars as pl

from regional_econ.storage.lake import Lake


def put_staged(lake: Lake, feed_id: str, key: str, frame: pl.DataFrame) -> dict:
    """Promote ``frame`` as the staged rows of ``feed_id``'s period ``key`` (nothing quarantined)."""
    record = {"feed": feed_id, "period": key, "delivery": f"{feed_id}/{key}/test", "rows_received": frame.height}
    with lake.period_lock(feed_id, key):
        return lake.promote(feed_id, key, frame, pl.DataFrame(), record)
