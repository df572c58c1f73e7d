"""Export a contract as a Great Expectations 1.x suite, for centers that run GX themselves.

Each column declaration becomes the matching expectation; each row rule an
``UnexpectedRowsExpectation`` with the rule's SQL predicate. GX is imported here only: it is
slow to import and never on the platform's hot path.
"""

from __future__ import annotations

import json

from regional_econ.contracts import Contract


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

    add(gxe.ExpectTableColumnsToMatchSet(column_set=contract.column_names, exact_match=True), "header_matches")
    for c in contract.columns:
        if c.required:
            add(gxe.ExpectColumnValuesToNotBeNull(column=c.name), f"{c.name}_required")
        if c.pattern:
            add(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=c.pattern), f"{c.name}_pattern")
        if c.range:
            add(gxe.ExpectColumnValuesToBeBetween(column=c.name, min_value=c.range[0], max_value=c.range[1]), f"{c.name}_range")
        if c.domain:
            add(gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.domain)), f"{c.name}_domain")
        if c.ref:
            add(gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=c.allowed), f"{c.name}_ref")
    key = list(contract.primary_key)
    if len(key) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=key[0]), f"{key[0]}_unique")
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=key), "primary_key_unique")
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
