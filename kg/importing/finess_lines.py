"""The lines of the FINESS extract: each structureet line checked field by field (in the order
of the line, so the first spoiled field is the one reported) and made a Site, each
geolocalisation line checked and its point reprojected with the others of its projection."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING

from kg.geo import distance_km
from kg.identifiers import department_problem, finess_problem
from kg.importing.finess_geo import area, insee_commune, insee_department, projection, to_wgs84
from kg.importing.finess_rdf import Site
from kg.importing.finess_report import FinessReport, Rejected

if TYPE_CHECKING:
    from kg.loading.places import Place

STRUCTURE = (
    "nofinesset nofinessej rs rslongue complrs compldistrib numvoie typvoie voie compvoie "
    "lieuditbp commune departement libdepartement ligneacheminement telephone telecopie "
    "categetab libcategetab categagretab libcategagretab siret codeape codemft libmft codesph "
    "libsph dateouv dateautor datemaj numuai"
).split()
GEOLOCATION = ["nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj"]
SPREADSHEET = "the file was saved by a spreadsheet? use the original extract"
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SIRET = re.compile(r"^[0-9]{14}$")
_CATEGORY = re.compile(r"^[0-9]{3}$")
_GROUP = re.compile(r"^[0-9]{4}$")
_ROUTING = re.compile(r"^([0-9]{5}) +(.+)$")  # ligneacheminement: "01440 VIRIAT"
Problem = tuple[str, str, str | None]  # (reason, message, hint)
# A point farther than this from its commune's point is a geocoding or projection error: the
# largest commune, Maripasoula (Guyane, 18,360 km²), spans about 150 km.
MAX_KM_FROM_COMMUNE = 150.0
FAR = "x and y swapped, or the wrong projection?"


UNCLOSED_QUOTE = "\x00unclosed quote"


class LineReader:
    """The state of one pass over the extract: accepted sites, where each number was seen,
    the geolocalisation lines waiting for their reprojection, and the report."""

    def __init__(
        self,
        path: Path,
        report: FinessReport,
        places: dict[str, dict[str, Place]],
        curated: frozenset[str],
    ) -> None:
        self.path = path
        self.report = report
        self.places = places
        self.curated = curated
        self.sites: dict[str, Site] = {}
        self.seen: dict[str, tuple[int, str]] = {}  # number -> (line, ok|rejected|curated)
        self.located: dict[str, int] = {}  # number -> line of its geolocalisation line
        self.pending: dict[int, list[tuple[Site, float, float, int]]] = {}

    def reject(self, reason: str, line: int, message: str, hint: str | None = None) -> None:
        self.report.rejected.append(Rejected(reason, self.path, line, message, hint))

    def read(self, line: int, cells: list[str]) -> None:
        self.report.lines += 1
        kind = cells[0]
        if kind == UNCLOSED_QUOTE:
            self.reject(
                "quote",
                line,
                "a quote opens a field and is not closed on this line",
                "remove the stray quote (a record of the extract is one line)",
            )
        elif kind == "structureet":
            self.structure(line, cells)
        elif kind == "geolocalisation":
            self.geolocation(line, cells)
        else:
            self.report.ignored[kind] += 1

    def structure(self, line: int, cells: list[str]) -> None:
        if len(cells) != len(STRUCTURE) + 1:
            n = len(STRUCTURE) + 1
            self.reject(
                "field count",
                line,
                f"{len(cells)} fields where a structureet line has {n}",
                SPREADSHEET,
            )
            return
        f = dict(zip(STRUCTURE, (c.strip() for c in cells[1:]), strict=True))
        number = f["nofinesset"]
        # checked in the order of the line, so the first spoiled field is the one reported
        problem = _number_problem(f) or self.duplicate(number) or _name_problem(f)
        insee = ""
        if problem is None:
            insee, problem = self.commune(f)
        if problem is None:
            problem = _field_problem(f)
        if problem is not None:
            reason, message, hint = problem
            self.reject(reason, line, message, hint)
            self.seen.setdefault(number, (line, "rejected"))
            return
        if number in self.curated:
            self.seen[number] = (line, "curated")
            self.report.curated += 1
            return
        self.seen[number] = (line, "ok")
        self.sites[number] = _site(f, insee, line)

    def duplicate(self, number: str) -> Problem | None:
        if number not in self.seen:
            return None
        first = self.seen[number][0]
        return (
            "duplicate",
            f"establishment {number} is listed twice (first at line {first})",
            "keep one line",
        )

    def commune(self, f: dict[str, str]) -> tuple[str, Problem | None]:
        """(INSEE code, None) of the line's commune, or ("", the problem)."""
        department, code = f["departement"], f["commune"]
        insee = insee_commune(department, code)
        if insee is None:
            return "", _code_problem(department, code)
        place = self.places["commune"].get(insee)
        if place is None:
            return "", (
                "unknown commune",
                f"commune {insee} ('departement' {department}, 'commune' {code}) is not in "
                "data/gazetteer/communes.csv",
                "the gazetteer holds today's INSEE communes; a commune merged or renamed since "
                "the register's entry has a new code",
            )
        if department_problem(place.parent) is not None:
            parent = self.places["department"].get(place.parent)
            name = parent.name if parent else place.parent
            return "", (
                "overseas collectivity",
                f"commune {insee} ({place.name}) is in {name} ({place.parent}), an overseas "
                "collectivity, not a department",
                "the graph places establishments in departments only",
            )
        return insee, None

    def geolocation(self, line: int, cells: list[str]) -> None:
        if len(cells) != len(GEOLOCATION) + 1:
            n = len(GEOLOCATION) + 1
            self.reject(
                "field count",
                line,
                f"{len(cells)} fields where a geolocalisation line has {n}",
                SPREADSHEET,
            )
            return
        number, x, y, source = (c.strip() for c in cells[1:5])
        site = self.site_of(number, line)
        if site is None:
            return
        if not (x or y or source):
            self.located[number] = line
            self.report.without_coordinates += 1
            return
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            hint = SPREADSHEET if "," in x + y else None
            self.reject("coordinates", line, f"coordinates '{x}', '{y}' are not numbers", hint)
            return
        epsg = projection(source)
        if epsg is None:
            self.reject(
                "projection",
                line,
                f"unknown projection in 'sourcecoordet' '{source}'",
                "expected an EPSG code (EPSG:2154, 5490, 2972, 2975, 4471), a WGS84 UTM zone, "
                "or LAMBERT_93, UTM_N20, UTM_N21, UTM_N22, UTM_S38, UTM_S40",
            )
            return
        self.located[number] = line
        self.pending.setdefault(epsg, []).append((site, fx, fy, line))

    def site_of(self, number: str, line: int) -> Site | None:
        """The imported site a geolocalisation line is about, or None (rejected or curated)."""
        seen = self.seen.get(number)
        if seen is None:
            self.reject(
                "no establishment",
                line,
                f"establishment {number} has no structureet line in this file",
                "the geolocalisation lines follow the structureet lines of the same extract",
            )
            return None
        if seen[1] == "rejected":
            self.reject(
                "no establishment",
                line,
                f"establishment {number} was not imported (line {seen[0]} was rejected)",
            )
            return None
        if seen[1] == "curated":
            return None
        if number in self.located:
            first = self.located[number]
            self.reject(
                "duplicate",
                line,
                f"establishment {number} is geolocated twice (first at line {first})",
                "keep one line",
            )
            return None
        return self.sites[number]

    def locate(self) -> None:
        """Reproject the waiting points, one batch per projection."""
        for epsg, points in sorted(self.pending.items()):
            results = to_wgs84(epsg, [p[1] for p in points], [p[2] for p in points])
            for (site, x, y, line), result in zip(points, results, strict=True):
                if result is None:
                    self.reject(
                        "coordinates",
                        line,
                        f"coordinates {x}, {y} fall outside the area of EPSG:{epsg} "
                        f"({area(epsg)[0]})",
                        FAR,
                    )
                    continue
                if (problem := self.far(site, result)) is not None:
                    self.reject(
                        "coordinates", line, f"coordinates {x}, {y} (EPSG:{epsg}) {problem}", FAR
                    )
                    continue
                site.latitude, site.longitude = result
                self.report.geolocated += 1
        self.pending.clear()

    def far(self, site: Site, point: tuple[float, float]) -> str | None:
        """Where the point falls, if it is implausibly far from the site's commune."""
        place = self.places["commune"][site.commune]
        if place.latitude is None or place.longitude is None:
            return None
        km = distance_km(point[0], point[1], place.latitude, place.longitude)
        if km <= MAX_KM_FROM_COMMUNE:
            return None
        return (
            f"fall at {point[0]:.5f}, {point[1]:.5f}, {km:.0f} km from {place.name} "
            f"({site.commune})"
        )


