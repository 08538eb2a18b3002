"""What a resource's page shows: its statements as a table (the parts it owns, such as an
incident's impacts and claims or a GHT's memberships, as nested tables with anchors), what
points to it, the sources it cites with their links, and its points for the map. An incident
adds its dates (with precision and the alternatives side by side), impacts with quantities and
its attribution claims side by side, each with certainty, basis and sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.site.links import Links
from kg.site.view import HCK, Resource, Value, View, local_name, top_of

DCT_SOURCE = "http://purl.org/dc/terms/source"
SCHEMA = "http://schema.org/"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#note"
INCIDENT_PARTS = (HCK + "impact", HCK + "attribution", HCK + "alternativeStart")
HIDDEN = {SCHEMA + "latitude", SCHEMA + "longitude"}
MAX_INCOMING = 500


@dataclass
class Card:
    """A resource or a part as a table of properties; its parts nested."""

    res: Resource
    anchor: str
    rows: list[tuple[str, str, list[Value]]]
    children: list[Card] = field(default_factory=list)
    summary: str = ""


def prop_label(view: View, prop: str) -> str:
    label, _ = view.label(prop)
    return label


def card(view: View, links: Links, iri: str, depth: int = 0) -> Card:
    res = view.resource(iri)
    rows, children = [], []
    for prop, values in sorted(res.props.items(), key=lambda kv: prop_label(view, kv[0])):
        if prop in HIDDEN:
            continue
        kept = []
        for value in values:
            if value.iri.startswith(iri + "/") and depth < 3:
                children.append(card(view, links, value.iri, depth + 1))
            else:
                kept.append(value)
        if kept:
            rows.append((prop_label(view, prop), prop, kept))
    return Card(res, links.anchor(iri), rows, children, summary(res))


def summary(res: Resource) -> str:
    """A quantity in a few words: "10000000 USD", "3 day"."""
    literals = [v.text for vs in res.props.values() for v in vs if not v.iri]
    units = [local_name(v.iri).removeprefix("unit").lower()
             for vs in res.props.values() for v in vs if v.iri]
    return " ".join(literals + units) if literals else ""


def incoming(view: View, iri: str) -> list[tuple[str, list[Value]]]:
    """What points to `iri`, by property; a part by the resource that owns it."""
    grouped: dict[str, dict[str, Value]] = {}
    for subject, prop in view.subjects(None, iri, MAX_INCOMING):
        if not hasattr(subject, "value") or subject.value.startswith(iri + "/"):
            continue
        owner = top_of(subject.value)
        value = view.value(subject) if owner == subject.value else view.value(
            type(subject)(owner))
        value.text = value.text if owner == subject.value else value.text
        grouped.setdefault(prop_label(view, prop.value), {})[owner] = value
    return sorted((label, sorted(values.values(), key=lambda v: v.text))
                  for label, values in grouped.items())


def sources(view: View, iris: list[str]) -> list[dict[str, Any]]:
    out = []
    for iri in dict.fromkeys(iris):
        res = view.resource(iri)
        url = res.first(SCHEMA + "url")
        publisher = res.first(SCHEMA + "publisher")
        issued = res.first("http://purl.org/dc/terms/issued")
        language = res.first("http://purl.org/dc/terms/language")
        link = (url.iri or url.text) if url else ""
        out.append({
            "iri": iri, "href": view.href(iri), "title": res.label, "lang": res.lang,
            "url": link if link.startswith(("http://", "https://")) else "",
            "publisher": publisher.text if publisher else "",
            "issued": issued.text if issued else "",
            "language": language.text if language else "",
        })
    return sorted(out, key=lambda s: (s["issued"], s["title"]))


def all_sources(view: View, iri: str) -> list[str]:
    found = [v.iri for v in view.resource(iri).all(DCT_SOURCE)]
    for _, part in view.objects(iri):
        if hasattr(part, "value") and part.value.startswith(iri + "/"):
            found += [v.iri for v in view.resource(part.value).all(DCT_SOURCE)]
    return found


def points(view: View, iri: str) -> list[dict[str, Any]]:
    """The points to map: the resource's own, else its victims' or members'."""
    candidates = [iri]
    candidates += [o.value for _, o in view.objects(iri, HCK + "victim")]
    for _, membership in view.objects(iri, "http://www.w3.org/ns/org#hasMembership"):
        candidates += [o.value for _, o in view.objects(membership.value,
                                                          "http://www.w3.org/ns/org#member")]
    out = []
    for candidate in candidates:
        point = view.point(candidate)
        if point:
            out.append({"lat": point[0], "lon": point[1], "label": view.label(candidate)[0],
                        "incident": view.href(candidate), "certainty": "place",
                        "victim": view.label(candidate)[0]})
    return out


