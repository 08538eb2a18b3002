"""A draft beside an incident of data/incidents/: what the article adds (a victim, an impact, an
actor) and where it disagrees (another start, another count or amount, another certainty), as
claims to add beside the incident's own, never as replacements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.drafting.draft import Draft
from kg.drafting.render import fields
from kg.errors import KgError


@dataclass(frozen=True)
class Finding:
    kind: str  # new | conflict | same
    field: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind:<8}  {self.field:<12}  {self.text}"


def incident_file(root: Path, name: str) -> Path:
    """data/incidents/NAME.yaml, or the one file whose name ends with -NAME.yaml."""
    folder = root / "data" / "incidents"
    exact = folder / f"{name.removesuffix('.yaml')}.yaml"
    if exact.is_file():
        return exact
    found = sorted(folder.glob(f"*-{name}.yaml"))
    if len(found) == 1:
        return found[0]
    hint = "give the file name without .yaml, e.g. 2022-12-03-ch-andre-mignot"
    if found:
        names = ", ".join(f.stem for f in found)
        raise KgError(f"--against {name}: several incidents fit ({names})", hint)
    raise KgError(f"--against {name}: no such incident in data/incidents/", hint)


def compare(d: Draft, root: Path, name: str) -> list[Finding]:
    from kg.yamlio import load_yaml

    path = incident_file(root, name)
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        raise KgError(f"{path}: not an incident (a YAML mapping)")
    draft, _ = fields(d)
    out = _start(draft, doc) + _victims(draft, doc)
    if draft.get("type") and draft["type"] != doc.get("type"):
        out.append(Finding("conflict", "type", f"the article says {draft['type']}, the incident "
                           f"{doc.get('type')}: note it, the incident keeps one type"))
    out += _impacts(draft, doc) + _claims(draft, doc)
    return out


def _same_time(a: str, b: str) -> bool:
    n = min(len(a), len(b), 16)
    return a[:n] == b[:n]


def _start(draft: dict[str, Any], doc: dict[str, Any]) -> list[Finding]:
    if "start" not in draft:
        return []
    known = [str(doc.get("start", ""))] + [str(a.get("start", "")) for a in
                                           doc.get("alternative-starts") or []]
    mine = str(draft["start"])
    if any(_same_time(mine, k) for k in known if k):
        return [Finding("same", "start", mine)]
    return [Finding("conflict", "start", f"the article says {mine}, the incident "
                    f"{doc.get('start')}: add it under alternative-starts with its source")]


def _victims(draft: dict[str, Any], doc: dict[str, Any]) -> list[Finding]:
    theirs = {str(v) for v in doc.get("victims") or []}
    return [Finding("new" if v not in theirs else "same", "victim", v) for v in draft["victims"]]


def _impacts(draft: dict[str, Any], doc: dict[str, Any]) -> list[Finding]:
    out = []
    theirs = doc.get("impacts") or []
    for item in draft["impacts"]:
        same_type = [i for i in theirs if i.get("type") == item["type"]]
        label = _impact_label(item)
        if not same_type:
            out.append(Finding("new", "impact", f"{label}: add it"))
            continue
        for key in ("count", "amount", "duration"):
            if key in item and not any(str(i.get(key)) == str(item[key]) for i in same_type):
                given = ", ".join(str(i[key]) for i in same_type if key in i) or "none"
                out.append(Finding("conflict", "impact", f"{label}: the incident has {key} "
                                   f"{given}; add the article's as its own impact"))
                break
        else:
            if not any(i.get("status") == item["status"] for i in same_type):
                out.append(Finding("conflict", "impact", f"{label}: the incident's status is "
                                   f"{same_type[0].get('status')}"))
            else:
                out.append(Finding("same", "impact", label))
    return out


def _impact_label(item: dict[str, Any]) -> str:
    extra = [f"{k} {item[k]}" for k in ("count", "amount", "currency", "duration") if k in item]
    return " ".join([item["type"], f"({item['status']})", *extra])


def _claims(draft: dict[str, Any], doc: dict[str, Any]) -> list[Finding]:
    out = []
    theirs = doc.get("attributions") or []
    for c in draft["attributions"]:
        who = c.get("actor") or c.get("malware") or f"unnamed {c.get('actor-kind')}"
        same = [t for t in theirs if (t.get("actor"), t.get("malware") if not c.get("actor")
                else None) == (c.get("actor"), c.get("malware") if not c.get("actor") else None)
                and (c.get("actor") or c.get("malware") or t.get("actor-kind") ==
                     c.get("actor-kind"))]
        if not same:
            out.append(Finding("new", "attribution", f"{who} ({c['certainty']}, {c['basis']}): "
                               "add it as a claim of its own"))
        elif not any(t.get("certainty") == c["certainty"] for t in same):
            out.append(Finding("conflict", "attribution", f"{who}: the article says "
                               f"{c['certainty']}, the incident "
                               f"{', '.join(str(t.get('certainty')) for t in same)}; "
                               "add it as a claim of its own"))
        else:
            out.append(Finding("same", "attribution", f"{who} ({c['certainty']})"))
    return out
