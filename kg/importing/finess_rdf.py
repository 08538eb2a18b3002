"""The FINESS register as N-Triples or N-Quads text, written directly (an rdflib Graph of two
million triples would take minutes): the same model as kg/loading/register.py and places.py
give the curated data, so the same shapes and queries apply.

Every node is written once, in a stable order (the source, the category concepts, the legal
entities and the establishments sorted by number, then the places), so the same extract always
gives the same bytes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg.identifiers import department_problem, region_problem
from kg.loading.places import COG_SOURCE, GEONAMES_SOURCE
from kg.namespaces import GEO, HCK, ID, SCHEMA, concept, publisher_iri, resource, scheme, source_iri

if TYPE_CHECKING:
    from kg.loading.places import Place

XSD_STRING = str(XSD.string)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(text: str) -> str:
    return f"<{text}>"


def literal(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    """An N-Triples literal: one line, with backslash, quote and line breaks escaped."""
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:
        text = text.translate(_ESCAPES)
    quoted = f'"{text}"'
    if lang:
        return f"{quoted}@{lang}"
    if datatype and datatype != XSD_STRING:
        return f"{quoted}^^<{datatype}>"
    return quoted


def decimal(value: float) -> str:
    """xsd:decimal in its canonical form with 6 places, as kg.loading.context.decimal writes it."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return literal("0" if text in ("-0", "") else text, str(XSD.decimal))


A = iri(str(RDF.type))
SOURCE = iri(str(DCTERMS.source))
NAME = iri(str(SCHEMA.name))
FINESS = iri(str(HCK.finessNumber))
WKT = str(GEO.wktLiteral)
ESTABLISHMENT = iri(str(HCK.Establishment))
HOSPITAL = iri(str(SCHEMA.Hospital))
LEGAL_ENTITY = iri(str(HCK.LegalEntity))
RUN_BY = iri(str(HCK.legalEntity))
CATEGORY = iri(str(HCK.category))
COMMUNE = iri(str(HCK.commune))
ALTERNATE_NAME = iri(str(SCHEMA.alternateName))
ADDRESS = iri(str(SCHEMA.address))
POSTAL_ADDRESS = iri(str(SCHEMA.PostalAddress))
STREET = iri(str(SCHEMA.streetAddress))
POSTAL_CODE = iri(str(SCHEMA.postalCode))
LOCALITY = iri(str(SCHEMA.addressLocality))
LATITUDE = iri(str(SCHEMA.latitude))
LONGITUDE = iri(str(SCHEMA.longitude))
HAS_GEOMETRY = iri(str(GEO.hasGeometry))
GEOMETRY = iri(str(GEO.Geometry))
AS_WKT = iri(str(GEO.asWKT))
INSEE_CODE = iri(str(HCK.inseeCode))
POPULATION = iri(str(HCK.population))
SF_WITHIN = iri(str(GEO.sfWithin))
SAME_AS = iri(str(SCHEMA.sameAs))
INTEGER = str(XSD.integer)
PARENT_KIND = {"commune": "department", "department": "region"}
CATEGORIES = str(concept("finess-category", ""))
COMMUNES = str(resource("commune", ""))


@dataclass(slots=True)
class Site:
    """What an accepted structureet line says, and its coordinates once a geolocalisation line
    gave them."""

    number: str
    legal_entity: str
    name: str
    long_name: str
    category: str
    category_label: str
    hospital: bool
    commune: str  # INSEE code
    street: str
    postal_code: str
    locality: str
    line: int
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Extract:
    """The source node: the extract, its date, its file, its publisher ("" for none)."""

    key: str
    url: str
    title: str
    issued: str
    publisher: str


