"""The home page's reading of a phrase (`/?q=attacks near Paris in 2022`): the very parser of
`kg ask` (kg.asking), with the project's lexicon read once per server, so a phrase gives the
same `kg attacks` options, the same command and the same rows on the page as on the command
line. A phrase it cannot read raises its PhraseError (with examples), shown as a 400 page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_LEXICONS: dict[tuple[str, int], Any] = {}


@dataclass
class Reading:
    options: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    notes: list[str] = field(default_factory=list)


def read(text: str, project: Any, gazetteer: Callable[[], Any]) -> Reading:
    """The `kg attacks` options a phrase stands for, read against the project's actors,
    vocabularies and the gazetteer the server already holds."""
    from kg.asking import Lexicon, parse

    key = (str(project.root), id(gazetteer))
    if key not in _LEXICONS:
        _LEXICONS[key] = Lexicon.of(project.root, gazetteer)
    question = parse(text, _LEXICONS[key])
    return Reading(dict(question.options), question.command, list(question.notes))
