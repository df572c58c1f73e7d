"""Child process: materialize the benchmarked marts for a window on a fresh data root.

    python -m benchmarks.platform_run --root DIR --start 2026-09-01 --days 7 --scope kona --result r.json

``DIR/landing`` must hold (or link to) the landing zone; ``DIR/lake``, ``DIR/reports``
and the Dagster instance (``DIR/.dagster``, SQLite, as the embedded default) are created
fresh. Writes seconds for the imports and for each run to ``--result``.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--start", required=True, type=date.fromisoformat)
    parser.add_argument("--days", required=True, type=int)
    parser.add_argument("--scope", choices=("kona", "cycle", "publish"), default="kona")
    parser.add_argument("--result", required=True, type=Path)
    parser.add_argument("--phases", type=Path, help="also time the platform's phases (benchmarks.phases) into this JSON")
    parser.add_argument("--cprofile", type=Path, help="run under cProfile and dump the stats here")
    args = parser.parse_args(argv)

    root = args.root.resolve()
    os.environ["REGIONAL_ECON_DATA"] = str(root)  # default_resources() of the definitions follow it
    os.environ["DAGSTER_HOME"] = str(root / ".dagster")
    (root / ".dagster").mkdir(parents=True, exist_ok=True)

    import dagster as dg

    import regional_econ
    from assets.run import partition_range_tags
    from benchmarks.marts import plan
    from definitions import defs

    imported = time.perf_counter()
    timer = None
    if args.phases:
        from benchmarks.phases import PhaseTimer

        timer = PhaseTimer().install()
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()

    last = args.start + timedelta(days=args.days - 1)
    steps = plan(defs, args.scope, args.start, last)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    runs, ok = [], True
    with dg.DagsterInstance.local_temp(str(root / ".dagster"), overrides={"telemetry": {"enabled": False}}) as instance:
        for step in steps:
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            result = defs.resolve_job_def(step.job).execute_in_process(
                instance=instance,
                tags=partition_range_tags(step.keys[0], step.keys[-1]),
                asset_selection=step.selection,
                raise_on_error=False,
                run_config=quiet,
            )
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - t0
            failures = [
                f"{e.step_key}: {e.event_specific_data.error.message.strip()[:500]}"
                for e in result.all_events
                if e.is_step_failure
            ]
            checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
            stats = instance.get_run_step_stats(result.run_id)
            runs.append(
                {
                    "step": step.describe(),
                    "job": step.job,
                    "keys": step.keys,
                    "seconds": seconds,
                    "success": result.success,
                    # this process's peak resident memory so far (KiB -> GB): which run raised the peak
                    "maxrss_gb_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9,
                    "failures": failures,
                    "checks_evaluated": len(checks),
                    "step_s": {st.step_key: st.end_time - st.start_time for st in stats if st.end_time and st.start_time},
                    "checks_failed": sorted({f"{c.asset_key.to_user_string()}:{c.check_name}" for c in checks if not c.passed}),
                }
            )
            print(f"{step.describe()}: {'ok' if result.success else 'FAILED'} in {seconds:.1f} s", flush=True)
            ok = ok and result.success
            if not result.success:
                break
    finished = time.perf_counter()
    out = {
        "scope": args.scope,
        "days": args.days,
        "success": ok,
        "runs": runs,
        "code": str(Path(regional_econ.__file__).resolve().parent.parent),
        "import_s": imported - STARTED,
        "run_s": sum(r["seconds"] for r in runs),
        "process_s": finished - STARTED,
    }
    if timer:
        timer.uninstall()
        args.phases.write_text(json.dumps(timer.report(out["run_s"]), indent=1))
    if profiler:
        profiler.dump_stats(str(args.cprofile))
    args.result.write_text(json.dumps(out, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
