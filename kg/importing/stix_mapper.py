"""The bookkeeping of one STIX import: the graph it is mapped against, the triples it writes,
what became of each object and which of its properties were used; the references of an object
sorted by what the model makes of them; and what is left, kept as JSON."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.exporting.stix_mapping import HCK_EXTENSION, PRODUCER, SELF, our_concepts
from kg.importing.stix_bundles import Bundles
from kg.namespaces import GRAPHS, HCK, ID, SCHEMA, VOCAB, publisher_iri, source_iri
from kg.store import Build

_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_OURS = re.compile(r"^" + re.escape(str(ID)) + r"[A-Za-z0-9._~:/@!$&'()*+,;=%-]+$")
RELATIONSHIP_KEYS = {"relationship_type", "source_ref", "target_ref"}
THREATS = {
    "threat-actor": HCK.ThreatActor,
    "intrusion-set": HCK.ThreatActor,
    "malware": HCK.Malware,
}
ALWAYS = {"type", "id", "spec_version"}
PROVENANCE = {"created", "modified", "created_by_ref"}


def extensions(obj: dict[str, Any]) -> dict[str, Any]:
    """The object's `extensions` dictionary ({} when absent or malformed)."""
    ext = obj.get("extensions")
    return ext if isinstance(ext, dict) else {}


def items(value: Any) -> list[Any]:
    """`value` if it is a list, else no items (a malformed optional property is ignored, and
    kept as JSON since nothing consumes it)."""
    return value if isinstance(value, list) else []


def part(obj: dict[str, Any], key: str) -> dict[str, Any]:
    """One extension of the object, by its key ({} when absent)."""
    value = extensions(obj).get(key)
    return value if isinstance(value, dict) else {}


@dataclass
class Entry:
    """What the import did with one STIX object."""

    id: str
    name: str = ""
    status: str = "kept"  # created | matched | existing | mapped | kept | skipped
    iri: str | None = None
    notes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # properties kept as JSON only

    def line(self) -> str:
        text = f"{self.id}  {self.status}"
        if self.name:
            text += f" {self.name!r}"
        if self.iri:
            text += f" -> <{self.iri}>"
        if self.notes:
            text += ": " + "; ".join(self.notes)
        if self.kept and self.status != "kept":
            text += f" (kept as JSON: {', '.join(self.kept)})"
        return text


@dataclass
class ImportReport:
    files: list[Path]
    entries: list[Entry]
    triples: int = 0
    build: Build | None = None

    def counts(self) -> Counter[str]:
        return Counter(e.status for e in self.entries)

    def lines(self) -> list[str]:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts().items()))
        head = (
            f"{len(self.entries)} STIX objects from {len(self.files)} bundle(s): {counts}; "
            f"{self.triples} triples in <{GRAPHS['stix']}>"
        )
        return [head, *(e.line() for e in self.entries)]


@dataclass
class Refs:
    """The external references of an object, sorted by what the model makes of them."""

    iri: URIRef | None = None
    concepts: dict[str, str] = field(default_factory=dict)
    attack: list[str] = field(default_factory=list)
    wikidata: list[str] = field(default_factory=list)
    finess: list[str] = field(default_factory=list)
    insee: list[str] = field(default_factory=list)
    geonames: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    unused: list[dict[str, Any]] = field(default_factory=list)


