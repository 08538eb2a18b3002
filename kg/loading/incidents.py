"""data/incidents/*.yaml: one incident per file, with its impacts and attribution claims."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from kg.dates import add_bounds
from kg.durations import duration_triples
from kg.errors import DataError
from kg.identifiers import finess_problem
from kg.loading.context import Context, add_sources, decimal
from kg.namespaces import HCK, SCHEMA, concept, is_slug, resource
from kg.yamlio import Items, Node, load_yaml

INCIDENT_KEYS = {
    "slug",
    "name",
    "type",
    "victims",
    "start",
    "discovered",
    "end",
    "outcome",
    "date-sources",
    "alternative-starts",
    "description",
    "sources",
    "impacts",
    "attributions",
}
IMPACT_KEYS = {
    "type",
    "status",
    "count",
    "duration",
    "amount",
    "currency",
    "date",
    "note",
    "sources",
}
CLAIM_KEYS = {"actor", "malware", "actor-kind", "certainty", "basis", "asserted", "note", "sources"}
ALTERNATIVE_KEYS = {"start", "sources", "note"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class _File:
    """One incident file being read: its path as shown, and shortcuts to report problems."""

    def __init__(self, ctx: Context, path: Path) -> None:
        self.ctx, self.path = ctx, path
        self.g: Graph = ctx.graph("incidents")

    def problem(self, line: int, message: str, hint: str | None = None) -> None:
        self.ctx.problem(self.path, line, message, hint)

    def keys(self, node: Node, allowed: set[str], what: str) -> bool:
        unknown = sorted(set(node) - allowed)
        for key in unknown:
            self.problem(
                node.line_of(key),
                f"unknown key '{key}' in {what}",
                f"allowed: {', '.join(sorted(allowed))}",
            )
        return not unknown

    def sources(self, node: Node, key: str = "sources") -> list[URIRef]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(node.line_of(key), f"'{key}' must be a list of URLs")
            return []
        return self.ctx.source_refs(value, self.path, node.line_of(key))

    def texts(self, subject: URIRef, prop: URIRef, node: Node, key: str) -> None:
        """A {language: text} mapping as language-tagged literals; a plain text is English."""
        value = node.get(key)
        if value is None:
            return
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and _LANGUAGE.match(k) and isinstance(v, str)
            for k, v in value.items()
        ):
            self.problem(
                node.line_of(key),
                f"'{key}' must be a text, or map languages to texts",
                "e.g. en: ... and fr: ... on their own lines",
            )
            return
        for lang, text in sorted(value.items()):
            self.g.add((subject, prop, Literal(text.strip(), lang=lang)))

    def date(
        self, subject: URIRef, prop: URIRef, node: Node, key: str, bounded: bool = False
    ) -> Literal | None:
        """The date under `key`; `bounded`: it is the subject's own date, whose normalised
        bounds (hck:earliest, hck:latest, hck:datePrecision) are published beside it."""
        if node.get(key) is None:
            return None
        value = self.ctx.date(node[key], self.path, node.line_of(key), key)
        if value is not None:
            self.g.add((subject, prop, value))
            if bounded:
                add_bounds(self.g, subject, value)
        return value


def incident_files(root: Path) -> list[Path]:
    return sorted((root / "data" / "incidents").glob("*.yaml"))


def load_incidents(ctx: Context) -> None:
    for path in incident_files(ctx.root):
        try:
            doc = load_yaml(path, ctx.shown(path))
        except DataError as exc:
            ctx.problems.append(exc)
            continue
        if not isinstance(doc, Node):
            ctx.problem(path, 1, "is not a YAML mapping of incident keys", "see data/README.md")
            continue
        _incident(_File(ctx, path), doc)


def _incident(f: _File, doc: Node) -> None:
    if not f.keys(doc, INCIDENT_KEYS, "an incident"):
        return
    slug, start = doc.get("slug"), doc.get("start")
    if not isinstance(slug, str) or not is_slug(slug):
        f.problem(doc.line_of("slug"), f"'slug' is {slug!r}", "lowercase letters, digits, hyphens")
        return
    if start is None:
        f.problem(doc.line, "no 'start'", "give the start date, even only the year")
        return
    start_value = f.ctx.date(start, f.path, doc.line_of("start"), "start")
    if start_value is None:
        return
    key = f"{str(start_value)[:10]}-{slug}"
    if f.path.stem != key:
        f.problem(
            doc.line_of("slug"),
            f"the file is named {f.path.name}, the incident is {key}",
            f"rename the file to {key}.yaml",
        )
        return
    iri = resource("incident", key)
    f.ctx.origin(iri, f.path, doc.line)
    g = f.g
    g.add((iri, RDF.type, HCK.Incident))
    g.add((iri, HCK.startDate, start_value))
    add_bounds(g, iri, start_value)
    f.date(iri, HCK.discoveredDate, doc, "discovered")
    f.date(iri, HCK.endDate, doc, "end")
    if (outcome := doc.get("outcome")) is not None:
        code = f.ctx.code("incident-outcome", outcome, f.path, doc.line_of("outcome"), "outcome")
        if code:
            f.g.add((iri, HCK.outcome, concept("incident-outcome", code)))
    f.texts(iri, SCHEMA.name, doc, "name")
    f.texts(iri, SCHEMA.description, doc, "description")
    sources = f.sources(doc)
    add_sources(g, iri, sources)
    for src in f.sources(doc, "date-sources") if "date-sources" in doc else sources:
        g.add((iri, HCK.dateSource, src))
    if (kind := doc.get("type")) is not None:
        code = f.ctx.code("incident-type", kind, f.path, doc.line_of("type"), "type")
        if code:
            g.add((iri, HCK.incidentType, concept("incident-type", code)))
    _victims(f, iri, doc)
    _alternatives(f, iri, doc)
    _impacts(f, iri, doc)
    _claims(f, iri, doc)


def _items(f: _File, doc: Node, key: str, of_mappings: bool) -> list[tuple[int, Any]]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, Items) or (
        of_mappings and not all(isinstance(v, Node) for v in value)
    ):
        what = "a list of mappings (- key: value)" if of_mappings else "a list"
        f.problem(doc.line_of(key), f"'{key}' must be {what}")
        return []
    return list(zip(value.lines, value, strict=True))


def _victims(f: _File, iri: URIRef, doc: Node) -> None:
    for line, key in _items(f, doc, "victims", of_mappings=False):
        victim = _victim(f.ctx, str(key))
        if isinstance(victim, URIRef):
            f.g.add((iri, HCK.victim, victim))
        else:
            f.problem(line, *victim)


def _victim(ctx: Context, key: str) -> URIRef | tuple[str, str]:
    """The victim's IRI, or what is wrong with `key` and how to fix it."""
    found = [
        resource(kind, key)
        for kind, known in (
            ("establishment", ctx.establishments),
            ("legal-entity", ctx.legal_entities),
            ("ght", ctx.ghts),
            ("organisation", ctx.organisations),
        )
        if key in known
    ]
    if len(found) == 1:
        return found[0]
    if found:
        return f"victim '{key}' is ambiguous: {', '.join(found)}", "rename one of them"
    if len(key) == 9 and key[:2].isalnum() and key[2:].isdigit():
        if problem := finess_problem(key):
            return f"victim {problem}", "victims are FINESS ET or EJ numbers"
        return (
            f"victim {key} is not in data/establishments.csv nor data/legal_entities.csv",
            "add the site (or the legal entity) there first",
        )
    return (
        f"victim '{key}' is not a FINESS number, a GHT of data/ghts.csv "
        "or an organisation of data/organisations.csv",
        "add it to one of those tables first",
    )


