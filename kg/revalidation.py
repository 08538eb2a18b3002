"""Validation of a build with either engine, and re-validation of what a change touched.

The SPARQL engine's results are kept with the build (builds/<key>/validation.json). When the
build in use differs from an earlier validated build only by files of data/ (not ontology/, the
shapes, the imports or the code), only the nodes the change touched are checked again: the
subjects and objects of the N-Quads lines that differ between the two builds' dataset.nq, and the
nodes that point to them (a sh:class or sh:node constraint looks one step away). The earlier
results for every other node are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.project import Project
from kg.store import Build, require_build
from kg.validation import Report, Result, load_ontology, load_shapes, read_rdf

ENGINES = ("sparql", "pyshacl")
CACHE = "validation.json"
_ENGINE_CODE = [Path(__file__), Path(__file__).with_name("shacl_sparql.py")]


def _engine_version() -> str:
    """A hash of this engine's code: results kept by another version are not reused."""
    import hashlib

    return hashlib.sha256(b"".join(p.read_bytes() for p in _ENGINE_CODE)).hexdigest()[:16]


@dataclass
class Outcome:
    report: Report
    how: str  # what was checked, for the user


def validate_project(
    project: Project, engine: str = "sparql", progress: Callable[[str], None] | None = None
) -> Outcome:
    say = progress or (lambda _message: None)
    if engine not in ENGINES:
        raise KgError(f"unknown validation engine '{engine}'", "sparql or pyshacl")
    build = require_build(project)
    if engine == "pyshacl":
        from kg.validation import validate_build

        return Outcome(validate_build(project), "pySHACL, the whole graph")
    cached = _read(build.path / CACHE)
    if cached is not None:
        return Outcome(_with_origins(cached, build), _read_how(build.path / CACHE))
    report, how = _validate(project, build, _previous(build), say)
    return Outcome(report, how)  # a read-only command: the results are not written


def validate_new_build(
    project: Project, build: Build, previous: Build | None, say: Callable[[str], None]
) -> Report:
    """Validate a build being made (kept in it as validation.json), re-checking only what
    changed since `previous` when that is enough."""
    if previous is not None and _read(previous.path / CACHE) is None:
        previous = None
    report, how = _validate(project, build, previous, say)
    _write(build.path / CACHE, report.results, how)
    return report


def _validate(
    project: Project, build: Build, previous: Build | None, say: Callable[[str], None]
) -> tuple[Report, str]:
    import pyoxigraph as ox

    from kg.shacl_sparql import compile_shapes, validate_store

    shapes = load_shapes(project.root)
    checks = compile_shapes(shapes)
    store = ox.Store.read_only(str(build.oxigraph))
    focus = _touched(previous, build, store) if previous else None
    if focus is None:
        say("validating the whole graph")
        report = validate_store(store, checks, shapes, origins=build.origins)
        how = "the whole graph"
    else:
        assert previous is not None
        say(f"validating {len(focus)} nodes touched since build {previous.key}")
        report = revalidate(store, checks, shapes, _read(previous.path / CACHE) or [], focus)
        kept = len(report.results) - sum(r.focus in focus for r in report.results)
        how = f"{len(focus)} nodes touched by the change, {kept} results kept"
    return _with_origins(report.results, build), how


def revalidate(
    store: Any, checks: Any, shapes: Any, previous: list[Result], touched: set[str]
) -> Report:
    """The earlier results of the nodes a change did not touch, and fresh ones for the others."""
    from kg.shacl_sparql import validate_store

    fresh = validate_store(store, checks, shapes, focus=touched)
    kept = [r for r in previous if r.focus not in touched]
    return Report(sorted(set(kept) | set(fresh.results)))


def touched_nodes(old_lines: set[str], new_lines: set[str], store: Any) -> set[str]:
    """The subjects and objects of the N-Quads (or N-Triples) lines that differ, and the nodes
    of `store` that point to them."""
    nodes = _nodes(old_lines ^ new_lines)
    return nodes | _referrers(store, nodes)


def validate_files(project: Project, paths: list[Path], engine: str = "sparql") -> Report:
    """The union of RDF files (with the ontology beside them), by either engine."""
    data = load_ontology(project.root)
    for path in paths:
        data += read_rdf(path, shown=path)
    shapes = load_shapes(project.root)
    if engine == "pyshacl":
        from kg.validation import validate_graph

        return validate_graph(data, shapes)
    import pyoxigraph as ox

    from kg.shacl_sparql import compile_shapes, validate_store

    store = ox.Store()
    store.load(
        data.serialize(format="nt").encode("utf-8"),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode("https://w3id.org/hospital-cyber-kg/graph/files"),
    )
    return validate_store(store, compile_shapes(shapes), shapes)


def _previous(build: Build) -> Build | None:
    """The most recently validated other build, if its validation was kept."""
    candidates = [
        p
        for p in build.path.parent.iterdir()
        if p != build.path and (p / "manifest.json").is_file() and _read(p / CACHE) is not None
    ]
    if not candidates:
        return None
    newest = max(candidates, key=lambda p: (p / CACHE).stat().st_mtime)
    return Build(newest, json.loads((newest / "manifest.json").read_text()))


def _touched(previous: Build, build: Build, store: Any) -> set[str] | None:
    """The nodes to check again, or None when only a full validation will do."""
    old, new = previous.manifest.get("inputs", {}), build.manifest.get("inputs", {})
    changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
    if not old or not new or any(not k.startswith("data/") for k in changed):
        return None
    return touched_nodes(_lines(previous), _lines(build), store)


def _lines(build: Build) -> set[str]:
    """The lines of the build's dataset and territory (the imports are in its inputs)."""
    out: set[str] = set()
    for path in (build.nquads, build.territory):
        if path.is_file():
            out.update(path.read_text(encoding="utf-8").splitlines())
    return out


def _nodes(lines: set[str]) -> set[str]:
    import pyoxigraph as ox

    text = "\n".join(sorted(lines)) + "\n"
    out = set()
    for quad in ox.parse(text, format=ox.RdfFormat.N_QUADS):
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode):
                out.add(term.value)
    return out


def _referrers(store: Any, nodes: set[str]) -> set[str]:
    out: set[str] = set()
    ordered = sorted(nodes)
    for start in range(0, len(ordered), 500):
        values = " ".join(f"<{n}>" for n in ordered[start : start + 500])
        query = (
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o . FILTER(isIRI(?s)) }}"
        )
        out |= {row["s"].value for row in store.query(query, use_default_graph_as_union=True)}
    return out


def _with_origins(results: list[Result], build: Build) -> Report:
    origins = build.origins
    return Report(sorted(replace(r, origin=origins.get(r.focus, "")) for r in results))


def _read(path: Path) -> list[Result] | None:
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("engine") != _engine_version():
            return None
        return [Result(**row) for row in doc["results"]]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _read_how(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8")).get("how") or "kept results")
    except (OSError, ValueError, AttributeError):
        return "kept results"


def _write(path: Path, results: list[Result], how: str = "") -> None:
    doc = {"engine": _engine_version(), "how": how, "results": [asdict(r) for r in results]}
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=0, ensure_ascii=False))
    tmp.replace(path)
