"""ontology/: the OWL modules and SKOS schemes that go into the dataset (shapes do not)."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph
from rdflib.namespace import SKOS

from kg.errors import DataError
from kg.loading.context import Context
from kg.namespaces import VOCAB
from kg.turtle import parse_turtle

GENID_AUTHORITY = "https://w3id.org"
GENID_PATH = "/hospital-cyber-kg/.well-known/genid/"


def ontology_files(root: Path) -> list[Path]:
    """The Turtle modules of the ontology, shapes excluded, in a stable order."""
    folder = root / "ontology"
    return sorted(p for p in folder.rglob("*.ttl") if not p.name.endswith("-shapes.ttl"))


def shape_files(root: Path) -> list[Path]:
    return sorted((root / "ontology").rglob("*-shapes.ttl"))


def skolemized(g: Graph) -> Graph:
    """The graph with its blank nodes (OWL lists, unions, disjointness axioms) turned into
    well-known IRIs named by their content, so that the dataset has none and is byte-identical
    from one build to the next (RDF 1.1 skolemization, over rdflib's canonical labelling)."""
    from rdflib.compare import to_canonical_graph

    if not any(isinstance(t, BNode) for triple in g for t in triple):
        return g
    return to_canonical_graph(g).skolemize(authority=GENID_AUTHORITY, basepath=GENID_PATH)


def load_ontology(ctx: Context) -> None:
    g = ctx.graph("ontology")
    for path in ontology_files(ctx.root):
        try:
            part = parse_turtle(path, shown=ctx.shown(path))
        except DataError as exc:
            ctx.problems.append(exc)
            continue
        g += skolemized(part)
    ctx.vocab = vocabulary_codes(g)


def vocabulary_codes(g: Graph) -> dict[str, set[str]]:
    """{scheme name: {notation, ...}} for every concept scheme of our vocab namespace."""
    codes: dict[str, set[str]] = {}
    for concept, notation in g.subject_objects(SKOS.notation):
        for scheme in g.objects(concept, SKOS.inScheme):
            if str(scheme).startswith(str(VOCAB)):
                codes.setdefault(str(scheme)[len(VOCAB) :], set()).add(str(notation))
    return codes
