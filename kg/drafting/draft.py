"""The draft of an incident from one article: `draft_article` reads it, finds the sentences about
the incident it reports, and proposes victims, dates, type, impacts and attributions, each value
with the span of the article that supports it (a value without one is not proposed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.drafting import cues
from kg.drafting.article import Article, read_article
from kg.drafting.attribution import Claim, claims
from kg.drafting.facts import Impact, Kind, impacts, incident_type
from kg.drafting.focus import focus
from kg.drafting.nlp import Sentence, sentences
from kg.drafting.tables import fold, fold_same, load_tables
from kg.drafting.victims import Victim
from kg.drafting.when import Published, When, find_dates
from kg.errors import KgError

Span = tuple[int, int]
_DISCOVERY = re.compile(r"detect|decouv|s'est apercu|se sont apercus|constat|repere|detected|"
                        r"discovered|noticed|spotted")
_NOT_START = re.compile(r"revendiq|claimed|publi|diffus|mis en ligne|mises en ligne|leak|"
                        r"retabli|reprise|restored|rouvert|reopen|annonce|announced|plainte")
_PUBLISHED = re.compile(r"(publi[ée]|mis à jour|modifi[ée]|published|updated|posted)\s*(le|on)?"
                        r"\s*:?\s*", re.I)


@dataclass
class Draft:
    """A proposed incident. Spans are (start, end) offsets in `article.text`."""

    article: Article
    url: str | None
    published: Published | None
    victims: list[Victim] = field(default_factory=list)
    kind: Kind | None = None
    start: When | None = None
    discovered: When | None = None
    impacts: list[Impact] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    commune_names: dict[str, str] = field(default_factory=dict)

    def quote(self, span: Span) -> str:
        return self.article.text[span[0]:span[1]]

    @property
    def empty(self) -> bool:
        return not (self.victims or self.kind or self.start)


def draft_article(root: Path, path: Path, url: str | None = None,
                  published: str | None = None) -> Draft:
    """The draft of the article in `path`; a KgError for what is not a news article."""
    article = read_article(path)
    pub = _published(article, published, path)
    sents = sentences(article.text)
    tables = load_tables(root.resolve())
    d = Draft(article, url or article.url, pub)
    if not any(cues.ATTACK.search(fold_same(s.text)) for s in sents):
        d.warnings.append("the text reports no cyberattack: nothing to draft")
        return d
    f = focus(article.text, sents, tables)
    d.victims = f.victims
    d.commune_names = {v.commune: tables.communes[v.commune].name for v in d.victims
                       if v.commune in tables.communes}
    d.kind = incident_type(sents, f.main)
    d.impacts = impacts(sents, f.main)
    d.claims, warnings = claims(sents, f.main, tables)
    d.start, d.discovered = _dates(sents, f.main, pub)
    d.warnings += warnings + _warnings(d)
    return d


def _published(article: Article, given: str | None, path: Path) -> Published | None:
    text = given or article.published
    if text:
        try:
            return Published.parse(text)
        except ValueError:
            raise KgError(f"--published is '{text}', not a date",
                          "give YYYY-MM-DD or YYYY-MM") from None
    return _published_in_text(article.text)


def _published_in_text(text: str) -> Published | None:
    """'Publié le 5 décembre 2022 à 10h12', 'Published on 05/12/2022': the article's date."""
    import dateparser

    for m in _PUBLISHED.finditer(text[:3000]):
        tail = text[m.end():m.end() + 40].split("\n")[0]
        tail = re.split(r"\s+(?:à|a|at)\s+\d", tail)[0]
        if n := re.match(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b", tail):  # French: day first
            try:
                return Published.parse(f"{n.group(3)}-{int(n.group(2)):02d}-"
                                       f"{int(n.group(1)):02d}")
            except ValueError:
                continue
        when = dateparser.parse(tail, languages=["fr", "en"], settings={
            "REQUIRE_PARTS": ["day", "month", "year"], "DATE_ORDER": "DMY"})
        if when:
            return Published(when.year, when.month, when.day)
    head = "\n".join(text.split("\n")[:6])[:600]  # a byline: 'By ... - April 18, 2024'
    for w in find_dates(head, 0, None):
        if w.precision >= 3 and w.kind in ("day", "numeric", "iso"):
            return Published.parse(w.day)
    return None


def _dates(sents: list[Sentence], main: list[bool], pub: Published | None
           ) -> tuple[When | None, When | None]:
    starts: list[When] = []
    found: list[When] = []
    for s, is_main in zip(sents, main, strict=True):
        folded = fold_same(s.text)
        if not is_main:
            continue
        for w in find_dates(s.text, s.start, pub):
            role = _role(folded, w.start - s.start, w.end - s.start)
            if role == "start" and _not_after(w, pub):
                starts.append(w)
            elif role == "discovered" and _not_after(w, pub):
                found.append(w)
    start = _earliest(starts)
    discovered = _earliest(found)
    if start is None:  # only the detection is dated: the start is not known to be earlier
        return discovered, None
    if discovered and discovered.day <= start.day:
        discovered = None
    return start, discovered


def _role(folded: str, start: int, end: int) -> str:
    """What the date at start..end of a sentence dates: the cue nearest to it decides (the
    attack, its discovery, or something else: a claim, a publication, a recovery)."""
    best = (10**6, "")
    for role, pattern in (("discovered", _DISCOVERY), ("other", _NOT_START),
                          ("start", cues.ATTACK)):
        for m in pattern.finditer(folded):
            gap = max(m.start() - end, start - m.end(), 0)
            best = min(best, (gap, role))
    return best[1]


def _not_after(w: When, pub: Published | None) -> bool:
    if pub is None:
        return True
    limit = f"{pub.year}-{pub.month:02d}" + (f"-{pub.day:02d}" if pub.day else "-31")
    return w.value[:len(limit)] <= limit[:len(w.value)]


def _earliest(dates: list[When]) -> When | None:
    """The earliest day (with its hour if a sentence gives one), else the earliest month/year."""
    for precision in (3, 2, 1):
        pool = [w for w in dates if w.precision >= precision]
        if pool:
            day = min(w.value[:len(_cut(precision))] for w in pool)
            same = [w for w in pool if w.value.startswith(day)]
            return max(same, key=lambda w: (w.precision, -w.start))
    return None


def _cut(precision: int) -> str:
    return {3: "YYYY-MM-DD", 2: "YYYY-MM", 1: "YYYY"}[precision]


def _warnings(d: Draft) -> list[str]:
    out = []
    if d.published is None:
        out.append("no publication date in the page: relative dates were not resolved "
                   "(give --published YYYY-MM-DD)")
    if not d.start:
        out.append("no start date found: give 'start' by hand from the article or another source")
    if not d.victims:
        out.append("no victim named: give 'victims' by hand")
    for v in d.victims:
        if v.entity is None and v.candidates:
            names = ", ".join(f"{e.key} {e.name}" for e in v.candidates[:5])
            out.append(f"victim '{v.mention.text}' fits several entities ({names}): choose one")
        elif v.entity is None:
            out.append(f"victim '{v.mention.text}' is not in data/ nor in the register: add it, "
                       "or give its FINESS number by hand")
        elif not v.entity.curated:
            out.append(f"victim '{v.mention.text}' is {v.entity.key} {v.entity.name} of the "
                       "FINESS register: add it to data/establishments.csv before the build")
    if d.kind and d.kind.generic:
        out.append(f"the type '{d.kind.type}' rests on general wording: check it")
    if not d.url:
        out.append("no URL for the article: give --url, the draft cites it as the source of "
                   "every fact")
    return out


def slug(d: Draft) -> str:
    if not d.victims:
        return "incident"
    m = d.victims[0].mention
    head = {"centre hospitalier": "ch", "centre hospitalier universitaire": "chu",
            "centre hospitalier regional universitaire": "chru"}.get(fold(m.head), fold(m.head))
    name = re.split(r"\s+(?:de|d'|d’|du)\s*(?=[A-ZÀ-Ý])", m.name)[0] if m.head else m.name
    words = re.findall(r"[a-z0-9]+", f"{head} {fold(name)}")
    return "-".join(words[:6]) or "incident"
