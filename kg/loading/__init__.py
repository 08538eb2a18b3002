"""Loading: ontology/ and data/ into one RDF dataset, one named graph per source family.

`load_project(root)` reads every file, collects every problem (each naming its file and line) and
raises them together as DataErrors, or returns the graphs and where each resource was written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.errors import DataErrors
from kg.loading.context import Context
from kg.loading.ght import load_ghts, load_memberships
from kg.loading.ght_list import ght_list_files, load_ght_list
from kg.loading.incidents import incident_files, load_incidents
from kg.loading.inputs import check_inputs
from kg.loading.ontology import load_ontology, ontology_files, shape_files
from kg.loading.organisations import load_organisations
from kg.loading.places import (
    COG_SOURCE,
    GEONAMES_SOURCE,
    Place,
    gazetteer_dir,
    load_places,
    read_places,
)
from kg.loading.register import load_categories, load_establishments, load_legal_entities
from kg.loading.snapshot import load_snapshot, register_mode, snapshot_files
from kg.loading.sources import load_sources
from kg.loading.territory import territory_lines, territory_wanted
from kg.loading.threats import load_actors, load_malware

__all__ = [
    "Loaded",
    "check_inputs",
    "load_project",
    "load_references",
    "register_mode",
    "input_files",
    "shape_files",
    "ontology_files",
]

Places = dict[str, dict[str, Place]]  # kind -> code -> place, as read_places gives them


@dataclass
class Loaded:
    graphs: dict[str, Graph]
    origins: dict[str, str]
    lines: list[str] = field(default_factory=list)  # N-Quads written directly (the territory)
    register_lines: list[str] = field(default_factory=list)  # the snapshot's, into dataset.nq
    notices: list[str] = field(default_factory=list)
    snapshot: dict[str, int | str] = field(default_factory=dict)


def load_project(
    root: Path,
    register: str = "none",
    superseded: Collection[str] = (),
    territory: bool | None = None,
) -> Loaded:
    """`register`: the part of the register snapshot to add (hospitals, all, none);
    `superseded`: the FINESS numbers an imported register gives, left out of the snapshot;
    `territory`: every place of the gazetteer in graph/territory (default: unless
    KG_TERRITORY=0, see kg/loading/territory.py), else the places the data uses in
    graph/places."""
    ctx, places = load_references(root, register, superseded)
    load_incidents(ctx)
    lines: list[str] = []
    if territory_wanted() if territory is None else territory:
        # Every place, the data's among them: graph/places would repeat them (and a union
        # default graph that keeps each graph's copy would give rows twice).
        sources = ctx.root / "data" / "sources.csv"
        cog = ctx.source_refs(COG_SOURCE, sources, 0)
        geonames = ctx.source_refs(GEONAMES_SOURCE, sources, 0)
        lines = territory_lines(places, cog, geonames)
    else:
        load_places(ctx, places)
    if ctx.problems:
        raise DataErrors(ctx.problems)
    return Loaded(ctx.graphs, ctx.origins, lines, ctx.lines, ctx.notices, ctx.snapshot)


def load_references(
    root: Path, register: str = "none", superseded: Collection[str] = ()
) -> tuple[Context, Places]:
    """Everything incidents refer to (ontology, sources, places, register, GHTs, organisations,
    threats), read into a new context; the places are returned for load_places."""
    ctx = Context(root=root)
    load_ontology(ctx)
    load_sources(ctx)
    places = read_places(ctx)
    ctx.communes = {code: p.parent for code, p in places["commune"].items()}
    ctx.departments = set(places["department"])
    ctx.regions = {code for code in places["region"] if len(code) == 2}
    load_categories(ctx)
    load_legal_entities(ctx)
    load_establishments(ctx)
    load_snapshot(ctx, register, superseded)
    ctx.ghts = load_ghts(ctx)
    load_memberships(ctx, ctx.ghts)
    load_ght_list(ctx, register)
    load_organisations(ctx)
    load_actors(ctx)
    load_malware(ctx)
    return ctx, places


def input_files(root: Path) -> list[Path]:
    """Every file whose content the build depends on, in a stable order."""
    data = root / "data"
    tables = sorted(p for p in data.glob("*.csv"))
    gazetteer = sorted(gazetteer_dir(root).glob("*.csv"))
    return [
        *ontology_files(root),
        *shape_files(root),
        *tables,
        *gazetteer,
        *snapshot_files(root),
        *ght_list_files(root),
        *incident_files(root),
    ]