def _number_problem(f: dict[str, str]) -> Problem | None:
    for column in ("nofinesset", "nofinessej"):
        if problem := finess_problem(f[column]):
            return ("FINESS number", f"'{column}' {problem}", None)
    return None


def _name_problem(f: dict[str, str]) -> Problem | None:
    if f["rs"]:
        return None
    return ("name", "'rs' (the name) is empty", "every establishment has a name in the register")


def _field_problem(f: dict[str, str]) -> Problem | None:
    """The first of the category, SIRET and date fields that is spoiled, in the line's order."""
    if not _CATEGORY.match(f["categetab"]) or not f["libcategetab"]:
        return (
            "category",
            f"'categetab' is '{f['categetab']}' labelled '{f['libcategetab']}', not a FINESS "
            "category (3 digits and a label)",
            None,
        )
    if not _GROUP.match(f["categagretab"]):
        return ("category", f"'categagretab' is '{f['categagretab']}', not 4 digits", None)
    if f["siret"] and not _SIRET.match(f["siret"]):
        return ("SIRET", f"'siret' is '{f['siret']}', not 14 digits", SPREADSHEET)
    for column in ("dateouv", "dateautor", "datemaj"):
        if f[column] and not iso_date(f[column]):
            return ("date", f"'{column}' is '{f[column]}', not YYYY-MM-DD", SPREADSHEET)
    return None


