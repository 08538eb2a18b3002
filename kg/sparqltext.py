"""Small, careful operations on SPARQL text: its form, its top-level WHERE group, and terms
serialised for a VALUES block (the only way to bind values on a remote endpoint)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_REF = re.compile(r"<[^\s<>\"{}|^`\\]*>")


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    """(offset, character) of the characters outside comments, strings and IRIs."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<" and (m := _IRI_REF.match(text, i)):
            i = m.end()
            continue
        yield i, c
        i += 1


def query_form(text: str) -> str:
    code = "".join(c for _, c in _tokens(text))
    m = _FORM.search(code)
    return m.group(1).upper() if m else "SELECT"


def where_group_start(text: str) -> int:
    """Offset just after the '{' that opens the query's top-level WHERE group."""
    form = query_form(text)
    depth, groups = 0, 0
    code = "".join(c for _, c in _tokens(text))
    skip_template = form == "CONSTRUCT" and not re.search(r"CONSTRUCT\s+WHERE", code, re.I)
    for offset, c in _tokens(text):
        if c == "{":
            if depth == 0:
                groups += 1
                if not (skip_template and groups == 1):
                    return offset + 1
            depth += 1
        elif c == "}":
            depth -= 1
    raise QueryError("the query has no WHERE group")


def sparql_term(term: Node) -> str:
    """A term written for a VALUES block, escaped so that no value can change the query."""
    if isinstance(term, URIRef):
        if _IRI_FORBIDDEN.search(str(term)):
            raise QueryError(f"'{term}' is not a valid IRI", 'IRIs cannot hold spaces, <>"{}|^`\\')
        return f"<{term}>"
    if isinstance(term, Literal):
        escaped = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.language:
            return f'"{escaped}"@{term.language}'
        if term.datatype:
            return f'"{escaped}"^^{sparql_term(term.datatype)}'
        return f'"{escaped}"'
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be a parameter value")
    raise QueryError(f"cannot write {term!r} in SPARQL")


def with_values(text: str, bindings: Mapping[str, Node]) -> str:
    """The query with a `VALUES (?a ?b) { (x y) }` block at the head of every group (the WHERE
    group, a union branch, an OPTIONAL, an EXISTS) whose own patterns and filters use one of the
    bound variables. SPARQL evaluates groups from the inside out, so a single VALUES block at the
    top would not reach the filters of nested groups; and a filter that meets its values in its
    own group is one an optimiser can apply as early as a constant."""
    if not bindings:
        return text
    start = where_group_start(text) - 1
    groups = _groups(text, start)
    inserts = []
    for open_at, own_code in groups:
        used = sorted(n for n in bindings if re.search(rf"\?{re.escape(n)}\b", own_code))
        if used:
            inserts.append((open_at + 1, _values_block(used, bindings)))
    if not inserts:
        inserts.append((start + 1, _values_block(sorted(bindings), bindings)))
    for at, block in sorted(inserts, reverse=True):
        text = text[:at] + block + text[at:]
    return text


def _values_block(names: list[str], bindings: Mapping[str, Node]) -> str:
    return (
        f"\n  VALUES ({' '.join('?' + n for n in names)}) "
        f"{{ ({' '.join(sparql_term(bindings[n]) for n in names)}) }}"
    )


def _groups(text: str, start: int) -> list[tuple[int, str]]:
    """(offset of '{', its own code without nested groups) of the groups from `start` on."""
    stack: list[tuple[int, list[str]]] = []
    out = []
    for offset, c in _tokens(text):
        if offset < start:
            continue
        if c == "{":
            stack.append((offset, []))
        elif c == "}":
            if not stack:
                break
            open_at, own = stack.pop()
            out.append((open_at, "".join(own)))
        elif stack:
            stack[-1][1].append(c)
    return out


MAX_NESTING = 100
MAX_QUERY_CHARS = 1_000_000


def check_size_and_nesting(text: str) -> None:
    """Refuse, before any parser sees it, a query too long or nested too deeply (thousands of
    parentheses or braces crash a recursive parser)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long", f"at most {MAX_QUERY_CHARS:,}"
        )
    depth = deepest = 0
    for _offset, c in _tokens(text):
        if c in "({[":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    raise QueryError(
                        f"the query nests brackets more than {MAX_NESTING} deep",
                        "flatten the query",
                    )
        elif c in ")}]":
            depth -= 1
