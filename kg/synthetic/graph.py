"""A seeded synthetic dataset shaped like the real one, for scale tests and the benchmark:
establishments in real communes (data/gazetteer/), their legal entities, GHTs, threat actors,
incidents with impacts and attribution claims, and sources. Everything invented lives under
https://w3id.org/hospital-cyber-kg/synthetic/ (the places it points to are the real communes,
departments and regions); none of it ever goes into data/.

Written straight to N-Quads (one named graph), fast enough for millions of triples:

    python -m kg.synthetic.graph --establishments 100000 --incidents 100000 -o synthetic.nq
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.identifiers import luhn_key

BASE = "https://w3id.org/hospital-cyber-kg/synthetic/"
SID = BASE + "id/"
GRAPH_IRI = "https://w3id.org/hospital-cyber-kg/graph/synthetic"
# The real communes the sites are in go to the build's own territory graph: where the build
# publishes the territory, the store holds each of their quads once (in another graph, the
# union default graph would give every commune pattern one row per graph, and a query with a few
# commune lookups 2^k times the rows).
PLACES_GRAPH_IRI = "https://w3id.org/hospital-cyber-kg/graph/territory"
HCK = "https://w3id.org/hospital-cyber-kg/ontology#"
ID = "https://w3id.org/hospital-cyber-kg/id/"
VOCAB = "https://w3id.org/hospital-cyber-kg/vocab/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA = "http://schema.org/"
DCT = "http://purl.org/dc/terms/"
GEO = "http://www.opengis.net/ont/geosparql#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"

CATEGORIES = [("355", 0.35), ("101", 0.05), ("365", 0.25), ("500", 0.30), ("292", 0.05)]
HOSPITAL = {"355", "101", "365", "292"}
INCIDENT_TYPES = ["ransomware"] * 6 + ["data-breach"] * 2 + ["ddos", "intrusion"]
IMPACTS = [
    "operations-cancelled",
    "patients-transferred",
    "emergency-diversion",
    "downtime-procedures",
    "crisis-plan",
    "network-isolation",
    "service-disruption",
    "systems-encrypted",
    "ransom-demanded",
    "data-stolen",
    "data-published",
]
STATUSES = ["known"] * 6 + ["suspected"] * 2 + ["unknown", "ruled-out"]
CERTAINTIES = ["confirmed", "claimed", "claimed", "suspected", "suspected", "unknown"]
BASES = ["actor-claim", "authority", "industry-report", "media", "victim"]


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    department: str
    latitude: float
    longitude: float
    population: int
    geonames: str


def real_communes(gazetteer: Path) -> list[Commune]:
    """The communes of the gazetteer that have coordinates (departments, not collectivities)."""
    out = []
    with (gazetteer / "communes.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if (
                row["latitude"]
                and len(row["department"]) in (2, 3)
                and row["region"].isdigit()
                and len(row["region"]) == 2
            ):
                out.append(
                    Commune(
                        row["insee"],
                        row["name"],
                        row["department"],
                        float(row["latitude"]),
                        float(row["longitude"]),
                        int(row["population"] or 0),
                        row["coord_source"],
                    )
                )
    return out


def iri(text: str) -> str:
    return f"<{text}>"


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{XSD}{datatype}>' if datatype else f'"{escaped}"'


class Writer:
    """N-Quads lines of one graph, counted."""

    def __init__(self, out: object, graph: str = GRAPH_IRI) -> None:
        self.out = out
        self.count = 0
        self._g = iri(graph)

    def add(self, s: str, p: str, o: str) -> None:
        self.out.write(f"{s} <{p}> {o} {self._g} .\n")  # type: ignore[attr-defined]
        self.count += 1


def finess(department: str, serial: int, legal: bool) -> str:
    prefix = {"2A": "2A", "2B": "2B"}.get(department, department[:2])
    body = f"{prefix}{(serial * 2 + (1 if legal else 0)) % 10**6:06d}"
    if body.isdigit():
        return body + str(luhn_key(body))
    return body + "0"


def generate(out: object, establishments: int, incidents: int, seed: int, gazetteer: Path) -> int:
    """Write the synthetic graph; return the number of quads."""
    rng = random.Random(seed)
    communes = real_communes(gazetteer)
    weights = [max(c.population, 50) ** 0.7 for c in communes]
    w = Writer(out)
    sources = _sources(w, max(100, incidents // 10))
    legal_count = max(1, establishments // 2)
    used: set[str] = set()
    sites = list(
        _establishments(w, rng, communes, weights, establishments, legal_count, sources, used)
    )
    places = Writer(out, PLACES_GRAPH_IRI)
    _communes(places, [c for c in communes if c.insee in used])
    _categories(w, gazetteer.parent)
    _ghts(w, rng, sites, sources)
    threats = _threats(w, sources)
    for n in range(incidents):
        _incident(w, rng, n, sites, threats, sources)
    return w.count + places.count


def _sources(w: Writer, n: int) -> list[str]:
    out = []
    for k in range(n):
        s = iri(f"{SID}source/{k}")
        w.add(s, RDF_TYPE, iri(HCK + "Source"))
        w.add(s, SCHEMA + "url", iri(f"https://example.org/synthetic/article/{k}"))
        w.add(s, DCT + "title", lit(f"Synthetic article {k}"))
        w.add(s, DCT + "language", lit("fr"))
        out.append(s)
    return out


def _establishments(
    w: Writer,
    rng: random.Random,
    communes: list[Commune],
    weights: list[float],
    n: int,
    legal_count: int,
    sources: list[str],
    used: set[str],
) -> Iterator[tuple[str, str, str]]:
    """(establishment IRI, legal entity IRI, department) of each site."""
    categories = [c for c, _ in CATEGORIES]
    shares = [s for _, s in CATEGORIES]
    legal: dict[int, tuple[str, str]] = {}
    for k in range(n):
        commune = rng.choices(communes, weights)[0]
        used.add(commune.insee)
        owner = rng.randrange(legal_count)
        if owner not in legal:
            number = finess(commune.department, owner, legal=True)
            ej = iri(f"{SID}legal-entity/{number}")
            w.add(ej, RDF_TYPE, iri(HCK + "LegalEntity"))
            w.add(ej, HCK + "finessNumber", lit(number))
            w.add(ej, SCHEMA + "name", lit(f"Synthetic legal entity {owner}"))
            w.add(ej, DCT + "source", rng.choice(sources))
            legal[owner] = (ej, commune.department)
        ej = legal[owner][0]
        number = finess(commune.department, k, legal=False)
        et = iri(f"{SID}establishment/{number}-{k}")
        category = rng.choices(categories, shares)[0]
        w.add(et, RDF_TYPE, iri(HCK + "Establishment"))
        if category in HOSPITAL:
            w.add(et, RDF_TYPE, iri(SCHEMA + "Hospital"))
        w.add(et, HCK + "finessNumber", lit(number))
        w.add(et, SCHEMA + "name", lit(f"Synthetic establishment {k}"))
        w.add(et, HCK + "legalEntity", ej)
        w.add(et, HCK + "category", iri(f"{VOCAB}finess-category/{category}"))
        w.add(et, HCK + "commune", iri(f"{ID}commune/{commune.insee}"))
        lat = commune.latitude + rng.uniform(-0.02, 0.02)
        lon = commune.longitude + rng.uniform(-0.02, 0.02)
        w.add(et, SCHEMA + "latitude", lit(_decimal(lat), "decimal"))
        w.add(et, SCHEMA + "longitude", lit(_decimal(lon), "decimal"))
        geometry = iri(f"{SID}establishment/{number}-{k}/geometry")
        w.add(et, GEO + "hasGeometry", geometry)
        w.add(geometry, RDF_TYPE, iri(GEO + "Geometry"))
        w.add(geometry, GEO + "asWKT", f'"POINT({lon:.6f} {lat:.6f})"^^<{GEO}wktLiteral>')
        w.add(geometry, DCT + "source", rng.choice(sources))
        w.add(et, DCT + "source", rng.choice(sources))
        yield et, ej, commune.department


def _communes(w: Writer, communes: list[Commune]) -> None:
    """The real communes the sites are in, as the build's places graph describes them (INSEE
    COG, GeoNames points), so that the synthetic graph stands on its own."""
    from kg.loading.places import COG_SOURCE, GEONAMES_SOURCE
    from kg.namespaces import source_iri

    cog, geonames = iri(str(source_iri(COG_SOURCE))), iri(str(source_iri(GEONAMES_SOURCE)))
    for c in communes:
        node = iri(f"{ID}commune/{c.insee}")
        w.add(node, RDF_TYPE, iri(HCK + "Commune"))
        w.add(node, HCK + "inseeCode", lit(c.insee))
        w.add(node, SCHEMA + "name", lit(c.name))
        w.add(node, GEO + "sfWithin", iri(f"{ID}department/{c.department}"))
        w.add(node, HCK + "population", lit(str(c.population), "integer"))
        w.add(node, DCT + "source", cog)
        if c.geonames.startswith("geonames:"):
            w.add(
                node,
                SCHEMA + "sameAs",
                iri(f"https://sws.geonames.org/{c.geonames.split(':', 1)[1]}/"),
            )
        w.add(node, SCHEMA + "latitude", lit(_decimal(c.latitude), "decimal"))
        w.add(node, SCHEMA + "longitude", lit(_decimal(c.longitude), "decimal"))
        geometry = iri(f"{ID}commune/{c.insee}/geometry")
        w.add(node, GEO + "hasGeometry", geometry)
        w.add(geometry, RDF_TYPE, iri(GEO + "Geometry"))
        w.add(
            geometry,
            GEO + "asWKT",
            f'"POINT({c.longitude:.6f} {c.latitude:.6f})"^^<{GEO}wktLiteral>',
        )
        w.add(geometry, DCT + "source", geonames)


def _categories(w: Writer, data: Path) -> None:
    """The FINESS categories the sites use, as data/finess_categories.csv gives them."""
    from kg.namespaces import source_iri

    with (data / "finess_categories.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["code"]: row for row in csv.DictReader(f)}
    for code, _ in CATEGORIES:
        row = rows[code]
        node = iri(f"{VOCAB}finess-category/{code}")
        w.add(node, RDF_TYPE, iri(SKOS + "Concept"))
        w.add(node, SKOS + "inScheme", iri(f"{VOCAB}finess-category"))
        w.add(node, SKOS + "notation", lit(code))
        w.add(node, SKOS + "prefLabel", lit(row["label_fr"], lang="fr"))
        for url in row["source"].split(" | "):
            w.add(node, DCT + "source", iri(str(source_iri(url.strip()))))


def _decimal(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _ghts(
    w: Writer, rng: random.Random, sites: list[tuple[str, str, str]], sources: list[str]
) -> None:
    """One or two GHTs per department, whose members are some of the legal entities: about 1 in
    50, as France's 900-odd public hospitals are among its legal entities, so that a GHT has
    the handful of members real ones have."""
    by_department: dict[str, list[str]] = {}
    for _, ej, department in sites:
        by_department.setdefault(department, [])
        if ej not in by_department[department] and rng.random() < 0.02:
            by_department[department].append(ej)
    for department, members in sorted(by_department.items()):
        for part in range(2 if len(members) > 12 else 1):
            chunk = members[part::2] if len(members) > 12 else members
            if not chunk:
                continue
            code = f"S-{department}-{part + 1}"
            ght = iri(f"{SID}ght/{code}")
            w.add(ght, RDF_TYPE, iri(HCK + "GHT"))
            w.add(ght, HCK + "ghtCode", lit(code))
            w.add(ght, SCHEMA + "name", lit(f"Synthetic GHT {code}"))
            w.add(ght, HCK + "region", iri(f"{ID}region/11"))
            w.add(ght, DCT + "source", rng.choice(sources))
            for k, ej in enumerate(chunk):
                m = iri(f"{SID}ght/{code}/membership/{k}")
                w.add(ght, ORG + "hasMembership", m)
                w.add(m, RDF_TYPE, iri(ORG + "Membership"))
                w.add(m, ORG + "member", ej)
                w.add(m, ORG + "organization", ght)
                role = "support" if k == 0 else "member"
                w.add(m, ORG + "role", iri(f"{VOCAB}membership-role/{role}"))
                w.add(m, DCT + "source", rng.choice(sources))


def _threats(w: Writer, sources: list[str]) -> list[tuple[str, str]]:
    """40 actors, each with one malware family: (property, IRI) pairs claims may name."""
    out = []
    for k in range(40):
        actor = iri(f"{SID}actor/actor-{k}")
        w.add(actor, RDF_TYPE, iri(HCK + "ThreatActor"))
        w.add(actor, SKOS + "prefLabel", lit(f"Synthetic Actor {k}"))
        w.add(actor, DCT + "source", sources[k % len(sources)])
        malware = iri(f"{SID}malware/malware-{k}")
        w.add(malware, RDF_TYPE, iri(HCK + "Malware"))
        w.add(malware, SKOS + "prefLabel", lit(f"Synthetic Malware {k}"))
        w.add(malware, HCK + "usedBy", actor)
        w.add(malware, DCT + "source", sources[k % len(sources)])
        out += [(HCK + "attributedTo", actor), (HCK + "malware", malware)]
    return out


def _start(rng: random.Random) -> str:
    year = rng.randint(2015, 2025)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.1:
        return lit(f"{year}", "gYear")
    if form < 0.2:
        return lit(f"{year}-{month:02d}", "gYearMonth")
    if form < 0.3:
        return lit(f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:00:00+01:00", "dateTime")
    return lit(f"{year}-{month:02d}-{day:02d}", "date")


def _incident(
    w: Writer,
    rng: random.Random,
    n: int,
    sites: list[tuple[str, str, str]],
    threats: list[tuple[str, str]],
    sources: list[str],
) -> None:
    inc = iri(f"{SID}incident/{n}")
    source = rng.choice(sources)
    w.add(inc, RDF_TYPE, iri(HCK + "Incident"))
    w.add(inc, SCHEMA + "name", lit(f"Synthetic incident {n}", lang="en"))
    w.add(inc, HCK + "startDate", _start(rng))
    w.add(inc, HCK + "incidentType", iri(f"{VOCAB}incident-type/{rng.choice(INCIDENT_TYPES)}"))
    w.add(inc, DCT + "source", source)
    w.add(inc, HCK + "dateSource", source)
    for site in rng.sample(sites, 2 if rng.random() < 0.1 else 1):
        w.add(inc, HCK + "victim", site[0])
    for k, kind in enumerate(rng.sample(IMPACTS, rng.choice((1, 1, 2)))):
        impact = iri(f"{SID}incident/{n}/impact/{k}")
        w.add(inc, HCK + "impact", impact)
        w.add(impact, RDF_TYPE, iri(HCK + "Impact"))
        w.add(impact, HCK + "impactType", iri(f"{VOCAB}impact-type/{kind}"))
        w.add(impact, HCK + "status", iri(f"{VOCAB}fact-status/{rng.choice(STATUSES)}"))
        w.add(impact, DCT + "source", source)
    claim = iri(f"{SID}incident/{n}/attribution/0")
    w.add(inc, HCK + "attribution", claim)
    w.add(claim, RDF_TYPE, iri(HCK + "AttributionClaim"))
    if rng.random() < 0.8:
        prop, threat = rng.choice(threats)
        w.add(claim, prop, threat)
    else:
        w.add(claim, HCK + "actorKind", iri(f"{VOCAB}actor-kind/ransomware-group"))
    w.add(claim, HCK + "certainty", iri(f"{VOCAB}certainty/{rng.choice(CERTAINTIES)}"))
    w.add(claim, HCK + "basis", iri(f"{VOCAB}attribution-basis/{rng.choice(BASES)}"))
    w.add(claim, DCT + "source", source)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--establishments", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20221203)
    parser.add_argument("--gazetteer", type=Path, default=Path("data/gazetteer"))
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    with args.output.open("w", encoding="utf-8") as out:
        n = generate(out, args.establishments, args.incidents, args.seed, args.gazetteer)
    print(f"{n} quads in {args.output}")


if __name__ == "__main__":
    main()
