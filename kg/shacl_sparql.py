"""SHACL on the Oxigraph store: our shapes compiled into SPARQL queries, one per constraint.

pySHACL stays the reference (`kg validate --engine pyshacl`); this engine exists because pySHACL
reads the whole graph into memory and checks it node by node (about 3 s per 100,000 triples
here), while one SPARQL query per constraint, run by the store, checks millions of triples in
seconds. It supports the part of SHACL Core and SHACL-SPARQL that ontology/*-shapes.ttl uses and
refuses any other constraint by name; tests/test_shacl_sparql.py checks that it reports exactly
what pySHACL reports on every example file, on the shipped data and on synthetic data.

Focus nodes can be restricted (`focus=`), which is how re-validation after a change checks only
the nodes the change touched (see validation_incremental.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.errors import KgError
from kg.namespaces import SH
from kg.sparqltext import sparql_term
from kg.validation import Report, Result

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_CLOSURE = re.compile(r"\{CLOSURE:([^}]*)\}")
_counter = iter(range(10**9))


def _isa(var: str, cls: Node) -> str:
    """`var` is an instance of `cls` or of a subclass: the classes are filled in at run time
    from the store's rdfs:subClassOf (a VALUES block is much faster than a `*` path)."""
    n = next(_counter)
    return f"VALUES ?_c{n} {{ {{CLOSURE:{cls}}} }} {var} {RDF_TYPE} ?_c{n} ."


