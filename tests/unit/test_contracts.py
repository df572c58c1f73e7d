import polars as pl
import pytest

from regional_econ import reference
from regional_econ.contracts import centers, contracts
from regional_econ.contracts.model import DTYPES

FEEDS = {
    "kona": {"transactions", "merchants", "cardholders", "charges"},
    "ked": {"sme_credit"},
    "theimc": {"consumer_trends"},
    "gjf": {"job_postings", "job_seekers", "placements"},
    "gcgf": {"guarantee_events"},
    "gbsa": {"sme_support"},
    "gtp": {"tech_firms"},
    "gca": {"content_firms"},
    "msc": {"counseling_cases"},
}


def test_nine_centers_and_their_fourteen_feeds():
    assert set(centers()) == set(FEEDS)
    assert {cid: {f.feed for f in c.feeds} for cid, c in centers().items()} == FEEDS
    assert len(contracts()) == 14


@pytest.mark.parametrize("feed_id", list(contracts()))
def test_contract_is_consistent(feed_id):
    c = contracts()[feed_id]
    names = c.column_names
    assert len(names) == len(set(names))
    labels = [col.label_ko for col in c.columns]
    assert len(labels) == len(set(labels)), "Korean labels must map back to one column each"
    assert set(c.primary_key) <= set(names)
    if c.period_column:
        assert c.period_column in names
    for col in c.columns:
        assert col.type in DTYPES
        if col.ref:
            assert col.ref in reference.TABLES
    rule_ids = [r.id for r in c.rules]
    assert len(rule_ids) == len(set(rule_ids))
    for rule in c.rules_at("row"):
        # Every row rule is a SQL predicate over the contract's columns.
        frame = pl.DataFrame(schema=c.schema)
        frame.select(pl.sql_expr(rule.holds))


def test_person_tokens_are_pseudonymous_everywhere():
    for c in contracts().values():
        for col in c.columns:
            if col.name.endswith("_token"):
                assert col.classification == "pseudonymous", f"{c.id}.{col.name}"


def test_every_lookup_rule_has_an_implementation():
    from regional_econ.gate.lookups import LOOKUPS

    for c in contracts().values():
        for rule in c.rules_at("lookup"):
            assert rule.id in LOOKUPS, f"{c.id}: lookup rule {rule.id} has no implementation"
            assert set(LOOKUPS[rule.id].needs) <= set(contracts())
        assert {r.level for r in c.rules} <= {"row", "lookup", "batch"}


def _rule_ids() -> set[str]:
    from regional_econ.contracts import rules

    ids = {r.id for r in (*rules.LOOKUP_RULES.values(), *rules.READ_RULES, *rules.BATCH_RULES)}
    return ids | {rules.COMPOUND_KEY_UNIQUE}


def test_rule_ids_are_spelled_only_in_the_vocabulary():
    """Code outside contracts/rules.py names a rule through the vocabulary, never as a string."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [p for d in ("regional_econ", "assets", "checks", "resources") for p in (root / d).rglob("*.py")]
    assert len(sources) > 30
    quoted = re.compile(r"""["']([a-z0-9_]+)["']""")
    offenders = []
    for path in sources:
        if path.name == "rules.py":
            continue
        found = set(quoted.findall(path.read_text(encoding="utf-8"))) & _rule_ids()
        # The receipt's field for the manifest's declared encoding shares a rule's name.
        found -= {"encoding_declared"} if path.parts[-2:] == ("staging", "__init__.py") else set()
        offenders += [f"{path.relative_to(root)}: {rule}" for rule in sorted(found)]
    assert offenders == []


def test_batch_checks_and_contract_docs_read_one_vocabulary():
    import dagster as dg

    from checks.batch_gate import check_specs
    from regional_econ.contracts import rules
    from regional_econ.contracts.docs import page

    assert [c.name for c in check_specs(dg.AssetKey("x"))] == [r.id for r in rules.BATCH_RULES]
    doc = page(contracts()["kona/charges"])
    for rule in rules.BATCH_RULES:
        if rule is not rules.VOLUME_IN_BAND:
            assert f"| `{rule.id}` | batch | {rule.severity} | {rule.sentence} |" in doc
