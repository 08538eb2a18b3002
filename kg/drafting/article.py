"""The article: its text (from plain text or the article part of an HTML page), its language, and
what the page says about itself (URL, title, publisher, publication date)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import KgError

MAX_BYTES = 5 * 1024 * 1024
_BLOCKS = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section",
    "article", "blockquote", "tr", "table", "figcaption", "header", "time",
}
_SKIP = {"script", "style", "nav", "footer", "aside", "form", "noscript", "svg", "button", "iframe"}
_FR = {
    "le", "la", "les", "des", "du", "de", "et", "est", "une", "un", "dans", "pour", "par", "sur",
    "qui", "que", "été", "a", "au", "aux", "avec", "ont", "pas", "ce", "cette", "son", "sa",
}
_EN = {
    "the", "of", "and", "to", "in", "a", "is", "was", "for", "on", "that", "with", "by", "has",
    "have", "it", "its", "at", "from", "were", "been", "this", "an", "as",
}


@dataclass
class Article:
    """The article's text as the draft reads it (offsets of evidence refer to it)."""

    text: str
    language: str = "fr"
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None  # YYYY-MM-DD or YYYY-MM, from the page when it says it
    meta: dict[str, str] = field(default_factory=dict)


def read_article(path: Path) -> Article:
    """The article in `path`, or a KgError saying why it cannot be read as one."""
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise KgError(f"{path}: cannot read the article ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise KgError(f"{path}: over {MAX_BYTES // 1048576} MB, not a news article")
    if b"\x00" in raw[:4096]:
        raise KgError(f"{path}: a binary file, not the text or HTML of an article")
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KgError(f"{path}: not UTF-8 text (save the article as UTF-8)") from None
    if not source.strip():
        raise KgError(f"{path}: the file is empty (give the text or HTML of a news article)")
    article = from_html(source) if looks_like_html(source) else Article(text=clean(source))
    if len(article.text.split()) < 20:
        raise KgError(f"{path}: fewer than 20 words of text, not a news article")
    article.language = language(article.text, path)
    return article


def looks_like_html(source: str) -> bool:
    head = source.lstrip()[:2000].lower()
    return head.startswith(("<!doctype html", "<html")) or bool(
        re.search(r"<(body|article|p|div)\b", head)
    )


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t\u202f]+", " ", text)
    return re.sub(r"\n\s*\n\s*(\n\s*)+", "\n\n", text).strip()


def language(text: str, path: Path) -> str:
    """'fr' or 'en' by their commonest words; another language is refused."""
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", text.lower())
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    if max(fr, en) < max(5, len(words) // 20):
        raise KgError(
            f"{path}: the text is neither French nor English",
            "kg draft reads French and English articles",
        )
    return "fr" if fr >= en else "en"


class _Page(HTMLParser):
    """Collects the text of <article> (else <main>, else <body>) and the page's meta data."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self.open: dict[str, int] = {"article": 0, "main": 0, "body": 0}
        self.skip = 0
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False
        self.in_ld = False
        self.ld: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in self.open:
            self.open[tag] += 1
        if tag in _SKIP:
            self.skip += 1
            self.in_ld = tag == "script" and "ld+json" in a.get("type", "")
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            key = a.get("property") or a.get("name") or a.get("itemprop") or ""
            if key and "content" in a:
                self.meta.setdefault(key.lower(), a["content"])
        elif tag == "link" and "canonical" in a.get("rel", "").lower():
            self.meta.setdefault("canonical", a.get("href", ""))
        elif tag == "time" and a.get("datetime"):
            self.meta.setdefault("time", a["datetime"])
        if tag in _BLOCKS:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open and self.open[tag]:
            self.open[tag] -= 1
        if tag in _SKIP and self.skip:
            self.skip -= 1
            self.in_ld = False
        if tag == "title":
            self.in_title = False
        if tag in _BLOCKS:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if self.in_ld:
            self.ld.append(data)
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self._add(data)

    def _add(self, text: str) -> None:
        for key, depth in self.open.items():
            if depth:
                self.parts[key].append(text)


def from_html(source: str) -> Article:
    page = _Page()
    page.feed(source)
    page.close()
    text = ""
    for key in ("article", "main", "body"):
        text = clean(re.sub(r"[ \t]*\n[ \t]*", "\n", "".join(page.parts[key])))
        if len(text.split()) >= 20:
            break
    meta = page.meta
    title = meta.get("og:title") or html.unescape(" ".join("".join(page.title).split())) or None
    url = meta.get("og:url") or meta.get("canonical") or None
    ld = re.search(r'"datePublished"\s*:\s*"(\d{4}-\d{2}-\d{2})', "".join(page.ld))
    when = (meta.get("article:published_time") or meta.get("datepublished")
            or (ld.group(1) if ld else None) or meta.get("time"))
    published = when[:10] if when and re.match(r"\d{4}-\d{2}-\d{2}", when) else None
    return Article(
        text=text,
        url=url if url and url.startswith(("http://", "https://")) else None,
        title=title,
        publisher=meta.get("og:site_name") or None,
        published=published,
        meta=meta,
    )
