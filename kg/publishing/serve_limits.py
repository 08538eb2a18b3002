"""What `kg serve` checks in a query's text before any parser sees it: its size, how deep its
groups nest, how many UNION branches it has, whether it is an update, and which SERVICE
endpoints it names (refused unless the operator allow-listed them with --allow-service).

Oxigraph's parser recurses on nesting: 5,000 nested parentheses or `{}` groups, or 10,000 UNION
branches, overflow its stack and kill the process; here such a query is refused with a 400 in
linear time (one regular-expression pass over at most --max-query characters). SPARQL's
`\\uXXXX` escapes are undone first, as the parser does, so a keyword cannot hide behind them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MAX_QUERY = 100_000  # characters
MAX_DEPTH = 64  # nested (), {} and [] groups; the catalogue's deepest query nests 6
MAX_UNIONS = 256

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"(?P<comment>\#[^\n]*)"
    r"|(?P<string>\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><[^\s<>\"{}|^`\\]*>)"
    r"|(?P<code>[^#\"'<]+|.)",
    re.DOTALL,
)
_UPDATE = re.compile(
    r"^\s*(?:(?:BASE\s*<@\d+>|PREFIX\s+[\w.-]*:\s*<@\d+>)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_SERVICE = re.compile(r"(?<![\w:?$.-])SERVICE\s+(?:SILENT\s+)?(<@(\d+)>|\S*)", re.IGNORECASE)
_UNION = re.compile(r"(?<![\w:?$.-])UNION(?![\w:-])", re.IGNORECASE)


@dataclass(frozen=True)
class Refusal:
    """Why a query is not run: the HTTP status and the one-line message."""

    status: int
    message: str


@dataclass(frozen=True)
class Scanned:
    code: str  # the query with comments and strings blanked and each IRI as <@n>
    iris: list[str]


def scan(query: str) -> Scanned:
    """The code of `query` outside comments, strings and IRIs, with the IRIs set apart."""
    text = _ESCAPE.sub(_unescape, query)
    code: list[str] = []
    iris: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "code":
            code.append(match.group())
        elif kind == "iri":
            code.append(f"<@{len(iris)}>")
            iris.append(match.group()[1:-1])
        else:
            code.append(" " if kind == "comment" else '""')
    return Scanned("".join(code), iris)


def _unescape(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"


def depth(code: str) -> int:
    deepest = level = 0
    for c in code:
        if c in "({[":
            level += 1
            deepest = max(deepest, level)
        elif c in ")}]":
            level -= 1
    return deepest


def check(query: str, max_query: int, allowed_services: frozenset[str]) -> Refusal | None:
    """None when the query may run; else why not."""
    if len(query) > max_query:
        return Refusal(
            413, f"the query has {len(query)} characters; this endpoint takes at most {max_query}"
        )
    scanned = scan(query)
    if _UPDATE.match(scanned.code):
        return Refusal(403, "this endpoint is read-only: SPARQL Update is refused")
    deepest = depth(scanned.code)
    if deepest > MAX_DEPTH:
        return Refusal(
            400, f"the query nests groups {deepest} deep; this endpoint takes at most {MAX_DEPTH}"
        )
    unions = len(_UNION.findall(scanned.code))
    if unions > MAX_UNIONS:
        return Refusal(
            400, f"the query has {unions} UNIONs; this endpoint takes at most {MAX_UNIONS}"
        )
    for match in _SERVICE.finditer(scanned.code):
        refusal = _service(match, scanned.iris, allowed_services)
        if refusal:
            return refusal
    return None


def _service(
    match: re.Match[str], iris: list[str], allowed: frozenset[str]
) -> Refusal | None:
    hint = "the operator allows endpoints with kg serve --allow-service URL"
    if match.group(2) is None:
        target = match.group(1)[:60] or "nothing"
        return Refusal(
            400,
            f"SERVICE {target} is refused: only a SERVICE <IRI> allowed by this endpoint "
            f"runs ({hint})",
        )
    iri = iris[int(match.group(2))]
    if iri not in allowed:
        return Refusal(
            400, f"SERVICE <{iri[:200]}> is refused: this endpoint does not query it ({hint})"
        )
    return None
