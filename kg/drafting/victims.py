"""Victims: the establishments an article names ("l'hôpital André-Mignot de Chesnay-Rocquencourt",
"le CHU de Rennes", "Armentières hospital", an acronym it defines), matched to the curated tables
first, then to the FINESS register's hospital sites; a name that matches no entity, or several,
stays a placeholder flagged for review. The commune comes from the entity, else the gazetteer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.drafting.tables import Entity, Tables, commune_key, distinctive, fold, tokens

_CAP = r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒ][\w’'.]*(?:-[\w’'.]+)*"
_CONN = r"(?:de la|de l['’]|de|du|des|d['’]|la|le|les|l['’]|sur|en|et)"
_NAME = rf"{_CAP}(?:(?:\s+|\s*[-–]\s*)(?:{_CONN}\s*)?{_CAP}){{0,5}}"
_HEADS_WORDS = (
    r"centre hospitalier r[ée]gional universitaire|centre hospitalier universitaire|"
    r"centre hospitalier intercommunal|centre hospitalier sp[ée]cialis[ée]|centre hospitalier|"
    r"centre de lutte contre le cancer|centre d['’]oncologie|groupe hospitalier|"
    r"groupement hospitalier de territoire|h[ôo]pital priv[ée]|h[ôo]pital|polyclinique|clinique|"
    r"maternit[ée]|fondation|hospices civils|p[ôo]le sant[ée]|ehpad|institut"
)
_HEADS_ACRONYMS = r"CHRU|CHU|CHR|CHI|CHS|CH|GHT|EPSM|EHPAD|Ehpad"
_PREP = r"(?:\s+(?:de la|de l['’]|de|du|des|d['’]|of)\s*|\s+)"
FRENCH = re.compile(
    rf"\b(?P<head>(?i:{_HEADS_WORDS})|(?:{_HEADS_ACRONYMS})\b){_PREP}(?P<name>{_NAME})"
)
ENGLISH_OF = re.compile(
    rf"\b(?P<head>(?:[Hh]ospital|[Cc]linic|[Mm]aternity (?:hospital|ward))) (?:in|of|at) "
    rf"(?P<name>{_NAME})"
)
# Acronyms the press uses for a few health bodies without spelling them out.
ACRONYMS = {"AP-HP": "Assistance publique-hôpitaux de Paris", "APHP": "Assistance publique-"
            "hôpitaux de Paris", "AP-HM": "Assistance Publique - Hôpitaux de Marseille",
            "HCL": "Hospices Civils de Lyon"}
ENGLISH = re.compile(
    rf"\b(?P<name>{_NAME})\s+"
    r"(?P<head>(?:University\s+)?(?:[Hh]ospital|[Cc]linic|Medical Cent(?:er|re)))\b"
)
_PLACE = r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒ][\w’']*(?:-[\w’']+)*"
SITES = re.compile(
    rf"\b(?P<head>sites?|h[ôo]pitaux|[ée]tablissements|hospitals|sites) (?:de |d['’]|du |in |at )"
    rf"(?P<places>{_PLACE}(?:(?:,\s*|\s+(?:et|and)\s+)(?:de |d['’]|du )?{_PLACE}){{0,5}})"
)
ACRONYM = re.compile(r"\s*\((?P<acr>[A-Z][A-Za-z-]{1,9})\)")
_PUBLIC = {"ch", "chu", "chr", "chru", "chi", "chs", "hospitalier", "hosp", "hospitaliere"}
_CLINIC = {"clinique", "cl", "polyclinique", "clin", "prive", "privee"}
_NOT_NAMES = {"french", "france", "paris", "le", "la", "les", "un", "une", "the"}


@dataclass
class Mention:
    start: int
    end: int
    text: str
    head: str
    name: str
    english: bool = False


@dataclass
class Victim:
    """A victim the article names: `entity` when one matched, else a placeholder for review."""

    mention: Mention
    entity: Entity | None = None
    commune: str = ""  # INSEE code
    candidates: list[Entity] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.entity.key if self.entity else "?" + fold(self.mention.name)

    def same_as(self, other: Victim) -> bool:
        """The same victim, or a placeholder whose words are all in the other's name."""
        if self.key == other.key:
            return True
        if self.entity and other.entity:  # a site and its legal entity, or two of its sites
            a, b = self.entity, other.entity
            return a.parent == b.key or b.parent == a.key or (a.parent != "" and
                                                              a.parent == b.parent)
        mine, theirs = distinctive(self.mention.name), distinctive(other.mention.name)
        return bool(mine and theirs) and (mine <= theirs or theirs <= mine)


