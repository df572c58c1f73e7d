"""The centers' own check: run a contract's rules on one file before sending it ("clean, then send").

    regional-econ contract check transactions_20260901_v1.csv --feed kona/transactions

Exit code 0 when no ERROR rule fails, 1 otherwise. The report names rule, column, count and
the first line numbers; values are shown only for public and internal columns, and a direct
identifier is never printed. Lookup rules (merchant exists, ...) need the platform's
registers: they are checked only as far as the file itself tells (a cancel above an approval
in the same file) and listed as not checked against earlier deliveries.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from regional_econ.contracts import Contract, rules
from regional_econ.contracts.classification import shown_to_center
from regional_econ.gate import LINE_COLUMN, RULES_COLUMN, gate_file
from regional_econ.gate.errors import DeliveryError
from regional_econ.gate.lookups import LOOKUPS
from regional_econ.names import MANIFEST_SUFFIX
from regional_econ.storage.landing import sha256_of

FIRST_LINES = 5


@dataclass
class RuleResult:
    rule: str
    severity: str
    column: str | None
    rows: int
    first_lines: list[int]
    description: str
    sample: str | None = None  # first offending value, when the column may be shown


@dataclass
class CheckReport:
    feed: str
    file: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    rejected_whole: str | None = None
    failures: list[RuleResult] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.rejected_whole is None and not any(f.severity == "ERROR" for f in self.failures)

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"passed": self.passed}, ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        lines = [f"{verdict}: {self.file} against contract {self.feed}"]
        if self.rejected_whole:
            lines.append(f"  rejected whole: {self.rejected_whole}")
        else:
            lines.append(f"  rows {self.rows}: accepted {self.accepted}, rejected {self.rejected}")
        for f in self.failures:
            where = f"column {f.column}" if f.column else "row"
            sample = f", e.g. {f.sample!r}" if f.sample is not None else ""
            lines.append(
                f"  {f.severity:5s} {f.rule} ({where}): {f.rows} row(s), lines {', '.join(map(str, f.first_lines))}"
                f"{sample} - {f.description}"
            )
        if self.not_checked:
            lines.append(f"  not checked here (the platform checks them on arrival): {', '.join(self.not_checked)}")
        return "\n".join(lines)


def _manifest_failures(contract: Contract, path: Path, rows: int) -> list[RuleResult]:
    manifest_path = path.with_name(path.name + MANIFEST_SUFFIX)
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    out = []
    if manifest.get("rows") != rows:
        out.append(
            RuleResult(
                rules.MANIFEST_ROWS.id,
                rules.MANIFEST_ROWS.severity,
                None,
                rows,
                [],
                f"manifest declares {manifest.get('rows')} rows, file has {rows}",
            )
        )
    if manifest.get("sha256") != sha256_of(path):
        out.append(
            RuleResult(
                rules.MANIFEST_SHA256.id, rules.MANIFEST_SHA256.severity, None, rows, [], "file sha256 differs from the manifest"
            )
        )
    return out


def check_file(contract: Contract, path: Path) -> CheckReport:
    report = CheckReport(feed=contract.id, file=str(path))
    lookups = {r.id: LOOKUPS[r.id] for r in contract.rules_at("lookup")}
    report.not_checked = [rule + (" (against earlier deliveries)" if lookup.local else "") for rule, lookup in lookups.items()]

    def local(rule_id: str, typed: pl.DataFrame) -> pl.Series | None:
        fn = lookups[rule_id].local
        return fn(typed) if fn else None

    try:
        result = gate_file(contract, path, path.name, local)
    except DeliveryError as err:
        report.rejected_whole = str(err)
        return report
    report.rows, report.accepted, report.rejected = result.received, result.staged.height, result.quarantined.height
    bad = result.quarantined.explode(RULES_COLUMN)
    for rule_id, n in sorted(result.broken_by_rule.items()):
        described = rules.describe(contract, rule_id)
        severity, column, description = described.severity, described.column, described.sentence
        rows = bad.filter(pl.col(RULES_COLUMN) == rule_id).sort(LINE_COLUMN)
        sample = None
        if column and shown_to_center(contract.column(column).classification):
            sample = rows[column][0]
        report.failures.append(
            RuleResult(rule_id, severity, column, n, rows[LINE_COLUMN].head(FIRST_LINES).to_list(), description, sample)
        )
    report.failures += _manifest_failures(contract, path, result.received)
    return report
