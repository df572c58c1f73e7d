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

from regional_econ import names
from regional_econ.contracts import Contract, rules
from regional_econ.contracts.classification import shown_to_center
from regional_econ.gate import LINE_COLUMN, RULES_COLUMN, gate_file
from regional_econ.gate.errors import DeliveryError
from regional_econ.gate.lookups import LOOKUPS
from regional_econ.gate.read import count_records
from regional_econ.staging import StageOutcome, batch
from regional_econ.storage.landing import DeliveredFile, ManifestError, read_manifest, sha256_of_bytes

FIRST_LINES = 5


@dataclass
class RuleResult:
    rule: str
    severity: str
    column: str | None
    rows: int
    first_lines: list[int]
    description: str
    sample: str | None = None  # first offending value, when the column is public


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


def _period_of(contract: Contract, path: Path, period: str | None) -> str | None:
    """The period the file is for: given, or read from a name like transactions_20260901_v1.csv."""
    if period:
        return period
    match = names.LANDING_FILE.match(path.name)
    if match and match["feed"] == contract.feed:
        day = match["day"]
        return f"{day[:4]}-{day[4:6]}-{day[6:]}"
    return None


def _name_problem(contract: Contract, path: Path, period: str | None) -> tuple[str, str] | None:
    if path.is_symlink():
        return rules.LANDING_REGULAR_FILE.id, "a symbolic link: send the file itself"
    expected = names.landing_file(contract.id, period or "YYYY-MM-DD", 1, contract.delivery.format)
    match = names.LANDING_FILE.match(path.name)
    if not match or match["feed"] != contract.feed or match["ext"] != expected.rsplit(".", 1)[1]:
        return rules.FILE_NAME_MATCHES_FOLDER.id, f"name it like {expected.replace('_v1.', '_v<N>.')} before sending"
    if period and match["day"] != period.replace("-", ""):
        return rules.FILE_NAME_MATCHES_FOLDER.id, f"named for {match['day']}, checked for {period}"
    return None


def check_file(contract: Contract, path: Path, period: str | None = None) -> CheckReport:
    """Every rule the file (and its manifest, when beside it) can be judged on, before it is sent.

    ``period``: the period the file is for (YYYY-MM-DD of its first day); read from the file's
    name when it follows the contract (``transactions_20260901_v1.csv``).
    """
    path = Path(path)
    report = CheckReport(feed=contract.id, file=str(path))
    period = _period_of(contract, path, period)
    lookups = {r.id: LOOKUPS[r.id] for r in contract.rules_at("lookup")}
    report.not_checked = [rule + (" (against earlier deliveries)" if lookup.local else "") for rule, lookup in lookups.items()]
    report.not_checked += [r for r in (rules.across_periods_rule(contract),) if r]
    if period is None and contract.period_column:
        report.not_checked.append(f"{rules.period_rule(contract)} (give --period)")
    problem = _name_problem(contract, path, period)
    if problem:
        described = rules.describe(contract, problem[0])
        report.failures.append(RuleResult(problem[0], described.severity, None, 0, [], f"{described.sentence} ({problem[1]})"))

    def local(rule_id: str, typed: pl.DataFrame) -> pl.Series | None:
        fn = lookups[rule_id].local if rule_id in lookups else None
        return fn(typed) if fn else None

    data = path.read_bytes()
    delivered = DeliveredFile(contract.id, period or "", 1, path)
    manifest, rejection, result = {}, None, None
    if delivered.complete:
        try:
            manifest = read_manifest(delivered)
        except ManifestError as err:
            rejection = DeliveryError(path.name, rules.MANIFEST_READABLE.id, str(err))
    if rejection is None:
        try:
            result = gate_file(contract, path, path.name, local, data, period)
        except DeliveryError as err:
            rejection = err
    if rejection is not None:
        report.rejected_whole = str(rejection)
    records = result.records if result else count_records(contract, data)
    outcome = StageOutcome(
        contract=contract, period_key=period or "", delivery=delivered, manifest=manifest, sha256=sha256_of_bytes(data),
        records=records, staged=result.staged.height if result else 0, quarantined=result.quarantined.height if result else 0,
        rejected=(records or 0) if rejection else 0, broken_by_rule=result.broken_by_rule if result else {},
        rejection=rejection, in_period_share=result.rows_in_period_share(contract) if result and period else None,
    )  # fmt: skip
    judged = batch.evaluate(outcome)
    if result is not None:
        report.rows, report.accepted, report.rejected = result.received, result.staged.height, result.quarantined.height
        bad = result.quarantined.explode(RULES_COLUMN)
        for rule_id, n in sorted(result.broken_by_rule.items()):
            described = rules.describe(contract, rule_id)
            rows = bad.filter(pl.col(RULES_COLUMN) == rule_id).sort(LINE_COLUMN)
            sample = None
            if described.column and shown_to_center(contract.column(described.column).classification):
                sample = rows[described.column][0]
            lines = rows[LINE_COLUMN].head(FIRST_LINES).to_list()
            report.failures.append(
                RuleResult(rule_id, described.severity, described.column, n, lines, described.sentence, sample)
            )
    # The delivery-level rules (the row rules are listed above, and a rejection is said once).
    skip = {rules.ROWS_PASS_CONTRACT.id, rules.DELIVERY_READABLE.id, rules.NO_DIRECT_IDENTIFIERS.id, rules.MANIFEST_READABLE.id}
    for rule_id, message in judged.items():
        if rule_id not in skip:
            described = rules.describe(contract, rule_id)
            report.failures.append(RuleResult(rule_id, described.severity, None, 0, [], f"{described.sentence} ({message})"))
    return report
