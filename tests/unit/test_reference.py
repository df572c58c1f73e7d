from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from regional_econ import reference
from regional_econ.reference import derive

SOURCE = derive.DEFAULT_SOURCE


SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference"


def test_derived_tables_match_their_sources():
    for name, derived in derive.derive_all(SOURCE).items():
        committed = pl.read_csv(reference.HERE / f"{name}.csv", infer_schema=False)
        assert_frame_equal(committed, derived.cast(pl.String), check_dtypes=False), name


def test_the_42_areas_of_the_2019_portal_and_bucheons_gu_of_2024():
    areas = reference.table("areas")
    assert areas.filter(pl.col("in_portal_2019")).height == 42
    assert areas["sigungu_cd"].str.contains(r"^41\d{3}$").all()
    in_2019 = set(reference.leaf_areas("2019-06-01")["sigungu_cd"])
    in_2025 = set(reference.leaf_areas("2025-06-01")["sigungu_cd"])
    assert "41190" in in_2019 and "41190" not in in_2025
    assert {"41192", "41194", "41196"} <= in_2025 and not {"41192", "41194", "41196"} & in_2019
    # A si split into gu is never a leaf: records are coded to its gu.
    assert "41110" not in in_2025 and "41111" in in_2025


def test_code_lists_have_their_published_sizes():
    assert reference.table("merchant_categories").height == 34
    assert reference.table("currencies").height == 31
    assert reference.table("occupations").height == 35
    assert reference.codes("age_bands")[-1] == "90+"
    for name in reference.TABLES:
        codes = reference.codes(name)
        assert len(codes) == len(set(codes)), f"{name} has duplicate codes"


def test_every_currency_is_issued_by_a_si_or_gun():
    currencies = reference.table("currencies")
    cities = reference.table("areas").filter(pl.col("level") != "gu")["sigungu_cd"]
    assert set(currencies["issuer_sigungu_cd"]) == set(cities)


def test_calibration_shares_sum_to_one():
    assert reference.table("calibration_spending_share")["share"].sum() == pytest.approx(1.0)
    per_area = reference.table("calibration_age_usage").group_by("sigungu_cd").agg(pl.col("share").sum())
    assert per_area["share"].to_list() == pytest.approx([1.0] * per_area.height)


def test_ksic_categories_exist():
    categories = set(reference.codes("merchant_categories"))
    linked = set(reference.table("ksic")["category_cd"].drop_nulls())
    assert linked <= categories and len(linked) == 34


def test_the_vendored_sources_are_the_published_files():
    """The sources beside derive.py are unchanged copies; where shared/reference sits beside the
    checkout (a developer's machine) they must equal it byte for byte."""
    vendored = sorted(p.name for p in SOURCE.iterdir())
    assert {"bjd_codes_gyeonggi_2021.tsv", "portal2019_spending_by_gender.csv", "README.md"} <= set(vendored)
    if SHARED.exists():
        for name in vendored:
            assert (SOURCE / name).read_bytes() == (SHARED / name).read_bytes(), name


def test_namyangju_pays_mostly_with_its_own_currency():
    # The portal names Namyangju's currency "Thank You Pay-N"; read as a gift card, its payments were lost.
    usage = reference.table("calibration_currency_usage").filter(pl.col("sigungu_cd") == "41360")
    own = usage.filter(pl.col("currency_cd") == "41360")["share"].sum()
    assert own > 0.9