def find_mentions(text: str, tables: Tables) -> list[Mention]:
    """Every name of a health establishment or organisation in `text`, in order."""
    found = [_mention(m, english=False) for m in FRENCH.finditer(text)]
    found += _sites(text)
    found += [_mention(m, english=True) for m in ENGLISH.finditer(text)]
    found += [_mention(m, english=False) for m in ENGLISH_OF.finditer(text)]
    found = [m for m in found if distinctive(m.name) - _NOT_NAMES]
    aliases = _aliases(text, found, tables)
    for alias, full in aliases.items():
        flags = re.IGNORECASE if len(alias) >= 5 else 0
        for hit in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text, flags):
            if not any(f.start <= hit.start() < f.end for f in found):
                found.append(Mention(hit.start(), hit.end(), hit.group(), "", full))
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[Mention] = []
    for m in found:
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    return kept


def _sites(text: str) -> list[Mention]:
    """'les sites de Tarare et de Trévoux', 'its hospitals in Vitry-le-François and
    Saint-Dizier': one mention per place, named by its commune."""
    found = []
    for m in SITES.finditer(text):
        for p in re.finditer(_PLACE, m.group("places")):
            start = m.start("places") + p.start()
            found.append(Mention(start, start + len(p.group()), p.group(), "site", p.group()))
    return found


def _mention(m: re.Match[str], english: bool) -> Mention:
    name = re.sub(r"[.’']+$", "", m.group("name"))
    end = m.start("name") + len(name) if not english else m.end()
    start = m.start()
    return Mention(start, end, m.string[start:end], m.group("head"), name, english)


def _aliases(text: str, found: list[Mention], tables: Tables) -> dict[str, str]:
    """Acronyms the article defines after a name ('Centre hospitalier Sud Francilien (CHSF)'),
    and the names and acronyms of the curated organisations and GHTs."""
    aliases: dict[str, str] = dict(ACRONYMS)
    for m in found:
        if a := ACRONYM.match(text, m.end):
            aliases[a.group("acr")] = m.name
    for e in tables.entities:
        if e.curated and e.kind in ("organisation", "legal-entity", "ght"):
            main, *inner = [p.strip() for p in re.split(r"\s*[()]\s*", e.name) if p.strip()]
            if len(main) >= 4 and commune_key(main) not in tables.commune_names:
                aliases.setdefault(main, e.name)
            for part in inner:  # an acronym in brackets: 'AP-HM', 'CHPF', 'Ramsay Santé'
                if sum(c.isupper() for c in part) >= 2 and commune_key(part) not in \
                        tables.commune_names:
                    aliases.setdefault(part, e.name)
    return {a: n for a, n in aliases.items() if a}


def match(mention: Mention, tables: Tables) -> Victim:
    """The entity `mention` names, when exactly one fits best; else a placeholder."""
    if mention.head == "site":
        return _site(mention, tables)
    wanted = distinctive(mention.name) - {"cedex"}
    fitting = _fitting(mention, wanted, tables)
    if not fitting:
        # 'centre hospitalier de Dax-Côte d'Argent': the entity's name within a longer one
        town = commune_in(mention.name, tables)
        fitting = [e for e in _candidates(wanted, tables) if distinctive(e.name)
                   and distinctive(e.name) <= wanted and len(wanted - distinctive(e.name)) <= 2
                   and _kind_fits(mention, e) and (not town or e.commune == town)]
    if not fitting and (town := _trailing_commune(mention.name, tables)):
        # 'hôpital Nord-Ouest de Villefranche-sur-Saône': the site is in a neighbouring commune
        wanted = distinctive(mention.name[: -len(town)]) or wanted
        fitting = [e for e in _fitting(mention, wanted, tables)
                   if distinctive(town) & tables.entity_tokens(e)]
    victim = Victim(mention)
    for pool in ([e for e in fitting if e.curated], [e for e in fitting if not e.curated]):
        if pool:
            best = _best(pool, wanted, tables)
            if len(best) == 1:
                victim.entity = best[0]
            else:
                victim.candidates = best
            break
    victim.commune = victim.entity.commune if victim.entity else commune_in(mention.name, tables)
    return victim


