"""Dates in an article's words ("samedi soir", "lundi 8 mars", "mi-avril", "dans la nuit de
samedi à dimanche", "en août dernier", "on Saturday evening"), resolved against the article's own
date with the precision that allows: a day (with its time and the Paris offset when the text
gives an hour), a month, or a year. A weekday against a month-only date gives only the month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg.drafting.tables import fold

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "janv": 1, "fevr": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
}
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
_M = r"(?P<month>janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|" \
     r"novembre|d[ée]cembre|january|february|march|april|may|june|july|august|september|" \
     r"october|november|december|janv\.?|f[ée]vr\.?|avr\.?|juil\.?|sept\.?|oct\.?|nov\.?|" \
     r"d[ée]c\.?|jan\.?|feb\.?|apr\.?|aug\.?|sep\.?)"
_W = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|" \
     r"thursday|friday|saturday|sunday)"
_Y = r"(?P<year>(?:19|20)\d{2})"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("night", re.compile(rf"\b(?:dans )?la nuit (?:de |du )(?P<w1>{_W})(?: (?P<d1>\d{{1,2}}))?"
                         rf" (?:à|au) (?P<w2>{_W})(?: (?P<d2>\d{{1,2}}))?(?: {_M})?(?: {_Y})?",
                         re.I)),
    ("day", re.compile(rf"\b(?:(?P<wd>{_W}),? )?(?:le )?(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)?"
                       rf" (?:of )?{_M}(?:,? {_Y})?", re.I)),
    ("day", re.compile(rf"\b(?:(?P<wd>{_W}),? )?{_M} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
                       rf"(?:,? {_Y})?", re.I)),
    ("numeric", re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>20\d{2})\b")),
    ("iso", re.compile(r"\b(?P<year>20\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b")),
    ("month", re.compile(rf"\b(?P<part>mi-|mid-|d[ée]but |fin |early |late |courant |en |in |"
                         rf"depuis |since )?{_M}(?: (?P<last>dernier|last)| {_Y})?\b", re.I)),
    ("last-month", re.compile(rf"\b(?:en |in )?(?:last|l['’]an dernier en) {_M}\b", re.I)),
    ("relative", re.compile(r"\b(?P<rel>avant-hier|hier|aujourd['’]hui|yesterday|today|"
                            r"last night|cette nuit|ce matin|this morning)\b", re.I)),
    ("weekday", re.compile(rf"\b(?:(?:le |on |last |ce |this )?)(?P<wd>{_W})"
                           r"(?: (?:soir|matin|midi|après-midi|dernier|evening|morning|night|"
                           r"afternoon))?\b", re.I)),
    ("year", re.compile(rf"\b(?:en|in|depuis|since|début|fin|early|late) {_Y}\b", re.I)),
]
TIME = re.compile(
    r"\b(?:à|vers|aux alentours de|autour de|peu avant|peu après|at|around|about|shortly "
    r"(?:before|after))?\s*(?P<h>[01]?\d|2[0-3])\s*(?:h|heures?|:)\s*(?P<min>[0-5]\d)?"
    r"(?!\d)(?:\s*(?P<ampm>a\.?m\.?|p\.?m\.?))?|\b(?P<h2>1[0-2]|[1-9])\s*(?P<ampm2>a\.m\.|p\.m\.|"
    r"am|pm)(?!\w)",
    re.I,
)


@dataclass(frozen=True)
class Published:
    """The article's date: a day, or only a month (day is None)."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> Published:
        m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text.strip())
        if not m:
            raise ValueError(text)
        p = cls(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        dt.date(p.year, p.month, p.day or 1)
        return p

    def date(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)


@dataclass(frozen=True)
class When:
    """A resolved date: `value` in the data's forms (YYYY, YYYY-MM, YYYY-MM-DD, timestamp)."""

    value: str
    start: int
    end: int
    kind: str

    @property
    def precision(self) -> int:
        return {4: 1, 7: 2, 10: 3}.get(len(self.value), 4)

    @property
    def day(self) -> str:
        return self.value[:10]


def find_dates(text: str, offset: int, published: Published | None) -> list[When]:
    """Every date of `text` (a sentence at `offset` in the article) that can be resolved."""
    found: list[When] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = _resolve(kind, m, published)
            if value:
                taken.append((m.start(), m.end()))
                found.append(When(value, offset + m.start(), offset + m.end(), kind))
    found.sort(key=lambda w: w.start)
    return [night_day(_with_time(text, offset, w, taken)) for w in found]


def _resolve(kind: str, m: re.Match[str], pub: Published | None) -> str | None:
    g = m.groupdict()
    if kind == "night":
        return _night(m, pub)
    if kind in ("day", "numeric", "iso"):
        return _day(g, pub)
    if kind == "month":
        return _month(g, pub) if g.get("part") or g.get("year") or g.get("last") else None
    if kind == "last-month":
        return _month({"month": g["month"], "last": "last"}, pub)
    if kind == "year":
        return g["year"]
    if pub is None:
        return None
    if kind == "relative":
        back = {"avant-hier": 2, "hier": 1, "yesterday": 1, "last night": 1}.get(fold(g["rel"]), 0)
        return _back(pub, back)
    if kind == "weekday":
        return _weekday(WEEKDAYS[fold(g["wd"])], pub)
    return None


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[fold(text).rstrip(".")]


def _day(g: dict[str, str | None], pub: Published | None) -> str | None:
    month, day = _month_number(g["month"] or ""), int(g["day"] or 0)
    wd = g.get("wd")
    year = int(g["year"] or 0) if g.get("year") else _year_of(month, day, pub)
    if year is None:
        return None
    try:
        found = dt.date(year, month, day)
        if wd and not g.get("year") and found.weekday() != WEEKDAYS[fold(wd)]:
            earlier = dt.date(year - 1, month, day)  # 'lundi 8 mars': the year it was a Monday
            found = earlier if earlier.weekday() == WEEKDAYS[fold(wd)] else found
        return found.isoformat()
    except ValueError:
        return None


def _year_of(month: int, day: int, pub: Published | None) -> int | None:
    """The year of a day-and-month without year: the last one on or before the article."""
    if pub is None:
        return None
    if (month, day) <= (pub.month, pub.day or 31):
        return pub.year
    ahead = (dt.date(pub.year, month, min(day, 28)) - pub.date()).days
    return pub.year if 0 < ahead <= 62 else pub.year - 1  # 'd'ici le 13 février': ahead


def _month(g: dict[str, str | None], pub: Published | None) -> str | None:
    month = _month_number(g["month"] or "")
    if g.get("year"):
        return f"{g['year']}-{month:02d}"
    if pub is None:
        return None
    year = pub.year if month < pub.month or (month == pub.month and not g.get("last")) \
        else pub.year - 1
    return f"{year}-{month:02d}"


def _back(pub: Published, days: int) -> str:
    if pub.day is None:
        return f"{pub.year}-{pub.month:02d}"
    return (pub.date() - dt.timedelta(days=days)).isoformat()


def _weekday(weekday: int, pub: Published) -> str:
    if pub.day is None:
        return f"{pub.year}-{pub.month:02d}"
    d = pub.date()
    return (d - dt.timedelta(days=(d.weekday() - weekday) % 7)).isoformat()


def _night(m: re.Match[str], pub: Published | None) -> str | None:
    g = m.groupdict()
    if g.get("d1") and g.get("month"):
        return _day({"month": g["month"], "day": g["d1"], "year": g.get("year")}, pub)
    if pub is None:
        return None
    first = WEEKDAYS[fold(g["w1"])]
    if pub.day is None:
        return f"{pub.year}-{pub.month:02d}"
    second = dt.date.fromisoformat(_weekday(WEEKDAYS[fold(g["w2"])], pub))
    return (second - dt.timedelta(days=(second.weekday() - first) % 7 or 1)).isoformat()


def night_day(w: When) -> When:
    """A night 'de samedi à dimanche' without an hour: the day after (attacks reported for such
    a night are mostly after midnight, and the data dates them so)."""
    if w.kind != "night" or w.precision != 3:
        return w
    day = dt.date.fromisoformat(w.value) + dt.timedelta(days=1)
    return When(day.isoformat(), w.start, w.end, w.kind)


def _with_time(text: str, offset: int, w: When, taken: list[tuple[int, int]]) -> When:
    """The day `w` with the hour its sentence gives ('à 21 heures', 'vers 1h'), if any."""
    if w.precision != 3:
        return w
    for m in TIME.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or not m.group().strip():
            continue
        if m.group("h") and not m.group("min") and not re.search(r"h|heure", m.group(), re.I):
            continue
        hour = int(m.group("h") or m.group("h2"))
        ampm = fold(m.group("ampm") or m.group("ampm2") or "").replace(".", "")
        hour = hour + 12 if ampm == "pm" and hour < 12 else 0 if ampm == "am" and hour == 12 \
            else hour
        minute = int(m.group("min") or 0)
        day = dt.date.fromisoformat(w.day)
        if w.kind == "night" and hour < 12:
            day += dt.timedelta(days=1)
        stamp = dt.datetime(day.year, day.month, day.day, hour, minute)
        value = f"{stamp.isoformat(timespec='minutes')}:00{paris_offset(stamp)}"
        return When(value, min(w.start, offset + m.start()), max(w.end, offset + m.end()), w.kind)
    return w


def paris_offset(local: dt.datetime) -> str:
    """+01:00 or +02:00: summer time runs from the last Sunday of March to that of October."""
    def last_sunday(month: int) -> dt.date:
        d = dt.date(local.year, month, 31)
        return d - dt.timedelta(days=(d.weekday() + 1) % 7)

    summer = last_sunday(3) <= local.date() < last_sunday(10)
    return "+02:00" if summer else "+01:00"
