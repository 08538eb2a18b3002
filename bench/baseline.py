"""The old yardstick, kept for comparison (`bench/run.py --baseline`): rdflib's in-memory store
and pySHACL, re-parsing the dataset for every command, beside kg's steps; at the largest size
the baseline parses once and runs every step in one process (figures marked so), a step still
running after --baseline-limit seconds is stopped and reported as "> N". Also `kg import
finess` on a synthetic register (--finess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run import OUT, REPO, step


def baseline_all(root: Path, home: Path, limit: float) -> dict:
    """The baseline's steps in one process; those not done within `limit` seconds are left out
    and the result says how long it ran."""
    partial = root.parent / "baseline-partial.json"
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "step.py"), "baseline-all", str(root), str(home)],
            capture_output=True,
            text=True,
            check=True,
            timeout=limit,
            env={**os.environ, "KG_BENCH_PARTIAL": str(partial)},
        )
    except subprocess.TimeoutExpired:
        pass
    result = json.loads(partial.read_text()) if partial.exists() else {"info": {}, "peak_mb": None}
    result["wall"] = round(time.perf_counter() - started, 3)
    result["limit"] = limit
    return result


def measure_baseline(r: dict, size: str, root: Path, home: Path, limit: float) -> None:
    """The baseline's steps beside kg's (in `r`), for the table of this module."""
    print(f"== {size}: baseline", flush=True)
    if size in ("3m", "10m"):
        r["baseline_all"] = baseline_all(root, home, limit)
        return
    r["baseline_parse"] = step("baseline-parse", root, home)
    for q in (["attacks", *ATTACKS], ["ght-exposure"], ["actor-counts"]):
        r[f"baseline_{q[0]}"] = step("baseline-query", root, home, *q)
    r["baseline_validate"] = step("baseline-validate", root, home)
    r["baseline_export"] = step("baseline-export", root, home, str(OUT / size / "b.nq"))


ATTACKS = ["near=Paris", "radius_km=50", "from=2022", "to=2022"]


SYNTHETIC_BASE = "https://w3id.org/hospital-cyber-kg/synthetic/id/"


def finess_import(establishments: int, seed: int) -> dict:
    """Whole-process times of `kg import finess` on a synthetic register in the real format:
    converted to N-Triples, and imported into a store (a build of the shipped data)."""
    register = OUT / f"finess-{establishments}-{seed}.csv"
    if not register.exists():
        subprocess.run(
            [sys.executable, "-m", "kg.synthetic.register", "--establishments", str(establishments)]
            + ["--seed", str(seed), "-o", str(register)],
            check=True,
            capture_output=True,
        )
    root, home = OUT / "finess" / "project", OUT / "finess" / "home"
    shutil.rmtree(OUT / "finess", ignore_errors=True)
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    kg = [sys.executable, "-m", "kg", "--root", str(root), "--home", str(home)]
    subprocess.run([*kg, "build", "-q"], check=True)
    out: dict = {"establishments": establishments, "lines": sum(1 for _ in register.open("rb"))}
    for label, extra in (
        ("to N-Triples", ["--output", str(OUT / "finess" / "register.nt")]),
        ("into the store", []),
    ):
        started = time.perf_counter()
        subprocess.run(
            [*kg, "import", "finess", str(register), "--base", SYNTHETIC_BASE, *extra],
            check=True,
            capture_output=True,
        )
        out[label] = round(time.perf_counter() - started, 3)
    return out


def table(results: list[dict]) -> str:
    lines = [
        "| size | triples | step | kg s | baseline s | ratio | kg peak MB | baseline peak MB |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for label, ours, base in rows(r):
            if isinstance(base[0], str):  # "> N" (did not finish) or "not run"
                ratio = f"> {float(base[0][2:]) / ours[0]:.1f}x" if base[0][0] == ">" else ""
            else:
                ratio = f"{base[0] / ours[0]:.1f}x" if ours[0] and base[0] else ""
            lines.append(
                f"| {r['size']} | {r['triples']:,} | {label} | {ours[0]:.2f} | "
                f"{_fmt(base[0])} | {ratio} | {ours[1]:,.0f} | {_fmt(base[1], 0)} |"
            )
    return "\n".join(lines)


def _fmt(x: float | str | None, places: int = 2) -> str:
    if isinstance(x, str):
        return x
    return "" if x is None else f"{x:,.{places}f}"


STEPS = ("build", "reopen", "attacks", "ght-exposure", "actor-counts", "validate", "export")
Row = tuple[str, tuple[float, float], tuple[float | str | None, float | None]]


def rows(r: dict) -> list[Row]:
    """(step, (kg seconds, kg peak), (baseline seconds, baseline peak)) for each step."""
    out: list[Row] = []
    if "baseline_all" in r:
        b = r["baseline_all"]["info"]
        peak = r["baseline_all"]["peak_mb"]
        # Past the time limit: the step that was running took more than what was left of the
        # limit; the steps after it did not run.
        order = ["parse", "query attacks", "query ght-exposure", "query actor-counts"]
        order += ["validate", "export"]
        finished = sum(b[k] for k in order if k in b)
        running = next((k for k in order if k not in b), None)
        parse = b.get("parse", 0.0)

        def plus(key: str) -> float | str:
            if key in b:
                return float(parse + b[key]) if key != "parse" else float(parse)
            if key == running:
                return f"> {parse + r['baseline_all']['limit'] - finished:.0f}"
            return "not run"

        base = {
            "build": plus("parse"),
            "reopen": plus("parse"),
            "attacks": plus("query attacks"),
            "ght-exposure": plus("query ght-exposure"),
            "actor-counts": plus("query actor-counts"),
            "validate": plus("validate"),
            "export": plus("export"),
        }
        peaks = dict.fromkeys(base, peak)
    else:
        # each kg step beside the baseline process that did the same (parsing stands for both
        # the build and the reopen)
        source = {name: f"baseline_{name}" for name in STEPS}
        source["build"] = source["reopen"] = "baseline_parse"
        base = {name: r[key]["wall"] for name, key in source.items()}
        peaks = {name: r[key]["peak_mb"] for name, key in source.items()}
    for name, label in [
        ("build", "build (whole process)"),
        ("reopen", "reopen + count incidents"),
        ("attacks", "attacks near Paris 2022 (whole process)"),
        ("ght-exposure", "GHT exposure, all victims (whole process)"),
        ("actor-counts", "incidents per actor (whole process)"),
        ("validate", "validate, whole graph"),
        ("export", "export N-Triples"),
    ]:
        out.append((label, (r[name]["wall"], r[name]["peak_mb"]), (base[name], peaks[name])))
    out.append(
        (
            "attacks: median of whole `kg attacks` runs",
            (r["attacks_wall_median"], 0.0),
            (None, None),
        )
    )
    out.append(("attacks: the query in process", (r["attacks"]["seconds"], 0.0), (None, None)))
    out.append(
        ("GHT exposure: the query in process", (r["ght-exposure"]["seconds"], 0.0), (None, None))
    )
    out.append(
        (
            "re-validate after a change to one data file",
            (r["revalidate"]["seconds"], r["revalidate"]["peak_mb"]),
            (None, None),
        )
    )
    return out
