"""The contract gate: read a delivery as sent, then split it into staged and quarantined rows."""

from regional_econ.gate.read import read_delivery
from regional_econ.gate.rows import LINE_COLUMN, RULES_COLUMN, SOURCE_COLUMN, GateResult, gate_rows

__all__ = ["read_delivery", "gate_rows", "GateResult", "LINE_COLUMN", "RULES_COLUMN", "SOURCE_COLUMN"]
