"""The query catalogue: queries/*.rq, one question per file, with a grlc-style header.

    #+ summary: one line
    #+ description: what it answers and how
    #+ params:
    #+   year: {type: xsd:integer, optional: true, description: ...}
    #+ defaults:
    #+   - radius_km: 50
    #+ tags:
    #+   - geography

The `#+` lines are YAML (as in grlc). A parameter NAME is the SPARQL variable ?_NAME, bound by
the engine; its type says how a value given on the command line is read (see params.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import DataError, QueryError


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    optional: bool = False
    default: Any = None
    description: str = ""
    kind: str = ""  # for type iri: the resource kind of a bare key, e.g. incident

    @property
    def variable(self) -> str:
        return f"_{self.name}"


@dataclass
class CatalogueQuery:
    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        from kg.sparqltext import query_form

        return query_form(self.text)


MAX_QUERY_BYTES = 1024 * 1024
HEADER_HINT = "see queries/README.md for the #+ header"


def read_query(path: Path, shown: Path | None = None) -> CatalogueQuery:
    """A catalogue query and its grlc-style header; a malformed file is a DataError naming it."""
    from kg.files import read_text

    shown = shown or path
    text = read_text(path, shown, MAX_QUERY_BYTES)
    header_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())[:200]
        raise DataError(shown, None, f"the #+ header is not YAML: {problem}", HEADER_HINT) from None
    except RecursionError:
        raise DataError(shown, None, "the #+ header is nested too deeply", HEADER_HINT) from None
    if not isinstance(header, dict) or not header.get("summary"):
        raise DataError(shown, 1, "no '#+ summary:' line", "start the file with #+ summary: ...")
    try:
        return _query(path, text, header)
    except (TypeError, ValueError, AttributeError) as exc:
        problem = " ".join(str(exc).split())[:200]
        raise DataError(
            shown, None, f"the #+ header is malformed ({problem})", HEADER_HINT
        ) from None


def _query(path: Path, text: str, header: dict[str, Any]) -> CatalogueQuery:
    defaults: dict[str, Any] = {}
    for item in header.get("defaults") or []:
        defaults.update(item)
    params = {}
    for name, spec in (header.get("params") or {}).items():
        spec = spec or {}
        if not isinstance(name, str) or not isinstance(spec, dict):
            raise ValueError(f"parameter {name!r} is not a name with a mapping")
        params[name] = Param(
            name=name,
            type=spec.get("type", "xsd:string"),
            optional=bool(spec.get("optional", False)) or name in defaults,
            default=defaults.get(name),
            description=spec.get("description", ""),
            kind=spec.get("kind", ""),
        )
    return CatalogueQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description") or "").strip(),
        tags=list(header.get("tags") or []),
        params=params,
    )


def catalogue(folder: Path) -> dict[str, CatalogueQuery]:
    return {p.stem: read_query(p) for p in sorted(folder.glob("*.rq"))}


def find_query(folder: Path, name: str) -> CatalogueQuery:
    queries = catalogue(folder)
    if name not in queries:
        import difflib

        close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "`kg queries` lists them"
        raise QueryError(f"no query named '{name}' in {folder}", hint)
    return queries[name]
