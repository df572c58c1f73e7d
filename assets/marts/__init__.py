"""Mart assets: one per mart declared in ``regional_econ.marts`` (``marts/<mart>``)."""

from assets.marts.factory import build_mart
from regional_econ.marts import MARTS

MART_ASSETS = [build_mart(mart) for mart in MARTS.values()]
