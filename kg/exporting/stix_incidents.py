"""The STIX objects of an incident: the incident (Incident Core extension and ours), its start
event, its impacts (Impact extension), the `targets` of its victims and the `attributed-to`
relationships of its attribution claims, with the unnamed actor of a claim that names only a
kind of actor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg.durations import duration_text
from kg.exporting.stix_mapping import (
    ACTOR_KIND_TYPES,
    AVAILABILITY_VALUE,
    CONFIDENCE,
    EVENT_EXTENSION,
    HCK_EXTENSION,
    IMPACT_EXTENSION,
    INCIDENT_CORE,
    INCIDENT_TYPES,
    MONETARY,
    concept_reference,
    impact_category,
    loss_type,
    object_time,
    reference_order,
    self_reference,
    stix_id,
    timestamp,
    utc,
)
from kg.exporting.stix_objects import Objects, code_of, json_number
from kg.namespaces import HCK, ID, SCHEMA


class Incidents(Objects):
    """Adds the objects of incidents to those of `Objects`."""

    def _incident(self, node: Any) -> None:
        g = self.g
        start = self._one(node, HCK.startDate)
        if start is None:  # the loader refuses such incidents; imports cannot make them
            return
        end = self._one(node, HCK.endDate)
        created = object_time(start)
        kind = code_of(self._one(node, HCK.incidentType))
        types = [INCIDENT_TYPES[kind]] if kind in INCIDENT_TYPES else []
        impacts = self._all(node, HCK.impact)
        claims = self._all(node, HCK.attribution)
        dates = [start, end, *(self._one(i, HCK.date) for i in impacts)]
        dates += [g.value(c, HCK.assertedOn) for c in claims]
        modified = max(object_time(d) for d in dates if d is not None)
        obj = self._base("incident", str(node), created, modified)
        ident = str(obj["id"])
        core: dict[str, Any] = {
            "extension_type": "property-extension",
            "determination": "confirmed",
            "investigation_status": "closed",
            "events": [{"event_ref": self._event(node, types, created), "sequence_start": True}],
        }
        if types:
            core["incident_types"] = types
        if impacts:
            core["impact_refs"] = sorted(self._impact(i, created) for i in impacts)
        mine: dict[str, Any] = {"extension_type": "property-extension", "start": str(start)}
        if end is not None:
            mine["end"] = str(end)
        alternatives = [self._alternative(a) for a in self._all(node, HCK.alternativeStart)]
        if alternatives:
            mine["alternative_starts"] = alternatives
        obj["extensions"] = {INCIDENT_CORE: core, HCK_EXTENSION: mine}
        self._references(
            obj,
            self_reference(node),
            *self._concepts(node, HCK.incidentType),
            *self._sources(node),
        )
        self._translated(
            obj,
            {
                "name": self._texts(node, SCHEMA.name),
                "description": self._texts(node, SCHEMA.description),
            },
        )
        for victim in self._all(node, HCK.victim):
            target = self._victim(victim)
            link = self._base("relationship", f"{node}|targets|{victim}", created)
            link.update(relationship_type="targets", source_ref=ident, target_ref=target)
        for claim in claims:
            self._claim(node, ident, claim, created)

    def _event(self, node: URIRef, types: list[str], created: str) -> str:
        start, end = self._one(node, HCK.startDate), self._one(node, HCK.endDate)
        obj = self._base("event", f"{node}#start", created)
        obj["status"] = "occurred"
        if types:
            obj["event_types"] = types
        obj["start_time"], fidelity = timestamp(start)
        if fidelity:
            obj["start_time_fidelity"] = fidelity
        if end is not None and utc(end) > utc(start):
            obj["end_time"], fidelity = timestamp(end)
            if fidelity:
                obj["end_time_fidelity"] = fidelity
        obj["extensions"] = {EVENT_EXTENSION: {"extension_type": "new-sdo"}}
        self._references(obj, *self._sources(node, HCK.dateSource))
        return str(obj["id"])

    def _alternative(self, node: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"start": str(self._one(node, HCK.date))}
        if note := self._texts(node, SKOS.note):
            out["note"] = note
        refs = sorted(self._sources(node), key=reference_order)
        if refs:
            out["external_references"] = refs
        return out

    def _impact(self, node: Any, incident_created: str) -> str:
        kind, status = (
            code_of(self._one(node, HCK.impactType)),
            code_of(self._one(node, HCK.status)),
        )
        date, count = self._one(node, HCK.date), self._one(node, HCK["count"])
        obj = self._base("impact", str(node), object_time(date) if date else incident_created)
        category = impact_category(str(kind))
        obj["impact_category"] = category
        if category == "availability-ext":
            detail: dict[str, Any] = {
                "availability_impact": 0 if status == "ruled-out" else AVAILABILITY_VALUE
            }
        elif category == "confidentiality-ext":
            detail = {"loss_type": loss_type(str(kind), str(status))}
            if detail["loss_type"] != "none":
                detail["information_type"] = "unknown"
            if count is not None:
                detail["record_count"] = int(count)
        else:
            detail = self._money(node, MONETARY[str(kind)])
        if count is not None and kind is not None and category != "confidentiality-ext":
            obj["impacted_entity_counts"] = {kind: int(count)}
        if status == "ruled-out":
            obj["criticality"] = 0
        mine: dict[str, Any] = {"extension_type": "property-extension"}
        if date is not None:
            obj["start_time"], fidelity = timestamp(date)
            if fidelity:
                obj["start_time_fidelity"] = fidelity
            mine["date"] = str(date)
        if (duration := duration_text(self.g, node)) is not None:
            mine["duration"] = duration
        obj["extensions"] = {IMPACT_EXTENSION: {"extension_type": "new-sdo"}, category: detail}
        if len(mine) > 1:
            obj["extensions"][HCK_EXTENSION] = mine
        self._references(
            obj,
            self_reference(node),
            *self._concepts(node, HCK.impactType, HCK.status),
            *self._sources(node),
        )
        self._translated(obj, {"description": self._texts(node, SKOS.note)})
        return str(obj["id"])

    def _money(self, node: Any, variety: str) -> dict[str, Any]:
        out: dict[str, Any] = {"variety": variety}
        money = self._one(node, HCK.amount)
        value = self._one(money, SCHEMA.value) if money is not None else None
        if value is not None and Decimal(str(value)) > 0:
            amount = json_number(value)
            out.update(
                currency=str(self._one(money, SCHEMA.currency)),
                min_amount=0 if variety == "ransom-demand" else amount,
                max_amount=amount,
            )
        return out

    def _claim(self, incident: URIRef, ident: str, node: Any, incident_created: str) -> None:
        g = self.g
        if code_of(self._one(node, HCK.certainty)) == "denied":
            return  # STIX has no negated relationship: a denial is not an attributed-to
        asserted = self._one(node, HCK.assertedOn)
        created = object_time(asserted) if asserted is not None else incident_created
        targets = [
            (stix_id("threat-actor", str(a)), str(a)) for a in g.objects(node, HCK.attributedTo)
        ]
        targets += sorted(
            (stix_id("malware", str(m)), str(m)) for m in g.objects(node, HCK.malware)
        )
        kind = self._one(node, HCK.actorKind)
        if not targets and kind is not None:
            targets = [(self._unnamed(incident, node, kind, created), f"{node}#actor")]
        refs = [self_reference(node), *self._sources(node)]
        refs += self._concepts(node, HCK.basis, HCK.actorKind)
        certainty = code_of(self._one(node, HCK.certainty))
        for target, name in targets:
            obj = self._base("relationship", f"{node}|{name}", created)
            obj.update(
                relationship_type="attributed-to",
                source_ref=ident,
                target_ref=target,
            )
            if certainty in CONFIDENCE:
                obj["confidence"] = CONFIDENCE[certainty]
            if asserted is not None:
                obj["extensions"] = {
                    HCK_EXTENSION: {
                        "extension_type": "property-extension",
                        "asserted": str(asserted),
                    }
                }
            self._references(obj, *refs)
            self._translated(obj, {"description": self._texts(node, SKOS.note)})

    def _unnamed(self, incident: URIRef, claim: Any, kind: Any, created: str) -> str:
        """The stand-in threat actor of a claim that names only a kind of actor."""
        obj = self._base("threat-actor", f"{claim}#actor", created)
        key = str(incident)[len(str(ID)) :].split("/", 1)[-1]
        obj.update(
            name=f"{self._label(kind)} (unnamed; {key})",
            threat_actor_types=[ACTOR_KIND_TYPES.get(str(code_of(kind)), "unknown")],
            external_references=[concept_reference(kind)],
        )
        return str(obj["id"])