CASTS = {XSD.integer, XSD.decimal, XSD.double, XSD.boolean, XSD.dateTime, XSD.date}
PARAMETERS = {
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.pattern,
    SH.flags,
    SH["class"],
    SH["in"],
    SH.hasValue,
    SH.node,
    SH["or"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.nodeKind,
    SH.minInclusive,
    SH.maxInclusive,
    SH.sparql,
    SH.path,
    SH.property,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    RDF.type,
}


@dataclass(frozen=True)
class Check:
    """One constraint of one shape as a query that returns its violations: rows of ?this (the
    focus node) and, where the constraint has one, ?value (and ?path for SPARQL constraints)."""

    shape: str
    component: str
    path: str
    severity: str
    message: str
    where: str  # the WHERE body; {T} stands for the focus-node pattern
    head: str = "SELECT DISTINCT ?this ?value"
    tail: str = ""
    prefixes: str = ""
    owner: str = ""  # the node shape whose targets are the focus nodes
    node_shape: Node | None = None  # for sh:node: the shape the values must conform to

    def query(self, target: str, focused: bool = False) -> str:
        """The check's query for the focus nodes of `target`. {ANTI} is an anti-join on a
        variable the left side binds: MINUS over the whole graph (one pass over all the right
        side's rows beats a lookup per node), FILTER NOT EXISTS for a few focus nodes (a
        lookup per node beats reading every row of the right side)."""
        anti = "FILTER NOT EXISTS" if focused else "MINUS"
        body = self.where.replace("{T}", target).replace("{ANTI}", anti)
        return f"{self.prefixes}{self.head} WHERE {{ {body} }} {self.tail}"


class Unsupported(KgError):
    """A shape uses a SHACL feature this engine does not compile."""


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every constraint of every node shape that has targets."""
    checks: list[Check] = []
    for shape in sorted(_node_shapes_with_targets(shapes), key=str):
        checks += _node_shape_checks(shapes, shape)
    return checks


def _node_shapes_with_targets(shapes: Graph) -> set[Node]:
    found = set()
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
        found |= set(shapes.subjects(p, None))
    return found


def target_pattern(shapes: Graph, shape: Node, var: str = "?this") -> str:
    """The focus nodes of a node shape: its class, subjects-of and objects-of targets."""
    parts = []
    for c in shapes.objects(shape, SH.targetClass):
        parts.append(_isa(var, c))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{var} {sparql_term(p)} ?_t{len(parts)} .")
    for p in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(f"?_t{len(parts)} {sparql_term(p)} {var} .")
    if len(parts) == 1:
        return parts[0]
    return (
        f"{{ SELECT DISTINCT {var} WHERE {{ " + " UNION ".join(f"{{ {p} }}" for p in parts) + " } }"
    )


def _node_shape_checks(shapes: Graph, shape: Node) -> list[Check]:
    _refuse_unknown(shapes, shape)
    out: list[Check] = []
    severity = _severity(shapes, shape)
    message = _message(shapes, shape)
    if (shape, SH["or"], None) in shapes:
        alternatives = _or_condition(shapes, shapes.value(shape, SH["or"]), "?this")
        out.append(
            Check(
                str(shape),
                str(SH.OrConstraintComponent),
                "",
                severity,
                message,
                f"{{T}} FILTER(!({alternatives}))",
                head="SELECT DISTINCT ?this",
            )
        )
    for constraint in shapes.objects(shape, SH.sparql):
        out.append(_sparql_check(shapes, shape, constraint, severity))
    for prop in sorted(shapes.objects(shape, SH.property), key=str):
        out += _property_checks(shapes, prop)
    return [replace(check, owner=str(shape)) for check in out]


def _refuse_unknown(shapes: Graph, shape: Node) -> None:
    unknown = {
        str(p)
        for p in shapes.predicates(shape, None)
        if str(p).startswith(str(SH)) and p not in PARAMETERS
    }
    if unknown:
        raise Unsupported(
            f"shape {shape} uses {', '.join(sorted(unknown))}", "validate with --engine pyshacl"
        )


def _severity(shapes: Graph, shape: Node) -> str:
    value = shapes.value(shape, SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _message(shapes: Graph, shape: Node) -> str:
    messages = sorted(
        shapes.objects(shape, SH.message),
        key=lambda m: (getattr(m, "language", "") != "en", str(m)),
    )
    return str(messages[0]) if messages else ""


def _path(shapes: Graph, prop: Node) -> tuple[str, str]:
    """(SPARQL path, the path as a report names it)."""
    path = shapes.value(prop, SH.path)
    if isinstance(path, URIRef):
        return sparql_term(path), str(path)
    inverse = shapes.value(path, SH.inversePath) if path is not None else None
    if isinstance(inverse, URIRef):
        return f"^{sparql_term(inverse)}", f"^{inverse}"
    raise Unsupported(
        f"shape {prop} has a path this engine does not compile", "validate with --engine pyshacl"
    )


def _property_checks(shapes: Graph, prop: Node) -> list[Check]:
    _refuse_unknown(shapes, prop)
    path, shown = _path(shapes, prop)
    base = Check(
        str(prop),
        "",
        shown,
        _severity(shapes, prop),
        _message(shapes, prop),
        "{T} ?this " + path + " ?value .",
    )
    value_pattern = f"{{T}} ?this {path} ?value ."
    out = []
    for param, build in _VALUE_CONSTRAINTS.items():
        for value in shapes.objects(prop, param):
            component, condition = build(shapes, prop, value)
            out.append(
                replace(
                    base, component=str(component), where=f"{value_pattern} FILTER({condition})"
                )
            )
    for cls in shapes.objects(prop, SH["class"]):
        # an anti-join with all the instances beats one lookup per value
        out.append(
            replace(
                base,
                component=str(SH.ClassConstraintComponent),
                where=f"{value_pattern} {{ANTI}} {{ {_isa('?value', cls)} }}",
            )
        )
    if (n := shapes.value(prop, SH.minCount)) is not None:
        out.append(_min_count(base, path, int(str(n))))
    if (n := shapes.value(prop, SH.maxCount)) is not None:
        out.append(_max_count(base, path, int(str(n))))
    if (required := shapes.value(prop, SH.hasValue)) is not None:
        out.append(
            replace(
                base,
                component=str(SH.HasValueConstraintComponent),
                head="SELECT DISTINCT ?this",
                where=f"{{T}} FILTER NOT EXISTS {{ ?this {path} {sparql_term(required)} }}",
            )
        )
    if (q := shapes.value(prop, SH.qualifiedValueShape)) is not None:
        out += _qualified(shapes, prop, q, path, base)
    for node in shapes.objects(prop, SH.node):
        out.append(
            replace(
                base,
                component=str(SH.NodeConstraintComponent),
                where=value_pattern,
                node_shape=node,
            )
        )
    return out


def _min_count(base: Check, path: str, n: int) -> Check:
    check = replace(base, component=str(SH.MinCountConstraintComponent), head="SELECT ?this")
    if n == 1:  # the common case, as an anti-join
        return replace(
            check, head="SELECT DISTINCT ?this", where=f"{{T}} {{ANTI}} {{ ?this {path} ?_any }}"
        )
    return replace(
        check,
        where=f"{{T}} OPTIONAL {{ ?this {path} ?value }}",
        tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})",
    )


def _max_count(base: Check, path: str, n: int) -> Check:
    check = replace(base, component=str(SH.MaxCountConstraintComponent), head="SELECT ?this")
    if n == 1:  # the common case, as a self-join
        return replace(
            check,
            head="SELECT DISTINCT ?this",
            where=(
                f"{{T}} ?this {path} ?value . ?this {path} ?_other . "
                "FILTER(!sameTerm(?value, ?_other))"
            ),
        )
    return replace(
        check,
        where=f"{{T}} ?this {path} ?value",
        tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})",
    )


def _datatype(shapes: Graph, prop: Node, datatype: Node) -> tuple[URIRef, str]:
    term = sparql_term(datatype)
    ill_typed = f' || sameTerm(COALESCE({term}(?value), "!"), "!")' if datatype in CASTS else ""
    return SH.DatatypeConstraintComponent, (
        f"!isLiteral(?value) || DATATYPE(?value) != {term}{ill_typed}"
    )


def _pattern(shapes: Graph, prop: Node, pattern: Node) -> tuple[URIRef, str]:
    flags = shapes.value(prop, SH.flags)
    extra = f", {sparql_term(Literal(str(flags)))}" if flags else ""
    return SH.PatternConstraintComponent, (
        f"isBlank(?value) || !REGEX(STR(?value), {sparql_term(Literal(str(pattern)))}{extra})"
    )


def _in(shapes: Graph, prop: Node, members: Node) -> tuple[URIRef, str]:
    allowed = " || ".join(f"sameTerm(?value, {sparql_term(m)})" for m in shapes.items(members))
    return SH.InConstraintComponent, f"!({allowed or 'false'})"


def _node_kind(shapes: Graph, prop: Node, kind: Node) -> tuple[URIRef, str]:
    tests = {
        SH.IRI: "isIRI(?value)",
        SH.Literal: "isLiteral(?value)",
        SH.BlankNode: "isBlank(?value)",
        SH.BlankNodeOrIRI: "!isLiteral(?value)",
        SH.IRIOrLiteral: "!isBlank(?value)",
        SH.BlankNodeOrLiteral: "!isIRI(?value)",
    }
    return SH.NodeKindConstraintComponent, f"!({tests[kind]})"  # type: ignore[index]


def _min_inclusive(shapes: Graph, prop: Node, bound: Node) -> tuple[URIRef, str]:
    return SH.MinInclusiveConstraintComponent, (f"!COALESCE(?value >= {sparql_term(bound)}, false)")


def _max_inclusive(shapes: Graph, prop: Node, bound: Node) -> tuple[URIRef, str]:
    return SH.MaxInclusiveConstraintComponent, (f"!COALESCE(?value <= {sparql_term(bound)}, false)")


def _or(shapes: Graph, prop: Node, alternatives: Node) -> tuple[URIRef, str]:
    return SH.OrConstraintComponent, f"!({_or_condition(shapes, alternatives, '?value')})"


_VALUE_CONSTRAINTS = {
    SH.datatype: _datatype,
    SH.pattern: _pattern,
    SH["in"]: _in,
    SH.nodeKind: _node_kind,
    SH.minInclusive: _min_inclusive,
    SH.maxInclusive: _max_inclusive,
    SH["or"]: _or,
}


def _or_condition(shapes: Graph, alternatives: Node | None, var: str) -> str:
    """An expression true when `var` conforms to one of the shapes of an sh:or list. Each
    alternative is one constraint: sh:class, sh:datatype, or a path with sh:minCount 1."""
    tests = []
    for alt in shapes.items(alternatives) if alternatives is not None else []:
        if (cls := shapes.value(alt, SH["class"])) is not None:
            tests.append(f"EXISTS {{ {_isa(var, cls)} }}")
        elif (dt := shapes.value(alt, SH.datatype)) is not None:
            tests.append(f"(isLiteral({var}) && DATATYPE({var}) = {sparql_term(dt)})")
        elif (
            str(shapes.value(alt, SH.minCount)) == "1"
            and (
                alt,
                SH.path,
                None,
            )
            in shapes
        ):
            path, _ = _path(shapes, alt)
            tests.append(f"EXISTS {{ {var} {path} ?_or{len(tests)} }}")
        else:
            raise Unsupported(
                f"an sh:or alternative of {alternatives} is not one simple constraint",
                "validate with --engine pyshacl",
            )
    return " || ".join(tests) or "false"


def _qualified(shapes: Graph, prop: Node, q: Node, path: str, base: Check) -> list[Check]:
    """sh:qualifiedValueShape whose shape is one sh:hasValue on a path."""
    inner = next(iter(shapes.objects(q, SH.property)), q)
    inner_path, _ = _path(shapes, inner)
    value = shapes.value(inner, SH.hasValue)
    if value is None:
        raise Unsupported(
            f"qualified value shape {q} is not a sh:hasValue", "validate with --engine pyshacl"
        )
    qualified = f"?value {inner_path} {sparql_term(value)} ."
    out = []
    if (m := shapes.value(prop, SH.qualifiedMinCount)) is not None:
        out.append(
            replace(
                base,
                component=str(SH.QualifiedMinCountConstraintComponent),
                head="SELECT ?this",
                where=f"{{T}} OPTIONAL {{ ?this {path} ?value . {qualified} }}",
                tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(str(m))})",
            )
        )
    if (m := shapes.value(prop, SH.qualifiedMaxCount)) is not None:
        out.append(
            replace(
                base,
                component=str(SH.QualifiedMaxCountConstraintComponent),
                head="SELECT ?this",
                where=f"{{T}} ?this {path} ?value . {qualified}",
                tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(str(m))})",
            )
        )
    return out


def _sparql_check(shapes: Graph, shape: Node, constraint: Node, severity: str) -> Check:
    select = str(shapes.value(constraint, SH.select))
    prefixes = "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for declaring in shapes.objects(constraint, SH.prefixes)
        for d in shapes.objects(declaring, SH.declare)
    )
    body = select.replace("$this", "?this")
    open_at = body.index("{")
    head = re.sub(r"\s*WHERE\s*$", "", body[:open_at].strip(), flags=re.IGNORECASE)
    where = body[open_at + 1 : body.rindex("}")]
    return Check(
        str(shape),
        str(SH.SPARQLConstraintComponent),
        "",
        severity,
        _message(shapes, constraint),
        "{T} " + where,
        head=head,
        prefixes=prefixes,
    )


def validate_store(
    store: Any,
    checks: Sequence[Check],
    shapes: Graph,
    focus: Iterable[str] | None = None,
    origins: dict[str, str] | None = None,
    threads: int = 2,
) -> Report:
    """Run the checks on a pyoxigraph Store (its default graph the union of the named graphs)."""
    focus_block = ""
    if focus is not None:
        focus_block = "VALUES ?this { " + " ".join(f"<{f}>" for f in sorted(set(focus))) + " } "
        if focus_block == "VALUES ?this {  } ":
            return Report([])
    subclasses = _subclasses(store)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        batches = pool.map(lambda c: list(_run(store, shapes, c, focus_block, subclasses)), checks)
        results = [r for batch in batches for r in batch]
    origins = origins or {}
    return Report(sorted({replace(r, origin=origins.get(r.focus, "")) for r in results}))


def _subclasses(store: Any) -> dict[str, set[str]]:
    """{class: the class and all its subclasses}, from the store's rdfs:subClassOf."""
    children: dict[str, set[str]] = {}
    query = (
        "SELECT ?sub ?sup WHERE { ?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "?sup . FILTER(isIRI(?sub) && isIRI(?sup)) }"
    )
    for row in store.query(query, use_default_graph_as_union=True):
        children.setdefault(row["sup"].value, set()).add(row["sub"].value)
    return children


