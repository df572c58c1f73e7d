"""Delivery contracts: one YAML file per feed (``<center>/<feed>.yaml``), the single definition of
every column and rule, and what is built from them for the centers.

- ``model``: the contract (delivery terms, columns, rules) as loaded from YAML
- ``centers``: the nine centers (``centers.yaml``) and their feeds
- ``rules``: the rule vocabulary every check and report reads
- ``classification``: which columns' values may be shown where
- ``check``: the centers' own pre-send check ("clean, then send")
- ``docs``: the data dictionary the centers sign up to
- ``gx``: the contract as a Great Expectations suite
"""

from regional_econ.contracts.centers import Center, centers
from regional_econ.contracts.model import Column, Contract, DeliveryTerms, Rule, contract, contracts

__all__ = ["Center", "Column", "Contract", "DeliveryTerms", "Rule", "centers", "contract", "contracts"]
