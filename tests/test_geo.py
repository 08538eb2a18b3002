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
        ("99999", "no commune has the INSEE code or postal code 99999"),
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


# Issue 12: places as people type them (codes, names before commune homonyms, the choice said).
@pytest.mark.parametrize(
    ("text", "kinds", "kind", "code", "note"),
    [
        ("53", ("region", "department"), "region", "53",
         "53 is read as the region Bretagne; for the department Mayenne give 'department 53' or "
         "its name"),
        ("53", (), "department", "53",
         "53 is read as the department Mayenne; for the region Bretagne give 'region 53' or its "
         "name"),
        ("department 53", ("region", "department"), "department", "53", None),
        ("région 53", (), "region", "53", None),
        ("2A", ("region", "department"), "department", "2A", None),
        ("2b", (), "department", "2B", None),
        ("971", ("region", "department"), "department", "971", None),
        ("976", (), "department", "976", None),
        ("Bretagne", (), "region", "53",
         "'Bretagne' is read as Bretagne (region 53); also named so: Bretagne (36, INSEE 36024); "
         "Bretagne (90, INSEE 90019) (give e.g. 'Bretagne (36)' for another)"),
        ("Aube (61)", (), "commune", "61008", None),
        ("Vienne", (), "department", "86",
         "'Vienne' is read as Vienne (department 86); also named so: Vienne (38, INSEE 38544) "
         "(give e.g. 'Vienne (38)' for another)"),
        ("Vienne (38)", (), "commune", "38544", None),
        ("Paris", (), "commune", "75056", None),  # the department's chef-lieu: the same place
        ("Paris", ("region", "department"), "department", "75", None),
        ("Guadeloupe", (), "region", "01", None),  # and department 971: the same point
        ("35000", (), "commune", "35238",
         "35000 is read as the postal code of Rennes (35, INSEE 35238)"),
        ("75001", (), "commune", "75056",
         "75001 is read as the postal code of Paris (75, INSEE 75056)"),
        ("13001", (), "commune", "13001",  # Aix-en-Provence's INSEE code, Marseille's postcode
         "13001 is read as the INSEE code of Aix-en-Provence (13, INSEE 13001); as a postal code "
         "it serves Marseille (13, INSEE 13055)"),
    ],
)
def test_codes_and_names_shared_by_kinds(gazetteer, text, kinds, kind, code, note):
    notes: list[str] = []
    place = gazetteer.resolve(text, kinds, notes)
    assert (place.kind, place.code) == (kind, code)
    assert notes == ([note] if note else [])


@pytest.mark.parametrize(
    ("text", "kinds", "message"),
    [
        ("20", (), "no department or region has the code 20 (departments are 01 to 95, 2A, 2B "
         "and 971 to 976; regions e.g. 11 (Île-de-France), 53 (Bretagne), 94 (Corse))"),
        ("35999", (), "no commune has the INSEE code or postal code 35999 (check the code, or "
         "give the commune's name)"),
        ("01000", (), "the postal code 01000 serves 2 communes: Bourg-en-Bresse (01, INSEE "
         "01053); Saint-Denis-lès-Bourg (01, INSEE 01344) (give the commune's name or INSEE code, "
         "e.g. 01053)"),
    ],
)
def test_unknown_codes_are_said_with_the_fix(gazetteer, text, kinds, message):
    with pytest.raises(QueryError) as caught:
        gazetteer.resolve(text, kinds)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "kinds", "spelt"),
    [
        ("Paris", (), "Paris"),
        ("Valence (26)", (), "Valence (26)"),
        ("Aube (61)", (), "Aube (61)"),
        ("53", ("region", "department"), "Bretagne"),
        ("department 53", (), "Mayenne"),
        ("Vienne (38)", (), "Vienne (38)"),
    ],
)
def test_spelling_gives_back_the_same_place(gazetteer, text, kinds, spelt):
    place = gazetteer.resolve(text, kinds)
    assert gazetteer.spelling(place, kinds) == spelt
    again = gazetteer.resolve(spelt, kinds)
    assert (again.kind, again.code) == (place.kind, place.code)
