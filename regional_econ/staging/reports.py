"""Contract reports: what each center's delivery brought, what was accepted and what was not, why,
and what to fix.

One static HTML page per delivery under ``data/reports/<center>/<feed>/``, and an index per
center, rewritten once per staging run (not per page: a backfill of a year would rewrite a
growing list for every day). Samples of quarantined rows show values of public columns only;
every other value is masked, and a direct identifier is never shown (only its column and line).
"""

from __future__ import annotations

import html
from pathlib import Path

import polars as pl

from regional_econ.contracts import centers, rules
from regional_econ.contracts.classification import shown_to_center
from regional_econ.gate import LINE_COLUMN, RULES_COLUMN
from regional_econ.staging import StageOutcome
from regional_econ.storage.lake import write_atomic

SAMPLES = 5
MASK = "•••"
STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
    ".bad{color:#b00}.ok{color:#070}"
)


def _masked(outcome: StageOutcome, frame: pl.DataFrame) -> pl.DataFrame:
    hidden = [c.name for c in outcome.contract.columns if not shown_to_center(c.classification)]
    return frame.with_columns(pl.lit(MASK).alias(n) for n in hidden if n in frame.columns)


def _table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in frame.iter_rows()
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _verdict(outcome: StageOutcome) -> str:
    vocabulary = {r.id: r for r in (*rules.BATCH_RULES, rules.OUTPUT_SCHEMA)}
    if outcome.promoted:
        head = "<h2 class=ok>Accepted: this delivery is the one in force for the period</h2>"
    else:
        head = (
            "<h2 class=bad>Not accepted: the period keeps what was in force before</h2>"
            "<p>Correct what is listed below and send the file again as the next version (_v2, _v3, ...).</p>"
        )
    items = []
    for rule_id, message in sorted(outcome.failures.items()):
        rule = vocabulary[rule_id]
        items.append(
            f"<li><b>{html.escape(rule.severity)} {html.escape(rule_id)}</b>: {html.escape(message)}"
            f"<br><i>What to do:</i> {html.escape(rule.fix)}</li>"
        )
    return head + (f"<ul>{''.join(items)}</ul>" if items else "")


def delivery_report(outcome: StageOutcome, quarantined: pl.DataFrame | None) -> str:
    c = outcome.contract
    center = centers()[c.center]
    summary = pl.DataFrame(
        {
            "data lines in the file": [outcome.received],
            "accepted (staged)": [outcome.staged if outcome.promoted else 0],
            "rejected rows (quarantined)": [outcome.quarantined if outcome.promoted else 0],
            "rejected whole": [outcome.rejected],
            "held back (delivery not accepted)": [0 if outcome.promoted else outcome.staged + outcome.quarantined],
        }
    )
    parts = [
        f"<h1>{html.escape(c.id)} {outcome.period_key} v{outcome.delivery.version}</h1>",
        f"<p>{html.escape(center.name_ko)} ({html.escape(center.name_en)}) &middot; file "
        f"<code>{html.escape(outcome.relative_path)}</code> &middot; received {outcome.received_at:%Y-%m-%d %H:%M} KST"
        f" &middot; deadline {outcome.deadline:%Y-%m-%d %H:%M} KST</p>",
        _table(summary),
        _verdict(outcome),
    ]
    if outcome.rejection:
        err = outcome.rejection
        parts.append(
            f"<h2 class=bad>Rejected whole: rule {html.escape(err.rule)}</h2>"
            f"<p>line {err.line or '-'}, column {html.escape(err.column or '-')}: {html.escape(str(err))}</p>"
        )
    if outcome.refused:
        listed = "".join(
            f"<li><code>{html.escape(f.path.name)}</code>: {html.escape(f.reason)} (rule {html.escape(f.rule)})</li>"
            for f in outcome.refused
        )
        parts.append(f"<h2 class=bad>Files not read</h2><ul>{listed}</ul>")
    if outcome.broken_by_rule and quarantined is not None:
        parts.append("<h2>Rows rejected, by rule</h2><p>Values of non-public columns are masked.</p>")
        exploded = quarantined.explode(RULES_COLUMN)
        for rule, n in sorted(outcome.broken_by_rule.items()):
            rows = exploded.filter(pl.col(RULES_COLUMN) == rule).sort(LINE_COLUMN).head(SAMPLES)
            sample = _masked(outcome, rows.select(LINE_COLUMN, *c.column_names))
            described = rules.describe(c, rule)
            parts.append(f"<h3>{html.escape(rule)}: {n} row(s)</h3><p>{html.escape(described.sentence)}</p>{_table(sample)}")
    body = "\n".join(parts)
    title = f"{html.escape(c.id)} {outcome.period_key}"
    return f"<!doctype html><meta charset=utf-8><title>{title}</title><style>{STYLE}</style>{body}"


def write_delivery_report(root: Path, outcome: StageOutcome, quarantined: pl.DataFrame | None) -> Path:
    folder = root / outcome.contract.center / outcome.contract.feed
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{outcome.period_key}_v{outcome.delivery.version}.html"
    path.write_text(delivery_report(outcome, quarantined), encoding="utf-8")
    return path


def write_center_index(root: Path, center_id: str) -> Path:
    """The center's list of delivery pages, newest first; replaced whole (a reader never sees half)."""
    pages = sorted((root / center_id).glob("*/*.html"), reverse=True)
    items = "".join(
        f'<li><a href="{p.relative_to(root / center_id)}">{html.escape(p.parent.name)} {html.escape(p.stem)}</a></li>'
        for p in pages
    )
    center = centers()[center_id]
    page = (
        f"<!doctype html><meta charset=utf-8><title>{html.escape(center.name_ko)}</title><style>{STYLE}</style>"
        f"<h1>{html.escape(center.name_ko)} ({html.escape(center.name_en)}): contract reports</h1><ul>{items}</ul>"
    )
    index = root / center_id / "index.html"
    write_atomic(index, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return index
