"""STIX 2.1 and 2.0 bundles into the graph, as the import `stix` (named graph graph/stix).

Threat actors, intrusion sets and malware are matched to the actors and malware families of the
graph (by ATT&CK identifier, then by name or alias, case-insensitively) and then only linked;
victims must be establishments of the register (a FINESS number), places communes of the
gazetteer (an INSEE code); incidents are imported when they have what the shapes require.
Everything else, and every property that has no place in the model, is kept: each STIX object
gets a node id/stix/{id} with its identifier, the node it became (rdfs:seeAlso) and what was not
mapped as an rdf:JSON literal (rdfs:comment). The report says what happened to each object.

The bundles are all checked before anything is written (StixErrors, exit 2); an import replaces
the previous `stix` import. docs/stix.md gives the mapping and what it loses."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset, Graph

from kg.importing.stix_bundles import Bundles, StixErrors, read_bundles
from kg.importing.stix_mapper import Entry, ImportReport, Mapper
from kg.namespaces import GRAPHS
from kg.project import Project
from kg.store import Build

__all__ = ["Entry", "ImportReport", "StixErrors", "import_bundles", "map_bundles"]


def import_bundles(
    project: Project, paths: list[Path], progress: Callable[[str], None] | None = None
) -> ImportReport:
    """Check the bundles, map them against the current build and make them the `stix` import."""
    from kg.store import add_import, build

    bundles = read_bundles(paths)  # raises StixErrors before anything is written
    current = build(project, progress=progress)
    report, graph = map_bundles(bundles, existing_graph(current))
    handle, name = tempfile.mkstemp(suffix=".nq", prefix="kg-stix-")
    os.close(handle)
    try:
        Path(name).write_text(nquads(graph), encoding="utf-8")
        report.build = add_import(project, "stix", Path(name), progress=progress)
    finally:
        Path(name).unlink(missing_ok=True)
    return report


def existing_graph(build: Build) -> Graph:
    """The union of a build's graphs but the previous STIX import, which this one replaces."""
    ds = Dataset()
    ds.parse(build.nquads, format="nquads")
    for extra in sorted((build.path / "imports").glob("*.nq")):
        if extra.name != "stix.nq":
            ds.parse(extra, format="nquads")
    g = Graph()
    for s, p, o, _ in ds.quads():
        g.add((s, p, o))
    return g


def nquads(graph: Graph) -> str:
    ds = Dataset()
    named = ds.graph(GRAPHS["stix"])
    named += graph
    lines = sorted({line for line in ds.serialize(format="nquads").splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


def map_bundles(bundles: Bundles, graph: Graph) -> tuple[ImportReport, Graph]:
    """The triples the bundles give against `graph`, and the report; writes nothing."""
    mapper = Mapper(graph, bundles)
    mapper.run()
    return mapper.report(), mapper.out
