"""Which marts are benchmarked, and which Dagster runs materialize them for a window.

Discovered from ``definitions.defs`` so that a new spending mart is benchmarked (and
needs its baseline SQL) as soon as it is in the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg

from benchmarks.config import EXTRA_MARTS, SCOPE_CENTERS


@dataclass(frozen=True)
class Step:
    """One Dagster run: a cycle job over the partitions covering the window, maybe subset."""

    job: str
    cadence: str
    keys: list[str]
    selection: list[dg.AssetKey] | None  # None: the whole job

    def describe(self) -> str:
        what = "whole job" if self.selection is None else ", ".join(sorted(k.to_user_string() for k in self.selection))
        return f"{self.job} {self.keys[0]}..{self.keys[-1]} ({len(self.keys)} partitions): {what}"


def benchmarked_marts(defs: dg.Definitions) -> list[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    keys = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.path[-1]
        if node.group_name == "marts" and node.is_materializable and (name.startswith("spending") or name in EXTRA_MARTS):
            keys.append(key)
    return sorted(keys, key=lambda k: k.to_user_string())


def mart_names(defs: dg.Definitions) -> list[str]:
    return [k.path[-1] for k in benchmarked_marts(defs)]


def plan(defs: dg.Definitions, scope: str, first: date, last: date) -> list[Step]:
    """The runs, in cadence order (daily feeds before the monthly marts built from them).

    ``kona``: the benchmarked marts, every materializable asset upstream of them (with the
    other keys of their multi-assets, e.g. quarantine beside staged), and every feed of the
    centers in ``SCOPE_CENTERS`` (the monthly marts read kona/charges without declaring it).
    ``cycle``: the whole daily cycle job, then the benchmarked marts of other cadences.
    ``publish``: every cycle job whole, in the order their assets read each other (what
    ``regional-econ-run`` does): every mart, and every product protected and audited.
    """
    from assets.partitions import PARTITIONS
    from regional_econ.periods import period_keys

    if scope == "publish":
        from assets.run import cadence_order

        return [Step(f"{c}_cycle", c, period_keys(c, first, last), None) for c in cadence_order()]
    graph = defs.resolve_asset_graph()
    targets = benchmarked_marts(defs)
    needed: set[dg.AssetKey] = set()
    stack = list(targets) + [k for k in graph.get_all_asset_keys() if k.path[0] == "staged" and k.path[1] in SCOPE_CENTERS]
    while stack:
        key = stack.pop()
        node = graph.get(key)
        if key in needed or not node.is_materializable:
            continue
        needed.add(key)
        needed.update(node.execution_set_asset_keys)
        stack.extend(node.parent_keys)
    steps = []
    for cadence, partitions in PARTITIONS.items():
        if scope == "cycle" and cadence == "daily":
            selection = None
        else:
            selection = sorted((k for k in needed if graph.get(k).partitions_def == partitions), key=lambda k: k.to_user_string())
            if not selection:
                continue
        unpartitioned = [k for k in needed if graph.get(k).partitions_def is None]
        if unpartitioned:
            raise ValueError(f"benchmarked marts need unpartitioned assets: {unpartitioned}")
        steps.append(Step(f"{cadence}_cycle", cadence, period_keys(cadence, first, last), selection))
    return steps


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.marts --start D --days N --scopes kona,cycle``: the marts and runs, as JSON."""
    import argparse
    import json
    from datetime import timedelta

    parser = argparse.ArgumentParser()
    parser.add_argument("--start", required=True, type=date.fromisoformat)
    parser.add_argument("--days", required=True, type=int)
    parser.add_argument("--scopes", default="kona,cycle")
    args = parser.parse_args(argv)
    import regional_econ
    from definitions import defs

    last = args.start + timedelta(days=args.days - 1)
    print(
        json.dumps(
            {
                "marts": mart_names(defs),
                "plans": {s: [step.describe() for step in plan(defs, s, args.start, last)] for s in args.scopes.split(",")},
                "code": str(Path(regional_econ.__file__).resolve().parent.parent),
            }
        )
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
