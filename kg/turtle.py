"""Reading Turtle files with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import DataError


def parse_turtle(path: Path, into: Graph | None = None, shown: Path | None = None) -> Graph:
    """Parse `path` into `into` (or a new graph); bad syntax becomes a DataError at its line."""
    from rdflib.plugins.parsers.notation3 import BadSyntax

    graph = into if into is not None else Graph()
    shown = shown or path
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as exc:
        raise DataError(
            shown, exc.lines + 1, f"Turtle syntax: {exc._why}", _hint(exc._why)
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError(shown, None, f"cannot be read as Turtle: {exc}") from None
    return graph


def _hint(why: str) -> str:
    if "not bound" in why:
        return "declare the prefix with @prefix at the top of the file"
    if "string literal" in why:
        return "close the string, or use triple quotes for text over several lines"
    return "fix the statement on that line; every statement ends with ' .'"