def _alternatives(f: _File, iri: URIRef, doc: Node) -> None:
    for n, (_, alt) in enumerate(_items(f, doc, "alternative-starts", of_mappings=True), 1):
        if not f.keys(alt, ALTERNATIVE_KEYS, "an alternative start"):
            continue
        claim = URIRef(f"{iri}/alternative-start/{n}")
        f.ctx.origin(claim, f.path, alt.line)
        f.g.add((iri, HCK.alternativeStart, claim))
        f.g.add((claim, RDF.type, HCK.DateClaim))
        f.date(claim, HCK.date, alt, "start", bounded=True)
        f.texts(claim, SKOS.note, alt, "note")
        add_sources(f.g, claim, f.sources(alt))


def _impacts(f: _File, iri: URIRef, doc: Node) -> None:
    seen: Counter[str] = Counter()
    for _, item in _items(f, doc, "impacts", of_mappings=True):
        if not f.keys(item, IMPACT_KEYS, "an impact"):
            continue
        kind = f.ctx.code("impact-type", item.get("type"), f.path, item.line_of("type"), "type")
        status = (
            f.ctx.code("fact-status", item.get("status"), f.path, item.line_of("status"), "status")
            if "status" in item
            else None
        )
        if kind is None or ("status" in item and status is None):
            continue
        seen[kind] += 1
        impact = URIRef(f"{iri}/impact/{kind}" + (f"-{seen[kind]}" if seen[kind] > 1 else ""))
        f.ctx.origin(impact, f.path, item.line)
        g = f.g
        g.add((iri, HCK.impact, impact))
        g.add((impact, RDF.type, HCK.Impact))
        g.add((impact, HCK.impactType, concept("impact-type", kind)))
        if status:
            g.add((impact, HCK.status, concept("fact-status", status)))
        _quantities(f, impact, item)
        f.date(impact, HCK.date, item, "date", bounded=True)
        f.texts(impact, SKOS.note, item, "note")
        add_sources(g, impact, f.sources(item))


