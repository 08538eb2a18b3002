"""A Virtuoso endpoint for tests marked ``@pytest.mark.virtuoso``: the session fixture ``virtuoso``.

In order of preference it uses the endpoint named by ``KG_TEST_VIRTUOSO_URL`` (its ``/sparql``
URL or its base; ``KG_TEST_VIRTUOSO_USER``, ``KG_TEST_VIRTUOSO_PASSWORD`` and
``KG_TEST_VIRTUOSO_ISQL_PORT`` go with it), else a private instance that ``scripts/virtuoso.sh``
starts in a temporary folder on two free loopback ports and stops when the session ends, else it
skips. What the endpoints do is written up in docs/virtuoso.md.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "virtuoso.sh"


class IsqlError(RuntimeError):
    """An isql command failed; isql-vt itself exits 0 on SQL errors, so we read its stderr."""


@dataclass(frozen=True)
class Virtuoso:
    base_url: str  # http://127.0.0.1:PORT, no trailing slash
    isql_port: int | None  # None for an external endpoint whose isql port was not given
    user: str = "dba"
    password: str = "dba"
    folder: Path | None = None  # the private instance's database folder (its virtuoso.log)

    @property
    def sparql_url(self) -> str:
        """Anonymous query endpoint (read-only unless SPARQL_UPDATE was granted)."""
        return f"{self.base_url}/sparql"

    @property
    def sparql_auth_url(self) -> str:
        """Query and update endpoint behind HTTP digest auth."""
        return f"{self.base_url}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        """Graph Store Protocol behind HTTP digest auth: add ``?graph-uri=<IRI>``."""
        return f"{self.base_url}/sparql-graph-crud-auth"

    def isql(self, sql: str, timeout: float = 120) -> str:
        """Run SQL statements (each ending in ';') as dba through isql-vt; return its stdout."""
        if self.isql_port is None:
            pytest.skip("KG_TEST_VIRTUOSO_ISQL_PORT is not set: no isql access to this endpoint")
        options = ["VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF"]
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.isql_port}", self.user, self.password, *options],
            input=sql,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stderr:
            raise IsqlError(f"isql-vt failed on {sql!r}: {done.stderr.strip()}")
        return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def from_environment(url: str) -> Virtuoso:
    base = url.rstrip("/").removesuffix("/sparql")
    isql_port = os.environ.get("KG_TEST_VIRTUOSO_ISQL_PORT")
    return Virtuoso(
        base_url=base,
        isql_port=int(isql_port) if isql_port else None,
        user=os.environ.get("KG_TEST_VIRTUOSO_USER", "dba"),
        password=os.environ.get("KG_TEST_VIRTUOSO_PASSWORD", "dba"),
    )


def script(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def start_private(folder: Path) -> Virtuoso:
    """Start an instance in `folder`; a port taken between choosing and binding gets a retry."""
    for _ in range(3):
        http, isql = free_port(), free_port()
        done = script("start", str(folder), str(http), str(isql))
        if done.returncode == 0:
            return Virtuoso(base_url=f"http://127.0.0.1:{http}", isql_port=isql, folder=folder)
        script("stop", str(folder))  # a timed-out start leaves its server running
        if "already in use" not in done.stderr:
            break
    pytest.fail(f"scripts/virtuoso.sh start {folder} failed:\n{done.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    url = os.environ.get("KG_TEST_VIRTUOSO_URL")
    if url:
        yield from_environment(url)
        return
    if shutil.which("virtuoso-t") is None:
        pytest.skip(
            "Virtuoso is not installed (run `bash scripts/virtuoso.sh install`) and "
            "KG_TEST_VIRTUOSO_URL is not set"
        )
    folder = tmp_path_factory.mktemp("virtuoso")
    server = start_private(folder)
    try:
        yield server
    finally:
        stopped = script("stop", str(folder))
        if stopped.returncode != 0:
            raise RuntimeError(f"scripts/virtuoso.sh stop {folder} failed:\n{stopped.stderr}")
