"""Reading a phrase into `kg attacks` options, in four passes over its words: the period (years,
months, ranges), the names of the lexicon (actors, incident types, impacts, certainty), the
places after their prepositions (near, within N km of, in), and what is left, which must be
filler ('attacks', 'hospitals', 'the'); anything else makes the phrase unreadable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.asking.lexicon import (
    FILLER,
    IN,
    KM,
    MONTHS,
    NEAR,
    PERIOD,
    RADIUS_AFTER,
    RADIUS_BEFORE,
    Lexicon,
    Words,
    words,
)
from kg.errors import PhraseError, QueryError
from kg.geo import normalise

DEFAULT_RADIUS_KM = 50.0
MAX_PHRASE = 300
EXAMPLES = (
    "attacks near Paris in 2022",
    "attaques près de Paris en 2022",
    "attacks within 100 km of Lyon since 2021",
    "LockBit attacks in 2024",
    "cyberattaques en Bretagne en 2023",
    "ransomware in Île-de-France 2022-2023",
    "data leaks in 2024",
    "attaques revendiquées par Vice Society",
)
_TOKEN = re.compile(r"\d{4}-\d{2}(?:-\d{2})?(?!\d)|\d+(?:[.,]\d+)?(?!\w)|\w+|[()]")
_RANGE = re.compile(r"\b(\d{4})\s*[-–—/]\s*(\d{4})\b")


@dataclass
class Token:
    text: str
    norm: str
    start: int
    end: int
    used: bool = False


@dataclass
class Question:
    """A phrase read: the `kg attacks` options it stands for, and the choices made reading it."""

    phrase: str
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        from kg.attacks import command_line

        return command_line(self.options)


def unreadable(message: str) -> PhraseError:
    shown = "; ".join(f'"{e}"' for e in EXAMPLES[:5])
    return PhraseError(message, f"phrases it reads: {shown}; more in docs/asking.md")


def parse(phrase: str, lexicon: Lexicon) -> Question:
    """The question a phrase asks, or a PhraseError that says which words it could not read."""
    text = " ".join(phrase.split())
    if not text:
        raise unreadable("an empty phrase")
    if len(text) > MAX_PHRASE:
        raise unreadable(f"the phrase is {len(text)} characters long, at most {MAX_PHRASE}")
    question = Question(phrase=text)  # as typed, for the messages
    text = _RANGE.sub(r"\1 to \2", text)  # 2022-2023: a range the period pass reads
    tokens = [
        Token(m.group(), _norm(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)
    ]
    _period(tokens, question)
    _names(tokens, lexicon, question)
    _places(text, tokens, lexicon, question)
    left = [t.text for t in tokens if not t.used and t.norm not in FILLER and t.norm not in "()"]
    if left:
        raise unreadable(f"cannot read '{' '.join(left)[:80]}' in '{question.phrase[:120]}'")
    return question


def _norm(text: str) -> str:
    return text if text[:1].isdigit() else normalise(text)


def _at(tokens: list[Token], i: int, phrases: list[str]) -> int:
    """The length of the longest of `phrases` at unused token i (0: none)."""
    best = 0
    for phrase in phrases:
        ws = words(phrase)
        n = len(ws)
        if n > best and i + n <= len(tokens) and all(
            not t.used and t.norm == w for t, w in zip(tokens[i : i + n], ws, strict=True)
        ):
            best = n
    return best


def _before(tokens: list[Token], i: int, phrases: list[str]) -> int:
    """The length of the longest of `phrases` ending just before token i (0: none)."""
    for n in range(min(4, i), 0, -1):
        if _at(tokens, i - n, phrases) == n:
            return n
    return 0


def _use(tokens: list[Token], start: int, end: int) -> None:
    for t in tokens[start:end]:
        t.used = True


def _year(token: Token) -> int | None:
    if re.fullmatch(r"\d{4}", token.text) and 1900 <= int(token.text) <= 2100:
        return int(token.text)
    return None


def _set(question: Question, key: str, value: Any, what: str) -> None:
    if key in question.options and question.options[key] != value:
        raise unreadable(
            f"two {what}s in '{question.phrase[:120]}': '{question.options[key]}' and '{value}'"
        )
    question.options[key] = value


def _period(tokens: list[Token], question: Question) -> None:
    """Years, months and ranges, with the words that introduce them."""
    i = 0
    while i < len(tokens):
        found = _period_at(tokens, i)
        if found is None:
            i += 1
            continue
        end, options = found
        start = i - _before(tokens, i, _intro(options))
        if any(k in question.options for k in ("year", "date_from", "date_to")):
            raise unreadable(f"two periods in '{question.phrase[:120]}'")
        question.options.update(options)
        _use(tokens, start, end)
        i = end


def _intro(options: dict[str, Any]) -> list[str]:
    if "year" in options or options.get("date_from") == options.get("date_to"):
        return PERIOD["in"]
    if "date_from" in options and "date_to" in options:
        return PERIOD["from"]
    if "date_from" in options:
        return PERIOD["since"] + PERIOD["after"]
    return PERIOD["until"] + PERIOD["before"]


def _period_at(tokens: list[Token], i: int) -> tuple[int, dict[str, Any]] | None:
    """A period starting at token i: 'Y', 'month Y', 'YYYY-MM', 'Y to Y'; its bound is set by
    the word before (since, after, before, until)."""
    first = _when(tokens, i)
    if first is None:
        return None
    end, low, high = first
    link = _at(tokens, end, PERIOD["to"])
    second = _when(tokens, end + link) if link else None
    if second is not None:
        end, high = second[0], second[2]
        return end, {"date_from": low, "date_to": high}
    bound = _before(tokens, i, PERIOD["since"])
    if bound:
        return end, {"date_from": low}
    if _before(tokens, i, PERIOD["after"]):
        return end, {"date_from": _shift(high, 1)}
    if _before(tokens, i, PERIOD["before"]):
        return end, {"date_to": _shift(low, -1)}
    if _before(tokens, i, PERIOD["until"]):
        return end, {"date_to": high}
    if low == high and len(low) == 4:
        return end, {"year": int(low)}
    return end, {"date_from": low, "date_to": high}


def _when(tokens: list[Token], i: int) -> tuple[int, str, str] | None:
    """(end, first, last) of a year, 'month year' or YYYY-MM[-DD] at token i."""
    if i >= len(tokens) or tokens[i].used:
        return None
    token = tokens[i]
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", token.text):
        return i + 1, token.text, token.text
    if (year := _year(token)) is not None:
        return i + 1, str(year), str(year)
    month = MONTHS.get(token.norm)
    if month and i + 1 < len(tokens) and (year := _year(tokens[i + 1])) is not None:
        day = f"{year}-{month:02d}"
        return i + 2, day, day
    return None


def _shift(day: str, years: int) -> str:
    """The year before or after a period's bound (after 2021: from 2022)."""
    if len(day) == 4:
        return str(int(day) + years)
    year, month = int(day[:4]), int(day[5:7]) + years
    year, month = (year + 1, 1) if month > 12 else (year - 1, 12) if month < 1 else (year, month)
    return f"{year}-{month:02d}"


