"""What happened, from the sentences about the incident: the incident type and the impacts, in
the data's vocabulary, with their status from the wording and the counts, durations, amounts and
data volumes their sentence gives; each value with the span that supports it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.drafting import cues, quantities
from kg.drafting.nlp import Sentence
from kg.drafting.tables import fold_same

Span = tuple[int, int]
_PAYMENT = re.compile(r"\b(pai\w+|pay\w*|vers\w+|ceder\w*|paid)\b")


@dataclass
class Impact:
    type: str
    status: str
    count: int | None = None
    duration: str = ""
    amount: str = ""
    currency: str = ""
    volume: str = ""
    evidence: dict[str, Span] = field(default_factory=dict)

    @property
    def key(self) -> tuple[object, ...]:
        return (self.type, self.count, self.amount, self.currency, self.volume)


@dataclass
class Kind:
    type: str
    status: str
    span: Span
    generic: bool  # only 'cyberattaque': the type is the generic one, to review


def incident_type(sents: list[Sentence], main: list[bool]) -> Kind | None:
    """The most specific type any sentence about the incident supports; suspected when every
    sentence that supports it hedges."""
    for kind, pattern in cues.TYPES:
        found: list[tuple[str, Span]] = []
        for s, is_main in zip(sents, main, strict=True):
            folded = fold_same(s.text)
            if is_main and (m := pattern.search(folded)):
                state = cues.status(folded, m.start(), m.end())
                if state in ("known", "suspected"):
                    found.append((state, (s.start + m.start(), s.start + m.end())))
        if found:
            known = [f for f in found if f[0] == "known"]
            state, span = known[0] if known else ("suspected", found[0][1])
            return Kind(kind, state, span, generic=kind == "intrusion")
    return None


def impacts(sents: list[Sentence], main: list[bool]) -> list[Impact]:
    found: dict[tuple[object, ...], Impact] = {}
    for s, is_main in zip(sents, main, strict=True):
        if not is_main:
            continue
        folded = fold_same(s.text)
        for kind, pattern in cues.IMPACTS.items():
            m = pattern.search(folded)
            if not m:
                continue
            if kind != "ransom-demanded" and cues.THREAT.search(
                    folded[max(0, m.start() - 30):m.start()]):
                continue  # 'menace de publier les données': a threat, not a fact
            impact = Impact(kind, cues.status(folded, m.start(), m.end()))
            impact.evidence["type"] = (s.start + m.start(), s.start + m.end())
            _quantities(impact, s, folded, m.start(), m.end())
            if impact.type == "ransom-demanded" and impact.status == "ruled-out" and \
                    _PAYMENT.search(folded):
                impact.status = "known"  # 'ne paiera pas la rançon': one was asked
            same = [i for i in found.values() if i.type == kind]
            if same and not impact.count and not impact.amount and not impact.volume:
                continue
            plain = [i for i in same if not i.count and not i.amount and not i.volume]
            for i in plain:
                del found[i.key]
            found.setdefault(impact.key, impact)
    return list(found.values())


def _quantities(impact: Impact, s: Sentence, folded: str, start: int, end: int) -> None:
    def near(items: list[quantities.Found]) -> quantities.Found | None:
        items = [f for f in items if f.end >= start - 80 and f.start <= end + 80]
        return min(items, key=lambda f: abs(f.start - start)) if items else None

    if impact.type in cues.COUNTED and (c := near(quantities.counts_before(
            folded, cues.COUNTED[impact.type]))):
        impact.count = int(c.value)
        impact.evidence["count"] = (s.start + c.start, s.start + c.end)
    if impact.type in ("ransom-demanded", "ransom-paid") and (a := near(quantities.money(folded))):
        impact.amount, impact.currency = a.value, a.currency
        impact.evidence["amount"] = (s.start + a.start, s.start + a.end)
    if impact.type.startswith("data-") and (v := near(quantities.volumes(folded))):
        impact.volume = s.text[v.start:v.end]
        impact.evidence["volume"] = (s.start + v.start, s.start + v.end)
    if impact.type in ("service-disruption", "emergency-diversion", "downtime-procedures",
                       "network-isolation", "operations-cancelled") and (
            d := near(quantities.durations(folded))):
        impact.duration = d.value
        impact.evidence["duration"] = (s.start + d.start, s.start + d.end)
