"""Where data is kept: the data root (``paths``), the landing zone the centers write (``landing``),
the Parquet lake of staged, quarantined and mart partitions (``lake``) and its delivery
receipts (``receipts``)."""
