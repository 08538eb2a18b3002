"""Questions in plain words, English or French ("attacks near Paris in 2022", "attaques
revendiquées par Vice Society"), read by a small grammar into the options of `kg attacks`: no
network, no model; the words it knows come from the gazetteer, data/actors.csv,
data/malware.csv and the vocabularies (see docs/asking.md)."""

from __future__ import annotations

from pathlib import Path

from kg.asking.grammar import DEFAULT_RADIUS_KM, EXAMPLES, Question
from kg.asking.grammar import parse as parse_with
from kg.asking.lexicon import Lexicon

__all__ = ["DEFAULT_RADIUS_KM", "EXAMPLES", "Lexicon", "Question", "parse", "parse_with"]

_LEXICONS: dict[Path, Lexicon] = {}


def parse(phrase: str, lexicon: Lexicon | None = None) -> Question:
    """The question `phrase` asks, read with `lexicon` (default: the project found from here,
    kept for the process); a phrase it cannot read raises kg.errors.PhraseError."""
    if lexicon is None:
        from kg.project import Project

        root = Project.find().root
        if root not in _LEXICONS:
            _LEXICONS[root] = Lexicon.of(root)
        lexicon = _LEXICONS[root]
    return parse_with(phrase, lexicon)