def _fill_classes(query: str, children: dict[str, set[str]]) -> str:
    def closure(match: re.Match[str]) -> str:
        seen, todo = set(), [match.group(1)]
        while todo:
            cls = todo.pop()
            if cls not in seen:
                seen.add(cls)
                todo += children.get(cls, ())
        return " ".join(f"<{c}>" for c in sorted(seen))

    return _CLOSURE.sub(closure, query)


def _run(
    store: Any, shapes: Graph, check: Check, focus_block: str, subclasses: dict[str, set[str]]
) -> Iterator[Result]:
    target = focus_block + target_pattern(shapes, URIRef(check.owner))
    rows = _select(store, _fill_classes(check.query(target, bool(focus_block)), subclasses))
    if check.node_shape is None:
        yield from (_result(check, row) for row in rows)
        return
    # sh:node: the values that do not conform to the node shape
    pairs = [(row["this"], row["value"]) for row in rows]
    candidates = sorted({str(v) for _, v in pairs if isinstance(v, URIRef)})
    bad = _nonconforming(store, shapes, check.node_shape, candidates, subclasses, bool(focus_block))
    bad |= {str(v) for _, v in pairs if not isinstance(v, URIRef)}
    for this, value in pairs:
        if str(value) in bad:
            yield _result(check, {"this": this, "value": value})


