"""STIX threat actors, intrusion sets and malware matched to (or added as) the actors and malware
families of the graph; identities and locations recognised as establishments of the register and
communes of the gazetteer, which an import never creates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.exporting.stix_mapping import PRODUCER
from kg.importing.stix_mapper import THREATS, Refs, items
from kg.namespaces import HCK, SCHEMA, WD, resource, slugify

if TYPE_CHECKING:
    from kg.importing.stix_mapper import Mapper


def _names(obj: dict[str, Any]) -> list[str]:
    names = [obj.get("name"), *items(obj.get("aliases")), *items(obj.get("x_mitre_aliases"))]
    seen: dict[str, str] = {}
    for name in names:
        if isinstance(name, str) and name.strip():
            seen.setdefault(name.strip().casefold(), name.strip())
    return list(seen.values())


def map_threat(m: Mapper, obj: dict[str, Any]) -> None:
    refs = m.refs(obj)
    cls = THREATS[obj["type"]]
    consumed = {"name", "aliases", "x_mitre_aliases", "is_family", "external_references"}
    kind = m.concept(refs, "actor-kind")
    if obj["type"] == "threat-actor" and refs.iri is None and kind is not None:
        m.kinds[obj["id"]] = kind
        m.done(
            obj,
            "mapped",
            None,
            consumed | {"threat_actor_types"},
            f"stands for an unnamed actor of kind {kind} in an attribution",
        )
        return
    names = _names(obj)
    if refs.iri is not None:
        if m.exists(refs.iri):
            m.done(obj, "existing", refs.iri, consumed, "already in the graph")
        else:
            _describe_threat(m, obj, refs.iri, cls, refs, names, consumed)
        return
    node, how = _match(m, cls, names, refs.attack)
    kind = "malware" if cls == HCK.Malware else "actor"
    minted = resource(kind, slugify(names[0])) if names and slugify(names[0]) else None
    if node is None and minted is not None and m.known(minted):
        node, how = minted, "by identifier"
    if how == "ambiguous":
        m.keep(obj, f"matches several {cls.split('#')[-1]}s of the graph by name or alias")
    elif node is not None:
        _link_threat(m, obj, node, cls, refs, names)
        others = [r for r in refs.sources if r.get("source_name") != "mitre-attack"]
        m.unused[obj["id"]] += others  # the node has its sources: these are kept
        m.done(obj, "matched", node, consumed, f"matched {how}")
    elif minted is None:
        m.keep(obj, "no name to make an identifier from")
    elif not refs.sources:
        m.keep(obj, "no external reference with a URL: the graph needs a source")
    else:
        _describe_threat(m, obj, minted, cls, refs, names, consumed)


def _match(m: Mapper, cls: URIRef, names: list[str], attack: list[str]) -> tuple[Any, str | None]:
    for ident in attack:
        found = m.attack[cls].get(ident, set())
        if len(found) == 1:
            return next(iter(found)), f"by ATT&CK id {ident}"
    found = set()
    how = None
    for name in names:
        hits = m.labels[cls].get(name.casefold(), set())
        if hits and how is None:
            how = f"by name or alias '{name}'"
        found |= hits
    if len(found) > 1:
        return None, "ambiguous"
    return (next(iter(found)), how) if found else (None, None)


def _describe_threat(
    m: Mapper, obj: dict, node: URIRef, cls: URIRef, refs: Refs, names: list[str], consumed: set
) -> None:
    m.add(node, RDF.type, cls)
    m.add(node, SKOS.prefLabel, Literal(names[0]))
    m.labels[cls].setdefault(names[0].casefold(), set()).add(node)
    _link_threat(m, obj, node, cls, refs, names[1:])
    m.cite(node, refs, obj)
    m.done(obj, "created", node, consumed)


def _link_threat(
    m: Mapper, obj: dict, node: URIRef, cls: URIRef, refs: Refs, names: list[str]
) -> None:
    known = {
        str(label).casefold()
        for p in (SKOS.prefLabel, SKOS.altLabel)
        for g in (m.g, m.out)
        for label in g.objects(node, p)
    }
    for name in names:
        if name.casefold() not in known:
            m.add(node, SKOS.altLabel, Literal(name))
            m.labels[cls].setdefault(name.casefold(), set()).add(node)
    have = {str(a) for g in (m.g, m.out) for a in g.objects(node, HCK.attackId)}
    for ident in refs.attack:
        section = "groups" if ident.startswith("G") else "software"
        m.add(node, SCHEMA.sameAs, URIRef(f"https://attack.mitre.org/{section}/{ident}/"))
        if not have:
            m.add(node, HCK.attackId, Literal(ident))
            m.attack[cls].setdefault(ident, set()).add(node)
            have.add(ident)
        elif ident not in have:
            m.note(obj, f"ATT&CK id {ident} only as schema:sameAs: the node has {min(have)}")
    for qid in refs.wikidata:
        m.add(node, SCHEMA.sameAs, WD[qid])


def map_identity(m: Mapper, obj: dict[str, Any]) -> None:
    if obj["id"] == PRODUCER:
        m.done(obj, "skipped", None, set(obj), "the producer of our own bundles")
        return
    refs = m.refs(obj)
    consumed = {"name", "identity_class", "sectors", "external_references"}
    for number in refs.finess:
        if number in m.establishments:
            m.done(
                obj,
                "existing",
                m.establishments[number],
                consumed,
                f"establishment FINESS {number} of the register",
            )
            return
    for number in refs.finess:
        if number in m.legal_entities:
            m.done(
                obj,
                "existing",
                m.legal_entities[number],
                consumed,
                f"legal entity FINESS {number} of the register",
            )
            return
    for cls, what in ((HCK.GHT, "GHT"), (HCK.HealthOrganisation, "health organisation")):
        if refs.iri is not None and (refs.iri, RDF.type, cls) in m.g:
            m.done(obj, "existing", refs.iri, consumed, f"{what} of the graph")
            return
    if refs.finess:
        m.keep(
            obj,
            f"FINESS {', '.join(refs.finess)} is not in the register "
            "(add the establishment to data/establishments.csv)",
        )
    else:
        m.keep(
            obj,
            "no FINESS number, GHT or organisation of the graph (victims are sites, legal "
            "entities, GHTs or organisations of data/)",
        )


def map_location(m: Mapper, obj: dict[str, Any]) -> None:
    refs = m.refs(obj)
    for code in refs.insee:
        if code in m.communes:
            consumed = {
                "name",
                "city",
                "country",
                "administrative_area",
                "latitude",
                "longitude",
                "external_references",
            }
            m.done(
                obj,
                "existing",
                m.communes[code],
                consumed,
                f"commune {code} of the gazetteer",
            )
            return
    m.keep(obj, "no INSEE code of a commune of the graph")
