"""Test tiers: ``tests/unit`` (transforms and rules on hand-made frames), ``tests/integration``
(the lake, the generator, the Dagster assets on small hand-made windows), ``tests/e2e`` (the
real Dagster graph on a generated window). Each test is marked with its tier:
``pytest -m unit`` runs the fast ones."""

from pathlib import Path

import pytest

TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items):
    for item in items:
        tier = Path(str(item.fspath)).parent.name
        if tier not in TIERS:
            raise pytest.UsageError(f"{item.nodeid}: tests live in one of tests/{{{','.join(TIERS)}}}")
        item.add_marker(getattr(pytest.mark, tier))