def _nonconforming(
    store: Any,
    shapes: Graph,
    node_shape: Node,
    candidates: list[str],
    subclasses: dict[str, set[str]],
    focused: bool = False,
) -> set[str]:
    if not candidates:
        return set()
    values = "VALUES ?this { " + " ".join(f"<{c}>" for c in candidates) + " }"
    bad: set[str] = set()
    for prop in shapes.objects(node_shape, SH.property):
        for check in _property_checks(shapes, prop):
            query = _fill_classes(check.query(values, focused), subclasses)
            bad |= {str(row["this"]) for row in _select(store, query)}
    return bad


def _select(store: Any, query: str) -> list[dict[str, Any]]:
    from kg.engines import _from_ox

    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: _from_ox(s[n]) for n in names} for s in solutions]


def _result(check: Check, row: dict[str, Any]) -> Result:
    value = row.get("value")
    path = check.path
    if row.get("path") is not None:
        path = str(row["path"])
    message = check.message
    for name, term in row.items():
        if term is not None:
            message = message.replace(f"{{?{name}}}", str(term)).replace(f"{{${name}}}", str(term))
    return Result(
        focus=str(row["this"]),
        path=path,
        shape=check.shape,
        component=check.component,
        message=message,
        value=_text(value) if value is not None else "",
        severity=check.severity,
    )


def _text(node: Node) -> str:
    if isinstance(node, Literal) and node.datatype not in (None, XSD.string):
        from kg.validation import shorten

        return f"{node} ({shorten(str(node.datatype))})"
    return str(node) if not isinstance(node, BNode) else "_:" + str(node)
