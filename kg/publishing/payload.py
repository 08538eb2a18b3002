"""What `kg push` sends: the triples of a build (its dataset.nq and its imports) as N-Triples
lines, the graph names dropped because the whole build goes into one graph, in pieces.

The lines are taken from the N-Quads text as they are (no parsing into terms: 3.8M quads in a
few seconds), so the payload is byte for byte what the build holds. A triple found in several
graphs is sent each time (a store keeps it once); the count the push expects is the number of
distinct triples, counted by 64-bit hash. Blank nodes are refused: a store gives each request its
own blank nodes, so one split across two pieces would become two nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.store import Build

DURATION = b"^^<http://www.w3.org/2001/XMLSchema#duration>"
WKT = b"^^<http://www.opengis.net/ont/geosparql#wktLiteral>"


def triple_line(line: bytes) -> bytes | None:
    """`<s> <p> o .` from an N-Quads line `<s> <p> o [g] .`; None for a blank or comment line."""
    body = line.strip()
    if not body or body.startswith(b"#"):
        return None
    parts = body[:-1].split(None, 2)  # subject, predicate, object [graph]
    if len(parts) != 3 or not body.endswith(b"."):
        raise ValueError(f"not an N-Quads line: {line[:120]!r}")
    subject, predicate, rest = parts
    rest = rest.rstrip()
    if rest.startswith(b'"'):
        end = rest.rfind(b'"') + 1  # no graph, datatype or language tag holds a quote
        tail = rest[end:]
        if tail.startswith((b"^^", b"@")):
            suffix = tail.split(None, 1)[0]
            obj = rest[:end] + suffix
        else:
            obj = rest[:end]
    else:
        obj = rest.split(None, 1)[0]
    return b"%s %s %s .\n" % (subject, predicate, obj)


@dataclass
class Payload:
    """The triples of a build, read once, piece by piece; counts are complete once every piece
    has been taken."""

    files: list[Path]
    lines: int = 0  # triple lines sent
    distinct: int = 0  # distinct triples among them: what the target graph must hold
    durations: int = 0  # xsd:duration literals (Virtuoso stores them as numbers)
    wkt: int = 0  # geo:wktLiteral values (Virtuoso returns them as its own geometry type)
    _seen: set[int] = field(default_factory=set, repr=False)

    @classmethod
    def of(cls, build: Build) -> Payload:
        return cls(build.data_files)

    def triples(self) -> Iterator[bytes]:
        for path in self.files:
            with path.open("rb") as f:
                for number, line in enumerate(f, 1):
                    try:
                        triple = triple_line(line)
                    except ValueError:
                        raise KgError(f"{path}:{number}: not an N-Quads line") from None
                    if triple is None:
                        continue
                    if b"_:" in triple and _has_blank_node(triple):
                        raise KgError(
                            f"{path}:{number}: a blank node",
                            "kg push sends the build in pieces and cannot keep a blank node "
                            "whole across them; give the resource an IRI",
                        )
                    self._count(triple)
                    yield triple

    def _count(self, triple: bytes) -> None:
        self.lines += 1
        key = hash(triple)
        if key not in self._seen:
            self._seen.add(key)
            self.distinct += 1
        if b"^^<" in triple:
            self.durations += DURATION in triple
            self.wkt += WKT in triple

    def pieces(self, size: int) -> Iterator[list[bytes]]:
        """Lists of at most `size` triple lines."""
        piece: list[bytes] = []
        for triple in self.triples():
            piece.append(triple)
            if len(piece) >= size:
                yield piece
                piece = []
        if piece:
            yield piece
        self._seen = set()


def _has_blank_node(triple: bytes) -> bool:
    """A `_:` that starts a term, not one inside a literal or an IRI."""
    subject, _, rest = triple.partition(b" ")
    if subject.startswith(b"_:"):
        return True
    obj = rest.partition(b" ")[2]
    return obj.startswith(b"_:")
