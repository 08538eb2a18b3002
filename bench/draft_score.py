"""Score `kg draft` on the annotated articles of bench/draft/: precision, recall and F1 per field
(start date, victims' communes, incident type, impact types, counts, amounts with currency,
actors with certainty) and the number of values written without evidence (must be 0).

    python bench/draft_score.py            # prints the report
    python bench/draft_score.py --write    # and writes it to bench/draft/REPORT.md
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench" / "draft"
FIELDS = ("start", "communes", "type", "impacts", "counts", "amounts", "actors")


def predicted(d: Any) -> dict[str, set[str]]:
    from kg.drafting.render import fields

    inc, _ = fields(d)
    actors = set()
    for c in inc["attributions"]:
        who = c.get("actor") or c.get("malware") or c.get("actor-kind")
        actors.add(f"{who}:{c['certainty']}")
    return {
        "start": {inc["start"]} if "start" in inc else set(),
        "communes": {v.commune for v in d.victims if v.commune},
        "type": {inc["type"]} if "type" in inc else set(),
        "impacts": {i["type"] for i in inc["impacts"]},
        "counts": {f"{i['type']}={i['count']}" for i in inc["impacts"] if "count" in i},
        "amounts": {f"{i['amount']} {i['currency']}" for i in inc["impacts"] if "amount" in i},
        "actors": actors,
    }


def expected(entry: dict[str, Any]) -> dict[str, set[str]]:
    return {
        "start": {entry["start"]} if entry.get("start") else set(),
        "communes": set(entry["communes"]),
        "type": {entry["type"]} if entry.get("type") else set(),
        "impacts": set(entry["impacts"]),
        "counts": {f"{k}={v}" for k, v in entry["counts"].items()},
        "amounts": set(entry["amounts"]),
        "actors": set(entry["actors"]),
    }


def unsupported(d: Any) -> list[str]:
    """Values written without a span, and spans that do not quote the article."""
    from kg.drafting.render import fields

    inc, ev = fields(d)
    missing = []
    for key in ("type", "start", "discovered"):
        if key in inc and key not in ev:
            missing.append(key)
    for n, _ in enumerate(d.victims):
        if f"victims[{n}]" not in ev:
            missing.append(f"victims[{n}]")
    for section in ("impacts", "attributions"):
        for n, item in enumerate(inc[section]):
            for key in item:
                if key in ("sources", "status", "basis", "note", "certainty", "type"):
                    continue
                if f"{section}[{n}].{key}" not in ev:
                    missing.append(f"{section}[{n}].{key}")
            anchor = "type" if section == "impacts" else "certainty"
            if f"{section}[{n}].{anchor}" not in ev:
                missing.append(f"{section}[{n}].{anchor}")
    for key, (start, end) in ev.items():
        if not d.article.text[start:end].strip():
            missing.append(f"{key} (empty span)")
    return missing


def score(folder: str = "articles", annotated: str = "expected.json") -> tuple[str, bool]:
    from kg.drafting import draft_article

    annotations = json.loads((HERE / annotated).read_text(encoding="utf-8"))
    tally = {f: Counter() for f in FIELDS}
    misses: list[str] = []
    without = 0
    for name, entry in annotations.items():
        if name.startswith("_"):
            continue
        d = draft_article(ROOT, HERE / folder / name, url=f"https://example.org/{name}",
                          published=entry.get("published"))
        got, want = predicted(d), expected(entry)
        bad = unsupported(d)
        without += len(bad)
        misses += [f"{name}: value without evidence: {b}" for b in bad]
        for f in FIELDS:
            tp, fp, fn = got[f] & want[f], got[f] - want[f], want[f] - got[f]
            tally[f].update(tp=len(tp), fp=len(fp), fn=len(fn))
            if fp or fn:
                misses.append(f"{name}: {f}: extra {sorted(fp)}, missed {sorted(fn)}")
    lines = [
        f"## {folder}/",
        "",
        f"{sum(1 for n in annotations if not n.startswith('_'))} articles (bench/draft/{folder}/,"
        f" annotations in bench/draft/{annotated}).",
        "",
        "| field | precision | recall | F1 | true pos. | false pos. | false neg. |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    met = True
    for f in FIELDS:
        t = tally[f]
        p = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else 1.0
        r = t["tp"] / (t["tp"] + t["fn"]) if t["tp"] + t["fn"] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f in ("start", "communes", "type", "amounts", "actors") and f1 < 0.8:
            met = False
        lines.append(f"| {f} | {p:.2f} | {r:.2f} | {f1:.2f} | {t['tp']} | {t['fp']} | {t['fn']} |")
    lines += ["", f"Values without evidence: {without}.", "", "Differences:", ""]
    lines += [f"- {m}" for m in misses] or ["- none"]
    return "\n".join(lines) + "\n", met and without == 0


def main() -> int:
    sys.path.insert(0, str(ROOT))
    tuned, met = score()
    heldout, _ = score("heldout", "heldout.json")
    report = f"# kg draft on the annotated articles\n\n{tuned}\n{heldout}"
    print(report, end="")
    if "--write" in sys.argv:
        (HERE / "REPORT.md").write_text(report, encoding="utf-8")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
