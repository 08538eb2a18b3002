"""The anchors: the engines kg stands on, doing the same work on the same data in the same run,
so that every figure of kg is a ratio against one of them (the machine is shared and noisy;
ratios measured side by side hold where seconds do not).

- Oxigraph's bulk load of the build's own N-Quads: pyoxigraph's `Store.bulk_load` (one file
  after another, as a bare script would) and the `oxigraph load` command (PyPI `oxigraph`,
  the `bench` extra; it loads several files in parallel). Each in a process of its own, with
  its peak memory.
- Virtuoso answering a catalogue query through its SPARQL HTTP endpoint (text/csv), after
  the build was loaded into it.
- curl's Graph Store Protocol load into Virtuoso (in bench/push.py: `curl_baseline`).
- `oxigraph serve` on a copy of the build's store (in bench/serving.py).

    python bench/anchors.py load FOLDER FILE...   # prints one JSON line
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path


def oxigraph_cli() -> str | None:
    """The `oxigraph` command beside this interpreter (the `bench` extra), or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def measured(command: list[str]) -> dict:
    """Run `command` from a fresh process that has no other child, so that RUSAGE_CHILDREN
    is that command's own peak memory; {"seconds", "peak_mb"}."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "s = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': round(s, 3), 'peak_mb': round(peak, 1)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_load(files: list[Path], folder: Path) -> dict | None:
    """`oxigraph load --lenient` of `files` into a new store in `folder`; None without it."""
    cli = oxigraph_cli()
    if cli is None:
        return None
    shutil.rmtree(folder, ignore_errors=True)
    command = [cli, "load", "--location", str(folder), "--lenient", "--file"]
    result = measured([*command, *map(str, files)])
    shutil.rmtree(folder, ignore_errors=True)
    return result


def bulk_load(files: list[Path], folder: Path, keep: bool = False) -> dict:
    """pyoxigraph's bulk_load of `files`, one after the other, lenient like kg's build (the
    store is kept in `folder` with `keep`: a store loaded but not optimized)."""
    shutil.rmtree(folder, ignore_errors=True)
    result = measured([sys.executable, __file__, "load", str(folder), *map(str, files)])
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def query_seconds(store: Path, text: str, runs: int = 3) -> float:
    """Median in-process seconds of `text` on the store, answered as CSV by the store."""
    out = subprocess.run(
        [sys.executable, __file__, "query", str(store), str(runs)],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _query(store: str, runs: int) -> None:
    import statistics

    import pyoxigraph as ox

    text = sys.stdin.read()
    opened = ox.Store.read_only(store)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = opened.query(text, use_default_graph_as_union=True)
        result.serialize(format=ox.QueryResultsFormat.CSV)  # type: ignore[union-attr]
        times.append(time.perf_counter() - started)
    print(round(statistics.median(times), 4))


def catalogue_text(repo: Path, name: str) -> str:
    """A catalogue query with its defaults, as `kg query NAME --explain` prints it for any
    SPARQL console (without the block only the embedded store runs)."""
    sys.path.insert(0, str(repo))
    from kg.catalogue import find_query
    from kg.engines import LOCAL_BLOCK
    from kg.params import Resolver, bind
    from kg.query import explain

    query = find_query(repo / "queries", name)
    bindings = bind(query, {}, Resolver(gazetteer=lambda: None, engine=None))  # type: ignore[arg-type]
    return LOCAL_BLOCK.sub("", explain(query.text, bindings))


def _load(folder: str, files: list[str]) -> None:
    import pyoxigraph as ox

    store = ox.Store(folder)
    for path in files:
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS, lenient=True)
    store.flush()


def virtuoso_query(sparql_url: str, text: str, graph: str, runs: int = 3) -> dict:
    """Median seconds of the query on Virtuoso's endpoint over the named graph `graph` as its
    default graph, answered as CSV (rows counted)."""
    import statistics

    times, rows = [], 0
    body = urllib.parse.urlencode({"query": text, "default-graph-uri": graph}).encode()
    for _ in range(runs):
        request = urllib.request.Request(
            sparql_url,
            data=body,
            headers={
                "Accept": "text/csv",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=600) as answer:
            data = answer.read()
        times.append(time.perf_counter() - started)
        rows = data.count(b"\n") - 1
    return {"seconds": round(statistics.median(times), 3), "rows": rows}


if __name__ == "__main__":
    if sys.argv[1] == "load":
        _load(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "query":
        _query(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
