"""The benchmark: kg (the persisted Oxigraph store, SPARQL validation) side by side with the
baseline (rdflib's in-memory store and pySHACL, re-parsing the dataset for every command), at
three sizes: the shipped data, ~300k triples and ~3M triples (seeded synthetic data from
kg.synthetic.graph, under its own namespace, added as an import of a copy of the project).

    python bench/run.py                      # all three sizes (about 25-35 minutes on 2 cores)
    python bench/run.py --sizes shipped,300k # a quicker look

Each step runs in its own process (bench/step.py) so its time and peak memory are its own. The
table gives seconds, baseline/kg ratios and peak resident memory; results also go to
bench/out/results.json and bench/out/results.md. At the largest size the baseline parses once and
runs every step in that one process (re-parsing for each step would take most of an hour); its
figures are marked so, and a baseline step still running after --baseline-limit seconds is
stopped and reported as "> N" (not finished). Results are saved after each size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
SIZES = {"shipped": (0, 0), "300k": (10_000, 10_000), "3m": (100_000, 100_000)}
ATTACKS = ["near=Paris", "radius_km=50", "from=2022", "to=2022"]


def step(name: str, root: Path, home: Path, *args: str) -> dict:
    """Run one bench step in a fresh process; add its whole-process wall time."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "step.py"), name, str(root), str(home), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = round(time.perf_counter() - started, 3)
    return result


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


def kg_wall(root: Path, home: Path, args: list[str], runs: int) -> float:
    """Median whole-process time of a `kg` command."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kg", "--root", str(root), "--home", str(home), *args],
            capture_output=True,
            check=True,
        )
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def prepare(size: str, seed: int) -> tuple[Path, Path]:
    """A copy of the project (data/ may be changed by the re-validation step) and its store,
    with the synthetic import for the synthetic sizes."""
    base = OUT / size
    shutil.rmtree(base, ignore_errors=True)
    root, home = base / "project", base / "home"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    sys.path.insert(0, str(REPO))
    from kg.project import Project
    from kg.store import add_import, build

    project = Project(root=root, home=home)
    establishments, incidents = SIZES[size]
    if establishments:
        data = OUT / f"synthetic-{size}-{seed}.nq"
        if not data.exists():
            from kg.synthetic.graph import generate

            with data.open("w", encoding="utf-8") as f:
                generate(f, establishments, incidents, seed, REPO / "data" / "gazetteer")
        add_import(project, "synthetic", data)
    else:
        build(project)
    return root, home


def touch_one_data_file(root: Path) -> None:
    """A change to one data file, as a curator makes it: a note of an impact."""
    path = root / "data" / "incidents" / "2022-12-03-ch-andre-mignot.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "Prescriptions and care charts were kept by hand on paper.",
            "Prescriptions and care charts were kept by hand, on paper.",
        ),
        encoding="utf-8",
    )


def measure(size: str, runs: int, seed: int, limit: float) -> dict:
    print(f"== {size}: preparing", flush=True)
    root, home = prepare(size, seed)
    r: dict = {"size": size}
    built = step("build", root, home)
    r["triples"] = built["info"]
    r["build"] = built
    r["reopen"] = step("reopen", root, home)
    r["attacks"] = step("query", root, home, "attacks", *ATTACKS)
    r["attacks_wall_median"] = kg_wall(
        root,
        home,
        ["attacks", "--near", "Paris", "--radius", "50", "--year", "2022", "-f", "csv"],
        runs,
    )
    r["ght-exposure"] = step("query", root, home, "ght-exposure")
    r["actor-counts"] = step("query", root, home, "actor-counts")
    for cached in (home / "builds").glob("*/validation.json"):
        cached.unlink()
    r["validate"] = step("validate", root, home)
    touch_one_data_file(root)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "--root",
            str(root),
            "--home",
            str(home),
            "build",
            "-q",
        ],
        check=True,
    )
    r["revalidate"] = step("validate", root, home)
    r["export"] = step("export", root, home, "nt", str(OUT / size / "export.nt"))
    print(f"== {size}: baseline", flush=True)
    if size == "3m":
        r["baseline_all"] = baseline_all(root, home, limit)
    else:
        r["baseline_parse"] = step("baseline-parse", root, home)
        for q in (["attacks", *ATTACKS], ["ght-exposure"], ["actor-counts"]):
            r[f"baseline_{q[0]}"] = step("baseline-query", root, home, *q)
        r["baseline_validate"] = step("baseline-validate", root, home)
        r["baseline_export"] = step("baseline-export", root, home, str(OUT / size / "b.nq"))
    return r


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="shipped,300k,3m")
    parser.add_argument("--runs", type=int, default=5, help="runs of the whole `kg attacks`")
    parser.add_argument("--seed", type=int, default=20221203)
    parser.add_argument(
        "--finess",
        type=int,
        default=100_000,
        help="establishments of the synthetic FINESS register imported (0: skip)",
    )
    parser.add_argument(
        "--baseline-limit",
        type=float,
        default=1800,
        help="seconds for the baseline's steps at the largest size (default 1800)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes.split(","):
        results.append(measure(size, args.runs, args.seed, args.baseline_limit))
        (OUT / "results.json").write_text(json.dumps(results, indent=1))
    text = table(results)
    if args.finess:
        imported = finess_import(args.finess, args.seed)
        (OUT / "finess.json").write_text(json.dumps(imported, indent=1))
        text += (
            f"\n\nkg import finess, a synthetic register of {imported['establishments']:,} "
            f"establishments ({imported['lines']:,} lines; no baseline): "
            f"{imported['to N-Triples']:.1f} s to N-Triples, "
            f"{imported['into the store']:.1f} s into the store (whole process)"
        )
    (OUT / "results.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
