"""Test tiers: ``tests/unit`` (transforms and rules on hand-made frames), ``tests/integration``
(the lake, the generator, the Dagster assets on small hand-made windows), ``tests/e2e`` (the
real Dagster graph on a generated window). Each test is marked with its tier:
``pytest -m unit`` runs the fast ones.

Under ``make test`` (``-n 2 --dist loadgroup``) each integration and e2e module runs whole on one
worker, so a module's fixture (a generated world, a deployment) is built once; those modules are
queued first, the deployment module (the longest) before them, and the unit tests fill the gaps.
"""

from pathlib import Path

import pytest

TIERS = ("unit", "integration", "e2e")


FIRST = "tests/e2e/test_deployment.py"


def _queue_order(item: pytest.Item) -> tuple[int, int]:
    tier = Path(str(item.fspath)).parent.name
    return (0 if item.nodeid.startswith(FIRST) else 1, {"e2e": 0, "integration": 1, "unit": 2}[tier])


def pytest_itemcollected(item: pytest.Item) -> None:
    """Marks are set as items are collected: xdist reads the groups before other hooks see the items."""
    tier = Path(str(item.fspath)).parent.name
    if tier not in TIERS:
        raise pytest.UsageError(f"{item.nodeid}: tests live in one of tests/{{{','.join(TIERS)}}}")
    item.add_marker(getattr(pytest.mark, tier))
    if tier != "unit":
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def pytest_collection_modifyitems(items):
    items.sort(key=_queue_order)  # stable: a module keeps its order
