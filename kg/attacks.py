"""`kg attacks`: the rows of the `attacks` catalogue query (one per incident and victim) as a
table for people: one row per incident with its victims grouped (or one per site), each actor
with its own certainty, strongest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Node

from kg.engines import Row, Table

PER = ("incident", "site")
SEPARATOR = "; "
CERTAINTY_ORDER = ("confirmed", "claimed", "suspected", "unknown")
INCIDENT_COLUMNS = [
    "incident",
    "date",
    "victims",
    "finess",
    "communes",
    "departments",
    "actors",
]
SITE_COLUMNS = ["incident", "date", "victim", "finess", "commune", "department", "actors"]


@dataclass
class Listing:
    """The table to print, and what its closing line counts."""

    table: Table
    incidents: int
    sites: int

    @property
    def summary(self) -> str:
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'s' if n != 1 else ''}"

        return f"{plural(self.incidents, 'incident')}, {plural(self.sites, 'site')}"


def columns(per: str, near: bool) -> list[str]:
    base = INCIDENT_COLUMNS if per == "incident" else SITE_COLUMNS
    return base + (["distance_km"] if near else [])


def listing(rows: Table, per: str = "incident") -> Listing:
    """Group the query's rows; the order of the query (distance, date, incident) is kept."""
    incidents = {str(r["incident"]) for r in rows.rows}
    sites = {str(r["victim"]) for r in rows.rows}
    if per == "site":
        out = [_site_row(r) for r in rows.rows]
        return Listing(Table(SITE_COLUMNS + _extra(rows), out), len(incidents), len(sites))
    grouped: dict[str, list[Row]] = {}
    for r in rows.rows:
        grouped.setdefault(str(r["incident"]), []).append(r)
    out = [_incident_row(members) for members in grouped.values()]
    return Listing(Table(INCIDENT_COLUMNS + _extra(rows), out), len(incidents), len(sites))


def _extra(rows: Table) -> list[str]:
    return [v for v in ("distance_km", "lat", "lon") if v in rows.variables]


def _site_row(r: Row) -> Row:
    out = dict(r)
    out["victim"] = r.get("victimName")
    out["actors"] = Literal(sort_actors(_split(r.get("actors"))))
    return out


def _incident_row(members: list[Row]) -> Row:
    first = members[0]
    out: Row = {"incident": first["incident"], "date": first.get("date")}
    for column, key in (
        ("victims", "victimName"),
        ("finess", "finess"),
        ("communes", "commune"),
        ("departments", "department"),
    ):
        out[column] = Literal(SEPARATOR.join(_distinct(str(m.get(key) or "") for m in members)))
    actors = [a for m in members for a in _split(m.get("actors"))]
    out["actors"] = Literal(sort_actors(actors))
    # the rows come nearest first: the incident's distance and point are its nearest victim's
    placed = [m for m in members if m.get("distance_km") is not None] or members
    for column in ("distance_km", "lat", "lon"):
        out[column] = placed[0].get(column)
    return {k: v for k, v in out.items() if v is not None}


def _split(value: Node | None) -> list[str]:
    return [part for part in str(value or "").split(SEPARATOR) if part.strip()]


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def sort_actors(actors: Iterable[str]) -> str:
    """'Name (certainty)' items, strongest certainty first, then by name; each once."""

    def key(item: str) -> tuple[int, str]:
        inside = item.rsplit("(", 1)[-1].rstrip(")") if item.endswith(")") else ""
        certainty = inside.split(",")[0]
        rank = CERTAINTY_ORDER.index(certainty) if certainty in CERTAINTY_ORDER else 9
        return rank, item.lower()

    return SEPARATOR.join(sorted(set(actors), key=key))
