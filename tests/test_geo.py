"""Place resolution against the gazetteer, the bounding box, and the distance function."""

from __future__ import annotations

import math

import pytest

from kg.errors import QueryError
from kg.geo import Gazetteer, bounding_box, distance_km, normalise
from tests.conftest import REPO


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(REPO / "data" / "gazetteer")


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("Paris", "commune", "75056"),
        ("paris", "commune", "75056"),
        ("Le Chesnay", "commune", "78158"),
        ("le chesnay-rocquencourt", "commune", "78158"),
        ("CORBEIL ESSONNES", "commune", "91174"),
        ("Vitry-le-Francois", "commune", "51649"),
        ("St-Dizier", "commune", "52448"),
        ("Lyon", "commune", "69123"),
        ("Brest", "commune", "29019"),
        ("Valence (26)", "commune", "26362"),
        ("Valence, 82", "commune", "82186"),
        ("91174", "commune", "91174"),
        ("2A004", "commune", "2A004"),
        ("Essonne", "department", "91"),
        ("Île-de-France", "region", "11"),
        ("ile de france", "region", "11"),
    ],
)
def test_resolve(gazetteer, text, kind, code):
    place = gazetteer.resolve(text)
    assert (place.kind, place.code) == (kind, code)
    assert not math.isnan(place.latitude)


def test_a_point(gazetteer):
    place = gazetteer.resolve("48.39, -4.48")
    assert (place.kind, place.latitude, place.longitude) == ("point", 48.39, -4.48)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("91, 2", "'91, 2' is out of range"),
        ("99999", "no commune has the INSEE code 99999"),
        ("", "an empty place name"),
    ],
)
def test_bad_places(gazetteer, text, message):
    with pytest.raises(QueryError) as caught:
        gazetteer.resolve(text)
    assert caught.value.message == message


def test_normalise():
    assert normalise("Le Chesnay-Rocquencourt") == "le chesnay rocquencourt"
    assert normalise("St-Denis") == "saint denis"
    assert normalise("Saint Denis") == "saint denis"


def test_distance_known_values():
    paris, lyon = (48.85341, 2.34880), (45.74906, 4.84789)
    assert distance_km(*paris, *paris) == 0
    assert 390 < distance_km(*paris, *lyon) < 394  # 392 km between the two GeoNames points
    assert distance_km(*paris, *lyon) == pytest.approx(distance_km(*lyon, *paris))


@pytest.mark.parametrize(
    ("lat", "lon", "radius"),
    [(48.85, 2.35, 50), (43.3, 5.4, 250), (-20.9, 55.5, 30), (70.0, 20.0, 500)],
)
def test_the_box_holds_the_whole_circle(lat, lon, radius):
    box = bounding_box(lat, lon, radius)
    for bearing in range(0, 360, 5):
        # a point at `radius` km in direction `bearing` (spherical destination formula)
        d, b = radius / 6371.0088, math.radians(bearing)
        p1, l1 = math.radians(lat), math.radians(lon)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
        l2 = l1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
        )
        assert box.min_lat <= math.degrees(p2) <= box.max_lat
        assert box.min_lon <= math.degrees(l2) <= box.max_lon
