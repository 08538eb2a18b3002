"""Lint of the ontology (STYLE 9, 12): every term of ours is labelled in English and French,
commented and defined by a module with a version IRI; every term we use from the W3C
vocabularies exists. Each test computes the offenders so one failure lists them all."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg.loading import ontology_files, shape_files
from kg.namespaces import HCK, VOCAB
from kg.turtle import parse_turtle


@pytest.fixture(scope="module")
def ontology(project) -> Graph:
    g = Graph()
    for path in ontology_files(project.root):
        parse_turtle(path, into=g)
    return g


@pytest.fixture(scope="module")
def everything(project, ontology) -> Graph:
    g = Graph()
    g += ontology
    for path in shape_files(project.root):
        parse_turtle(path, into=g)
    return g


KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def declared_terms(g: Graph) -> set[URIRef]:
    typed = {s for s, o in g.subject_objects(RDF.type) if o in KINDS}
    return {t for t in typed if isinstance(t, URIRef)}


def our_terms(g: Graph) -> set[URIRef]:
    return {t for t in declared_terms(g) if str(t).startswith(str(HCK))}


FOREIGN = ("external.ttl", "alignment.ttl")


def test_terms_of_other_vocabularies_are_declared_in_external_ttl_only(project):
    """ontology/external.ttl declares the other vocabularies' terms we use (OWL 2 DL wants them
    declared), alignment.ttl those it aligns to; no other module declares one, and external.ttl
    declares none of ours."""
    misplaced = set()
    for path in ontology_files(project.root):
        g = parse_turtle(path)
        for term in declared_terms(g):
            ours = str(term).startswith(str(HCK))
            if ours and path.name == "external.ttl" or not ours and path.name not in FOREIGN:
                misplaced.add(f"{path.name}: {term}")
    assert misplaced == set()


def test_every_term_is_labelled_in_english_and_french(ontology):
    missing = set()
    for term in our_terms(ontology):
        langs = {label.language for label in ontology.objects(term, RDFS.label)}
        if not {"en", "fr"} <= langs:
            missing.add(str(term))
    assert missing == set()


def test_every_term_has_a_comment_in_english_and_french_and_a_defining_module(ontology):
    modules = set(ontology.subjects(RDF.type, OWL.Ontology))
    missing = set()
    for term in our_terms(ontology):
        langs = {c.language for c in ontology.objects(term, RDFS.comment)}
        if not {"en", "fr"} <= langs:
            missing.add(f"{term} has no rdfs:comment in en and fr")
        if ontology.value(term, RDFS.isDefinedBy) not in modules:
            missing.add(f"{term} is not defined by a module")
    assert missing == set()


def test_every_module_has_a_version_iri_labels_and_comments(everything):
    missing = set()
    for module in everything.subjects(RDF.type, OWL.Ontology):
        if not everything.value(module, OWL.versionIRI):
            missing.add(f"{module} has no owl:versionIRI")
        for what in (RDFS.label, RDFS.comment):
            langs = {text.language for text in everything.objects(module, what)}
            if not {"en", "fr"} <= langs and "shapes" not in str(module):
                missing.add(f"{module} has no {what} in en and fr")
            elif not {"en", "fr"} <= langs and what == RDFS.label:
                missing.add(f"{module} is not labelled in en and fr")
    assert missing == set()


def test_every_concept_is_labelled_and_defined_in_both_languages_and_in_a_scheme(ontology):
    missing = set()
    for concept in ontology.subjects(RDF.type, SKOS.Concept):
        langs = {label.language for label in ontology.objects(concept, SKOS.prefLabel)}
        if not {"en", "fr"} <= langs:
            missing.add(f"{concept} prefLabel")
        if not {"en", "fr"} <= {d.language for d in ontology.objects(concept, SKOS.definition)}:
            missing.add(f"{concept} definition in en and fr")
        scheme = ontology.value(concept, SKOS.inScheme)
        if scheme is None or not str(scheme).startswith(str(VOCAB)):
            missing.add(f"{concept} scheme")
        if not ontology.value(concept, SKOS.notation):
            missing.add(f"{concept} notation")
    assert missing == set()


def test_every_w3c_term_we_use_exists(everything):
    """A misspelt rdfs:subClasOf or sh:minCont would silently mean nothing."""
    from rdflib.namespace import XSD

    w3c = {str(ns): ns for ns in (RDF, RDFS, OWL, SH, SKOS, XSD)}
    unknown = set()
    for triple in everything:
        for term in triple:
            if not isinstance(term, URIRef):
                continue
            for base, ns in w3c.items():
                if str(term).startswith(base) and len(str(term)) > len(base):
                    name = str(term)[len(base) :]
                    try:
                        getattr(ns, name) if name.isidentifier() else ns[name]
                        assert term in ns
                    except (AttributeError, KeyError, AssertionError):
                        unknown.add(str(term))
    assert unknown == set()


def test_every_property_of_ours_that_data_uses_is_declared(built, ontology):
    """Terms in the hck: namespace that the built data uses are all declared."""
    data = built.nquads.read_text(encoding="utf-8")
    used = {
        t
        for t in set(
            __import__("re").findall(
                r"<(https://w3id.org/hospital-cyber-kg/"
                r"ontology#[A-Za-z]+)>",
                data,
            )
        )
    }
    declared = {str(t) for t in our_terms(ontology)}
    assert used - declared == set()


def test_every_property_of_ours_has_a_domain_and_a_range(ontology):
    missing = set()
    for term in our_terms(ontology):
        if {(term, RDF.type, OWL.Class), (term, RDF.type, OWL.AnnotationProperty)} & set(
            ontology.triples((term, RDF.type, None))
        ):
            continue
        for axiom in (RDFS.domain, RDFS.range):
            if ontology.value(term, axiom) is None:
                missing.add(f"{term} has no {axiom}")
    assert missing == set()


def test_each_module_imports_the_modules_whose_terms_it_uses(project):
    """owl:imports tell the truth: a module opened alone (as Protégé does through the catalog)
    brings every term of ours it mentions, and the declarations of external.ttl."""
    graphs = {p: parse_turtle(p) for p in ontology_files(project.root)}
    module_of = {g.value(None, RDF.type, OWL.Ontology): g for g in graphs.values()}
    defined = {s: m for g in graphs.values() for s, m in g.subject_objects(RDFS.isDefinedBy)}
    external = URIRef("https://w3id.org/hospital-cyber-kg/ontology/external")
    missing = set()
    for module, g in module_of.items():
        closure, todo = set(), [module]
        while todo:
            current = todo.pop()
            if current not in closure and current in module_of:
                closure.add(current)
                todo.extend(module_of[current].objects(current, OWL.imports))
        used = {defined[t] for triple in g for t in triple if t in defined and t not in module_of}
        if module != external and external not in closure:
            missing.add(f"{module} does not import {external}")
        missing |= {f"{module} uses terms of {m} without importing it" for m in used - closure}
    assert missing == set()


def test_the_release_header_says_what_a_data_portal_asks(ontology):
    from rdflib.namespace import DCTERMS

    root = URIRef("https://w3id.org/hospital-cyber-kg/ontology")
    vann = "http://purl.org/vocab/vann/"
    wanted = [DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created]
    wanted += [DCTERMS.modified, DCTERMS.license, OWL.versionIRI, OWL.versionInfo]
    wanted += [OWL.priorVersion, URIRef(vann + "preferredNamespacePrefix")]
    wanted += [URIRef(vann + "preferredNamespaceUri")]
    assert [str(p) for p in wanted if ontology.value(root, p) is None] == []
    version = str(ontology.value(root, OWL.versionInfo))
    assert str(ontology.value(root, OWL.versionIRI)) == f"{root}/{version}"
