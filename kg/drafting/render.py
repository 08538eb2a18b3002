"""The draft written out: YAML in the data/incidents/ format, each value followed by its evidence
as a comment and the article's URL as the source of every fact; or JSON with the evidence of
each field by name."""

from __future__ import annotations

import json
from typing import Any

from kg.drafting.draft import Draft, Span, slug

QUOTE = 110


def fields(d: Draft) -> tuple[dict[str, Any], dict[str, Span]]:
    """The incident's fields as data/incidents/ writes them, and the span of each value."""
    ev: dict[str, Span] = {}
    inc: dict[str, Any] = {"slug": slug(d)}
    if d.victims:
        m = d.victims[0].mention
        inc["name"] = {"fr": f"Cyberattaque : {m.text}", "en": f"Cyberattack: {m.text}"}
    if d.kind:
        inc["type"] = d.kind.type
        inc["type-status"] = d.kind.status
        ev["type"] = d.kind.span
    inc["victims"] = [v.entity.key for v in d.victims if v.entity]
    for n, v in enumerate(d.victims):
        ev[f"victims[{n}]"] = (v.mention.start, v.mention.end)
    for key, when in (("start", d.start), ("discovered", d.discovered)):
        if when:
            inc[key] = when.value
            ev[key] = (when.start, when.end)
    inc["sources"] = [d.url] if d.url else []
    inc["impacts"] = []
    for n, i in enumerate(d.impacts):
        item: dict[str, Any] = {"type": i.type, "status": i.status}
        for key in ("count", "duration", "amount", "currency"):
            if getattr(i, key):
                item[key] = getattr(i, key)
        if i.amount:  # a number, as the loader reads it
            item["amount"] = int(i.amount) if i.amount.isdigit() else float(i.amount)
        if i.volume:
            item["note"] = {"en": f"Data volume given by the article: {i.volume}."}
        item["sources"] = inc["sources"]
        inc["impacts"].append(item)
        ev.update({f"impacts[{n}].{k}": s for k, s in i.evidence.items()})
        if "amount" in i.evidence:
            ev[f"impacts[{n}].currency"] = i.evidence["amount"]
    inc["attributions"] = []
    for n, c in enumerate(d.claims):
        item = {k: v for k, v in (("actor", c.actor), ("malware", c.malware),
                                  ("actor-kind", c.actor_kind)) if v}
        item.update({"certainty": c.certainty, "basis": c.basis})
        if c.note:
            item["note"] = {"en": c.note}
        item["sources"] = inc["sources"]
        inc["attributions"].append(item)
        ev.update({f"attributions[{n}].{k}": s for k, s in c.evidence.items()})
    return inc, ev


def render_json(d: Draft) -> str:
    inc, ev = fields(d)
    victims = []
    for n, v in enumerate(d.victims):
        e = v.entity
        victims.append({
            "name": v.mention.text,
            "finess": e.key if e and e.kind in ("establishment", "legal-entity") else None,
            "key": e.key if e else None,
            "matched": e.name if e else None,
            "in_register_only": bool(e and not e.curated),
            "candidates": [c.key for c in v.candidates],
            "commune": v.commune or None,
            "commune_name": d.commune_names.get(v.commune),
            "evidence": _span(d, ev[f"victims[{n}]"]),
        })
    return json.dumps({
        "incident": inc,
        "victims": victims,
        "evidence": {k: _span(d, s) for k, s in ev.items()},
        "warnings": d.warnings,
        "article": {"url": d.url, "language": d.article.language,
                    "published": _published(d)},
    }, ensure_ascii=False, indent=2) + "\n"


def _span(d: Draft, span: Span) -> dict[str, Any]:
    return {"text": d.quote(span), "start": span[0], "end": span[1]}


def _published(d: Draft) -> str | None:
    p = d.published
    if p is None:
        return None
    return f"{p.year}-{p.month:02d}" + (f"-{p.day:02d}" if p.day else "")


def _comment(d: Draft, span: Span | None, prefix: str = "") -> str:
    if span is None:
        return ""
    words = " ".join(d.quote(span).split())
    words = words if len(words) <= QUOTE else words[:QUOTE] + "..."
    return f"  # {prefix}[{span[0]}-{span[1]}] {json.dumps(words, ensure_ascii=False)}"


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def render_yaml(d: Draft) -> str:
    inc, ev = fields(d)
    out = [
        f"# Draft by kg draft from {d.url or 'an article without URL'}"
        f" (published {_published(d) or 'unknown'}).",
        "# Review every value against its evidence ([start-end] \"words\": offsets in the"
        " article's text) before it goes to data/incidents/.",
    ]
    out += [f"# WARNING: {w}" for w in d.warnings]
    out.append(f"slug: {inc['slug']}")
    if "name" in inc:
        out += ["name:", f"  fr: {_q(inc['name']['fr'])}", f"  en: {_q(inc['name']['en'])}"]
    if "type" in inc:
        out.append(f"type: {inc['type']}" + _comment(d, ev["type"], f"{inc['type-status']}: "))
    out.append("victims:" if d.victims else "victims: []  # REVIEW: no victim found")
    for n, v in enumerate(d.victims):
        span = ev[f"victims[{n}]"]
        if v.entity:
            out.append(f"  - {_q(v.entity.key)}" + _comment(d, span, f"{v.entity.name}: "))
        else:
            out.append(f"  # REVIEW unmatched victim, no FINESS number{_comment(d, span)}")
    for key in ("start", "discovered"):
        if key in inc:
            out.append(f"{key}: {_q(inc[key])}" + _comment(d, ev[key]))
    out += _list("sources", inc["sources"], "  ")
    for section in ("impacts", "attributions"):
        if inc[section]:
            out.append(f"{section}:")
        for n, item in enumerate(inc[section]):
            out += _item(d, item, ev, f"{section}[{n}]")
    return "\n".join(out) + "\n"


def _item(d: Draft, item: dict[str, Any], ev: dict[str, Span], path: str) -> list[str]:
    out = []
    for n, (key, value) in enumerate(item.items()):
        lead = "  - " if n == 0 else "    "
        if key == "sources":
            out += _list("sources", value, "      ", lead)
        elif key == "note":
            out += [f"{lead}note:", f"      en: {_q(value['en'])}"]
        else:
            span = ev.get(f"{path}.{key}") or (ev.get(f"{path}.type") if key == "status" else None)
            out.append(f"{lead}{key}: {_q(value)}" + _comment(d, span))
    return out


def _list(key: str, values: list[str], indent: str, lead: str = "") -> list[str]:
    if not values:
        return [f"{lead}{key}: []  # REVIEW: give the article's URL (--url)"]
    return [f"{lead}{key}:", *(f"{indent}- {_q(v)}" for v in values)]
