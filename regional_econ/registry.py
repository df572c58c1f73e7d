"""The nine centers and their feeds: who sends what, how often, in which shape.

Feeds are the contracts (``regional_econ/contracts/<center>/<feed>.yaml``); the centers'
own facts are in ``contracts/centers.yaml``. Everything else reads this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from regional_econ.contracts import HERE as CONTRACTS_DIR
from regional_econ.contracts import Contract, contract, contracts


@dataclass(frozen=True)
class Center:
    id: str
    name_ko: str
    name_en: str
    role: str
    contact_role: str

    @property
    def feeds(self) -> list[Contract]:
        return [c for c in contracts().values() if c.center == self.id]


@cache
def centers() -> dict[str, Center]:
    raw = yaml.safe_load((CONTRACTS_DIR / "centers.yaml").read_text(encoding="utf-8"))
    return {c["id"]: Center(**c) for c in raw}


def feeds() -> dict[str, Contract]:
    return contracts()


def feed(feed_id: str) -> Contract:
    return contract(feed_id)
