"""One step of the benchmark, run in its own process so that its time and peak memory are its
own: `python bench/step.py STEP ROOT HOME [ARGS...]` prints one JSON line
{"seconds": in-process time of the step, "peak_mb": peak resident memory, "info": ...}.

Steps of kg (the persisted Oxigraph store): build, reopen, query NAME [key=value...], validate,
export FORMAT FILE. Steps of the baseline (rdflib's in-memory store and pySHACL, which re-parse
the dataset for every command): baseline-parse, baseline-query NAME [key=value...],
baseline-validate, baseline-export FILE, and baseline-all (one parse, then every step, for the
largest size, where re-parsing for each step would take too long). With KG_BENCH_PARTIAL=FILE
the baseline writes its timings so far (and its peak memory) to FILE after each of its steps, so
that a run stopped at a time limit still reports what finished.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    """Peak resident memory of this process: VmHWM, the high-water mark of its own address space.
    (Linux's ru_maxrss is carried over exec from the process that started it, here the bench
    runner, whose memory would then be counted as this step's.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def params(args: list[str]) -> dict[str, str]:
    return dict(a.split("=", 1) for a in args)


def run(step: str, root: Path, home: Path, args: list[str]) -> dict[str, Any]:
    from kg.project import Project

    project = Project(root=root, home=home)
    started = time.perf_counter()
    info: Any = None
    if step == "build":
        from kg.store import build

        manifest = build(project, force=True).manifest
        info = {"triples": manifest["triples"], "phases": manifest.get("phases", {})}
    elif step == "reopen":
        from kg.store import open_dataset, require_build

        ds = open_dataset(require_build(project))
        info = len(
            list(
                ds.query(
                    "SELECT ?i WHERE { ?i a "
                    "<https://w3id.org/hospital-cyber-kg/ontology#Incident> }"
                )
            )
        )
    elif step == "query":
        from kg.query import run_query

        info = len(run_query(project, args[0], params(args[1:])).table.rows)  # type: ignore[union-attr]
    elif step == "validate":
        from kg.revalidation import validate_project

        outcome = validate_project(project)
        info = [len(outcome.report.results), outcome.how]
    elif step == "export":
        from kg.exporting.rdf import export
        from kg.store import require_build

        with open(args[1], "wb") as out:
            export(project, require_build(project), args[0], out)
        info = Path(args[1]).stat().st_size
    elif step.startswith("baseline"):
        info = baseline(step, project, args)
    else:
        raise SystemExit(f"unknown step {step}")
    return {"seconds": round(time.perf_counter() - started, 3), "peak_mb": peak_mb(), "info": info}


def baseline(step: str, project: Any, args: list[str]) -> Any:
    """rdflib's in-memory Dataset, parsed from the build's N-Quads, and pySHACL."""
    from kg.store import require_build

    build = require_build(project)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    for path in [build.nquads, *sorted((build.path / "imports").glob("*.nq"))]:
        ds.parse(path, format="nquads")
    timings["parse"] = time.perf_counter() - t
    _partial(timings)
    if step == "baseline-parse":
        return len(ds)
    steps = ["query", "validate", "export"] if step == "baseline-all" else [step[9:]]
    for name in steps:
        if name == "query":
            queries = (
                [args]
                if step != "baseline-all"
                else [
                    ["attacks", "near=Paris", "radius_km=50", "from=2022", "to=2022"],
                    ["ght-exposure"],
                    ["actor-counts"],
                ]
            )
            for q in queries:
                t = time.perf_counter()
                rows = _memory_query(project, ds, q)
                timings[f"query {q[0]}"] = time.perf_counter() - t
                timings[f"rows {q[0]}"] = rows
                _partial(timings)
        elif name == "validate":
            from kg.validation import load_shapes, validate_graph

            t = time.perf_counter()
            from rdflib import Graph

            union = Graph()
            for s, p, o, _g in ds.quads():
                union.add((s, p, o))
            report = validate_graph(union, load_shapes(project.root))
            timings["validate"] = time.perf_counter() - t
            timings["violations"] = len(report.results)
            _partial(timings)
        elif name == "export":
            t = time.perf_counter()
            target = args[0] if step == "baseline-export" else "/dev/null"
            ds.serialize(destination=target, format="nquads")
            timings["export"] = time.perf_counter() - t
    return {k: round(v, 3) for k, v in timings.items()}


def _partial(timings: dict[str, float]) -> None:
    target = os.environ.get("KG_BENCH_PARTIAL")
    if target:
        done = {k: round(v, 3) for k, v in timings.items()}
        Path(target).write_text(json.dumps({"info": done, "peak_mb": peak_mb()}))


def _memory_query(project: Any, ds: Any, args: list[str]) -> int:
    from kg.engines import MemoryEngine
    from kg.query import execute, prepare

    engine = MemoryEngine(ds)
    query, bindings = prepare(project, args[0], params(args[1:]), engine)
    return len(execute(engine, query.text, bindings).table.rows)  # type: ignore[union-attr]


if __name__ == "__main__":
    step, root, home, *rest = sys.argv[1:]
    print(json.dumps(run(step, Path(root), Path(home), rest)))
