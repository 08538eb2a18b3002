"""kg draft on arbitrary text: a draft or a KgError, never another exception, and every span
it gives quotes the article's own text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.drafting import draft_article
from kg.drafting.render import fields
from kg.errors import KgError
from tests.conftest import REPO

WORDS = st.sampled_from(
    "le la hôpital centre hospitalier CHU de Rennes Versailles cyberattaque rançon 10 millions "
    "dollars samedi soir lundi 8 mars mi-avril nuit à dimanche revendiqué LockBit pourrait "
    "patients transférés six données volées papier urgences fermées plan blanc ransomware "
    "the hospital was hit on Saturday claimed $1.3 million , . ( ) « » 21 heures".split()
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(WORDS, min_size=0, max_size=80), st.sampled_from([None, "2022-12-05", "2022-12"]))
def test_any_text_gives_a_draft_or_a_clear_error(tmp_path: Path, words, published):
    path = tmp_path / "article.txt"
    path.write_text(" ".join(words), encoding="utf-8")
    try:
        d = draft_article(REPO, path, url="https://example.org/a", published=published)
    except KgError:
        return
    _, evidence = fields(d)
    for start, end in evidence.values():
        assert 0 <= start < end <= len(d.article.text)
        assert d.article.text[start:end].strip()
