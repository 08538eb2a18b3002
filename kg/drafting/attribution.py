"""Attributions: the actors and malware of data/ named in a sentence about the incident (by name
or alias), or an unnamed group ("l'œuvre d'acteurs de rançongiciels"), with the certainty its
wording gives (claimed, suspected, confirmed by an authority, denied) and the basis (the actor's
own claim, an authority, the victim, the media). A group data/ does not know is kept unnamed and
named in a warning."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.drafting import cues
from kg.drafting.nlp import Sentence
from kg.drafting.tables import Tables, Threat, fold_same

Span = tuple[int, int]
_UNNAMED = re.compile(
    r"(l'oeuvre|l'œuvre|auteurs? de l'attaque|acteurs? (de|du) ran\w+|groupe (de|d')? ?(hackers|"
    r"pirates|cybercriminels|rancongiciel|criminel)|gang|hackers?|pirates?|cybercriminels?|"
    r"attackers?|(ransomware|hacker|criminal|hacktivist) group|criminals|threat actors?|"
    r"groupes? (hacktiviste|criminel)s?)\b"
)
_NOT_A_NAME = {"The", "Le", "La", "Les", "Ce", "Cet", "Cette", "Un", "Une", "This", "A", "Its"}
_GROUP_NAME = re.compile(
    r"\b(?:groupe|gang|collectif)(?: de (?:hackers|pirates|cybercriminels|ran[cç]ongiciel))?"
    r"(?: (?:russe|russophone|prorusse|pro-russe|chinois|nord-coréen))? (?P<a>[A-Z][\w.-]+(?:"
    r" [A-Z0-9][\w.-]*)?)|\b(?P<b>[A-Z][\w.-]+(?: [A-Z0-9][\w.]*)?) (?:ransomware )?"
    r"(?:group|gang)\b"
)
_SAYS = re.compile(
    r"selon (la direction|l'hopital|l'etablissement|le directeur|la directrice|le parquet|"
    r"l'anssi|l'agence regionale de sante|l'ars|les enqueteurs|la police|la gendarmerie)|"
    r"according to (the hospital|investigators|the prosecutor|the police|anssi)"
)
_CONFIRM = re.compile(r"confirm|etabli|identifi|attribu|designe|formellement")


@dataclass
class Claim:
    actor: str = ""
    malware: str = ""
    actor_kind: str = ""
    certainty: str = "suspected"
    basis: str = "media"
    note: str = ""
    evidence: dict[str, Span] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.actor, self.malware, self.actor_kind, self.certainty)


def claims(
    sents: list[Sentence], main: list[bool], tables: Tables
) -> tuple[list[Claim], list[str]]:
    found: dict[tuple[str, str, str, str], Claim] = {}
    warnings: list[str] = []
    for s, is_main in zip(sents, main, strict=True):
        if not is_main:
            continue
        folded = fold_same(s.text)
        named = _named(s, folded, tables)
        for claim in named or _unnamed(s, folded, warnings):
            found.setdefault(claim.key, claim)
    return _without_defaults(list(found.values())), warnings


def _without_defaults(found: list[Claim]) -> list[Claim]:
    """A name written without any cue (a headline's 'frappé par Ryuk') gives 'suspected' by
    default; it adds nothing beside a claim of the same actor that the wording qualifies."""
    def plain(c: Claim) -> bool:
        return c.evidence.get("certainty") == c.evidence.get("actor" if c.actor else "malware")

    def who(c: Claim) -> tuple[str, str]:
        return (c.actor, c.malware) if c.actor or c.malware else ("", c.actor_kind)

    qualified = {who(c) for c in found if not plain(c)}
    return [c for c in found if not (plain(c) and who(c) in qualified)]


def _named(s: Sentence, folded: str, tables: Tables) -> list[Claim]:
    hits: list[tuple[int, int, Threat]] = []
    for threat in tables.threats:
        for alias in sorted({threat.name, *threat.aliases}, key=len, reverse=True):
            for m in re.finditer(rf"(?<![\w-]){re.escape(fold_same(alias))}(?![\w-]|\.\d)", folded):
                if not s.text[m.start()].isupper() and not s.text[m.start()].isdigit():
                    continue  # 'un blackout informatique' is not the Blackout group
                if not any(a < m.end() and m.start() < b for a, b, _ in hits):
                    hits.append((m.start(), m.end(), threat))
    result: list[Claim] = []
    for start, end, threat in sorted(hits, key=lambda h: h[0]):
        actor = threat.slug if threat.kind == "actor" else threat.actor
        malware = threat.slug if threat.kind == "malware" else ""
        if result and result[-1].actor == actor and actor and not (result[-1].malware and malware):
            if malware and not result[-1].malware:
                result[-1].malware = malware
                result[-1].evidence["malware"] = (s.start + start, s.start + end)
            continue
        if not malware:
            malware = _malware_named(folded[start:end], actor, tables)
        claim = Claim(actor=actor, malware=malware)
        claim.evidence["actor" if actor else "malware"] = (s.start + start, s.start + end)
        if actor and malware:
            claim.evidence["malware"] = (s.start + start, s.start + end)
        _certainty(claim, s, folded, start, end)
        result.append(claim)
    return result


def _malware_named(text: str, actor: str, tables: Tables) -> str:
    """The malware of `actor` whose name the actor's alias is ('LockBit 3.0')."""
    for t in tables.threats:
        if t.kind == "malware" and t.actor == actor and text in {
                fold_same(a) for a in (t.name, *t.aliases)}:
            return t.slug
    return ""


def _unnamed(s: Sentence, folded: str, warnings: list[str]) -> list[Claim]:
    if m := cues.UNKNOWN_ACTOR.search(folded):
        span = (s.start + m.start(), s.start + m.end())
        return [Claim(actor_kind="unknown", certainty="unknown", basis="media",
                      evidence={"actor-kind": span, "certainty": span})]
    who = _UNNAMED.search(folded)
    if not who:
        return []
    claim = Claim(actor_kind="unknown")
    if not (cues.CLAIM.search(folded) or cues.HEDGE.search(folded) or "attribu" in folded
            or "oeuvre" in folded or "œuvre" in folded):
        return []
    for kind, pattern in cues.EN_KIND:
        if m := pattern.search(folded):
            claim.actor_kind = kind
            claim.evidence["actor-kind"] = (s.start + m.start(), s.start + m.end())
            break
    names = [n.group("a") or n.group("b") for n in _GROUP_NAME.finditer(s.text)]
    names = [n for n in names if n.split()[0] not in _NOT_A_NAME]
    if names:
        group = names[0]
        warnings.append(f"the group '{group}' is not in data/actors.csv: add it there and name it"
                        " in the attribution, or leave it unnamed")
        claim.note = f"The article names the group {group}."
    claim.evidence.setdefault("actor-kind", (s.start + who.start(), s.start + who.end()))
    _certainty(claim, s, folded, who.start(), who.end())
    if claim.certainty == "denied":
        return []  # 'aucun groupe n'a revendiqué', 'no group has claimed': no claim to record
    return [claim]


def _certainty(claim: Claim, s: Sentence, folded: str, start: int, end: int) -> None:
    """Certainty and basis from the sentence's wording; the span of the cue is kept."""
    cue = None
    if m := cues.CLAIM.search(folded):
        claim.certainty, claim.basis, cue = "claimed", "actor-claim", m
        if cues.DENIED.search(folded[max(0, m.start() - 30):m.end()]):
            claim.certainty = "denied"
    elif m := cues.HEDGE.search(folded):
        claim.certainty, cue = "suspected", m
        claim.basis = "authority" if cues.AUTHORITY.search(folded) else "media"
    elif (m := _CONFIRM.search(folded)) and (a := cues.AUTHORITY.search(folded)):
        claim.certainty, claim.basis, cue = "confirmed", "authority", m
        claim.evidence["basis"] = (s.start + a.start(), s.start + a.end())
    elif (m := _CONFIRM.search(folded)) and cues.VICTIM_VOICE.search(folded):
        claim.certainty, claim.basis, cue = "confirmed", "victim", m
    elif m := _SAYS.search(folded):
        # 'selon la direction', 'selon l'ARS', without a hedge: the victim's or an authority's word
        claim.certainty, cue = "confirmed", m
        claim.basis = "authority" if cues.AUTHORITY.search(m.group()) else "victim"
    else:
        claim.certainty, claim.basis = "suspected", "media"
    span = (cue.start(), cue.end()) if cue else (start, end)
    claim.evidence["certainty"] = (s.start + span[0], s.start + span[1])
