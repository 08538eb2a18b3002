"""The benchmark: kg beside the engines it stands on, measured in the same run on the same data
(issue 16), at ~300k, ~3M and ~10M triples (seeded synthetic data from kg.synthetic.graph, under
its own namespace, added as an import of a copy of the project):

- build (whole process, forced) beside Oxigraph's own bulk load of the same N-Quads
  (pyoxigraph's `bulk_load` and the `oxigraph load` command: the faster is the anchor);
- `kg query ght-exposure -f csv` (whole process) beside Virtuoso answering the same query over
  HTTP, the build loaded into it by curl's Graph Store Protocol load;
- `kg push` beside that curl load (same server, same pieces);
- `kg serve` beside `oxigraph serve` on a copy of the same store, N clients running the query
  catalogue (bench/serving.py);
- what `optimize()` costs and buys; validate and export; and, with --baseline, the old
  yardstick: rdflib's in-memory store and pySHACL re-parsing the dataset.

    python bench/run.py                          # 300k and 3m, Virtuoso and serving
    python bench/run.py --sizes 300k --serve-seconds 10 --no-virtuoso   # a quick look
    python bench/run.py --sizes 300k,3m,10m --reuse  # keep the synthetic builds between runs
    python bench/run.py --sizes 10m --merge      # one size more, beside the last run's others
    python bench/run.py --sizes 3m --only serving,virtuoso   # those steps again, on its builds

Each kg step runs in its own process (bench/step.py) so its time and peak memory are its own.
Results go to bench/out/results.json and bench/out/results.md (bench/report.py), after each
size. Every figure is a ratio against an anchor timed in the same run: the machine is shared.
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
SIZES = {
    "shipped": (0, 0),
    "300k": (10_000, 10_000),
    "3m": (100_000, 100_000),
    "10m": (270_000, 270_000),
}
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


def prepare(size: str, seed: int, reuse: bool = False) -> tuple[Path, Path]:
    """A copy of the project (data/ may be changed by the re-validation step) and its store,
    with the synthetic import for the synthetic sizes (with `reuse`, those of an earlier run)."""
    base = OUT / size
    root, home = base / "project", base / "home"
    if reuse and (home / "current").exists():
        return root, home
    shutil.rmtree(base, ignore_errors=True)
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


def build_files(home: Path) -> list[Path]:
    """The N-Quads the build in use loaded: dataset.nq and the imports."""
    found = (home / "current").resolve()
    return [found / "dataset.nq", *sorted((found / "imports").glob("*.nq"))]


def kg_steps(r: dict, root: Path, home: Path, runs: int) -> None:
    """kg's own steps, each in a process of its own."""
    built = step("build", root, home)
    r["triples"] = built["info"]["triples"]
    r["build"] = {**built, "phases": built["info"]["phases"]}
    r["reopen"] = step("reopen", root, home)
    r["attacks"] = step("query", root, home, "attacks", *ATTACKS)
    r["attacks_wall"] = r["attacks_wall_median"] = kg_wall(root, home, ATTACKS_CLI, runs)
    r["ght-exposure"] = step("query", root, home, "ght-exposure")
    r["ght_rows"] = r["ght-exposure"]["info"]
    r["ght_wall"] = kg_wall(root, home, ["query", "ght-exposure", "-f", "csv"], runs)
    r["actor-counts"] = step("query", root, home, "actor-counts")
    for cached in (home / "builds").glob("*/validation.json"):
        cached.unlink()
    r["validate"] = step("validate", root, home)
    touch_one_data_file(root)
    kg = [sys.executable, "-m", "kg", "--root", str(root), "--home", str(home)]
    subprocess.run([*kg, "build", "-q"], check=True)
    r["revalidate"] = step("validate", root, home)
    r["export"] = step("export", root, home, "nt", str(OUT / r["size"] / "export.nt"))
    (OUT / r["size"] / "export.nt").unlink(missing_ok=True)


