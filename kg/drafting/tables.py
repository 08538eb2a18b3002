"""What the draft matches names against, read from the project's data/: the curated
establishments, legal entities, organisations and GHTs, the FINESS register snapshot, the
gazetteer's communes and departments, and the actors and malware with their aliases."""

from __future__ import annotations

import csv
import functools
import gzip
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Words that say what kind of place a name is, not which one.
GENERIC = frozenset(
    "centre center ctre hospitalier hospitaliere hospitaliers hopital hopitaux hospital ch chu chr "
    "chru chi chs chg chic cht hosp site de du des la le les l d et en sur clinique cl clin "
    "polyclinique prive privee universitaire regional regionale intercommunal intercommunale "
    "groupe groupement ght ehpad usld maternite fondation institut general generale specialise "
    "mutualiste sante medical medicale the of and a etablissement public a aux university "
    "regional general teaching"
    .split()
)
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "mtp": "montpellier"}


def fold(text: str) -> str:
    """Lowercase, without accents or ligatures."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", fold(text))
    return [ABBREVIATIONS.get(w, w) for w in words]


def distinctive(text: str) -> frozenset[str]:
    return frozenset(t for t in tokens(text) if t not in GENERIC and len(t) > 1)


@dataclass(frozen=True)
class Entity:
    """A possible victim: `key` is what an incident file's `victims` takes (a FINESS number, a
    GHT code, an organisation slug); `curated` says it is in data/'s tables (else the register)."""

    key: str
    kind: str  # establishment | legal-entity | organisation | ght
    name: str
    commune: str  # INSEE code or ""
    curated: bool
    category: str = ""
    parent: str = ""  # the legal entity of an establishment


@dataclass
class Commune:
    insee: str
    name: str
    department: str
    population: int


@dataclass
class Threat:
    slug: str
    kind: str  # actor | malware
    name: str
    aliases: tuple[str, ...]
    actor: str = ""  # the actor of a malware family


@dataclass
class Tables:
    entities: list[Entity] = field(default_factory=list)
    index: dict[str, list[int]] = field(default_factory=dict)  # distinctive token -> entities
    communes: dict[str, Commune] = field(default_factory=dict)
    commune_names: dict[str, list[str]] = field(default_factory=dict)  # folded name -> INSEE
    departments: dict[str, str] = field(default_factory=dict)  # folded name -> code
    threats: list[Threat] = field(default_factory=list)
    hospital_categories: frozenset[str] = frozenset()

    def entity_tokens(self, entity: Entity) -> frozenset[str]:
        commune = self.communes.get(entity.commune)
        return distinctive(entity.name) | (distinctive(commune.name) if commune else frozenset())


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def commune_key(name: str) -> str:
    words = tokens(name)
    if words and words[0] in ("le", "la", "les", "l"):
        words = words[1:]
    return " ".join(words)


@functools.cache
def load_tables(root: Path) -> Tables:
    data = root / "data"
    t = Tables()
    t.hospital_categories = frozenset(
        r["code"] for r in _rows(data / "register" / "categories.csv") if r["hospital"] == "yes"
    ) | frozenset(r["code"] for r in _rows(data / "finess_categories.csv"))
    for r in _rows(data / "gazetteer" / "communes.csv"):
        pop = int(r["population"]) if r["population"].isdigit() else 0
        t.communes[r["insee"]] = Commune(r["insee"], r["name"], r["department"], pop)
        t.commune_names.setdefault(commune_key(r["name"]), []).append(r["insee"])
    for r in _rows(data / "gazetteer" / "departments.csv"):
        t.departments[commune_key(r["name"])] = r["code"]
    _curated(t, data)
    _register(t, data)
    for n, e in enumerate(t.entities):
        for tok in distinctive(e.name):
            t.index.setdefault(tok, []).append(n)
    t.threats = _threats(data)
    return t


def _curated(t: Tables, data: Path) -> None:
    seats: dict[str, str] = {}
    for r in _rows(data / "legal_entities.csv"):
        seats[r["finess_ej"]] = r["commune"]
    sites: dict[str, list[str]] = defaultdict(list)
    for r in _rows(data / "establishments.csv"):
        sites[r["finess_ej"]].append(r["commune"])
        t.entities.append(
            Entity(r["finess_et"], "establishment", r["name"], r["commune"], True,
                   r["category"], r["finess_ej"])
        )
    for r in _rows(data / "legal_entities.csv"):
        commune = r["commune"] or (sites[r["finess_ej"]][0] if len(set(sites[r["finess_ej"]]))
                                   == 1 else "")
        t.entities.append(Entity(r["finess_ej"], "legal-entity", r["name"], commune, True))
    for r in _rows(data / "organisations.csv"):
        t.entities.append(Entity(r["slug"], "organisation", r["name"], r["commune"], True))
    for r in _rows(data / "ghts.csv"):
        t.entities.append(Entity(r["code"], "ght", r["name"], "", True))


def _register(t: Tables, data: Path) -> None:
    known = {e.key for e in t.entities}
    seatless = {e.key: n for n, e in enumerate(t.entities) if e.kind == "legal-entity"
                and not e.commune}
    sites: dict[str, list[str]] = defaultdict(list)
    for r in _rows(data / "register" / "establishments.csv.gz"):
        if r["finess_ej"] in seatless and r["commune"] and r["category"] in t.hospital_categories:
            sites[r["finess_ej"]].append(r["commune"])
        if r["finess_et"] in known or r["category"] not in t.hospital_categories:
            continue
        t.entities.append(
            Entity(r["finess_et"], "establishment", r["name"], r["commune"], False,
                   r["category"], r["finess_ej"])
        )
    for ej, n in seatless.items():
        # the commune its name gives ('... de Rouen') among those of its hospital sites in the
        # register, else the commune of most of them
        e, communes = t.entities[n], sites.get(ej, [])
        named = [c for c in set(communes) if commune_key(t.communes[c].name) in commune_key(
            e.name) and c in t.communes]
        top = Counter(communes).most_common(1)[0] if communes else ("", 0)
        seat = named[0] if len(named) == 1 else top[0] if top[1] * 2 > len(communes) else ""
        if seat:
            t.entities[n] = Entity(e.key, e.kind, e.name, seat, e.curated)


def _threats(data: Path) -> list[Threat]:
    found = []
    for r in _rows(data / "actors.csv"):
        aliases = tuple(a.strip() for a in r["aliases"].split("|") if a.strip())
        found.append(Threat(r["slug"], "actor", r["name"], aliases))
    for r in _rows(data / "malware.csv"):
        aliases = tuple(a.strip() for a in r["aliases"].split("|") if a.strip())
        found.append(Threat(r["slug"], "malware", r["name"], aliases, r["actor"]))
    return found


def fold_same(text: str) -> str:
    """Lowercase without accents, one character for one: offsets in it are offsets in `text`."""
    out = []
    for c in text:
        base = unicodedata.normalize("NFKD", c)[0] if c not in "œŒæÆ" else c
        out.append(base.lower() if len(base.lower()) == 1 else c)
    return "".join(out).replace("’", "'")