def context(view: View, iri: str, links: Links) -> dict[str, Any]:
    main = card(view, links, iri)
    kind = iri.split("/id/", 1)[-1].split("/", 1)[0] if "/id/" in iri else "vocabulary"
    incident = any(t.iri == HCK + "Incident" for t in main.res.types)
    ctx: dict[str, Any] = {
        "main": main, "kind": kind, "incident": None, "incoming": incoming(view, iri),
        "cited": sources(view, all_sources(view, iri)), "points": points(view, iri),
        "path": iri.split("hospital-cyber-kg/", 1)[-1], "static": links.static,
    }
    if incident:
        ctx["incident"] = incident_context(view, links, iri, main)
    ctx["ghts"] = ghts(view, iri, main.res)
    ctx["timeline"] = incidents_over_time(view, iri)
    return ctx


ORG = "http://www.w3.org/ns/org#"


def ghts(view: View, iri: str, res: Resource) -> list[dict[str, Any]]:
    """The GHTs an establishment (through its legal entity) or a legal entity belongs to, with
    their other members."""
    entities = [v.iri for v in res.all(HCK + "legalEntity")] or [iri]
    out = []
    for entity in entities:
        for membership, _ in view.subjects(ORG + "member", entity):
            ght = top_of(membership.value)
            if ght == membership.value:
                continue
            members = []
            for _, other in view.objects(ght, ORG + "hasMembership"):
                for _, member in view.objects(other.value, ORG + "member"):
                    if member.value != entity:
                        members.append(view.value(member))
            out.append({"ght": view.value(type(membership)(ght)), "entity": view.value(
                type(membership)(entity)), "members": sorted(members, key=lambda v: v.text)})
    return out


def incidents_over_time(view: View, iri: str) -> list[dict[str, Any]]:
    """For an actor or malware: the incidents whose claims name it, by date, with the
    certainty of each claim."""
    rows: list[dict[str, Any]] = []
    for prop in (HCK + "attributedTo", HCK + "malware"):
        for claim, _ in view.subjects(prop, iri):
            incident = top_of(claim.value)
            if incident == claim.value:
                continue
            date = view.objects(incident, HCK + "startDate")
            certainty = view.objects(claim.value, HCK + "certainty")
            rows.append({
                "date": date[0][1].value if date else "",
                "incident": view.value(type(claim)(incident)),
                "certainty": view.label(certainty[0][1].value)[0] if certainty else "",
                "claim": view.href(claim.value),
            })
    unique = {(r["date"], r["incident"].iri, r["certainty"]): r for r in rows}
    return sorted(unique.values(), key=lambda r: (r["date"], r["incident"].text))


def incident_context(view: View, links: Links, iri: str, main: Card) -> dict[str, Any]:
    res = main.res
    by_prop: dict[str, list[Card]] = {}
    for child in main.children:
        for prop in INCIDENT_PARTS:
            if any(v.iri == child.res.iri for v in res.all(prop)):
                by_prop.setdefault(prop, []).append(child)
    main.children = [c for c in main.children
                     if not any(c in cards for cards in by_prop.values())]
    start = res.first(HCK + "startDate")
    claims = by_prop.get(HCK + "attribution", [])
    return {
        "start": start,
        "date_sources": sources(view, [v.iri for v in res.all(HCK + "dateSource")]),
        "alternatives": [_dated(view, c) for c in by_prop.get(HCK + "alternativeStart", [])],
        "impacts": sorted((_impact(view, c) for c in by_prop.get(HCK + "impact", [])),
                          key=lambda i: (i["date"], i["type"])),
        "claims": [_claim(view, c) for c in claims],
        "victims": res.all(HCK + "victim"),
        "names": res.all(SCHEMA + "name"),
        "descriptions": res.all(SCHEMA + "description"),
        "types": res.all(HCK + "incidentType"),
    }


def _dated(view: View, c: Card) -> dict[str, Any]:
    return {"anchor": c.anchor, "date": c.res.first(HCK + "date"),
            "note": c.res.all(SKOS_NOTE),
            "sources": sources(view, [v.iri for v in c.res.all(DCT_SOURCE)])}


def _impact(view: View, c: Card) -> dict[str, Any]:
    kind = c.res.first(HCK + "impactType")
    status = c.res.first(HCK + "status")
    date = c.res.first(HCK + "date")
    quantities = [child.summary for child in c.children if child.summary]
    quantities += [f"{label}: {', '.join(v.text for v in values)}" for label, prop, values
                   in c.rows if prop.startswith(HCK) and values and not values[0].iri
                   and prop not in (HCK + "date",)]
    return {"anchor": c.anchor, "type": kind.text if kind else c.res.label,
            "status": status.text if status else "", "date": date.text if date else "",
            "quantities": quantities, "note": c.res.all(SKOS_NOTE),
            "sources": sources(view, [v.iri for v in c.res.all(DCT_SOURCE)])}


def _claim(view: View, c: Card) -> dict[str, Any]:
    def first(prop: str) -> Value | None:
        return c.res.first(prop)

    return {"anchor": c.anchor, "actor": first(HCK + "attributedTo"),
            "malware": first(HCK + "malware"), "kind": first(HCK + "actorKind"),
            "certainty": first(HCK + "certainty"), "basis": first(HCK + "basis"),
            "asserted": first(HCK + "assertedOn"), "note": c.res.all(SKOS_NOTE),
            "sources": sources(view, [v.iri for v in c.res.all(DCT_SOURCE)])}