def anchor_steps(r: dict, home: Path) -> None:
    """Oxigraph's bulk load of the same files (the faster of the two loaders is the anchor),
    and what optimize() buys: the GHT query on the built store and on one not optimized."""
    import anchors

    files = build_files(home)
    scratch = OUT / r["size"] / "anchor-store"
    cli = anchors.cli_load(files, scratch)
    bulk = anchors.bulk_load(files, scratch, keep=True)
    r["anchor_loads"] = {"oxigraph load": cli, "pyoxigraph bulk_load": bulk}
    how, best = min(
        ((k, v) for k, v in r["anchor_loads"].items() if v), key=lambda kv: kv[1]["seconds"]
    )
    r["anchor_load"] = {**best, "how": how}
    text = anchors.catalogue_text(REPO, "ght-exposure")
    r["optimize"] = {
        "seconds": r["build"]["phases"].get("optimize"),
        "with": anchors.query_seconds((home / "current" / "oxigraph").resolve(), text),
        "without": anchors.query_seconds(scratch, text),
    }
    shutil.rmtree(scratch, ignore_errors=True)


def virtuoso_steps(results: list[dict], homes: dict[str, Path], everything: list[dict]) -> None:
    """One private Virtuoso for every size: curl's load, then kg push, then the GHT query;
    `everything` (the results of every size) saved after each."""
    import anchors
    import push as push_bench

    from kg.project import Project
    from kg.publishing.client import Credentials
    from kg.publishing.push import push
    from kg.store import require_build
    from tests.virtuoso import script, start_private

    folder = OUT / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    server = start_private(folder)
    try:
        server.isql("select __dbf_set('txn_after_image_limit', 4000000000);")
        for r in results:
            found = require_build(Project(root=REPO, home=homes[r["size"]]))
            _, curl = push_bench.curl_baseline(server, found, r["size"], OUT)
            graph = f"https://w3id.org/hospital-cyber-kg/graph/bench-{r['size']}"
            credentials = Credentials(server.user, server.password)
            load_dir = folder / "load"
            load_dir.mkdir(exist_ok=True)
            for key, method, words in (
                ("push", "bulk", "bulk loader + graph group, first push"),
                # the push of every later build: into the other slot, the switch, the grace
                # period, then the previous build cleared
                ("push_again", "bulk", "bulk loader + graph group, a later push"),
                ("push_gsp", "gsp", "gsp, staging graph + COPY"),
            ):
                started = time.perf_counter()
                done = push(
                    found,
                    server.sparql_url,
                    f"{graph}-{method}",
                    method,
                    credentials=credentials,
                    load_dir=load_dir,
                )
                r[key] = {
                    "kg": time.perf_counter() - started,
                    "curl": curl,
                    "method": words,
                    "staging": done.load_seconds,
                    "swap": done.swap_seconds,
                }
            baseline = f"https://w3id.org/hospital-cyber-kg/graph/baseline-{r['size']}"
            text = anchors.catalogue_text(REPO, "ght-exposure")
            r["virtuoso_ght"] = anchors.virtuoso_query(server.sparql_url, text, baseline)
            for g in (f"{graph}-bulk-blue", f"{graph}-bulk-green", f"{graph}-gsp", baseline):
                server.isql(f"SPARQL CLEAR GRAPH <{g}>;", timeout=3600)
            save(everything)
    finally:
        script("stop", str(folder))
        shutil.rmtree(folder, ignore_errors=True)


