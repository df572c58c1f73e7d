"""Dagster assets, in the order data flows: landing -> staged (+ quarantine) -> marts -> warehouse."""
