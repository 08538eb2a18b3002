"""STIX incidents into the model: the incident (start, type, victims, sources), its impacts and
its attribution claims. An incident is imported only with what the shapes require; otherwise it
is kept as JSON and the report says what is missing (docs/stix.md, "What an incident needs")."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.dates import DateProblem, parse_date
from kg.errors import KgError
from kg.exporting.stix_mapping import (
    EVENT_EXTENSION,
    HCK_EXTENSION,
    INCIDENT_CORE,
    INCIDENT_TYPES,
    INCIDENT_TYPES_BACK,
    TYPE_PRIORITY,
    certainty_of,
    date_from,
    utc,
)
from kg.importing.stix_bundles import LANGUAGE_TAG
from kg.importing.stix_impacts import map_impact
from kg.importing.stix_mapper import RELATIONSHIP_KEYS, items, part
from kg.namespaces import HCK, ID, SCHEMA, concept, slugify

if TYPE_CHECKING:
    from kg.importing.stix_mapper import Mapper, Refs

CORE_KEYS = (
    "extension_type",
    "determination",
    "investigation_status",
    "incident_types",
    "events",
    "impact_refs",
)


def _relations(m: Mapper, obj: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    """The relationships of these types whose source is `obj`, by identifier."""
    return [
        o
        for _, o in sorted(m.objects.items())
        if o["type"] == "relationship"
        and o["source_ref"] == obj["id"]
        and o["relationship_type"] in kinds
    ]


def map_incident(m: Mapper, obj: dict[str, Any]) -> None:
    """The incident, with its start event, victims, impacts and claims, if it has what the
    shapes require; else it is kept and the report says what it lacks."""
    refs = m.refs(obj)
    core, mine = part(obj, INCIDENT_CORE), part(obj, HCK_EXTENSION)
    consumed = {"name", "description", "lang", "external_references", f"extensions/{HCK_EXTENSION}"}
    consumed |= {f"extensions/{INCIDENT_CORE}/{k}" for k in CORE_KEYS}
    if refs.iri is not None and m.exists(refs.iri):
        m.done(obj, "existing", refs.iri, consumed, "already in the graph")
        _existing_parts(m, obj, core)
        return
    event = _start_event(m, core)
    start, end, how = _dates(obj, mine, event)
    kind, kind_note = _type(refs, core)
    victims = [
        (r, m.iri_of[r["target_ref"]])
        for r in _relations(m, obj, "targets", "impacts")
        if m.iri_of.get(r["target_ref"]) in m.victims
    ]
    problems = [
        text
        for missing, text in (
            (start is None, "no start date (Incident Core event start_time, first_seen)"),
            (kind is None, "no incident type we know (incident_types, e.g. ransomware)"),
            (
                not victims,
                "no 'targets' victim of the graph (an identity with its FINESS number, or our "
                "IRI of a GHT or an organisation)",
            ),
            (not refs.sources, "no external reference with a URL (a source)"),
        )
        if missing
    ]
    if problems:
        m.keep(obj, "; ".join(problems))
        return
    assert start is not None and kind is not None
    key = f"{str(start)[:10]}-{slugify(obj['name'])[:60].strip('-')}"
    iri = refs.iri or m.free(f"{ID}incident", Counter(), key)
    entry = m.done(obj, "created", iri, consumed | ({"first_seen", "last_seen"} if how else set()))
    entry.notes += [n for n in (how, kind_note, _twin(m, start, [v for _, v in victims])) if n]
    _describe(m, obj, iri, refs, start, end, kind, event)
    for rel, victim in victims:
        m.add(iri, HCK.victim, victim)
        m.done(rel, "mapped", None, RELATIONSHIP_KEYS, "hck:victim")
    _alternatives(m, obj, iri, mine)
    seen: Counter[str] = Counter()
    for ident in items(core.get("impact_refs")):
        if ident in m.objects and m.objects[ident]["type"] == "impact":
            map_impact(m, obj, iri, m.objects[ident], seen)
        else:
            m.note(obj, f"impact {ident} is not in the bundles")
    _claims(m, obj, iri)


def _twin(m: Mapper, start: Literal, victims: list[URIRef]) -> str | None:
    """A note if the graph has an incident of the same victim starting within a day and a half
    of this one: maybe the same incident."""
    for victim in victims:
        for other in sorted(m.g.subjects(HCK.victim, victim), key=str):
            when = m.g.value(other, HCK.startDate)
            if isinstance(when, Literal) and abs(utc(when) - utc(start)) <= dt.timedelta(hours=36):
                return f"the graph has <{other}> with the same victim and start: the same incident?"
    return None


def _existing_parts(m: Mapper, obj: dict[str, Any], core: dict[str, Any]) -> None:
    parts = [e.get("event_ref") for e in items(core.get("events")) if isinstance(e, dict)]
    parts += items(core.get("impact_refs"))
    for ident in parts:
        if ident in m.objects:
            piece = m.objects[ident]
            m.done(
                piece, "existing", m.refs(piece).iri, set(piece), "part of an incident in the graph"
            )
    for rel in _relations(m, obj, "targets", "impacts", "attributed-to"):
        m.done(rel, "existing", m.refs(rel).iri, set(rel), "part of an incident in the graph")


def _start_event(m: Mapper, core: dict[str, Any]) -> dict[str, Any] | None:
    events = []
    for entry in items(core.get("events")):
        event = m.objects.get(entry.get("event_ref", "")) if isinstance(entry, dict) else None
        if event is not None and entry.get("sequence_start", True) and "start_time" in event:
            events.append(event)
    return min(events, key=lambda e: e["start_time"]) if events else None


def _dates(
    obj: dict[str, Any], mine: dict[str, Any], event: dict[str, Any] | None
) -> tuple[Literal | None, Literal | None, str | None]:
    """(start, end, how the start was found when not from our extension or an event)."""
    if "start" in mine:
        end = parse_date(str(mine["end"])) if "end" in mine else None
        return parse_date(str(mine["start"])), end, None
    if event is not None:
        start = date_from(event["start_time"], event.get("start_time_fidelity"))
        end = (
            date_from(event["end_time"], event.get("end_time_fidelity"))
            if "end_time" in event
            else None
        )
        return start, end, None
    end = date_from(obj["last_seen"], None) if "last_seen" in obj else None
    if "first_seen" in obj:
        return date_from(obj["first_seen"], None), end, "start from first_seen"
    if "created" in obj:
        return (
            date_from(obj["created"], None),
            end,
            "start from 'created', when the STIX object was made: check it",
        )
    return None, None, None


def _type(refs: Refs, core: dict[str, Any]) -> tuple[str | None, str | None]:
    code = refs.concepts.get("incident-type")
    if code in INCIDENT_TYPES:
        return code, None
    given = items(core.get("incident_types"))
    found = {INCIDENT_TYPES_BACK[t] for t in given if t in INCIDENT_TYPES_BACK}
    chosen = next((t for t in TYPE_PRIORITY if t in found), None)
    note = f"type {chosen} chosen among {sorted(found)}" if len(found) > 1 else None
    return chosen, note


def _describe(
    m: Mapper,
    obj: dict[str, Any],
    iri: URIRef,
    refs: Refs,
    start: Literal,
    end: Literal | None,
    kind: str,
    event: dict[str, Any] | None,
) -> None:
    m.add(iri, RDF.type, HCK.Incident)
    m.dated(iri, HCK.startDate, start)
    if end is not None:
        m.add(iri, HCK.endDate, end)
    m.add(iri, HCK.incidentType, concept("incident-type", kind))
    m.texts(iri, SCHEMA.name, obj, "name")
    m.texts(iri, SCHEMA.description, obj, "description")
    m.slots[obj["id"]] = (iri, {"name": SCHEMA.name, "description": SCHEMA.description})
    m.cite(iri, refs, obj)
    dated = refs
    if event is not None:
        event_refs = m.refs(event)
        dated = event_refs if event_refs.sources else refs
        m.done(
            event,
            "mapped",
            iri,
            {
                "status",
                "event_types",
                "name",
                "description",
                "start_time",
                "start_time_fidelity",
                "end_time",
                "end_time_fidelity",
                "external_references",
                f"extensions/{EVENT_EXTENSION}",
            },
            "the incident's dates",
        )
    m.cite(iri, dated, obj, HCK.dateSource)


def _alternatives(m: Mapper, obj: dict[str, Any], iri: URIRef, mine: dict[str, Any]) -> None:
    for n, alt in enumerate(items(mine.get("alternative_starts")), 1):
        if not isinstance(alt, dict):
            m.note(obj, f"alternative start {n} skipped: not a JSON object")
            continue
        refs = m.classify(items(alt.get("external_references")), m.ours(obj))
        try:
            date = parse_date(str(alt.get("start")))
        except DateProblem as exc:
            m.note(obj, f"alternative start {n} skipped: {exc}")
            continue
        if not refs.sources:
            m.note(obj, f"alternative start {n} skipped: it has no source")
            continue
        node = URIRef(f"{iri}/alternative-start/{n}")
        m.add(iri, HCK.alternativeStart, node)
        m.add(node, RDF.type, HCK.DateClaim)
        m.dated(node, HCK.date, date)
        note = alt.get("note")
        for lang, text in sorted(note.items()) if isinstance(note, dict) else ():
            if not LANGUAGE_TAG.match(str(lang)):
                raise KgError(
                    f"{obj.get('id')}: the note language {str(lang)[:100]!r} is not a language "
                    "tag (e.g. en, fr)",
                    "fix the bundle; nothing was imported",
                )
            m.add(node, SKOS.note, Literal(str(text), lang=lang))
        m.cite(node, refs, obj)


# --- attribution claims -------------------------------------------------------------------------


def _claims(m: Mapper, incident: dict[str, Any], iri: URIRef) -> None:
    groups: dict[str, list[tuple[dict[str, Any], Refs, tuple[URIRef, Any]]]] = {}
    for rel in _relations(m, incident, "attributed-to"):
        target = _claim_target(m, rel["target_ref"])
        if target is None:
            m.keep(rel, "its target was not imported")
            continue
        refs = m.refs(rel)
        groups.setdefault(str(refs.iri or rel["id"]), []).append((rel, refs, target))
    seen: Counter[str] = Counter()
    for _, members in sorted(groups.items()):
        _claim(m, iri, members, seen)


def _claim_target(m: Mapper, ident: str) -> tuple[URIRef, Any] | None:
    if ident in m.kinds:
        return HCK.actorKind, concept("actor-kind", m.kinds[ident])
    node = m.iri_of.get(ident)
    if node is None:
        return None
    for graph in (m.g, m.out):
        if (node, RDF.type, HCK.Malware) in graph:
            return HCK.malware, node
        if (node, RDF.type, HCK.ThreatActor) in graph:
            return HCK.attributedTo, node
    return None


def _claim(m: Mapper, incident: URIRef, members: list, seen: Counter[str]) -> None:
    first, refs, _ = members[0]
    sources = [ref for _, r, _ in members for ref in r.sources]
    if not sources:
        for rel, _, _ in members:
            m.keep(rel, "no external reference with a URL (a source)")
        return
    targets = [t for _, _, t in members]
    name = next(
        (
            str(t[1]).rsplit("/", 1)[-1]
            for p in (HCK.attributedTo, HCK.malware, HCK.actorKind)
            for t in targets
            if t[0] == p
        ),
        "unknown",
    )
    claim = refs.iri or m.free(f"{incident}/attribution", seen, name)
    m.add(incident, HCK.attribution, claim)
    m.add(claim, RDF.type, HCK.AttributionClaim)
    for prop, target in targets:
        m.add(claim, prop, target)
    confidence = first.get("confidence")
    m.add(claim, HCK.certainty, concept("certainty", certainty_of(confidence)))
    for scheme, prop in (("attribution-basis", HCK.basis), ("actor-kind", HCK.actorKind)):
        if (code := m.concept(refs, scheme)) is not None:
            m.add(claim, prop, concept(scheme, code))
    mine = part(first, HCK_EXTENSION)
    if "asserted" in mine:
        m.dated(claim, HCK.assertedOn, parse_date(str(mine["asserted"])))
    consumed = RELATIONSHIP_KEYS | {
        "confidence",
        "description",
        "lang",
        "external_references",
        f"extensions/{HCK_EXTENSION}",
    }
    for rel, rel_refs, _ in members:
        m.texts(claim, SKOS.note, rel, "description")
        m.cite(claim, rel_refs, rel)
        m.slots[rel["id"]] = (claim, {"description": SKOS.note})
        entry = m.done(rel, "mapped", claim, consumed, "attribution claim")
        if confidence is None:
            entry.notes.append("no confidence: certainty unknown")
