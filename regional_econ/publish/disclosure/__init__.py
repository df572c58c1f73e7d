"""Disclosure control for everything published (DESIGN section 7), over all products of a period
together: the primary rules (``rules``), each product's cells and the relations between them
(``cube``, ``hierarchy``), and the linked set, its secondary suppression and the attacker's
linear-programming audit (``linked``)."""

from regional_econ.publish.disclosure.linked import Audit, Protection, audit, protect
from regional_econ.publish.disclosure.rules import (
    MIN_BUSINESSES,
    MIN_CONTRIBUTORS,
    MIN_PERSONS,
    P_PERCENT,
    PERSON_DOMINANCE,
    PROTECTION,
    RULE,
)

__all__ = [
    "MIN_BUSINESSES",
    "MIN_CONTRIBUTORS",
    "MIN_PERSONS",
    "PERSON_DOMINANCE",
    "PROTECTION",
    "P_PERCENT",
    "RULE",
    "Audit",
    "Protection",
    "audit",
    "protect",
]
