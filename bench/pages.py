"""The pages of kg serve under load, on the current build of a project (the shipped data by
default; point --root/--home at a project with the 3M-triple synthetic import for the issue's
figure): the time of the first request of the home page, a filtered home page and an incident
page (the one that makes it: kg serve keeps the pages it made), then the median and 95th
percentile of the next ones (sequential requests on one keep-alive connection, each timed from
request to last byte on loopback), then N concurrent readers for S seconds counting errors.

    python bench/pages.py                         # 50 requests per page, 50 readers for 30 s
    python bench/pages.py --requests 20 --readers 10 --seconds 5
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

PAGES = {
    "home": "/",
    "home near Paris 2022": "/?year=2022&region=" + quote("Île-de-France"),
    "incident": "/id/incident/2022-08-21-chsf-corbeil-essonnes",
}


def timed(host: str, port: int, path: str, n: int) -> list[float]:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        connection.request("GET", path, headers={"Accept": "text/html"})
        answer = connection.getresponse()
        answer.read()
        times.append(time.perf_counter() - start)
        assert answer.status == 200, (path, answer.status)
    connection.close()
    return times


def readers(host: str, port: int, count: int, seconds: float) -> tuple[int, int, dict[int, int]]:
    stop = time.monotonic() + seconds
    done, errors = [0], [0]
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def read() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        paths = list(PAGES.values())
        i = 0
        while time.monotonic() < stop:
            try:
                connection.request("GET", paths[i % len(paths)], headers={"Accept": "text/html"})
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
            with lock:
                done[0] += 1
                statuses[status] = statuses.get(status, 0) + 1
                if status != 200:
                    errors[0] += 1
            i += 1

    threads = [threading.Thread(target=read) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], errors[0], statuses


def main() -> None:
    from kg.project import Project
    from kg.publishing.serve import make_server

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    project = Project.find(args.root, args.home)
    # one client address holds at most per_client queries: the readers all come from 127.0.0.1
    server = make_server(project, port=0, per_client=args.readers, queue=args.readers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    parts = urlsplit(server.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 0
    try:
        print(f"{'page':<24} {'first ms':>9} {'median ms':>10} {'p95 ms':>8}")
        for name, path in PAGES.items():
            # the first request makes the page (kg serve keeps it: the build does not change)
            first = timed(host, port, path, 1)[0]
            times = sorted(timed(host, port, path, args.requests))
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"{name:<24} {first * 1000:>9.1f} {statistics.median(times) * 1000:>10.1f} "
                  f"{p95 * 1000:>8.1f}")
        total, errors, statuses = readers(host, port, args.readers, args.seconds)
        print(f"{args.readers} readers for {args.seconds:g} s: {total} pages, {errors} errors "
              f"({total / args.seconds:.1f}/s; statuses {statuses})")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
