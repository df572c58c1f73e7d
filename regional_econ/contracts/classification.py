"""Which columns' values may be shown where: the classification every contract column carries.

- ``public``: codes and facts anyone may see.
- ``internal``: platform data (ids, amounts, times) that operators and the sending center see.
- ``pseudonymous``: person tokens; never shown, never joined across centers.
- ``business_identifying``: business tokens, names, addresses; never shown outside the platform.
"""

from __future__ import annotations

CLASSIFICATIONS = ("public", "internal", "pseudonymous", "business_identifying")

# Values a report, an error, a log or a check may quote: only public ones. Anything else a
# center sent stays in the lake (and, for quarantined rows, in the quarantine).
SHOWN_TO_CENTER = ("public",)
# Values masked in the operator's previews (shown as their first characters).
MASKED_IN_PREVIEW = ("pseudonymous", "business_identifying")


def shown_to_center(classification: str) -> bool:
    return classification in SHOWN_TO_CENTER


def masked_in_preview(classification: str) -> bool:
    return classification in MASKED_IN_PREVIEW
