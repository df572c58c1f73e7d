"""Marts: indicators computed from staged feeds, one Parquet partition per period."""