def _quantities(f: _File, impact: URIRef, item: Node) -> None:
    g = f.g
    if "count" in item:
        count = item["count"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            f.problem(item.line_of("count"), f"'count' is {count!r}", "a whole number, 0 or more")
        else:
            g.add((impact, HCK["count"], Literal(count, datatype=XSD.integer)))
    if "duration" in item:
        text = str(item["duration"])
        triples = duration_triples(impact, text)
        if triples is None:
            f.problem(
                item.line_of("duration"),
                f"'duration' is '{text}', not an ISO 8601 duration in one unit",
                "e.g. P3W (three weeks), P2M (two months), PT36H",
            )
        else:
            for triple in triples:
                g.add(triple)
    if "amount" in item or "currency" in item:
        _money(f, impact, item)


def _money(f: _File, impact: URIRef, item: Node) -> None:
    amount, currency = item.get("amount"), item.get("currency")
    line = item.line_of("amount" if "amount" in item else "currency")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
        f.problem(line, f"'amount' is {amount!r}", "a number without spaces, e.g. 10000000")
        return
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        f.problem(
            line,
            f"amount {amount} has currency {currency!r}",
            "give its ISO 4217 code, e.g. USD, EUR",
        )
        return
    money = URIRef(f"{impact}/amount")
    f.g.add((impact, HCK.amount, money))
    f.g.add((money, RDF.type, SCHEMA.MonetaryAmount))
    f.g.add((money, SCHEMA.value, decimal(str(Decimal(str(amount))))))
    f.g.add((money, SCHEMA.currency, Literal(currency)))


def _claims(f: _File, iri: URIRef, doc: Node) -> None:
    seen: Counter[str] = Counter()
    for _, item in _items(f, doc, "attributions", of_mappings=True):
        if not f.keys(item, CLAIM_KEYS, "an attribution"):
            continue
        refs = _claim_refs(f, item)
        if refs is None:
            continue
        name = str(item.get("actor") or item.get("malware") or item.get("actor-kind") or "unknown")
        seen[name] += 1
        claim = URIRef(f"{iri}/attribution/{name}" + (f"-{seen[name]}" if seen[name] > 1 else ""))
        f.ctx.origin(claim, f.path, item.line)
        f.g.add((iri, HCK.attribution, claim))
        f.g.add((claim, RDF.type, HCK.AttributionClaim))
        for prop, target in refs:
            f.g.add((claim, prop, target))
        f.date(claim, HCK.assertedOn, item, "asserted", bounded=True)
        f.texts(claim, SKOS.note, item, "note")
        add_sources(f.g, claim, f.sources(item))


def _claim_refs(f: _File, item: Node) -> list[tuple[URIRef, URIRef]] | None:
    """The (property, object) pairs of a claim's references, or None after a problem."""
    refs: list[tuple[URIRef, URIRef]] = []
    ok = True
    for key, known, table, prop in (
        ("actor", f.ctx.actors, "actors.csv", HCK.attributedTo),
        ("malware", f.ctx.malware, "malware.csv", HCK.malware),
    ):
        if key not in item:
            continue
        if str(item[key]) not in known:
            import difflib

            close = difflib.get_close_matches(str(item[key]), sorted(known), n=3)
            f.problem(
                item.line_of(key),
                f"{key} '{item[key]}' is not in data/{table}",
                f"did you mean {' or '.join(close)}? else add it there first"
                if close
                else "add it there first",
            )
            ok = False
        else:
            refs.append((prop, resource(key, str(item[key]))))
    for key, scheme, prop in (
        ("actor-kind", "actor-kind", HCK.actorKind),
        ("certainty", "certainty", HCK.certainty),
        ("basis", "attribution-basis", HCK.basis),
    ):
        if key in item:
            code = f.ctx.code(scheme, item[key], f.path, item.line_of(key), key)
            ok = ok and code is not None
            if code:
                refs.append((prop, concept(scheme, code)))
    return refs if ok else None