class Writer:
    """Writes triples (graph None) or quads into `handle`, and counts them."""

    def __init__(self, handle: IO[str], graph: str | None, base: str) -> None:
        self.handle = handle
        self.end = f" <{graph}> .\n" if graph else " .\n"
        self.base = base
        self.count = 0

    def node(self, kind: str, key: str) -> str:
        return f"<{self.base}{kind}/{key}>"

    def write(self, triples: Iterable[tuple[str, str, str]]) -> None:
        end = self.end
        lines = [f"{s} {p} {o}{end}" for s, p, o in triples]
        self.handle.writelines(lines)
        self.count += len(lines)

    def source(self, extract: Extract) -> str:
        node = self.node("source", extract.key)
        triples = [
            (node, A, iri(str(HCK.Source))),
            (node, iri(str(SCHEMA.url)), iri(extract.url)),
            (node, iri(str(DCTERMS.title)), literal(extract.title)),
            (node, iri(str(DCTERMS.language)), literal("fr")),
            (node, iri(str(DCTERMS.issued)), literal(extract.issued, str(XSD.date))),
        ]
        if extract.publisher:  # the publisher node of data/sources.csv, the same triples
            publisher = iri(str(publisher_iri(extract.publisher)))
            triples += [
                (node, iri(str(SCHEMA.publisher)), publisher),
                (publisher, A, iri(str(SCHEMA.Organization))),
                (publisher, NAME, literal(extract.publisher)),
            ]
        self.write(triples)
        return node

    def categories(self, labels: dict[str, str], source: str) -> None:
        in_scheme, notation = iri(str(SKOS.inScheme)), iri(str(SKOS.notation))
        for code in sorted(labels):
            node = iri(str(concept("finess-category", code)))
            self.write(
                [
                    (node, A, iri(str(SKOS.Concept))),
                    (node, in_scheme, iri(str(scheme("finess-category")))),
                    (node, notation, literal(code)),
                    (node, iri(str(SKOS.prefLabel)), literal(labels[code], lang="fr")),
                    (node, SOURCE, source),
                ]
            )

    def legal_entities(self, numbers: Iterable[str], source: str) -> None:
        """Number and source only: the establishment extract does not name legal entities."""
        for number in sorted(numbers):
            node = self.node("legal-entity", number)
            self.write(
                [(node, A, LEGAL_ENTITY), (node, FINESS, literal(number)), (node, SOURCE, source)]
            )

    def establishment(self, site: Site, source: str) -> None:
        node = self.node("establishment", site.number)
        triples = [(node, A, ESTABLISHMENT)]
        if site.hospital:
            triples.append((node, A, HOSPITAL))
        triples += [
            (node, FINESS, literal(site.number)),
            (node, NAME, literal(site.name)),
            (node, RUN_BY, self.node("legal-entity", site.legal_entity)),
            (node, CATEGORY, f"<{CATEGORIES}{site.category}>"),
            (node, COMMUNE, f"<{COMMUNES}{site.commune}>"),
            (node, SOURCE, source),
        ]
        if site.long_name and site.long_name != site.name:
            triples.append((node, ALTERNATE_NAME, literal(site.long_name)))
        triples += _address(node, site, source)
        if site.latitude is not None and site.longitude is not None:
            triples += _point(node, site.latitude, site.longitude, source)
        self.write(triples)

    def places(self, places: dict[str, dict[str, Place]], communes: Iterable[str]) -> None:
        """Every region and department, and the given communes, with the very triples that
        kg.loading.places.load_places gives them, so these nodes and the build's are one."""
        cog, geonames = (iri(str(source_iri(url))) for url in (COG_SOURCE, GEONAMES_SOURCE))
        chosen = [p for p in places["region"].values() if region_problem(p.code) is None]
        chosen += [p for p in places["department"].values() if department_problem(p.code) is None]
        chosen += [places["commune"][code] for code in sorted(communes)]
        for place in chosen:
            self.write(_place(place, cog, geonames))


def _place(place: Place, cog: str, geonames: str) -> list[tuple[str, str, str]]:
    node = f"<{ID}{place.kind}/{place.code}>"
    out = [
        (node, A, iri(str(HCK[place.kind.capitalize()]))),
        (node, INSEE_CODE, literal(place.code)),
        (node, NAME, literal(place.name)),
        (node, SOURCE, cog),
    ]
    if place.kind in PARENT_KIND:
        out.append((node, SF_WITHIN, f"<{ID}{PARENT_KIND[place.kind]}/{place.parent}>"))
    if place.population is not None:
        out.append((node, POPULATION, literal(str(place.population), INTEGER)))
    if place.coord_source.startswith("geonames:"):
        geonames_id = place.coord_source.split(":", 1)[1]
        out.append((node, SAME_AS, f"<https://sws.geonames.org/{geonames_id}/>"))
    if place.latitude is not None and place.longitude is not None:
        out += _point(node, place.latitude, place.longitude, geonames)
    return out


def _address(node: str, site: Site, source: str) -> list[tuple[str, str, str]]:
    parts = [(STREET, site.street), (POSTAL_CODE, site.postal_code), (LOCALITY, site.locality)]
    if not any(value for _p, value in parts):
        return []
    address = f"{node[:-1]}/address>"
    out = [(node, ADDRESS, address), (address, A, POSTAL_ADDRESS)]
    out += [(address, p, literal(value)) for p, value in parts if value]
    out.append((address, SOURCE, source))
    return out


def _point(node: str, lat: float, lon: float, source: str) -> list[tuple[str, str, str]]:
    """As kg.loading.places.add_point: latitude and longitude on the feature, and a point."""
    geometry = f"{node[:-1]}/geometry>"
    return [
        (node, LATITUDE, decimal(lat)),
        (node, LONGITUDE, decimal(lon)),
        (node, HAS_GEOMETRY, geometry),
        (geometry, A, GEOMETRY),
        (geometry, AS_WKT, literal(f"POINT({lon:.6f} {lat:.6f})", WKT)),
        (geometry, SOURCE, source),
    ]