def _site(mention: Mention, tables: Tables) -> Victim:
    """A site named by its commune: the one curated hospital there, else the one general
    hospital (CH, CHR/CHU, ex-local hospital) of the register there; else a placeholder."""
    victim = Victim(mention)
    codes = set(tables.commune_names.get(commune_key(mention.name), []))
    if not codes:
        return victim
    here = [e for e in tables.entities if e.commune in codes and e.kind == "establishment"]
    curated = [e for e in here if e.curated]
    general = [e for e in here if not e.curated and e.category in ("355", "101", "106")]
    pool = curated or general
    if len(pool) == 1:
        victim.entity = pool[0]
    else:
        victim.candidates = pool
    victim.commune = victim.entity.commune if victim.entity else (
        next(iter(codes)) if len(codes) == 1 else "")
    return victim


def _fitting(mention: Mention, wanted: frozenset[str], tables: Tables) -> list[Entity]:
    found = [e for e in _candidates(wanted, tables) if wanted <= tables.entity_tokens(e)]
    return [e for e in found if _kind_fits(mention, e)]


def _trailing_commune(name: str, tables: Tables) -> str:
    """The end of `name` that is a commune's name ('... de Villefranche-sur-Saône'), or ''."""
    m = re.search(r"(?:\s+(?:de|du|d['’])\s*|\s+)([^\s].*)$", name)
    while m:
        if commune_key(m.group(1)) in tables.commune_names:
            return m.group(1)
        m = re.search(r"(?:\s+(?:de|du|d['’])\s*|\s+)([^\s].*)$", m.group(1))
    return ""


def _candidates(wanted: frozenset[str], tables: Tables) -> list[Entity]:
    seen: set[int] = set()
    for tok in wanted:
        seen.update(tables.index.get(tok, ()))
    by_commune = {
        code for name, codes in tables.commune_names.items()
        if set(name.split()) & wanted for code in codes
    } if len(seen) < 1 else set()
    found = [tables.entities[n] for n in sorted(seen)]
    if by_commune:
        found += [e for e in tables.entities if e.commune in by_commune]
    return found


def _kind_fits(mention: Mention, entity: Entity) -> bool:
    head = set(tokens(mention.head))
    name = set(tokens(entity.name))
    if head & _CLINIC:
        return not (name & (_PUBLIC | {"ehpad", "usld"}))
    if head & {"ch", "chu", "chr", "chru", "chi", "hospitalier"}:
        return not (name & _CLINIC) and not name & {"ehpad"}
    return True


def _best(pool: list[Entity], wanted: frozenset[str], tables: Tables) -> list[Entity]:
    def score(e: Entity) -> tuple[float, int]:
        own = distinctive(e.name)
        kind = {"legal-entity": 1, "organisation": 2, "ght": 2, "establishment": 2}[e.kind]
        return (len(own & wanted) / max(1, len(own)), kind)

    top = max(score(e) for e in pool)
    best = [e for e in pool if score(e) == top]
    parents = {e.parent for e in best}
    if len(best) > 1 and len(parents) == 1 and "" not in parents:
        ej = [e for e in tables.entities if e.key in parents and e.kind == "legal-entity"]
        return ej or best
    return best


def commune_in(name: str, tables: Tables) -> str:
    """The INSEE code of the commune that ends `name` ('... de Chesnay-Rocquencourt'), when the
    gazetteer has exactly one commune of that name (the biggest if a department is not given)."""
    words = commune_key(name).split()
    for n in range(len(words)):
        key = " ".join(words[n:])
        codes = tables.commune_names.get(key, [])
        if codes:
            return max(codes, key=lambda c: tables.communes[c].population)
    return ""
