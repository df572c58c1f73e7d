"""regional-econ: the Gyeonggi regional economy data platform's domain core (no Dagster here).

In the order data flows:

- ``contracts``  what each center promises to send: one YAML contract per feed, the rule vocabulary,
                 the centers' own pre-send check, the contract docs and the GX export
- ``storage``    where data is kept: the landing zone the centers write, the Parquet lake, receipts
- ``gate``       reading a delivery as sent and splitting it into accepted and quarantined rows
- ``staging``    staging one period of one feed: the delivery in force, gate, lake, receipts, report
- ``marts``      the marts declared once: columns, inputs, how each period is computed
- ``transforms`` the pure Polars functions that compute them
- ``publish``    disclosure control, the product files and the catalog
- ``warehouse``  the DuckDB file of views over all of it

Beside the flow: ``names`` (every name of a feed or mart), ``periods`` (the KST calendar),
``reference`` (code tables), ``synth`` (the synthetic centers), ``cli`` and ``summary``.
"""
