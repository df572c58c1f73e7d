"""The contract gate: read a delivery as sent, refuse direct identifiers, split rows into staged and quarantined."""

from pathlib import Path

from regional_econ.contracts import Contract, rules
from regional_econ.gate.errors import LINE_COLUMN, RULES_COLUMN, SOURCE_COLUMN, DeliveryError
from regional_econ.gate.identifiers import Finding, find_direct_identifiers
from regional_econ.gate.read import read, read_delivery
from regional_econ.gate.rows import GateResult, LookupFn, gate_rows, prepare


def gate_file(
    contract: Contract,
    path: Path,
    source: str,
    lookup: LookupFn | None = None,
    data: bytes | None = None,
    period_key: str | None = None,
) -> GateResult:
    """The whole row gate on one delivered file (``data``: its bytes, if already read) for the
    period ``period_key``; raises ``DeliveryError`` to reject it whole."""
    delivered = read(contract, path, data)
    delivery = prepare(contract, delivered.frame)
    findings = find_direct_identifiers(contract, delivery)
    if findings:
        first = findings[0]
        raise DeliveryError(
            source,
            rules.NO_DIRECT_IDENTIFIERS.id,
            "direct identifiers found, delivery rejected whole: " + "; ".join(map(str, findings[:5])),
            line=first.line,
            column=first.column,
        )
    result = gate_rows(contract, delivery, source, lookup, period_key)
    result.records = delivered.records
    return result


__all__ = [
    "gate_file",
    "read_delivery",
    "read",
    "gate_rows",
    "find_direct_identifiers",
    "Finding",
    "GateResult",
    "LINE_COLUMN",
    "RULES_COLUMN",
    "SOURCE_COLUMN",
]
