"""What the pages read from the store: a resource's statements, the labels of what it points to,
what points to it, and its description as RDF. Direct index lookups on the read-only Oxigraph
store (the union of the named graphs), no query parsing: a page costs a few milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.namespaces import BASE, ID

LABELS = (
    "http://schema.org/name",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
PRECISION = {
    XSD + "gYear": "year",
    XSD + "gYearMonth": "month",
    XSD + "date": "day",
    XSD + "dateTime": "time of day",
}


@dataclass
class Value:
    """One object of a statement, ready for a page: text, language, link."""

    text: str
    iri: str = ""
    lang: str = ""
    datatype: str = ""
    href: str = ""

    @property
    def precision(self) -> str:
        return PRECISION.get(self.datatype, "")


@dataclass
class Resource:
    iri: str
    label: str
    lang: str = ""
    types: list[Value] = field(default_factory=list)
    props: dict[str, list[Value]] = field(default_factory=dict)

    def first(self, prop: str) -> Value | None:
        values = self.props.get(prop)
        return values[0] if values else None

    def all(self, prop: str) -> list[Value]:
        return self.props.get(prop, [])


class View:
    """The store seen by the pages; `href` turns an IRI into a link (or "" for none)."""

    def __init__(self, store: Any, href: Any = None) -> None:
        self.store = store
        self.href = href or (lambda iri: "")
        self._labels: dict[str, tuple[str, str]] = {}

    def node(self, iri: str) -> Any:
        import pyoxigraph as ox

        return ox.NamedNode(iri)

    def objects(self, iri: str, prop: str | None = None) -> list[Any]:
        pattern = self.node(prop) if prop else None
        seen: dict[Any, None] = {}
        for quad in self.store.quads_for_pattern(self.node(iri), pattern, None, None):
            seen.setdefault((quad.predicate, quad.object), None)
        return list(seen)

    def subjects(self, prop: str | None, iri: str, limit: int = 2000) -> list[tuple[Any, Any]]:
        pattern = self.node(prop) if prop else None
        seen: dict[Any, None] = {}
        for quad in self.store.quads_for_pattern(None, pattern, self.node(iri), None):
            seen.setdefault((quad.subject, quad.predicate), None)
            if len(seen) >= limit:
                break
        return list(seen)

    def exists(self, iri: str) -> bool:
        for _ in self.store.quads_for_pattern(self.node(iri), None, None, None):
            return True
        return False

    def label(self, iri: str, lang: str = "en") -> tuple[str, str]:
        """The best label of `iri` and its language: `lang` first, then none, then any."""
        if iri in self._labels:
            return self._labels[iri]
        found: tuple[str, str] | None = None
        for prop in LABELS:
            texts = [o for _, o in self.objects(iri, prop) if hasattr(o, "language")]
            ranked = sorted(texts, key=lambda o: (o.language != lang, bool(o.language), o.value))
            if ranked:
                found = (ranked[0].value, ranked[0].language or "")
                break
        result = found or (local_name(iri), "")
        self._labels[iri] = result
        return result

    def value(self, term: Any) -> Value:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            text, lang = self.label(term.value)
            return Value(text, term.value, lang, href=self.href(term.value))
        if isinstance(term, ox.Literal):
            return Value(term.value, lang=term.language or "", datatype=term.datatype.value)
        return Value(str(term))

    def resource(self, iri: str) -> Resource:
        label, lang = self.label(iri)
        res = Resource(iri, label, lang)
        for prop, term in self.objects(iri):
            value = self.value(term)
            if prop.value == RDF_TYPE:
                res.types.append(value)
            else:
                res.props.setdefault(prop.value, []).append(value)
        for values in res.props.values():
            values.sort(key=lambda v: (v.lang not in ("en", ""), v.text))
        return res

    def parts(self, iri: str, prop: str) -> list[Resource]:
        """The resources `iri` points to by `prop`, each read whole."""
        return [self.resource(o.value) for _, o in self.objects(iri, prop) if hasattr(o, "value")
                and not hasattr(o, "datatype")]

    def point(self, iri: str) -> tuple[float, float] | None:
        """(lat, lon) of a resource, else of its commune."""
        for subject in (iri, *(o.value for _, o in self.objects(iri, HCK + "commune"))):
            lat = self.objects(subject, "http://schema.org/latitude")
            lon = self.objects(subject, "http://schema.org/longitude")
            if lat and lon:
                try:
                    return float(lat[0][1].value), float(lon[0][1].value)
                except ValueError:
                    return None
        return None


HCK = BASE + "ontology#"


def local_name(iri: str) -> str:
    tail = iri.rstrip("/#").rsplit("#", 1)[-1]
    return tail.rsplit("/", 1)[-1] or iri


def top_of(iri: str) -> str:
    """The resource a part belongs to: `id/incident/X/impact/Y` is part of `id/incident/X`."""
    if iri.startswith(str(ID)):
        parts = iri[len(str(ID)):].split("/")
        if len(parts) > 2:
            return str(ID) + "/".join(parts[:2])
    return iri


def describe(store: Any, iri: str) -> list[Any]:
    """The triples about `iri` and about its parts (IRIs under `iri/`), for its RDF forms."""
    import pyoxigraph as ox

    seen: dict[Any, None] = {}
    todo: list[Any] = [ox.NamedNode(iri)]
    done: set[Any] = set()
    while todo and len(seen) < 100_000:
        subject = todo.pop()
        if subject in done:
            continue
        done.add(subject)
        for quad in store.quads_for_pattern(subject, None, None, None):
            seen.setdefault(ox.Triple(quad.subject, quad.predicate, quad.object), None)
            o = quad.object
            if isinstance(o, ox.BlankNode) or (
                isinstance(o, ox.NamedNode) and o.value.startswith(iri + "/")
            ):
                todo.append(o)
    return list(seen)
