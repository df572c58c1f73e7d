"""The map's si/gun: one shape per si/gun of ref.areas, each holding its own city hall."""

import pytest
from shapely.geometry import Point, shape

from regional_econ.serve.geo import boundaries, si_gun

CITY_HALLS = {  # (lat, lon), from the cities' published addresses
    "41110": (37.2636, 127.0286),  # Suwon: a si of four gu, dissolved
    "41190": (37.5035, 126.7660),  # Bucheon: its gu come under their pre-2016 codes
    "41670": (37.2983, 127.6372),  # Yeoju: a county (41730) in the boundary data
    "41150": (37.7381, 127.0337),  # Uijeongbu
    "41820": (37.8315, 127.5105),  # Gapyeong-gun
}


def test_every_si_gun_has_exactly_one_shape():
    features = boundaries()["features"]
    assert sorted(f["id"] for f in features) == sorted(si_gun())
    assert all(f["properties"]["name_ko"] for f in features)


@pytest.mark.parametrize(("code", "point"), CITY_HALLS.items())
def test_a_city_hall_lies_in_its_own_si_gun_only(code, point):
    lat, lon = point
    holding = [f["id"] for f in boundaries()["features"] if shape(f["geometry"]).contains(Point(lon, lat))]
    assert holding == [code]
