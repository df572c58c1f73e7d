"""The contract model: a feed's delivery terms, columns and rules, loaded from its YAML file.

The staged schema, the row gate, the Dagster column metadata, the data dictionary, the GX
suite and the synthetic generator all read columns from here (``contract("kona/transactions")``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from regional_econ import names
from regional_econ.contracts import rules
from regional_econ.contracts.classification import CLASSIFICATIONS

HERE = Path(__file__).parent

DTYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "int32": pl.Int32(),
    "int64": pl.Int64(),
    "float64": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us", "Asia/Seoul"),
}
CADENCES = ("daily", "weekly", "monthly", "quarterly")
DEFAULT_MAX_TEXT = 200  # characters of a free-text value, unless its column declares max_length


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label_ko: str
    classification: str
    description: str
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    range: tuple[float, float] | None = None
    domain: tuple[str, ...] | None = None
    ref: str | None = None
    max_length: int | None = None  # free text only; default DEFAULT_MAX_TEXT

    def __post_init__(self) -> None:
        if self.domain and self.ref:
            raise ValueError(f"column {self.name}: declare a domain or a reference list (ref), not both")
        if self.max_length is not None and not self.free_text:
            raise ValueError(f"column {self.name}: max_length bounds free text (a string without pattern, domain or ref)")
        if self.free_text and self.max_length is None:
            object.__setattr__(self, "max_length", DEFAULT_MAX_TEXT)

    @property
    def free_text(self) -> bool:
        """A string column whose values have no declared shape: names, addresses, programme names."""
        return self.type == "string" and not (self.pattern or self.domain or self.ref)

    @property
    def dtype(self) -> pl.DataType:
        return DTYPES[self.type]

    @property
    def allowed(self) -> list[str] | None:
        """The values the column accepts when it has a domain or a reference list, else None."""
        from regional_econ.reference import accepted_codes

        return list(self.domain) if self.domain else accepted_codes(self.ref) if self.ref else None


@dataclass(frozen=True)
class Rule:
    """A rule the contract declares: a row rule (an SQL predicate) or a lookup rule by its id."""

    id: str
    level: str  # "row": a predicate on each row; "lookup": a row rule that reads staged feeds
    severity: str  # "ERROR" quarantines the row (a row rule) or blocks (a batch rule); "WARN" is recorded
    description: str
    holds: str | None = None  # SQL predicate for row rules; NULL counts as holding, like CHECK


def _rule(raw: dict) -> Rule:
    if raw.get("level") == "lookup":
        # A lookup's meaning is the vocabulary's; the contract only says it applies.
        known = rules.LOOKUP_RULES.get(raw["id"])
        if known is None or set(raw) != {"id", "level"}:
            raise ValueError(f"lookup rule {raw['id']!r}: name a rule of contracts.rules.LOOKUP_RULES by id and level only")
        return Rule(known.id, "lookup", known.severity, known.sentence)
    if raw.get("level") != "row" or not raw.get("holds"):
        raise ValueError(f"rule {raw.get('id')!r}: a contract declares row rules (with holds) and lookup rules")
    return Rule(**raw)


@dataclass(frozen=True)
class DeliveryTerms:
    """How and when a center delivers a feed."""

    cadence: str
    format: str
    encoding: str
    header: str  # "en": column names; "ko": the Korean labels
    deadline_days_after_period_end: int
    deadline_at: str  # HH:MM KST


@dataclass(frozen=True)
class Contract:
    id: str
    version: str
    owner: str
    description: str
    delivery: DeliveryTerms
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    period_column: str | None = None
    volume: dict = field(default_factory=dict)
    # Event feeds: a key staged for one period must not come again for another within this many days.
    unique_across_periods_days: int | None = None

    @property
    def min_rows(self) -> int:
        """Rows a delivery must hold (a feed that is never empty declares volume.min_rows)."""
        return int(self.volume.get("min_rows", 0))

    @property
    def min_resend_share(self) -> float:
        """A correction must keep at least this share of the rows of the version it replaces."""
        return float(self.volume.get("min_resend_share", 0.5))

    @property
    def center(self) -> str:
        return names.center_of(self.id)

    @property
    def feed(self) -> str:
        return names.feed_of(self.id)

    @property
    def name(self) -> str:
        """The feed's flat name, as in warehouse views: ``kona_transactions``."""
        return names.flat(self.id)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.id} has no column {name!r}")

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def header_names(self) -> list[str]:
        """Column headers as the center writes them (names or Korean labels)."""
        return [c.label_ko if self.delivery.header == "ko" else c.name for c in self.columns]

    def rules_at(self, level: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.level == level)


def _column(raw: dict) -> Column:
    raw = dict(raw)
    if raw.get("range") is not None:
        raw["range"] = tuple(raw["range"])
    if raw.get("domain") is not None:
        raw["domain"] = tuple(str(v) for v in raw["domain"])
    column = Column(**raw)
    if column.type not in DTYPES:
        raise ValueError(f"column {column.name}: unknown type {column.type!r}")
    if column.classification not in CLASSIFICATIONS:
        raise ValueError(f"column {column.name}: unknown classification {column.classification!r}")
    return column


def load_contract(path: Path) -> Contract:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    d = raw["delivery"]
    delivery = DeliveryTerms(
        cadence=d["cadence"],
        format=d["format"],
        encoding=d["encoding"],
        header=d["header"],
        deadline_days_after_period_end=d["deadline"]["days_after_period_end"],
        deadline_at=d["deadline"]["at"],
    )
    contract = Contract(
        id=raw["id"],
        version=raw["version"],
        owner=raw["owner"],
        description=raw["description"],
        delivery=delivery,
        columns=tuple(_column(c) for c in raw["columns"]),
        primary_key=tuple(raw["primary_key"]),
        rules=tuple(_rule(r) for r in raw.get("rules") or ()),
        period_column=raw.get("period_column"),
        volume=raw.get("volume") or {},
        unique_across_periods_days=raw.get("unique_across_periods_days"),
    )
    if contract.unique_across_periods_days and len(contract.primary_key) != 1:
        raise ValueError(f"{path}: keys unique across periods are single-column keys")
    expected_id = f"{path.parent.name}/{path.stem}"
    if contract.id != expected_id:
        raise ValueError(f"{path}: id {contract.id!r} does not match its place {expected_id!r}")
    if delivery.cadence not in CADENCES:
        raise ValueError(f"{path}: unknown cadence {delivery.cadence!r}")
    return contract


@cache
def contracts() -> dict[str, Contract]:
    """Every feed's contract by feed id, in a stable order (center, then feed)."""
    found = sorted(HERE.glob("*/*.yaml"))
    return {c.id: c for c in map(load_contract, found)}


def contract(feed_id: str) -> Contract:
    try:
        return contracts()[feed_id]
    except KeyError:
        raise KeyError(f"no contract for feed {feed_id!r}; known: {', '.join(contracts())}") from None