def _code_problem(department: str, code: str) -> Problem:
    lost_zero = SPREADSHEET if department.isdigit() and len(department) == 1 else None
    if insee_department(department) is None:
        return (
            "department",
            f"'departement' is '{department}', not a FINESS department code "
            "(01..95, 2A, 2B, 9A..9F, 9J)",
            lost_zero,
        )
    if not (len(code) == 3 and code.isdigit()):
        return ("commune", f"'commune' is '{code}', not 3 digits", SPREADSHEET)
    return (
        "commune",
        f"'commune' {code} is not a commune of department {department} "
        f"(INSEE {insee_department(department)}xx)",
        None,
    )


def _site(f: dict[str, str], insee: str, line: int) -> Site:
    street = " ".join(p for p in (f["numvoie"], f["compvoie"], f["typvoie"], f["voie"]) if p)
    routing = _ROUTING.match(f["ligneacheminement"])
    return Site(
        number=f["nofinesset"],
        legal_entity=f["nofinessej"],
        name=f["rs"],
        long_name=f["rslongue"],
        category=f["categetab"],
        category_label=f["libcategetab"],
        hospital=is_hospital(f["categagretab"]),
        commune=insee,
        street=", ".join(p for p in (street, f["compldistrib"], f["lieuditbp"]) if p),
        postal_code=routing.group(1) if routing else "",
        locality=routing.group(2) if routing else f["ligneacheminement"],
        line=line,
    )


def is_hospital(group: str) -> bool:
    """Hospitals (schema:Hospital) are the establishments whose category group (categagretab)
    is one of the 11xx groups, "Etablissements hospitaliers" of the FINESS nomenclature: 1101
    CHR, 1102 CH, 1103 psychiatric CHS, 1104 cancer centres, 1106 local hospitals, 1107 private
    rehabilitation (SSR), 1108 medium and long stay, 1109 long-term care, 1110 short-stay care
    (clinics), 1111 other mental-health establishments (ANS nomenclature TRE-R65
    AgregatCategorieEtablissement, https://mos.esante.gouv.fr/NOS/TRE_R65-AgregatCategorieEtablissement/).
    It agrees with data/finess_categories.csv where the extract shows the group: 101 (1101),
    355 (1102) and 365 (1110) are hospitals, 500 (EHPAD, group 4401) is not."""
    return len(group) == 4 and group.startswith("11")


def iso_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