def save(results: list[dict], load: tuple[float, float, float] | None = None) -> None:
    import report

    machine = report.machine_line(load)
    (OUT / "results.json").write_text(json.dumps({"machine": machine, "sizes": results}, indent=1))
    (OUT / "results.md").write_text(report.markdown(results, machine))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300k,3m", help="of shipped, 300k, 3m, 10m")
    parser.add_argument("--runs", type=int, default=5, help="runs of each whole kg command")
    parser.add_argument("--seed", type=int, default=20221203)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's builds")
    parser.add_argument("--no-virtuoso", action="store_true", help="skip push and Virtuoso")
    parser.add_argument("--serve-seconds", type=float, default=60, help="0: skip serving")
    parser.add_argument("--clients", type=int, default=8, help="concurrent serving clients")
    parser.add_argument("--baseline", action="store_true", help="rdflib + pySHACL too")
    parser.add_argument("--baseline-limit", type=float, default=1800)
    parser.add_argument("--finess", type=int, default=0, help="with --baseline: a register")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other sizes of the last results.json (each size's note says when)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="serving,virtuoso: only these steps, on the builds and results.json of an earlier run",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path[:0] = [str(REPO / "bench"), str(REPO)]
    sizes = args.sizes.split(",")
    if args.only:
        resume(sizes, args.only.split(","), args.clients, args.serve_seconds)
        return
    results: list[dict] = []
    if args.merge and (OUT / "results.json").exists():
        earlier = json.loads((OUT / "results.json").read_text())["sizes"]
        results = [r for r in earlier if r["size"] not in sizes]
    homes: dict[str, Path] = {}
    load = os.getloadavg()
    for size in sizes:
        print(f"== {size}: preparing", flush=True)
        root, homes[size] = prepare(size, args.seed, args.reuse)
        r: dict = {"size": size, "notes": []}
        results.append(r)
        results.sort(key=lambda x: list(SIZES).index(x["size"]))
        kg_steps(r, root, homes[size], args.runs)
        anchor_steps(r, homes[size])
        if args.serve_seconds:
            import serving

            r["serve"] = serving.compare(root, homes[size], args.clients, args.serve_seconds)
        if args.baseline and size != "10m":
            import baseline

            baseline.measure_baseline(r, size, root, homes[size], args.baseline_limit)
        load = os.getloadavg()
        r["notes"].append(f"{size}: kg and its anchors measured {_when(load)}")
        save(results, load)
    if not args.no_virtuoso:
        virtuoso_steps([r for r in results if r["size"] in homes], homes, results)
    save(results, load)
    text = (OUT / "results.md").read_text()
    if args.baseline:
        import baseline

        text += "\n" + baseline.table(results) + "\n"
        if args.finess:
            imported = baseline.finess_import(args.finess, args.seed)
            text += f"\nkg import finess: {json.dumps(imported)}\n"
        (OUT / "results.md").write_text(text)
    print(text)


def _when(load: tuple[float, float, float]) -> str:
    import report

    return report.machine_line(load).split(" (shared")[0]


def resume(sizes: list[str], steps: list[str], clients: int, seconds: float) -> None:
    """Serving and/or the Virtuoso steps again, on the builds of an earlier run (bench/out) and
    into its results.json: for a run stopped before them, or a step measured again after a
    change (the query catalogue is read as it is now)."""
    unknown = set(steps) - {"serving", "virtuoso"}
    if unknown:
        raise SystemExit(f"--only takes serving and virtuoso, not {', '.join(sorted(unknown))}")
    if not (OUT / "results.json").exists():
        raise SystemExit("--only needs an earlier run's bench/out/results.json: run bench/run.py")
    found = json.loads((OUT / "results.json").read_text())["sizes"]
    results = [r for r in found if r["size"] in sizes]
    missing = set(sizes) - {r["size"] for r in results}
    if missing:
        raise SystemExit(f"no results for {', '.join(sorted(missing))} in bench/out/results.json")
    if "serving" in steps:
        import serving

        for r in results:
            base = OUT / r["size"]
            r["serve"] = serving.compare(base / "project", base / "home", clients, seconds)
            r["notes"].append(f"{r['size']}: serving measured {_when(os.getloadavg())}")
            save(found)
    if "virtuoso" in steps:
        virtuoso_steps(results, {r["size"]: OUT / r["size"] / "home" for r in results}, found)
        for r in results:
            r["notes"].append(f"{r['size']}: push and Virtuoso measured {_when(os.getloadavg())}")
        save(found)
    print((OUT / "results.md").read_text())


ATTACKS_CLI = ["attacks", "--near", "Paris", "--radius", "50", "--year", "2022", "-f", "csv"]


if __name__ == "__main__":
    main()
