"""The nine centers: who sends what. Their facts are in ``centers.yaml``; their feeds are the contracts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from regional_econ.contracts.model import HERE, Contract, contracts


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
    raw = yaml.safe_load((HERE / "centers.yaml").read_text(encoding="utf-8"))
    return {c["id"]: Center(**c) for c in raw}
