"""The data dictionary the centers sign up to: one Markdown page per feed, plus an index."""

from __future__ import annotations

from pathlib import Path

from regional_econ import names
from regional_econ.contracts import Contract, centers, contracts, rules


def _constraint(c) -> str:
    parts = []
    if c.unique:
        parts.append("unique")
    if c.pattern:
        parts.append(f"pattern `{c.pattern}`")
    if c.range:
        parts.append(f"{c.range[0]:,} to {c.range[1]:,}")
    if c.domain:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c.domain))
    if c.ref:
        parts.append(f"code in `ref.{c.ref}`")
    if c.free_text:
        parts.append(f"free text, at most {c.max_length:,} characters, no control characters")
    return "; ".join(parts)


def page(contract: Contract) -> str:
    center = centers()[contract.center]
    d = contract.delivery
    lines = [
        f"# {contract.id} (v{contract.version})",
        "",
        contract.description,
        "",
        f"- Owner: {center.name_ko} ({center.name_en}), contact: {center.contact_role}",
        f"- Cadence: {d.cadence}; deadline {d.deadline_days_after_period_end} day(s) after the period ends, {d.deadline_at} KST",
        f"- Format: {d.format}, encoding {d.encoding}, header as "
        + ("Korean labels" if d.header == "ko" else "column names")
        + " (either is accepted)",
        f"- Primary key: {', '.join(contract.primary_key)}",
        f"- File: `{names.landing_pattern(contract.id, d.format)}` with a `{names.MANIFEST_SUFFIX}` giving rows, "
        "sha256 and encoding",
        "",
        "## Columns",
        "",
        "| column | label | type | required | constraints | class | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in contract.columns:
        lines.append(
            f"| `{c.name}` | {c.label_ko} | {c.type} | {'yes' if c.required else 'no'} | {_constraint(c)} "
            f"| {c.classification} | {c.description} |"
        )
    kinds = ", ".join(f"`{k.kind}`" for k in rules.COLUMN_RULES)
    lines += [
        "",
        "## Rules",
        "",
        f"Every column constraint above is a row rule named `<column>_<kind>` ({kinds}); a repeated primary key "
        f"breaks `{rules.key_rule(contract)}`. Rows breaking a rule are quarantined with the rule, file and line.",
        "",
        "| rule | level | severity | description |",
        "|---|---|---|---|",
    ]
    if rules.period_rule(contract):
        lines.append(f"| `{rules.period_rule(contract)}` | row | ERROR | {rules.period_sentence(contract)}. |")
    if rules.across_periods_rule(contract):
        lines.append(f"| `{rules.across_periods_rule(contract)}` | lookup | ERROR | {rules.across_periods_sentence(contract)}. |")
    for r in contract.rules:
        holds = f" (`{r.holds}`)" if r.holds else ""
        lines.append(f"| `{r.id}` | {r.level} | {r.severity} | {r.description}{holds} |")
    for r in rules.BATCH_RULES:
        sentence = rules.volume_sentence(contract.volume) if r is rules.VOLUME_IN_BAND and contract.volume else r.sentence
        lines.append(f"| `{r.id}` | batch | {r.severity} | {sentence} |")
    readable = ", ".join(f"`{r.id}`" for r in rules.READ_RULES)
    lines += [
        "",
        f"A delivery that cannot be read is rejected whole under `{rules.DELIVERY_READABLE.id}`, naming one of {readable}.",
        "A delivery that breaks a batch rule of severity ERROR is not accepted: the period keeps what was in force "
        "before, and the delivery's report says what to fix. Send the correction as the next version (`_v2`, ...).",
    ]
    if contract.min_rows:
        lines.append(f"This feed is never empty: a delivery holds at least {contract.min_rows} row(s).")
    return "\n".join(lines) + "\n"


def write_docs(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    index = ["# Delivery contracts", "", "| feed | center | cadence | format | encoding |", "|---|---|---|---|---|"]
    for contract in contracts().values():
        path = out / f"{contract.name}.md"
        path.write_text(page(contract), encoding="utf-8")
        written.append(path)
        d = contract.delivery
        index.append(
            f"| [{contract.id}]({path.name}) | {centers()[contract.center].name_ko} | {d.cadence} | {d.format} | {d.encoding} |"
        )
    (out / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return [out / "index.md", *written]
