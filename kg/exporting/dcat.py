"""The dataset description a portal harvests (DCAT-AP 3.0): the dataset's titles and
descriptions in French and English, publisher, contact point, keywords, theme, languages,
spatial and temporal coverage, licences (Licence Ouverte 2.0 for the FINESS register's parts, the
GeoNames attribution for coordinates), conformance to the ontology, the SPARQL endpoint as a
dcat:DataService, VoID linksets for each link-out target, and, for a release folder, one
dcat:Distribution per export format with its media type, size and SHA-256 checksum.

`describe_dataset` adds the parts that need no files to the VoID description every export
carries (kg/exporting/rdf.py); `write_release` writes every export format into a folder with
`dcat.ttl` describing those very files (`kg export dataset --output DIR`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from kg.namespaces import BASE, GRAPH, PREFIXES, SCHEMA
from kg.project import Project
from kg.store import Build

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"
DATASET = URIRef(BASE + "dataset")
LICENCE_OUVERTE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
GEONAMES_LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
ONTOLOGY = URIRef(PREFIXES["hck"].rstrip("#"))
# (format, file name, IANA media type)
MEDIA = {
    "ttl": ("hospital-cyber-kg.ttl", "text/turtle"),
    "nt": ("hospital-cyber-kg.nt", "application/n-triples"),
    "nq": ("hospital-cyber-kg.nq", "application/n-quads"),
    "trig": ("hospital-cyber-kg.trig", "application/trig"),
    "jsonld": ("hospital-cyber-kg.jsonld", "application/ld+json"),
    "jsonld-dataset": ("hospital-cyber-kg.dataset.jsonld", "application/ld+json"),
}
# Link-out targets: (slug, title, the IRI space of the target, the link property)
LINKSETS = [
    ("attack", "MITRE ATT&CK", "https://attack.mitre.org/", SCHEMA.sameAs),
    ("geonames", "GeoNames", "https://sws.geonames.org/", SCHEMA.sameAs),
    ("wikidata", "Wikidata", "http://www.wikidata.org/entity/", SCHEMA.sameAs),
]
_PERIOD = """
PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
SELECT (MIN(?e) AS ?first) (MAX(?l) AS ?last)
WHERE { ?i a hck:Incident ; hck:earliest ?e ; hck:latest ?l }"""
_LINKS = """
SELECT (COUNT(*) AS ?n) WHERE { ?s <%s> ?o FILTER(STRSTARTS(STR(?o), "%s")) }"""


def describe_dataset(g: Graph, build: Build, endpoint: str | None) -> None:
    """Add the DCAT-AP description of the dataset (everything but its distributions) to `g`."""
    for prefix, ns in (("dcat", DCAT), ("vcard", VCARD), ("spdx", SPDX), ("foaf", FOAF)):
        g.bind(prefix, ns)
    d = DATASET
    g.add((d, RDF.type, DCAT.Dataset))
    g.add(
        (
            d,
            DCTERMS.title,
            Literal(
                "hospital-cyber-kg : cyberattaques contre les établissements de santé français",
                lang="fr",
            ),
        )
    )
    g.add(
        (
            d,
            DCTERMS.title,
            Literal("hospital-cyber-kg: cyberattacks on French health establishments", lang="en"),
        )
    )
    g.add(
        (
            d,
            DCTERMS.description,
            Literal(
                "Les cyberattaques contre les établissements de santé français : établissements et "
                "entités juridiques FINESS, GHT, lieux, incidents, conséquences, attributions, "
                "chaque fait avec ses sources publiques.",
                lang="fr",
            ),
        )
    )
    _agent(g, d)
    for word in ("cyberattack", "ransomware", "hospital", "FINESS", "France"):
        g.add((d, DCAT.keyword, Literal(word, lang="en")))
    for word in ("cyberattaque", "rançongiciel", "hôpital", "santé"):
        g.add((d, DCAT.keyword, Literal(word, lang="fr")))
    theme = _typed(g, URIRef(EU + "data-theme/HEAL"), SKOS.Concept)
    g.add((d, DCAT.theme, theme))
    scheme = _typed(g, URIRef(EU + "data-theme"), SKOS.ConceptScheme)
    g.add((theme, SKOS.inScheme, scheme))
    g.add((theme, SKOS.prefLabel, Literal("Health", lang="en")))
    g.add((theme, SKOS.prefLabel, Literal("Santé", lang="fr")))
    g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    for code in ("FRA", "ENG"):
        g.add(
            (
                d,
                DCTERMS.language,
                _typed(g, URIRef(f"{EU}language/{code}"), DCTERMS.LinguisticSystem),
            )
        )
    g.add((d, DCTERMS.spatial, _typed(g, URIRef(EU + "country/FRA"), DCTERMS.Location)))
    g.add((d, DCTERMS.conformsTo, _typed(g, ONTOLOGY, DCTERMS.Standard)))
    _typed(g, LICENCE_OUVERTE, DCTERMS.LicenseDocument)
    from kg.engines import OxigraphEngine

    engine = OxigraphEngine.open(str(build.oxigraph))
    _temporal(g, engine)
    _graph_licences(g, build)
    _linksets(g, engine)
    if endpoint:
        service = URIRef(f"{endpoint}#service")
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCTERMS.title, Literal("SPARQL endpoint (kg serve)", lang="en")))
        g.add((service, DCAT.endpointURL, URIRef(endpoint)))
        g.add((service, DCAT.servesDataset, d))
        g.add(
            (
                service,
                DCTERMS.conformsTo,
                _typed(g, URIRef("https://www.w3.org/TR/sparql11-protocol/"), DCTERMS.Standard),
            )
        )


def _typed(g: Graph, node: URIRef, cls: URIRef) -> URIRef:
    g.add((node, RDF.type, cls))
    return node


def _agent(g: Graph, d: URIRef) -> None:
    publisher = URIRef(BASE + "publisher")
    g.add((d, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("hospital-cyber-kg contributors", lang="en")))
    contact = URIRef(BASE + "contact")
    g.add((d, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal("hospital-cyber-kg contributors")))
    g.add((contact, VCARD.hasURL, URIRef(BASE)))


def _temporal(g: Graph, engine: object) -> None:
    """The period the incidents' start dates span (their normalised bounds)."""
    rows = engine.select(_PERIOD, {}).rows  # type: ignore[attr-defined]
    if not rows or rows[0]["first"] is None:
        return
    period = URIRef(f"{DATASET}#period")
    g.add((DATASET, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(str(rows[0]["first"])[:10], datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(str(rows[0]["last"])[:10], datatype=XSD.date)))


def _graph_licences(g: Graph, build: Build) -> None:
    """The FINESS register's graphs under Licence Ouverte 2.0; GeoNames' coordinates credited."""
    graphs = build.manifest.get("graphs", {})
    for name in ("register", "finess"):
        if str(GRAPH[name]) in graphs:
            g.add((URIRef(f"{GRAPH[name]}#dataset"), DCTERMS.license, LICENCE_OUVERTE))
    rights = URIRef(f"{DATASET}#geonames")
    g.add((DATASET, DCTERMS.rights, rights))
    g.add((rights, RDF.type, DCTERMS.RightsStatement))
    g.add(
        (
            rights,
            RDFS.label,
            Literal(
                "Coordinates of places from GeoNames (https://www.geonames.org/), licensed under "
                "CC BY 4.0.",
                lang="en",
            ),
        )
    )
    g.add((rights, DCTERMS.source, URIRef("https://www.geonames.org/")))
    g.add((rights, DCTERMS.license, GEONAMES_LICENCE))


def _linksets(g: Graph, engine: object) -> None:
    for slug, title, space, prop in LINKSETS:
        n = int(engine.select(_LINKS % (prop, space), {}).rows[0]["n"])  # type: ignore[attr-defined]
        if not n:
            continue
        linkset = URIRef(f"{DATASET}#links-{slug}")
        g.add((DATASET, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, DCTERMS.title, Literal(f"Links to {title}", lang="en")))
        g.add((linkset, VOID.linkPredicate, prop))
        g.add((linkset, VOID.subjectsTarget, DATASET))
        g.add((linkset, VOID.objectsTarget, URIRef(space)))
        g.add((linkset, VOID.triples, Literal(n, datatype=XSD.integer)))


def distribution(g: Graph, path: Path, fmt: str, base_url: str) -> URIRef:
    """A dcat:Distribution of the file at `path` (already written), with its checksum."""
    name, media = MEDIA[fmt]
    node = URIRef(f"{DATASET}#distribution-{fmt}")
    data = path.read_bytes()
    g.add((DATASET, DCAT.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(f"hospital-cyber-kg, {fmt}", lang="en")))
    url = URIRef(f"{base_url.rstrip('/')}/{name}")
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    media_type = URIRef(f"https://www.iana.org/assignments/media-types/{media}")
    g.add((node, DCAT.mediaType, _typed(g, media_type, DCTERMS.MediaType)))
    g.add((node, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
    checksum = BNode()
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add(
        (checksum, SPDX.algorithm, _typed(g, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm))
    )
    g.add(
        (
            checksum,
            SPDX.checksumValue,
            Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary),
        )
    )
    g.add((node, DCTERMS.license, LICENCE_OUVERTE))
    g.add((node, DCTERMS.conformsTo, ONTOLOGY))
    return node


def write_release(
    project: Project, build: Build, folder: Path, base_url: str, endpoint: str | None = None
) -> list[Path]:
    """Every export format into `folder`, then dcat.ttl: the description with a distribution
    for each file written. Returns the paths written."""
    from kg.exporting.rdf import describe, export

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, (name, _media) in MEDIA.items():
        path = folder / name
        with path.open("wb") as out:
            export(project, build, fmt, out, endpoint)
        written.append(path)
    g = describe(project, build, endpoint)
    for fmt, path in zip(MEDIA, written, strict=True):
        distribution(g, path, fmt, base_url)
    target = folder / "dcat.ttl"
    target.write_text(g.serialize(format="turtle"), encoding="utf-8")
    return [*written, target]
