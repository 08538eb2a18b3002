"""The built dataset as a STIX 2.1 bundle: incidents (Incident Core extension, with their start
event and their impacts), victims (identity), their communes (location), threat actors, malware
families, attribution claims (attributed-to with a confidence), and the sources of each as
external references.

The bundle is deterministic: identifiers are UUIDv5 of our IRIs, `created`/`modified` come from
the dates of the data, objects are sorted by type then identifier and keys are sorted. The mapping
and what it loses are documented in docs/stix.md."""

from __future__ import annotations

import json
from typing import IO, Any

from rdflib.namespace import RDF

from kg.exporting.stix_incidents import Incidents
from kg.exporting.stix_mapping import BUNDLE, object_time
from kg.namespaces import HCK
from kg.project import Project
from kg.store import Build

TYPE_ORDER = [
    "extension-definition",
    "identity",
    "location",
    "threat-actor",
    "malware",
    "incident",
    "event",
    "impact",
    "relationship",
    "language-content",
]


def bundle(build: Build) -> dict[str, Any]:
    """The bundle of a build, as a JSON-ready dict."""
    from kg.exporting.rdf import _parse_build, _union

    return Exporter(_union(_parse_build(build))).bundle()


def dumps(value: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def export(project: Project, build: Build, out: IO[bytes]) -> None:
    """Write the STIX bundle of `build` to `out` (the `project` is the exporters' signature)."""
    out.write(dumps(bundle(build)))


class Exporter(Incidents):
    """Walks the union graph of a build and collects the STIX objects, keyed by identifier."""

    def bundle(self) -> dict[str, Any]:
        incidents: list[Any] = sorted(self.g.subjects(RDF.type, HCK.Incident), key=str)
        self._first_dates(incidents)
        self._producer()
        for actor in sorted(self.g.subjects(RDF.type, HCK.ThreatActor), key=str):
            self._threat(actor, "threat-actor")
        for malware in sorted(self.g.subjects(RDF.type, HCK.Malware), key=str):
            self._threat(malware, "malware")
            for actor in self._all(malware, HCK.usedBy):
                self._uses(actor, malware)
        for incident in incidents:
            self._incident(incident)
        objects = sorted(
            self.objects.values(), key=lambda o: (TYPE_ORDER.index(o["type"]), o["id"])
        )
        return {"type": "bundle", "id": BUNDLE, "objects": objects}

    def _first_dates(self, incidents: list[Any]) -> None:
        """For victims, their communes, actors and malware: the first start of an incident
        that names them, their `created`."""
        for incident in incidents:
            created = object_time(self._one(incident, HCK.startDate))
            nodes = list(self.g.objects(incident, HCK.victim))
            nodes += [c for v in list(nodes) for c in self.g.objects(v, HCK.commune)]
            for claim in self.g.objects(incident, HCK.attribution):
                nodes += self.g.objects(claim, HCK.attributedTo)
                nodes += self.g.objects(claim, HCK.malware)
            for node in nodes:
                self.since[node] = min(self.since.get(node, created), created)
        if incidents:
            self.fallback = min(object_time(self._one(i, HCK.startDate)) for i in incidents)
