"""Landing feeds: external assets, one per feed, that the centers (not Dagster) produce."""

from __future__ import annotations

import dagster as dg

from assets.keys import landing_key
from assets.metadata import feed_tags, owners
from assets.partitions import partitions_for
from regional_econ import names
from regional_econ.contracts import Contract, centers, contracts


def landing_spec(contract: Contract) -> dg.AssetSpec:
    d = contract.delivery
    center = centers()[contract.center]
    return dg.AssetSpec(
        key=landing_key(contract),
        description=f"{center.name_ko} ({center.name_en}): {contract.description}",
        group_name=contract.center,
        partitions_def=partitions_for(d.cadence),
        kinds={"file", d.format},
        owners=owners(contract),
        tags=feed_tags(contract, names.LANDING),
        metadata={
            "contract": contract.id,
            "cadence": d.cadence,
            "format": d.format,
            "encoding": d.encoding,
            "header": "Korean labels" if d.header == "ko" else "column names",
            "deadline": f"{d.deadline_days_after_period_end} day(s) after the period, {d.deadline_at} KST",
            "path": names.landing_pattern(contract.id, d.format),
        },
    )


LANDING_SPECS = [landing_spec(c) for c in contracts().values()]
