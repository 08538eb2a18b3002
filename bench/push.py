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
from kg.pushing import push  # noqa: E402
from kg.pushing_http import Credentials  # noqa: E402
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


def run(
    server: Virtuoso, builds: dict[str, Build], methods: list[str], update_max: int
) -> list[str]:
    rows = [
        "| size (triples) | method | seconds | triples/s | staging s | swap s | pieces |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    credentials = Credentials(server.user, server.password)
    for size, found in builds.items():
        for method in methods:
            if method == "update" and found.manifest["triples"] > update_max:
                rows.append(
                    f"| {found.manifest['triples']} | update | skipped (--update-max) | | | | |"
                )
                continue
            graph = f"https://w3id.org/hospital-cyber-kg/graph/bench-{size}-{method}"
            started = time.perf_counter()
            report = push(found, server.sparql_url, graph, method, credentials=credentials)
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
    parser.add_argument("--methods", default="gsp,update")
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
        rows = run(server, builds, args.methods.split(","), args.update_max)
    finally:
        script("stop", str(folder))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
