"""Push throughput to Virtuoso: `kg push` by the Graph Store Protocol and by SPARQL Update, end to
end (staging load, count, swap, count), at three sizes: the shipped data, ~440k and ~3.8M
triples (the seeded synthetic graph of kg.synthetic.graph imported into a build of its own).

    python bench/push.py                       # all sizes, both methods; a private Virtuoso
    python bench/push.py --sizes shipped,300k --methods gsp
    python bench/push.py --work /tmp/kg-bench  # keep the synthetic builds between runs

Needs Virtuoso (`bash scripts/virtuoso.sh install`). The private instance gets
`txn_after_image_limit` raised (as dba, through isql) so that the swap of a multi-million
triple graph fits in one transaction (docs/publishing.md). Each push goes to a graph of its own,
empty before. Prints a Markdown table.

The baseline, in the same run and on the same server: curl sending the same triples straight
into a new graph by the Graph Store Protocol in the same pieces (a PUT, then POSTs; the pieces
written to files beforehand, untimed), with nothing staged, counted or swapped: what Virtuoso
itself ingests, the ceiling of a push that must also keep readers on the old graph.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.project import Project  # noqa: E402
from kg.publishing.client import Credentials  # noqa: E402
from kg.publishing.payload import Payload  # noqa: E402
from kg.publishing.push import DEFAULT_BATCH, push  # noqa: E402
from kg.store import Build, add_import, build, current_build  # noqa: E402
from tests.virtuoso import Virtuoso, script, start_private  # noqa: E402

SIZES = {"shipped": None, "300k": (10_000, 10_000), "3m": (100_000, 100_000)}


def build_for(size: str, work: Path) -> Build:
    """The build of the shipped project, or with a synthetic import, in `work`/<size>."""
    project = Project.find(root=ROOT, home=work / size)
    if SIZES[size] is None:
        return build(project)
    establishments, incidents = SIZES[size]  # type: ignore[misc]
    source = work / f"synthetic-{size}.nq"
    existing = current_build(project)
    if existing is not None and existing.manifest.get("imports") == ["synthetic.nq"]:
        return existing
    if not source.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kg.synthetic.graph",
                "--establishments",
                str(establishments),
                "--incidents",
                str(incidents),
                "-o",
                str(source),
            ],
            check=True,
            cwd=ROOT,
        )
    return add_import(project, "synthetic", source)


def curl_baseline(server: Virtuoso, found: Build, size: str, work: Path) -> tuple[int, float]:
    """(lines sent, seconds) for curl's PUT and POSTs of the build's pieces into a new graph."""
    folder = Path(tempfile.mkdtemp(prefix=f"pieces-{size}-", dir=work))
    files = []
    payload = Payload.of(found)
    for number, piece in enumerate(payload.pieces(DEFAULT_BATCH["gsp"]), 1):
        files.append(folder / f"{number:05d}.nt")
        files[-1].write_bytes(b"".join(piece))
    graph = f"https://w3id.org/hospital-cyber-kg/graph/baseline-{size}"
    url = f"{server.gsp_url}?graph-uri={graph}"
    started = time.perf_counter()
    for number, path in enumerate(files):
        subprocess.run(
            ["curl", "--silent", "--show-error", "--fail", "--digest"]
            + ["--user", f"{server.user}:{server.password}", "-X", "PUT" if number == 0 else "POST"]
            + ["-H", "Content-Type: application/n-triples", "--data-binary", f"@{path}", url],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    seconds = time.perf_counter() - started
    for path in files:
        path.unlink()
    folder.rmdir()
    return payload.lines, seconds


def run(
    server: Virtuoso, builds: dict[str, Build], methods: list[str], update_max: int, work: Path
) -> list[str]:
    rows = [
        "| size (triples) | method | seconds | triples/s | staging s | swap s | pieces |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    credentials = Credentials(server.user, server.password)
    for size, found in builds.items():
        lines, seconds = curl_baseline(server, found, size, work)
        rows.append(
            f"| {lines} | baseline: curl GSP into a new graph | {seconds:.1f} "
            f"| {lines / seconds:,.0f} | {seconds:.1f} | - | - |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
        for method in methods:
            if method == "update" and found.manifest["triples"] > update_max:
                rows.append(
                    f"| {found.manifest['triples']} | update | skipped (--update-max) | | | | |"
                )
                continue
            graph = f"https://w3id.org/hospital-cyber-kg/graph/bench-{size}-{method}"
            started = time.perf_counter()
            load_dir = (server.folder or work) / "load"  # in the private server's DirsAllowed
            load_dir.mkdir(exist_ok=True)
            report = push(
                found, server.sparql_url, graph, method, credentials=credentials, load_dir=load_dir
            )
            seconds = time.perf_counter() - started
            rows.append(
                f"| {report.triples} | {method} | {seconds:.1f} | {report.triples / seconds:,.0f} "
                f"| {report.load_seconds:.1f} | {report.swap_seconds:.1f} | {report.pieces} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,300k,3m")
    parser.add_argument("--methods", default="bulk,gsp,update")
    parser.add_argument("--work", type=Path, help="folder for the builds (default: temporary)")
    parser.add_argument(
        "--update-max", type=int, default=10_000_000, help="skip Update above this many triples"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    builds = {size: build_for(size, work) for size in args.sizes.split(",")}
    folder = Path(tempfile.mkdtemp(prefix="kg-bench-virtuoso-"))
    server = start_private(folder)
    try:
        server.isql("select __dbf_set('txn_after_image_limit', 4000000000);")
        rows = run(server, builds, args.methods.split(","), args.update_max, work)
    finally:
        script("stop", str(folder))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
