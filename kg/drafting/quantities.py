"""Quantities in press wording: counts ("six patients", "300 000 patients"), money ("50 000
dollars", "10 millions de dollars", "$1.3 million", "1,3 million d'euros"), durations ("pendant
trois semaines", "for 24 hours") and data volumes ("150 Go", "1.5 TB"). Each found with its span
(offsets in the folded sentence, which are those of the sentence)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "cent": 100, "mille": 1000, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}
_WORD = r"(?:" + "|".join(
    sorted((w for w in WORDS if " " not in w), key=len, reverse=True)) + r")"
NUM = r"(?:\d{1,3}(?:[ \u202f.,]\d{3})+(?!\d)|\d+(?:[.,]\d+)?)"
SCALE = r"(?:milliards?|millions?|billions?|bn|mds?|md|m|k|mille)"
_SCALES = {"milliard": 10**9, "billion": 10**9, "bn": 10**9, "md": 10**9, "mds": 10**9,
           "million": 10**6, "m": 10**6, "k": 1000, "mille": 1000}
_CURRENCIES = {"dollar": "USD", "$": "USD", "usd": "USD", "us$": "USD", "euro": "EUR",
               "€": "EUR", "eur": "EUR", "bitcoin": "BTC", "btc": "BTC", "livre": "GBP",
               "£": "GBP", "pound": "GBP", "gbp": "GBP"}
_CUR = r"(?:dollars?|euros?|bitcoins?|livres? sterling|pounds?|usd|eur|btc|gbp|\$|€|£)"
MONEY_AFTER = re.compile(
    rf"(?<![\w.,])(?P<num>{NUM}|{_WORD})\s*(?P<scale>{SCALE})?\.?\s*(?:de |d'|of )?"
    rf"(?P<cur>{_CUR})(?!\w)"
)
MONEY_BEFORE = re.compile(rf"(?P<cur>us\$|\$|€|£)\s*(?P<num>{NUM})\s*(?P<scale>{SCALE})?(?!\w)")
COUNT = re.compile(rf"(?<![\w$€£.,])(?P<num>{NUM}|{_WORD})(?:\s+(?P<scale>millions?|mille))?"
                   rf"(?!\s*(?:{SCALE}\s*)?(?:de |d')?{_CUR})(?![\w%])")
VOLUME = re.compile(rf"(?P<num>{NUM})\s*(?P<unit>to|go|mo|tb|gb|mb|teraoctets?|gigaoctets?|"
                    r"megaoctets?|terabytes?|gigabytes?|megabytes?)(?!\w)")
DURATION = re.compile(
    rf"(?:pendant|durant|during|for|depuis|over|sur)\s+(?:plus de |pres de |environ |more than "
    rf"|about |nearly |near )?(?P<num>{NUM}|{_WORD})\s+(?P<unit>heures?|jours?|semaines?|mois|"
    r"ans?|annees?|hours?|days?|weeks?|months?|years?)(?!\w)")
_UNITS = {"heure": "PT{}H", "hour": "PT{}H", "jour": "P{}D", "day": "P{}D", "semaine": "P{}W",
          "week": "P{}W", "mois": "P{}M", "month": "P{}M", "an": "P{}Y", "annee": "P{}Y",
          "year": "P{}Y"}


@dataclass(frozen=True)
class Found:
    value: str  # the count, the amount, the ISO duration, the volume as written
    start: int
    end: int
    currency: str = ""


def number(text: str, scale: str | None = None) -> Decimal | None:
    text = text.strip()
    if text in WORDS:
        value = Decimal(WORDS[text])
    else:
        digits = re.sub(r"[ \u202f]", "", text)
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits) and not (scale and len(digits) < 6):
            digits = re.sub(r"[.,]", "", digits)
        try:
            value = Decimal(digits.replace(",", "."))
        except InvalidOperation:
            return None
    if scale:
        value *= _SCALES.get(scale.rstrip("s") if scale not in ("mds",) else "mds", 1)
    return value


def money(folded: str) -> list[Found]:
    found = []
    for pattern in (MONEY_AFTER, MONEY_BEFORE):
        for m in pattern.finditer(folded):
            value = number(m.group("num"), m.group("scale"))
            cur = m.group("cur").rstrip("s").split()[0]
            if value is not None and value > 0:
                found.append(Found(_plain(value), m.start(), m.end(), _CURRENCIES.get(cur, "")))
    return sorted(found, key=lambda f: f.start)


def counts_before(folded: str, nouns: str) -> list[Found]:
    """Counts written just before one of `nouns` ('six patients', '300 000 patients')."""
    found = []
    pattern = re.compile(rf"{COUNT.pattern}\s+(?:(?!{_ABOUT})\w+\s+){{0,2}}?(?:{nouns})\b")
    for m in pattern.finditer(folded):
        value = number(m.group("num"), m.group("scale"))
        if value is not None and value == int(value) and value > 0:
            found.append(Found(str(int(value)), m.start(), m.end()))
    return found


_ABOUT = r"(?:partie|part|moitie|majorite|dizaines?|centaines?|milliers?|vingtaine|trentaine|" \
         r"quarantaine|cinquantaine|douzaine|quinzaine|dozens?|hundreds?|thousands?|tiers|" \
         r"quart|few|some|of)\b"


def durations(folded: str) -> list[Found]:
    found = []
    for m in DURATION.finditer(folded):
        value = number(m.group("num"))
        unit = m.group("unit").rstrip("s") if m.group("unit") != "mois" else "mois"
        if value is not None and value == int(value) and unit in _UNITS:
            found.append(Found(_UNITS[unit].format(int(value)), m.start(), m.end()))
    return found


def volumes(folded: str) -> list[Found]:
    return [Found(f"{m.group('num')} {m.group('unit')}", m.start(), m.end())
            for m in VOLUME.finditer(folded)]


def _plain(value: Decimal) -> str:
    return str(int(value)) if value == int(value) else format(value.normalize(), "f")
