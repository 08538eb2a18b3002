"""Places and coordinates of the FINESS extract: the INSEE code of a line's commune, which
projection a geolocalisation line uses, and the reprojection to WGS84 (pyproj, one cached
Transformer per projection, whole batches at a time)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache

# FINESS writes the overseas departments with a letter. 9A..9D and 9F are the five overseas
# departments (FraidFraid/France-Monitor scripts/build-hospitals.mjs, DROM_DEP, commit
# 74abb51a98ddf8da6be5aeb16c009af20e19364f); 9E is Saint-Pierre-et-Miquelon (same table) and 9J
# Wallis-et-Futuna (the extract of 2026-05-12 files HOPITAL DE SIA, 98600 UVEA, under 9J with
# commune 613: INSEE 98613 Uvea; see tests/fixtures/finess/README.md). No other letter occurs in
# the extracts quoted publicly, so no other is accepted. The commune field of an overseas line
# holds the last three digits of the INSEE code: 9D + 411 is 97411 (Saint-Denis, La Réunion).
OVERSEAS = {
    "9A": "971",  # Guadeloupe (Saint-Barthélemy and Saint-Martin are still filed here)
    "9B": "972",  # Martinique
    "9C": "973",  # Guyane
    "9D": "974",  # La Réunion
    "9E": "975",  # Saint-Pierre-et-Miquelon (an overseas collectivity)
    "9F": "976",  # Mayotte
    "9J": "986",  # Wallis-et-Futuna (an overseas collectivity)
}
_METROPOLE = re.compile(r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])$")
_COMMUNE = re.compile(r"^[0-9]{3}$")

# Older extracts name the projection by a keyword, the last comma-separated token of
# sourcecoordet ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,LAMBERT_93": jdflaugergues/api.pharmacieplus
# app/importdata.js, commit 9387734ea0b912b625c3651ff76556e7a105f3ce); each maps to the legal
# projection of its territory. Newer extracts give the EPSG code ("1,ATLASANTE,96,BAN,EPSG:2154
# RGF93 / Lambert-93 (Métropole)"), or for Saint-Pierre-et-Miquelon and Wallis-et-Futuna a WGS84
# UTM zone without a code ("WGS84/UTM zone 21N (St-Pierre-et-Miquelon)"; FraidFraid/France-Monitor
# scripts/build-hospitals.mjs, crsOf, same commit as above).
LEGACY = {
    "LAMBERT_93": 2154,  # RGF93 / Lambert-93
    "UTM_N20": 4559,  # RRAF 1991 / UTM zone 20N (Guadeloupe, Martinique)
    "UTM_N21": 4467,  # RGSPM06 / UTM zone 21N (Saint-Pierre-et-Miquelon)
    "UTM_N22": 2972,  # RGFG95 / UTM zone 22N (Guyane)
    "UTM_S38": 4471,  # RGM04 / UTM zone 38S (Mayotte)
    "UTM_S40": 2975,  # RGR92 / UTM zone 40S (La Réunion)
}
EPSG_CODES = {2154, 4467, 4471, 4559, 5490, 2972, 2975}  # 5490: RGAF09 / UTM zone 20N (Antilles)
_EPSG = re.compile(r"EPSG:([0-9]{4,5})\b")
_WGS84_UTM = re.compile(r"WGS ?84 ?/ ?UTM zone ([0-9]{1,2}) ?([NS])\b", re.IGNORECASE)
AREA_MARGIN = 0.5  # degrees around a projection's area of use


def insee_department(departement: str) -> str | None:
    """The INSEE department (or collectivity) code of a FINESS 'departement', None if unknown."""
    if _METROPOLE.match(departement):
        return departement
    return OVERSEAS.get(departement)


def insee_commune(departement: str, commune: str) -> str | None:
    """The INSEE code of a line's commune: 01 + 451 is 01451, 2A + 004 is 2A004, 9D + 411 is
    97411. None if the department is unknown, the commune is not 3 digits, or the commune's
    first digit does not belong to the overseas department (9D + 311)."""
    department = insee_department(departement)
    if department is None or not _COMMUNE.match(commune):
        return None
    if len(department) == 2:
        return department + commune
    code = department[:2] + commune
    return code if code.startswith(department) else None


def projection(source: str) -> int | None:
    """The EPSG code of the projection that a 'sourcecoordet' names, None if none is known."""
    if m := _EPSG.search(source):
        code = int(m.group(1))
        return code if code in EPSG_CODES or _is_wgs84_utm(code) else None
    if m := _WGS84_UTM.search(source):
        zone = int(m.group(1))
        return (32600 if m.group(2).upper() == "N" else 32700) + zone if 1 <= zone <= 60 else None
    for token in reversed(source.split(",")):
        if token.strip() in LEGACY:
            return LEGACY[token.strip()]
    return None


def _is_wgs84_utm(code: int) -> bool:
    return 32601 <= code <= 32660 or 32701 <= code <= 32760


def _pyproj() -> None:
    """pyproj is a dependency; an install without it is told what to install, not a traceback."""
    import importlib.util

    if importlib.util.find_spec("pyproj") is None:
        from kg.errors import KgError

        raise KgError(
            "kg import finess needs pyproj, which is not installed",
            "pip install 'pyproj>=3.6' (or reinstall: pip install -e .)",
        )


@cache
def _transformer(epsg: int) -> object:
    _pyproj()
    from pyproj import Transformer

    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


@cache
def area(epsg: int) -> tuple[str, float, float, float, float]:
    """(name, west, south, east, north) of the projection's area of use, in degrees."""
    _pyproj()
    from pyproj import CRS

    crs = CRS.from_epsg(epsg)
    use = crs.area_of_use
    if use is None:  # pragma: no cover - every projection accepted above has one
        return (crs.name, -180.0, -90.0, 180.0, 90.0)
    return (crs.name, use.west, use.south, use.east, use.north)


def to_wgs84(
    epsg: int, xs: Sequence[float], ys: Sequence[float]
) -> list[tuple[float, float] | None]:
    """(latitude, longitude) of each point, or None where it falls outside the projection's
    area of use (x and y swapped, the wrong projection) or is not finite."""
    longitudes, latitudes = _transformer(epsg).transform(list(xs), list(ys))  # type: ignore[attr-defined]
    _name, west, south, east, north = area(epsg)
    out: list[tuple[float, float] | None] = []
    for lon, lat in zip(longitudes, latitudes, strict=True):
        inside = (
            math.isfinite(lon)
            and math.isfinite(lat)
            and west - AREA_MARGIN <= lon <= east + AREA_MARGIN
            and south - AREA_MARGIN <= lat <= north + AREA_MARGIN
        )
        out.append((lat, lon) if inside else None)
    return out
