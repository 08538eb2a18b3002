"""HTML documentation of the merged ontology, in the manner of LODE/Widoco: the header (title,
version, dates, creator, licence, namespace), then one section per class, property and concept,
its anchor the term's local name (concepts: SCHEME-NOTATION), its English and French labels and
definitions shown apart. One file, no script, no remote style: it opens offline."""

from __future__ import annotations

from html import escape

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

HCK = "https://w3id.org/hospital-cyber-kg/ontology#"
VOCAB = "https://w3id.org/hospital-cyber-kg/vocab/"
ROOT = URIRef("https://w3id.org/hospital-cyber-kg/ontology")
VANN = "http://purl.org/vocab/vann/"
KINDS = [
    (OWL.Class, "classes", "Classes", "Classes"),
    (OWL.ObjectProperty, "object-properties", "Object properties", "Propriétés d'objet"),
    (OWL.DatatypeProperty, "datatype-properties", "Datatype properties", "Propriétés de données"),
]
STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }
section.term { border-top: 1px solid #ccc; padding: .5em 0; }
.iri { font-family: monospace; color: #555; }
.lang { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
.lang > div { background: #f6f6f6; padding: .3em .8em; }
.lang h4 { margin: .3em 0; font-size: .9em; color: #666; }
dl.axioms dt { font-weight: bold; } dl.axioms dd { margin: 0 0 .4em 1.5em; }
"""


def anchor(g: Graph, term: Node) -> str:
    text = str(term)
    if text.startswith(HCK):
        return text[len(HCK) :]
    if text.startswith(VOCAB):
        scheme, _, code = text[len(VOCAB) :].partition("/")
        return f"{scheme}-{code}" if code else f"scheme-{scheme}"
    return ""


def texts(g: Graph, term: Node, prop: URIRef, lang: str) -> list[str]:
    return sorted(
        str(o) for o in g.objects(term, prop) if isinstance(o, Literal) and o.language == lang
    )


def link(g: Graph, term: Node) -> str:
    if isinstance(term, BNode):
        members = g.value(term, OWL.unionOf)
        if members is not None:
            return " or ".join(link(g, m) for m in g.items(members))
        return "(anonymous class)"
    if isinstance(term, Literal):
        return escape(str(term))
    name = anchor(g, term)
    label = texts(g, term, RDFS.label, "en") or texts(g, term, SKOS.prefLabel, "en")
    shown = escape(label[0] if label else g.namespace_manager.normalizeUri(str(term)))
    if name:
        return f'<a href="#{escape(name)}">{shown}</a>'
    return f'<a class="iri" href="{escape(str(term))}">{shown}</a>'


def languages(g: Graph, term: Node, label: URIRef, definition: URIRef) -> str:
    parts = []
    for lang, heading in (("en", "English"), ("fr", "Français")):
        labels = ", ".join(escape(t) for t in texts(g, term, label, lang))
        defs = "".join(f"<p>{escape(t)}</p>" for t in texts(g, term, definition, lang))
        parts.append(
            f'<div lang="{lang}" class="{lang}"><h4>{heading}</h4>'
            f'<p class="label"><strong>{labels}</strong></p>{defs}</div>'
        )
    return f'<div class="lang">{"".join(parts)}</div>'


def axioms(g: Graph, term: Node) -> str:
    rows = [
        ("Subclass of", RDFS.subClassOf),
        ("Subproperty of", RDFS.subPropertyOf),
        ("Domain", RDFS.domain),
        ("Range", RDFS.range),
        ("In scheme", SKOS.inScheme),
        ("Defined by", RDFS.isDefinedBy),
    ]
    out = []
    for name, prop in rows:
        values = sorted((link(g, o) for o in g.objects(term, prop)), key=str)
        if values:
            out.append(f"<dt>{name}</dt><dd>{', '.join(values)}</dd>")
    disjoint = sorted(link(g, o) for o in disjoint_with(g, term))
    if disjoint:
        out.append(f"<dt>Disjoint with</dt><dd>{', '.join(disjoint)}</dd>")
    return f'<dl class="axioms">{"".join(out)}</dl>' if out else ""


def disjoint_with(g: Graph, term: Node) -> set[Node]:
    out = set(g.objects(term, OWL.disjointWith))
    for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
        head = g.value(axiom, OWL.members)
        members = list(g.items(head)) if head is not None else []
        if term in members:
            out |= set(members) - {term}
    return out


def section(g: Graph, term: URIRef, label: URIRef, definition: URIRef) -> str:
    return (
        f'<section class="term" id="{escape(anchor(g, term))}">'
        f"<h3>{link(g, term)}</h3>"
        f'<p class="iri">{escape(str(term))}</p>'
        f"{languages(g, term, label, definition)}{axioms(g, term)}</section>"
    )


def ours(g: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(
        t for t in g.subjects(RDF.type, kind) if isinstance(t, URIRef) and str(t).startswith(HCK)
    )


def header(g: Graph, downloads: list[str]) -> str:
    def one(p: URIRef) -> str:
        value = g.value(ROOT, p)
        return escape(str(value)) if value is not None else ""

    licence = one(DCTERMS.license)
    rows = [
        ("IRI", escape(str(ROOT))),
        ("Version", f"{one(OWL.versionInfo)} ({one(OWL.versionIRI)})"),
        ("Prior version", one(OWL.priorVersion)),
        ("Created / modified", f"{one(DCTERMS.created)} / {one(DCTERMS.modified)}"),
        ("Creator", one(DCTERMS.creator)),
        ("Licence", f'<a href="{licence}">{licence}</a>'),
        (
            "Namespace",
            f"{one(URIRef(VANN + 'preferredNamespacePrefix'))}: "
            f"{one(URIRef(VANN + 'preferredNamespaceUri'))}",
        ),
        ("Downloads", ", ".join(f'<a href="{escape(d)}">{escape(d)}</a>' for d in downloads)),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        f'<header id="ontology"><h1>{escape(texts(g, ROOT, DCTERMS.title, "en")[0])}</h1>'
        f'<table class="metadata">{table}</table>'
        f"{languages(g, ROOT, DCTERMS.title, DCTERMS.description)}</header>"
    )


def documentation(g: Graph, downloads: list[str]) -> str:
    """The whole HTML page."""
    toc, body = [], []
    for kind, ident, en, fr in KINDS:
        terms = ours(g, kind)
        toc.append(f'<li><a href="#{ident}">{en} / {fr}</a> ({len(terms)})</li>')
        body.append(f'<h2 id="{ident}">{en} <span lang="fr">/ {fr}</span></h2>')
        body.extend(section(g, t, RDFS.label, RDFS.comment) for t in terms)
    schemes = sorted(s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef))
    toc.append(f'<li><a href="#vocabularies">Vocabularies / Vocabulaires</a> ({len(schemes)})</li>')
    body.append('<h2 id="vocabularies">Vocabularies <span lang="fr">/ Vocabulaires</span></h2>')
    for scheme in schemes:
        body.append(section(g, scheme, RDFS.label, RDFS.comment))
        concepts = sorted(c for c in g.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef))
        body.extend(section(g, c, SKOS.prefLabel, SKOS.definition) for c in concepts)
    title = escape(texts(g, ROOT, DCTERMS.title, "en")[0])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"{header(g, downloads)}<nav><h2>Contents</h2><ul>{''.join(toc)}</ul></nav>"
        f"{''.join(body)}</body></html>\n"
    )
