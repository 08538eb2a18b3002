"""The built dataset as Turtle, N-Triples, N-Quads, TriG or JSON-LD (one graph, or the dataset
form with its named graphs), with a VoID/DCAT description.

Exports are deterministic: the same build gives the same bytes. N-Triples and N-Quads are sorted
lines; Turtle and TriG come from rdflib's writer, whose order depends only on the content (and
which writes in full any literal its shorthand would change); JSON-LD is compacted with
kg/exporting/context.jsonld. N-Quads, TriG and JSON-LD's dataset form (`jsonld-dataset`: each
named graph an object with `@id` and `@graph`, as JSON-LD 1.0 has them) keep the named graphs; the
description is the graph `graph/void` there, and merged into the single graph of the others."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import rdflib.plugin
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD, Namespace
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.serializer import Serializer
from rdflib.term import Node

from kg.catalogue import catalogue
from kg.errors import KgError
from kg.namespaces import BASE, GRAPH, PREFIXES, SCHEMA, SH
from kg.project import Project
from kg.store import Build

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "jsonld-dataset")
CONTEXT = Path(__file__).with_name("context.jsonld")
DATASET = URIRef(BASE + "dataset")
DESCRIPTION_GRAPH = GRAPH["void"]
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")


def describe(project: Project, build: Build, endpoint: str | None = None) -> Graph:
    """VoID and DCAT: titles, licences, coverage, publisher, triple counts per graph and
    linksets, sources, example queries (kg/exporting/dcat.py has the DCAT-AP parts)."""
    g = Graph(identifier=DESCRIPTION_GRAPH)
    for prefix in ("dcterms", "schema", "sh", "rdfs"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    m = build.manifest
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "Cyberattacks on French health establishments: FINESS establishments and "
                "legal entities, GHT groupings, places, incidents, impacts, attribution claims, "
                "each fact with its public sources.",
                lang="en",
            ),
        )
    )
    g.add((DATASET, DCTERMS.license, LICENCE))
    g.add((DATASET, DCTERMS.identifier, Literal(build.key)))
    g.add((DATASET, DCTERMS.modified, Literal(m["built"][:10], datatype=XSD.date)))
    g.add((DATASET, VOID.triples, Literal(m["triples"], datatype=XSD.integer)))
    g.add((DATASET, VOID.uriSpace, Literal(PREFIXES["id"])))
    g.add((DATASET, VOID.vocabulary, URIRef(PREFIXES["hck"].rstrip("#"))))
    for iri, count in sorted(m["graphs"].items()):
        subset = URIRef(f"{iri}#dataset")
        g.add((DATASET, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SCHEMA.name, Literal(iri)))
        g.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
    hck_source = URIRef(PREFIXES["hck"] + "Source")
    g.add((DATASET, VOID.classPartition, URIRef(f"{DATASET}#sources")))
    g.add((URIRef(f"{DATASET}#sources"), VOID["class"], hck_source))
    g.add(
        (
            URIRef(f"{DATASET}#sources"),
            VOID.entities,
            Literal(m["classes"].get(str(hck_source), 0), datatype=XSD.integer),
        )
    )
    if endpoint:
        g.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
    for name, query in sorted(catalogue(project.queries).items()):
        example = URIRef(f"{BASE}queries/{name}")
        g.add((DATASET, DCTERMS.hasPart, example))
        g.add((example, RDF.type, SH.SPARQLExecutable))
        g.add((example, RDFS.label, Literal(name)))
        g.add((example, RDFS.comment, Literal(query.summary, lang="en")))
        g.add((example, SH.select if query.form == "SELECT" else SH.construct, Literal(query.text)))
        if endpoint:
            g.add((example, SCHEMA.target, URIRef(endpoint)))
    from kg.exporting.dcat import describe_dataset

    describe_dataset(g, build, endpoint)
    return g


def export(
    project: Project,
    build: Build,
    fmt: str,
    out: IO[bytes],
    endpoint: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    if fmt not in FORMATS:
        raise KgError(f"unknown export format '{fmt}'", f"one of: {', '.join(FORMATS)}, stix")
    description = describe(project, build, endpoint)
    if fmt in ("nt", "nq"):
        _lines(build, description, fmt, out)
    elif fmt in ("ttl", "trig"):
        _rdflib_graphs(build, description, fmt, out)
    else:
        _jsonld(build, description, out, named=fmt == "jsonld-dataset")


def _lines(build: Build, description: Graph, fmt: str, out: IO[bytes]) -> None:
    """Sorted N-Triples (the union, each triple once) or N-Quads (every graph)."""
    import pyoxigraph as ox

    files = build.data_files
    lines: set[str] = set()
    for path in files:
        if fmt == "nq":
            with path.open(encoding="utf-8") as f:
                lines.update(
                    line if line.endswith("\n") else line + "\n" for line in f if line.strip()
                )
        else:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
                lines.add(f"{q.subject} {q.predicate} {q.object} .\n")
    extra = (
        _as_dataset(description).serialize(format="nquads")
        if fmt == "nq"
        else description.serialize(format="nt")
    )
    lines.update(line + "\n" for line in extra.splitlines() if line.strip())
    for line in sorted(lines):
        out.write(line.encode("utf-8"))


def _as_dataset(description: Graph) -> Dataset:
    ds = Dataset()
    graph = ds.graph(DESCRIPTION_GRAPH)
    graph += description
    return ds


def _rdflib_graphs(build: Build, description: Graph, fmt: str, out: IO[bytes]) -> None:
    """Turtle (the union) or TriG (every graph) by rdflib, which orders subjects and
    predicates. (Oxigraph 0.5's Turtle writer prints every integer-derived literal as a bare
    integer, which reads back as xsd:integer: it is not used here.)"""
    ds = _parse_build(build)
    if fmt == "trig":
        graph = ds.graph(DESCRIPTION_GRAPH)
        graph += description
        text = _trig(ds)
    else:
        union = _union(ds)
        union += description
        text = union.serialize(format=TURTLE)
    out.write(text.encode("utf-8"))


class _ExactTurtle(TurtleSerializer):
    """rdflib's Turtle writer, but a literal whose shorthand would change its lexical form
    (rdflib prints "3"^^xsd:decimal as 3.0, which reads back as another term) is written in
    full."""

    # A local name written after a prefix as is: no character that Turtle would need escaped,
    # not ending with a dot.
    _LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")

    def get_pname(self, uri: Node, gen_prefix: bool = True) -> str | None:
        """The prefixed name by the longest bound namespace, found directly. rdflib's own
        (compute_qname) adds every IRI's parent to a prefix trie that it then scans sibling by
        sibling: with a per-site `.../establishment/N/geometry` that made the Turtle of the
        default build take minutes. Where no bound namespace gives a plain local name, rdflib's
        is asked (it may make up a prefix for a predicate, never for a subject or object)."""
        if not isinstance(uri, URIRef):
            return None
        cache: dict[tuple[str, bool], str | None] = self.__dict__.setdefault("_pnames", {})
        if (uri, gen_prefix) in cache:
            return cache[uri, gen_prefix]
        if "_bound" not in self.__dict__:
            bound = [(p, str(ns)) for p, ns in self.store.namespace_manager.namespaces()]
            self.__dict__["_bound"] = sorted(bound, key=lambda b: -len(b[1]))
        found: str | None = None
        for prefix, namespace in self.__dict__["_bound"]:
            if uri.startswith(namespace) and self._LOCAL.fullmatch(uri[len(namespace) :]):
                found = f"{self.addNamespace(prefix, namespace)}:{uri[len(namespace) :]}"
                break
        if found is None and gen_prefix:
            found = super().get_pname(uri, gen_prefix)
        cache[uri, gen_prefix] = found
        return found

    def label(self, node: Node, position: int) -> str:
        text = super().label(node, position)
        if isinstance(node, Literal) and not text.startswith('"') and text != str(node):
            return node._literal_n3(
                use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False)
            )
        return text


TURTLE = "kg-turtle"
rdflib.plugin.register(TURTLE, Serializer, __name__, "_ExactTurtle")


def _trig(ds: Dataset) -> str:
    """TriG with the graphs in IRI order, each written as rdflib's (ordered) Turtle."""
    prefixes: set[str] = set()
    blocks = []
    for graph in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        body = []
        for line in graph.serialize(format=TURTLE).splitlines():
            (prefixes.add(line) if line.startswith("@prefix") else body.append(line))
        # Not indented: a line may be inside a multi-line literal, whose text must not change.
        inner = "\n".join(body).strip("\n")
        blocks.append(f"<{graph.identifier}> {{\n{inner}\n}}\n")
    return "\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)