def _names(tokens: list[Token], lexicon: Lexicon, question: Question) -> None:
    """Actors, incident types, impacts and certainty words: longest match first."""
    table: dict[Words, tuple[str, str]] = {}
    for key, what, value in lexicon.entries():
        table.setdefault(key, (what, value))
    longest = max((len(k) for k in table), default=0)
    labels = {"actor": "actor", "kind": "incident type", "impact": "impact",
              "min_certainty": "certainty"}
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            span = tokens[i : i + n]
            key = tuple(t.norm for t in span)
            if key in table and not any(t.used for t in span):
                what, value = table[key]
                _set(question, what, value, labels[what])
                _use(tokens, i, i + n)
                i += n - 1
                break
        i += 1


def _places(text: str, tokens: list[Token], lexicon: Lexicon, question: Question) -> None:
    """'within N km of X', 'near X', 'in X': X the longest run of words the gazetteer knows."""
    for i, token in enumerate(tokens):
        if token.used:
            continue
        radius = _radius_at(tokens, i)
        if radius is not None:
            end, km = radius
            start = i - _before(tokens, i, RADIUS_BEFORE)
            after = _at(tokens, end, RADIUS_AFTER)
            _use(tokens, start, end + after)
            if not _place(text, tokens, end + after, lexicon, question, "near"):
                raise unreadable(f"'{text[tokens[start].start : tokens[end - 1].end]}' needs a "
                                 f"place after it, e.g. within {km:g} km of Lyon")
            _set(question, "radius", km, "radius")
    for mode, prepositions in (("near", NEAR), ("in", IN)):
        for i in range(len(tokens)):
            n = _at(tokens, i, prepositions)
            if n and _place(text, tokens, i + n, lexicon, question, mode):
                _use(tokens, i, i + n)
    if "near" in question.options:
        question.options.setdefault("radius", DEFAULT_RADIUS_KM)


def _radius_at(tokens: list[Token], i: int) -> tuple[int, float] | None:
    """(end, km) of 'N km' or 'Nkm' at token i."""
    token = tokens[i]
    if m := re.fullmatch(r"(\d+(?:[.,]\d+)?)km", token.norm):
        return i + 1, float(m.group(1).replace(",", "."))
    if re.fullmatch(r"\d+(?:[.,]\d+)?", token.text) and _at(tokens, i + 1, KM):
        return i + 2, float(token.text.replace(",", "."))
    return None


def _place(
    text: str, tokens: list[Token], i: int, lexicon: Lexicon, question: Question, mode: str
) -> bool:
    """The place starting at token i, the longest run of unused words that resolves; an
    ambiguous name is said as the gazetteer says it. 'in' a commune reads as near it."""
    end = i
    while end < len(tokens) and not tokens[end].used:
        end += 1
    kinds = ("region", "department") if mode == "in" else ()
    gazetteer = lexicon.gazetteer()
    problem: QueryError | None = None
    for j in range(end, i, -1):
        name = text[tokens[i].start : tokens[j - 1].end]
        if name[-1:] == "(":
            continue
        notes: list[str] = []
        try:
            place = gazetteer.resolve(name, kinds, notes)
        except QueryError as exc:
            if problem is None and "unknown place" not in exc.message:
                problem = exc
            continue
        spelt = gazetteer.spelling(place, kinds)
        if mode == "in" and place.kind in ("region", "department"):
            _set(question, "region", spelt, "region")
        else:
            if mode == "in":
                notes.append(f"'{name}' is {place.label()}, a commune: read as near it")
            _set(question, "near", spelt, "place")
        question.notes += notes
        _use(tokens, i, j)
        return True
    if problem is not None:
        raise problem
    return False
