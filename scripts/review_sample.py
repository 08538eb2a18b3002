"""Draw the fact sample for data/REVIEW.md (issue 10, item 7).

Method: the incident files added between 68bdf8c and b51a3b5 (git diff --diff-filter=A), sorted by
name; each file is cut into facts in a fixed order (type, start, discovered, outcome, each victim,
each impact, each attribution); the full list is shuffled with random.Random(SEED) and the first N
are printed.
"""

import random
import subprocess
import sys

import yaml

SEED = 20261204
BASE, HEAD = "68bdf8c", "b51a3b5"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 38


def new_files() -> list[str]:
    out = subprocess.run(
        ["git", "diff", "--name-only", "--diff-filter=A", BASE, HEAD, "--", "data/incidents/"],
        capture_output=True, text=True, check=True,
    ).stdout
    return sorted(out.split())


def facts(path: str) -> list[tuple[str, str, str]]:
    show = ["git", "show", f"{HEAD}:{path}"]
    text = subprocess.run(show, capture_output=True, text=True, check=True).stdout
    d = yaml.safe_load(text)
    name = path.split("/")[-1]
    out = [(name, "type", str(d["type"]))]
    out.append((name, "start", str(d["start"])))
    if "discovered" in d:
        out.append((name, "discovered", str(d["discovered"])))
    if "outcome" in d:
        out.append((name, "outcome", str(d["outcome"])))
    for v in d.get("victims", []):
        out.append((name, "victim", str(v)))
    for i, imp in enumerate(d.get("impacts", []) or []):
        keys = ("type", "status", "count", "amount", "currency", "date")
        out.append((name, f"impact[{i}]", ", ".join(f"{k}={imp[k]}" for k in keys if k in imp)))
    for i, att in enumerate(d.get("attributions", []) or []):
        keys = ("actor", "malware", "actor-kind", "certainty", "basis", "asserted")
        value = ", ".join(f"{k}={att[k]}" for k in keys if k in att)
        out.append((name, f"attribution[{i}]", value))
    return out


def main() -> None:
    everything = [f for p in new_files() for f in facts(p)]
    random.Random(SEED).shuffle(everything)
    print(f"# {len(everything)} facts in {len(new_files())} files; sample of {N}, seed {SEED}")
    for k, (name, field, value) in enumerate(everything[:N], 1):
        print(f"{k}\t{name}\t{field}\t{value}")


if __name__ == "__main__":
    main()