def _parse_build(build: Build) -> Dataset:
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, replace=True)
    ds.bind("void", VOID)
    ds.bind("dcat", DCAT)
    for path in build.data_files:
        ds.parse(path, format="nquads")
    return ds


def _union(ds: Dataset) -> Graph:
    union = Graph()
    for prefix, ns in ds.namespaces():
        union.bind(prefix, ns, replace=True)
    for s, p, o, _g in ds.quads():
        union.add((s, p, o))
    return union


def _jsonld(build: Build, description: Graph, out: IO[bytes], named: bool = False) -> None:
    """JSON-LD 1.0 compacted with our context: the union of the graphs, or (`named`) every
    named graph kept, the description in `graph/void`."""
    ds = _parse_build(build)
    if named:
        void = ds.graph(DESCRIPTION_GRAPH)
        void += description
        data: Graph | Dataset = ds
    else:
        data = _union(ds)
        data += description
    context = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    doc = json.loads(data.serialize(format="json-ld", context=context))
    out.write(json.dumps(_ordered(doc), ensure_ascii=False, indent=1, sort_keys=True).encode())


def _ordered(value: Any) -> Any:
    """JSON-LD with its arrays in a stable order (rdflib emits nodes in set order)."""
    if isinstance(value, dict):
        return {k: (v if k == "@context" else _ordered(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_ordered(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value
