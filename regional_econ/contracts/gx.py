"""Export a contract as a Great Expectations 1.x suite, for centers that run GX themselves.

Each column declaration becomes the matching expectation; each row rule an
``UnexpectedRowsExpectation`` with the rule's SQL predicate. GX is imported here only: it is
slow to import and never on the platform's hot path.
"""

from __future__ import annotations

import json

from regional_econ.contracts import Contract, rules


def gx_suite(contract: Contract):
    import great_expectations as gx
    from great_expectations import expectations as gxe

    suite = gx.ExpectationSuite(
        name=f"{contract.name}_contract_v{contract.version}",
        meta={"contract": contract.id, "version": contract.version, "owner": contract.owner},
    )

    def add(expectation, rule_id: str) -> None:
        expectation.meta = {"rule": rule_id}
        suite.expectations.append(expectation)

    add(gxe.ExpectTableColumnsToMatchSet(column_set=contract.column_names, exact_match=True), rules.HEADER_MATCHES.id)
    for c in contract.columns:
        for kind in rules.COLUMN_RULES:
            if kind.applies(c) and kind.expectation is not None:
                add(kind.expectation(gxe, c), kind.id(c.name))
    add(rules.key_expectation(gxe, contract), rules.key_rule(contract))
    for rule in contract.rules_at("row"):
        add(
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=f"SELECT * FROM {{batch}} WHERE NOT ({rule.holds})", description=rule.description
            ),
            rule.id,
        )
    return suite


def gx_suite_json(contract: Contract) -> str:
    return json.dumps(gx_suite(contract).to_json_dict(), ensure_ascii=False, indent=2, default=str)