class Mapper:
    """One import: the existing graph, the triples written, and the fate of every object."""

    def __init__(self, graph: Graph, bundles: Bundles) -> None:
        self.g = graph
        self.bundles = bundles
        self.objects = bundles.objects
        self.out = Graph(identifier=GRAPHS["stix"])
        self.entries: dict[str, Entry] = {}
        self.consumed: dict[str, set[str]] = {}
        self.unused: dict[str, list[dict[str, Any]]] = {}
        self.iri_of: dict[str, URIRef] = {}
        self.kinds: dict[str, str] = {}  # stand-in threat actor -> actor-kind code
        self.slots: dict[str, tuple[URIRef, dict[str, URIRef]]] = {}  # translatable texts
        self.sources: dict[str, Any] = {str(u): s for s, u in graph.subject_objects(SCHEMA.url)}
        self.labels: dict[URIRef, dict[str, set[URIRef]]] = {HCK.ThreatActor: {}, HCK.Malware: {}}
        self.attack: dict[URIRef, dict[str, set[URIRef]]] = {HCK.ThreatActor: {}, HCK.Malware: {}}
        for cls in self.labels:
            for node in graph.subjects(RDF.type, cls):
                for prop in (SKOS.prefLabel, SKOS.altLabel):
                    for label in graph.objects(node, prop):
                        self.labels[cls].setdefault(str(label).casefold(), set()).add(node)  # type: ignore[arg-type]
                for attack in graph.objects(node, HCK.attackId):
                    self.attack[cls].setdefault(str(attack), set()).add(node)  # type: ignore[arg-type]
        self.establishments = self._by_finess(HCK.Establishment)
        self.legal_entities = self._by_finess(HCK.LegalEntity)
        self.victims: set[Any] = {
            node
            for cls in (HCK.Establishment, HCK.LegalEntity, HCK.GHT, HCK.HealthOrganisation)
            for node in graph.subjects(RDF.type, cls)
        }
        self.communes: dict[str, Any] = {str(c): s for s, c in graph.subject_objects(HCK.inseeCode)}

    def _by_finess(self, cls: URIRef) -> dict[str, URIRef]:
        return {
            str(number): node  # type: ignore[misc]
            for node in self.g.subjects(RDF.type, cls)
            for number in self.g.objects(node, HCK.finessNumber)
        }

    # --- bookkeeping ---------------------------------------------------------------------------

    def run(self) -> None:
        from kg.importing.stix_incidents import map_incident
        from kg.importing.stix_threats import map_identity, map_location, map_threat

        by_type: dict[str, list[dict[str, Any]]] = {}
        for ident in sorted(self.objects):
            by_type.setdefault(self.objects[ident]["type"], []).append(self.objects[ident])
        for kind in ("threat-actor", "intrusion-set", "malware"):
            for obj in by_type.get(kind, []):
                map_threat(self, obj)
        for obj in by_type.get("identity", []):
            map_identity(self, obj)
        for obj in by_type.get("location", []):
            map_location(self, obj)
        for obj in by_type.get("incident", []):
            map_incident(self, obj)
        for obj in by_type.get("relationship", []):
            if obj["id"] not in self.entries:
                self._relationship(obj)
        for obj in by_type.get("language-content", []):
            self._translation(obj)
        for obj in by_type.get("extension-definition", []):
            if obj["id"] == HCK_EXTENSION:
                self.done(obj, "skipped", None, set(obj), "the definition of our own extension")
        self._provenance()

    def ours(self, obj: dict[str, Any]) -> bool:
        return obj.get("created_by_ref") == PRODUCER

    def done(
        self,
        obj: dict[str, Any],
        status: str,
        iri: URIRef | None,
        consumed: Iterable[str],
        note: str | None = None,
    ) -> Entry:
        entry = self.entries.setdefault(obj["id"], Entry(obj["id"], str(obj.get("name", ""))))
        entry.status, entry.iri = status, str(iri) if iri is not None else None
        if note:
            entry.notes.append(note)
        keys = set(consumed) | ALWAYS | (PROVENANCE if self.ours(obj) else set())
        self.consumed.setdefault(obj["id"], set()).update(keys)
        if iri is not None:
            self.iri_of[obj["id"]] = iri
        return entry

    def keep(self, obj: dict[str, Any], note: str) -> Entry:
        return self.done(obj, "kept", None, (), note)

    def note(self, obj: dict[str, Any], note: str) -> None:
        entry = self.entries.setdefault(obj["id"], Entry(obj["id"], str(obj.get("name", ""))))
        entry.notes.append(note)

    def concept(self, refs: Refs, scheme: str) -> str | None:
        """The code of the object's reference to a concept of `scheme`, if the graph has it."""
        code = refs.concepts.get(scheme)
        if code is None or (VOCAB[f"{scheme}/{code}"], RDF.type, SKOS.Concept) not in self.g:
            return None
        return code

    def exists(self, node: URIRef) -> bool:
        """Whether the graph (before this import) describes `node`."""
        return (node, None, None) in self.g

    def known(self, node: URIRef) -> bool:
        """Whether the graph or this import describes `node`."""
        return self.exists(node) or (node, None, None) in self.out

    def free(self, base: str, seen: Counter[str], name: str) -> URIRef:
        """`base/name`, `base/name-2`, ...: the first IRI neither the graph nor this import uses."""
        while True:
            seen[name] += 1
            iri = URIRef(f"{base}/{name}" + (f"-{seen[name]}" if seen[name] > 1 else ""))
            if not self.known(iri):
                return iri

    def add(self, s: Any, p: Any, o: Any) -> None:
        """Add a triple the graph does not have yet (the union would count it twice)."""
        if (s, p, o) not in self.g:
            self.out.add((s, p, o))

    def dated(self, s: Any, p: Any, value: Any) -> None:
        """A date and its normalised bounds (hck:earliest, hck:latest, hck:datePrecision)."""
        from kg.dates import bound_pairs

        self.add(s, p, value)
        for prop, bound in bound_pairs(value):
            self.add(s, prop, bound)

    def refs(self, obj: dict[str, Any]) -> Refs:
        """The object's references by kind; those that fit nowhere are remembered as kept."""
        out = self.classify(obj.get("external_references", []), self.ours(obj))
        self.unused[obj["id"]] = out.unused
        return out

    def classify(self, references: list[dict[str, Any]], ours: bool) -> Refs:
        out = Refs()
        for ref in references:
            name, url = str(ref.get("source_name", "")), str(ref.get("url", ""))
            key, ident = name.casefold(), str(ref.get("external_id", ""))
            if name == SELF and _OURS.match(url):
                out.iri = URIRef(url)
            elif name == SELF and url.startswith(str(VOCAB)):
                out.concepts.update(our_concepts([ref]))
            elif key == "mitre-attack" and re.match(r"^[GS][0-9]{4}$", ident):
                out.attack.append(ident)
                if not ours and _URL.match(url):
                    out.sources.append(ref)
            elif key == "wikidata" and re.match(r"^Q[1-9][0-9]*$", ident):
                out.wikidata.append(ident)
            elif key == "finess" and ident:
                out.finess.append(ident)
            elif key == "insee-cog" and ident:
                out.insee.append(ident)
            elif key == "geonames" and ident:
                out.geonames.append(ident)
            elif _URL.match(url):
                out.sources.append(ref)
            else:
                out.unused.append(ref)
        return out

    def source(self, ref: dict[str, Any], ours: bool) -> URIRef:
        """The Source node of a reference's URL, described if the graph does not know it: its
        title is the reference's description (else its name and identifier), its language
        'und' (undetermined), its publisher the source name, in our own bundles only."""
        url = str(ref["url"])
        if url in self.sources:
            return self.sources[url]
        node = self.sources[url] = source_iri(url)
        name, ident = str(ref.get("source_name", "")), str(ref.get("external_id", ""))
        title = ref.get("description") or f"{name} {ident}".strip() or url
        self.add(node, RDF.type, HCK.Source)
        self.add(node, SCHEMA.url, URIRef(url))
        self.add(node, DCTERMS.title, Literal(str(title)))
        self.add(node, DCTERMS.language, Literal("und"))  # BCP 47: undetermined
        if ours and name:
            publisher = publisher_iri(name)
            self.add(node, SCHEMA.publisher, publisher)
            self.add(publisher, RDF.type, SCHEMA.Organization)
            self.add(publisher, SCHEMA.name, Literal(name))
        return node

    def cite(
        self, node: URIRef, refs: Refs, obj: dict[str, Any], prop: URIRef = DCTERMS.source
    ) -> None:
        for ref in refs.sources:
            self.add(node, prop, self.source(ref, self.ours(obj)))

    def texts(self, node: URIRef, prop: URIRef, obj: dict[str, Any], key: str) -> None:
        if isinstance(obj.get(key), str):
            self.add(node, prop, Literal(obj[key], lang=str(obj.get("lang", "en"))))

    def _relationship(self, obj: dict[str, Any]) -> None:
        kind = obj["relationship_type"]
        source, target = self.iri_of.get(obj["source_ref"]), self.iri_of.get(obj["target_ref"])
        consumed = {"relationship_type", "source_ref", "target_ref"}
        if (
            kind == "uses"
            and source is not None
            and target is not None
            and (
                (target, RDF.type, HCK.Malware) in self.g
                or (target, RDF.type, HCK.Malware) in self.out
            )
            and obj["source_ref"] not in self.kinds
        ):
            self.add(target, HCK.usedBy, source)
            self.done(obj, "mapped", None, consumed, "hck:usedBy")
        elif kind == "located-at" and source is not None and target is not None:
            if (source, HCK.commune, target) in self.g:
                self.done(obj, "existing", None, consumed, "the register's commune")
            else:
                self.keep(obj, "differs from the commune the register gives")
        else:
            self.keep(obj, f"no mapping for a '{kind}' relationship between these objects")

    def _translation(self, obj: dict[str, Any]) -> None:
        target = self.entries.get(str(obj.get("object_ref")))
        if target is not None and target.status == "existing":
            self.done(obj, "existing", None, set(obj), "translates an object of the graph")
            return
        slot = self.slots.get(str(obj.get("object_ref")))
        if slot is None or not isinstance(obj.get("contents"), dict):
            self.keep(obj, "translates an object that was not imported")
            return
        node, fields = slot
        for lang, texts in sorted(obj["contents"].items()):
            for key, text in sorted(texts.items()) if isinstance(texts, dict) else ():
                if key in fields and isinstance(text, str):
                    self.add(node, fields[key], Literal(text, lang=lang))
        self.done(obj, "mapped", node, {"object_ref", "object_modified", "contents"})

    # --- what is left --------------------------------------------------------------------------

    def _provenance(self) -> None:
        for ident, obj in sorted(self.objects.items()):
            entry = self.entries.get(ident) or self.keep(
                obj, f"no mapping for type '{obj['type']}'"
            )
            rest = remainder(obj, self.consumed.get(ident, set()), self.unused.get(ident, []))
            entry.kept = sorted(rest)
            node = ID[f"stix/{ident}"]
            self.add(node, DCTERMS.identifier, Literal(ident))
            if entry.iri is not None:
                self.add(node, RDFS.seeAlso, URIRef(entry.iri))
            if rest:
                text = json.dumps(rest, ensure_ascii=False, sort_keys=True)
                self.add(node, RDFS.comment, Literal(text, datatype=RDF.JSON))
        for ident, modified in self.bundles.superseded:
            self.entries.setdefault(
                f"{ident}@{modified}",
                Entry(
                    ident,
                    status="skipped",
                    notes=[f"older version (modified {modified}) set aside"],
                ),
            )

    def report(self) -> ImportReport:
        entries = [self.entries[k] for k in sorted(self.entries)]
        return ImportReport(self.bundles.files, entries, len(self.out))


def remainder(obj: dict[str, Any], consumed: set[str], unused: list[dict]) -> dict[str, Any]:
    """The parts of `obj` that were not mapped: top-level keys not consumed, the entries of
    `extensions` not consumed (`extensions/KEY` or `extensions/KEY/SUBKEY`), unused refs."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == "external_references" and key in consumed:
            if unused:
                out[key] = unused
        elif key in consumed:
            continue
        elif isinstance(value, dict) and any(c.startswith(f"{key}/") for c in consumed):
            inner = remainder(
                value, {c[len(key) + 1 :] for c in consumed if c.startswith(f"{key}/")}, []
            )
            if inner:
                out[key] = inner
        else:
            out[key] = value
    return out
