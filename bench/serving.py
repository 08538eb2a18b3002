"""Serving under load: `kg serve` beside `oxigraph serve-read-only` (the registry's Oxigraph
server, the `bench` extra) on the same store, each for the same number of seconds with the same
clients on loopback, each client running the query catalogue in a loop (every query that runs
without a parameter, as `kg query NAME --explain` prints it for any console). Throughput,
p50/p99 latency, errors (any answer but 200, or a row count that differs between the servers),
and the memory of the server (with its workers) each second: its growth is counted from a
quarter of the run (once every worker has met the larger answers) to the end.

kg serve gets --per-client, --max-rows and --memory large enough for the run (its defaults, 2
queries per client address, 10,000 rows and 2 GiB of address space per query, are limits for the
open web: on loopback all clients share one address, a cut answer would be less work than
Oxigraph's whole one, and Oxigraph's server caps no query's memory; at 300k synthetic triples
unattacked-nearby's 175,000 rows went past the 2 GiB), and both servers the same time limit per
query (TIMEOUT).

    python bench/serving.py ROOT HOME [--clients 8] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ACCEPT = "application/sparql-results+json"
TIMEOUT = 300  # seconds a query may run, on both servers (kg's default is 30)


def catalogue_texts() -> dict[str, str]:
    """The catalogue queries that need no parameter, as any endpoint takes them."""
    sys.path.insert(0, str(REPO))
    from anchors import catalogue_text

    from kg.catalogue import catalogue
    from kg.errors import KgError

    out = {}
    for name in catalogue(REPO / "queries"):
        try:
            out[name] = catalogue_text(REPO, name)
        except (KgError, TypeError):
            continue
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.args}")
        try:
            ask = urllib.parse.urlencode({"query": "ASK {}"})
            with urllib.request.urlopen(f"{url}?{ask}", timeout=5):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {limit} s")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants."""
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) / 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return round(total, 1)


def ask(url: str, text: str) -> tuple[int, int]:
    """(HTTP status, rows) of one query by POST."""
    body = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:
            data = json.loads(answer.read())
            return answer.status, len(data.get("results", {}).get("bindings", []))
    except urllib.error.HTTPError as exc:
        return exc.code, -1
    except OSError:
        return 0, -1


def load(url: str, texts: dict[str, str], clients: int, seconds: float, pid: int) -> dict:
    """`clients` threads asking the catalogue in turn for `seconds` after one warm-up round."""
    rows = {name: ask(url, text)[1] for name, text in texts.items()}
    start_mb = rss_mb(pid)
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    names = sorted(texts)

    def client(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            name = names[i % len(names)]
            i += 1
            started = time.perf_counter()
            status, count = ask(url, texts[name])
            latencies.append(time.perf_counter() - started)
            if status != 200 or count != rows[name]:
                errors.append(f"{name}: HTTP {status}, {count} rows")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    samples = []  # the memory every second: flat means no growth after the first quarter
    while any(t.is_alive() for t in threads):
        samples.append(rss_mb(pid))
        threads[0].join(1.0)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    end_mb = rss_mb(pid)
    settled = samples[len(samples) // 4] if samples else start_mb
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "queries": len(latencies),
        "qps": len(latencies) / elapsed,
        "p50": q[49],
        "p99": q[98],
        "errors": len(errors),
        "first_errors": errors[:5],
        "start_mb": start_mb,
        "end_mb": end_mb,
        "settled_mb": settled,
        "peak_mb": max([*samples, end_mb]),
        "growth_mb": end_mb - settled,
        "rows": rows,
    }


def run_server(command: list[str], url: str, texts: dict, clients: int, seconds: float) -> dict:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(url, process)
        return load(url, texts, clients, seconds, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def compare(root: Path, home: Path, clients: int = 8, seconds: float = 60) -> dict:
    """kg serve and oxigraph serve-read-only on the build in use of `home`, one after the other."""
    from anchors import oxigraph_cli

    texts = catalogue_texts()
    store = (home / "current" / "oxigraph").resolve()
    out: dict = {"clients": clients, "seconds": seconds, "queries": sorted(texts)}
    cli = oxigraph_cli()
    if cli:
        port = free_port()
        command = [cli, "serve-read-only", "--location", str(store), "--union-default-graph"]
        command += ["--bind", f"127.0.0.1:{port}", "--timeout-s", str(TIMEOUT)]
        out["oxigraph"] = run_server(
            command, f"http://127.0.0.1:{port}/query", texts, clients, seconds
        )
    port = free_port()
    command = [sys.executable, "-m", "kg", "--root", str(root)]
    command += ["--home", str(home), "serve", "--port", str(port)]
    command += ["--per-client", str(clients * 2), "--max-rows", "10000000", "--memory", "8192"]
    command += ["--timeout", str(TIMEOUT)]
    out["kg"] = run_server(command, f"http://127.0.0.1:{port}/sparql", texts, clients, seconds)
    if "oxigraph" in out and out["oxigraph"]["rows"] != out["kg"]["rows"]:
        out["rows_differ"] = True
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("home", type=Path)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    print(json.dumps(compare(args.root, args.home, args.clients, args.seconds), indent=1))


if __name__ == "__main__":
    main()
