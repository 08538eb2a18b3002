"""Which sentences speak of the incident the article reports, and which of earlier or other
attacks it recalls ("une autre installation près de Paris en septembre", "Comme lors de l'attaque
du CHSF"): only the first give values to the draft. The main victim is the first establishment
named in a sentence about an attack; a sentence is about it when it names it, recalls nothing
else, or continues a paragraph that is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.drafting import cues
from kg.drafting.nlp import Sentence
from kg.drafting.tables import Tables, fold_same
from kg.drafting.victims import Mention, Victim, commune_in, find_mentions, match

_HELPER = re.compile(
    r"(vers|au profit d[eu']|en renfort d[eu']|avec l'aide d[eu']|accueillis? (par|a|au)|"
    r"transferes? (a|au|aux|vers)|redirig\w* vers|to|towards|from|pres d[eu']|comme|like|"
    r"equipes? d[eu']|aide d[eu']|soutien d[eu'])\s*(le |la |l'|les |du |des |the )?$"
)


@dataclass
class Focus:
    main: list[bool]  # per sentence: about the reported incident
    victims: list[Victim]  # in order of first mention, the main one first
    by_sentence: list[list[Victim]]


def focus(text: str, sents: list[Sentence], tables: Tables) -> Focus:
    mentions = find_mentions(text, tables)
    by_sentence: list[list[Victim]] = [[] for _ in sents]
    attack = [bool(cues.ATTACK.search(fold_same(s.text))) for s in sents]
    retro = [bool(cues.RETROSPECTIVE.search(fold_same(s.text))) for s in sents]
    for mention in mentions:
        n = _sentence_of(mention, sents)
        if n is not None and not _helper(text, mention):
            victim = match(mention, tables)
            if not victim.entity and not victim.commune:
                victim.commune = _place_nearby(text, sents[n], mention, tables)
            by_sentence[n].append(victim)
    lead = _main(by_sentence, attack, retro)
    main_key = lead.key if lead else ""
    for found in by_sentence:
        for v in found:
            if lead and v.key != main_key and v.same_as(lead) and not v.entity:
                v.entity, v.commune = lead.entity, lead.commune
    main: list[bool] = []
    for n, s in enumerate(sents):
        keys = {v.key for v in by_sentence[n]}
        first = n == 0 or sents[n - 1].paragraph != s.paragraph
        sites = bool(by_sentence[n]) and all(v.mention.head == "site" for v in by_sentence[n])
        if lead and any(v.same_as(lead) for v in by_sentence[n]):
            main.append(True)
        elif sites and not retro[n]:  # 'les sites de Tarare et de Trévoux': the victim's own
            main.append(True)
        elif retro[n] or (keys and attack[n]):
            main.append(False)
        else:
            main.append(True if first else main[-1])
    victims: dict[str, Victim] = {}
    for n, found in enumerate(by_sentence):
        for v in found:
            if main[n] and (v.key == main_key or attack[n]) and v.key not in victims and not (
                    lead and v.key != main_key and v.same_as(lead) and not _site_of(v, lead)):
                victims[v.key] = v
    ordered = sorted(victims.values(), key=lambda v: v.key != main_key)
    return Focus(main, ordered, by_sentence)


def _place_nearby(text: str, s: Sentence, mention: Mention, tables: Tables) -> str:
    """For a placeholder: the commune of the first place spaCy tags in its sentence after it
    ('la clinique des Glycines, à Carpentras'), when the gazetteer knows one by that name."""
    for label, start, end in s.entities:
        if label == "LOC" and start >= mention.end and (code := commune_in(text[start:end],
                                                                           tables)):
            return code
    return ""


def _site_of(v: Victim, lead: Victim) -> bool:
    """A site of the legal entity the article is about: a victim of its own."""
    return bool(v.entity and lead.entity and v.entity.kind == "establishment"
                and v.entity.parent == lead.entity.key)


def _sentence_of(mention: Mention, sents: list[Sentence]) -> int | None:
    for n, s in enumerate(sents):
        if s.start <= mention.start < s.end:
            return n
    return None


def _helper(text: str, mention: Mention) -> bool:
    """The establishment is where patients went or help came from, not a victim."""
    return bool(_HELPER.search(fold_same(text[max(0, mention.start - 40):mention.start])))


def _main(by_sentence: list[list[Victim]], attack: list[bool], retro: list[bool]
          ) -> Victim | None:
    """The first victim named in a sentence about an attack (a matched name of the same victim
    later in the text stands for a placeholder first)."""
    lead = None
    for found, a, r in zip(by_sentence, attack, retro, strict=True):
        if found and a and not r:
            lead = found[0]
            break
    if lead is None:
        lead = next((found[0] for found in by_sentence if found), None)
    if lead is not None and lead.entity is None:
        for found in by_sentence:
            for v in found:
                if v.entity and v.same_as(lead):
                    return v
    return lead
