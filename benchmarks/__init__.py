"""The benchmark harness of issue 6: the platform against a hand-written DuckDB baseline.

``make bench`` (``python -m benchmarks``) measures, at real scale (``--scale 1.0``, about
600,000 kona transactions a day), for windows of 1, 7 and 31 days starting on the world's opening (``synth.common.WORLD_OPENS``):

- **platform**: the gate, the staged lake and every spending mart for the window, each
  cadence's assets in one Dagster run with the in-process executor (``execute_in_process``
  over the partition range, as ``run_window.py`` does), on a fresh data root and a fresh
  Dagster instance every time. Daily marts run in a daily run, monthly marts in a monthly
  run right after it, in the same process (a Dagster job has one partitions definition).
  Two scopes: ``spending`` = the spending marts and the staged feeds they read (kona
  transactions, merchants, cardholders: their gate, lookups, checks, staged and quarantine
  partitions); ``cycle`` = the whole ``daily_cycle`` job (every daily feed) plus the
  monthly spending marts.
- **baseline**: one hand-written DuckDB SQL script that reads the same landing CSVs and
  computes the same marts without validation (``benchmarks/baseline/``: ``_inputs.sql``
  then one ``<mart>.sql`` per mart, concatenated into one script).
- **floor**: DuckDB reading the window's transaction CSVs and summing one column.
- **generator**: ``regional-econ generate`` at real scale, per day.

Each measurement is a fresh child process: wall time from spawn to exit, CPU time, and
peak memory as the largest sum of the resident set sizes of the child and all its
descendants (``/proc`` polled every 0.1 s; never below the child's own ``ru_maxrss``). The
child also reports the time spent inside its run (after imports). Landing files are read
once before timing, so every measurement sees a warm page cache. On a 2-core machine
anything else running skews the times: each measurement first waits for an idle machine,
measures the CPU other processes use meanwhile, and is repeated (``--retries``) when they
used more than 5% of it. ``--code HEAD`` measures a commit exported under the bench root,
so that edits made while the benchmark runs do not change what is measured.

Before any timing the harness runs the platform and the baseline once per window and
compares their marts (same rows, same numbers; floats to 1e-9 relative); it stops if they
differ. Every timed platform run is compared again afterwards.

Marts are discovered from ``definitions.defs``: every asset of group ``marts`` whose name
starts with ``spending`` or is listed in ``benchmarks.config.EXTRA_MARTS``. Each needs a
``benchmarks/baseline/<mart>.sql``; the harness stops if one is missing.

    make bench                                   # everything, results into BENCHMARKS.md
    python -m benchmarks --windows 1,7 --reps 3  # a subset
    python -m benchmarks --check-only            # only the baseline-vs-platform check
    python -m benchmarks --profile-only          # where one platform run spends its time
    python -m benchmarks --report-only           # results.md and BENCHMARKS.md again from results.json

Everything is written under ``$REGIONAL_ECON_DATA/bench`` (default ``data/bench``, git-ignored):
the generated landing zone (31 days, reused when present), one folder per run, the
baseline scripts as run, ``results.json`` and ``results.md``.
"""
