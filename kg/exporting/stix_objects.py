"""The STIX objects of everything but incidents: our producer identity and extension
definition, threat actors, malware families and what they use, victims (identity) and their
communes (location); with the helpers every object shares (identifiers, timestamps, texts in
several languages, external references)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.exporting.stix_mapping import (
    DEFINITION_DATE,
    PRODUCER,
    SELF,
    concept_reference,
    later,
    reference_order,
    self_reference,
    stix_id,
)
from kg.namespaces import BASE, GEO, HCK, SCHEMA, WD

EXTENSION_SCHEMA = (
    "hospital-cyber-kg property extension (docs/stix.md of the hospital-cyber-kg repository). "
    "On incident: start and end, the dates as the sources give them (YYYY, YYYY-MM, YYYY-MM-DD or "
    "a timestamp with its UTC offset), and alternative_starts, a list of {start, note, "
    "external_references} for the other start dates sources give. On impact: date (as start) and "
    "duration (ISO 8601). On an attributed-to relationship: asserted, when the claim was made."
)


def code_of(concept: object) -> str | None:
    """The code of a concept IRI (its last segment); None for no concept."""
    return None if concept is None else str(concept).rsplit("/", 1)[-1]


def json_number(value: object) -> int | float:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


class Objects:
    """The objects collected so far, keyed by identifier, and the graph they come from."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.objects: dict[str, dict[str, Any]] = {}
        self.since: dict[Any, str] = {}
        self.fallback = DEFINITION_DATE

    # --- helpers -------------------------------------------------------------------------------

    def _all(self, node: Any, prop: URIRef) -> list[Any]:
        """The objects of (node, prop), in IRI/text order."""
        return sorted(self.g.objects(node, prop), key=str)

    def _one(self, node: Any, prop: URIRef) -> Any:
        return self.g.value(node, prop)

    def _base(self, kind: str, name: str, created: str, modified: str | None = None) -> dict:
        obj = {
            "type": kind,
            "spec_version": "2.1",
            "id": stix_id(kind, name),
            "created": created,
            "modified": modified or created,
            "created_by_ref": PRODUCER,
        }
        self.objects[obj["id"]] = obj
        return obj

    def _texts(self, node: Any, prop: URIRef) -> dict[str, str]:
        out: dict[str, str] = {}
        for value in self._all(node, prop):
            if isinstance(value, Literal):
                out.setdefault(value.language or "en", str(value))
        return out

    def _translated(self, obj: dict, texts: dict[str, dict[str, str]]) -> None:
        """Texts in their object's language (English where there is one), the others in a
        language-content object."""
        first = next(iter(texts.values()), {})
        primary = "en" if "en" in first or not first else sorted(first)[0]
        if primary != "en":
            obj["lang"] = primary
        others: dict[str, dict[str, str]] = {}
        for field, by_lang in texts.items():
            for lang, text in by_lang.items():
                if lang == primary:
                    obj[field] = text
                else:
                    others.setdefault(lang, {})[field] = text
        if others:
            content = self._base(
                "language-content", f"{obj['id']}#lang", obj["modified"], obj["modified"]
            )
            content.update(object_ref=obj["id"], object_modified=obj["modified"], contents=others)

    def _references(self, obj: dict, *refs: dict[str, Any]) -> None:
        unique = {json.dumps(r, sort_keys=True): r for r in refs}
        if unique:
            obj["external_references"] = sorted(unique.values(), key=reference_order)

    def _sources(self, node: Any, prop: URIRef = DCTERMS.source) -> list[dict[str, Any]]:
        out = []
        for source in self.g.objects(node, prop):
            url = self._one(source, SCHEMA.url)
            if url is None:
                continue
            publisher = self._one(self._one(source, SCHEMA.publisher), SCHEMA.name)
            ref = {"source_name": str(publisher or urlparse(str(url)).netloc), "url": str(url)}
            if (title := self._one(source, DCTERMS.title)) is not None:
                ref["description"] = str(title)
            out.append(ref)
        return out

    def _concepts(self, node: Any, *props: URIRef) -> list[dict[str, str]]:
        """References to the vocabulary concepts `node` has for `props`."""
        return [concept_reference(c) for p in props for c in self._all(node, p)]

    def _label(self, concept: Any) -> str:
        labels = self._texts(concept, SKOS.prefLabel)
        return labels.get("en", str(code_of(concept)))

    # --- objects -------------------------------------------------------------------------------

    def _producer(self) -> None:
        me = self._base("identity", BASE, DEFINITION_DATE)  # its identifier is PRODUCER
        del me["created_by_ref"]
        me.update(
            name=SELF,
            identity_class="system",
            description="A sourced, validated knowledge graph of cyberattacks on French "
            "hospitals; every fact cites its public sources.",
            external_references=[{"source_name": SELF, "url": BASE}],
        )
        ext = self._base("extension-definition", BASE + "stix-extension", DEFINITION_DATE)
        ext.update(
            name="hospital-cyber-kg properties",
            description="Properties of hospital-cyber-kg that STIX has no place for: dates as "
            "the sources give them, alternative start dates, impact durations, when a claim "
            "was made.",
            schema=EXTENSION_SCHEMA,
            version="1.0.0",
            extension_types=["property-extension"],
        )

    def _threat(self, node: Any, kind: str) -> str:
        obj = self._base(kind, str(node), self.since.get(node, self.fallback))
        obj["name"] = str(self._one(node, SKOS.prefLabel))
        aliases = sorted({str(a) for a in self.g.objects(node, SKOS.altLabel)} - {obj["name"]})
        if aliases:
            obj["aliases"] = aliases
        if kind == "malware":
            obj["is_family"] = True
        refs = [self_reference(node), *self._sources(node)]
        for attack in self.g.objects(node, HCK.attackId):
            section = "groups" if str(attack).startswith("G") else "software"
            url = f"https://attack.mitre.org/{section}/{attack}"
            refs.append({"source_name": "mitre-attack", "external_id": str(attack), "url": url})
        for match in self.g.objects(node, SCHEMA.sameAs):
            if str(match).startswith(str(WD)):
                qid = str(match)[len(str(WD)) :]
                refs.append({"source_name": "wikidata", "external_id": qid, "url": str(match)})
        self._references(obj, *refs)
        return str(obj["id"])

    def _uses(self, actor: Any, malware: Any) -> None:
        created = later(
            self.since.get(actor, self.fallback), self.since.get(malware, self.fallback)
        )
        obj = self._base("relationship", f"{actor}|uses|{malware}", created)
        obj.update(
            relationship_type="uses",
            source_ref=stix_id("threat-actor", str(actor)),
            target_ref=stix_id("malware", str(malware)),
        )

    def _victim(self, node: Any) -> str:
        ident = stix_id("identity", str(node))
        if ident in self.objects:
            return ident
        obj = self._base("identity", str(node), self.since[node])
        obj.update(
            name=str(self._one(node, SCHEMA.name)),
            identity_class="organization",
            sectors=["healthcare"],
        )
        refs = [self_reference(node), *self._sources(node)]
        for number in self.g.objects(node, HCK.finessNumber):
            refs.append(
                {
                    "source_name": "FINESS",
                    "external_id": str(number),
                    "description": "FINESS ET (établissement)",
                }
            )
        for parent in self.g.objects(node, HCK.legalEntity):
            for number in self.g.objects(parent, HCK.finessNumber):
                refs.append(
                    {
                        "source_name": "FINESS",
                        "external_id": str(number),
                        "description": "FINESS EJ (entité juridique)",
                    }
                )
        self._references(obj, *refs)
        for commune in self._all(node, HCK.commune):
            place = self._place(commune)
            link = self._base("relationship", f"{node}|located-at|{commune}", obj["created"])
            link.update(relationship_type="located-at", source_ref=ident, target_ref=place)
        return ident

    def _place(self, node: Any) -> str:
        ident = stix_id("location", str(node))
        if ident in self.objects:
            return ident
        obj = self._base("location", str(node), self.since.get(node, self.fallback))
        name = str(self._one(node, SCHEMA.name))
        obj.update(name=name, city=name, country="FR")
        department = self._one(node, GEO.sfWithin)
        region = self._one(department, GEO.sfWithin) if department is not None else None
        if region is not None and (region_name := self._one(region, SCHEMA.name)):
            obj["administrative_area"] = str(region_name)
        latitude, longitude = self._one(node, SCHEMA.latitude), self._one(node, SCHEMA.longitude)
        if latitude is not None and longitude is not None:
            obj.update(latitude=float(latitude), longitude=float(longitude))
        refs = [self_reference(node), *self._sources(node)]
        for code in self.g.objects(node, HCK.inseeCode):
            refs.append(
                {
                    "source_name": "insee-cog",
                    "external_id": str(code),
                    "description": "INSEE code of the commune",
                }
            )
        for match in self.g.objects(node, SCHEMA.sameAs):
            if "geonames.org/" in str(match):
                geonames = str(match).rstrip("/").rsplit("/", 1)[-1]
                refs.append({"source_name": "geonames", "external_id": geonames, "url": str(match)})
        self._references(obj, *refs)
        return ident
