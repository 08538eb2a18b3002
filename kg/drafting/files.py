"""Where a draft goes: a file (never over another one without --force), and the article's row in
data/sources.csv (--add-source), so that the written draft validates once reviewed."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

from kg.drafting.draft import Draft
from kg.errors import KgError


def write_draft(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise KgError(f"{path} exists", "add --force to overwrite it, or choose another -o file")
    if path.is_dir():
        raise KgError(f"{path} is a folder", "give -o a file name, e.g. draft.yaml")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise KgError(f"{path}: cannot write the draft ({exc.strerror})") from None


def source_row(d: Draft) -> dict[str, str]:
    """The article's row of data/sources.csv: its URL, title, publisher, language and date, as
    the page gives them (the publisher is the site's name, else its host name)."""
    if not d.url:
        raise KgError("--add-source needs the article's URL", "give --url URL")
    title = d.article.title or d.article.text.strip().split("\n")[0][:200]
    publisher = d.article.publisher or (urlsplit(d.url).hostname or "").removeprefix("www.")
    p = d.published
    published = "" if p is None else f"{p.year}-{p.month:02d}" + (f"-{p.day:02d}" if p.day
                                                                  else "")
    return {"url": d.url, "title": " ".join(title.split()), "publisher": publisher,
            "language": d.article.language, "published": published}


def add_source(root: Path, d: Draft) -> bool:
    """Append the article's row to data/sources.csv unless its URL is there; True if added."""
    path = root / "data" / "sources.csv"
    row = source_row(d)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KgError(f"{path}: cannot read it ({exc.strerror})") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if any(r.get("url") == row["url"] for r in rows):
        return False
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=list(row), lineterminator="\n").writerow(row)
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(("" if text.endswith("\n") else "\n") + out.getvalue())
    return True
