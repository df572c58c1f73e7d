"""The marts: what each computes, from which inputs, with which columns, declared once.

- ``columns``: every mart column, typed, with its Korean label and description
- ``declarations``: each mart's grain, cadence, columns, inputs and how it is published
- ``inputs``: which partitions of which feed or mart a mart reads for a period
- ``build``: computing a mart's periods from its declared inputs
- ``plots``: pictures of a mart for the operator
"""

from regional_econ.marts.declarations import MARTS, Disclosure, Mart, Statistic, describe, label

__all__ = ["MARTS", "Disclosure", "Mart", "Statistic", "describe", "label"]
