"""The Dagster layer, in the order data flows: ``landing`` (what the centers drop, external),
``staged`` (+ quarantine: each delivery through the gate), ``marts``, ``publish`` (disclosure-controlled
products and their catalog), ``warehouse`` (the DuckDB file); ``automation`` (jobs, schedules,
sensors) and ``run`` (materialize a window, as ``make demo`` does) drive them."""
