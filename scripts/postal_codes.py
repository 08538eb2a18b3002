#!/usr/bin/env python3
"""Regenerate data/gazetteer/postal-codes.csv: which communes each postal code serves.

Source, read from a local file (no network): ``data/communes.json`` of the npm package
``@etalab/decoupage-administratif`` 6.0.0 (Licence Ouverte 2.0), whose ``codesPostaux`` come
from La Poste's base officielle des codes postaux. ``npm pack`` that version, then
``tar xzf`` the tarball and give its ``package`` folder:

    python scripts/postal_codes.py --package /tmp/package

A postal code may serve several communes and a commune have several postal codes (Paris, Lyon
and Marseille have one per arrondissement: they are listed under the whole commune, 75056,
69123, 13055, as data/gazetteer/communes.csv has it). Only communes of communes.csv are
written. Output: ``postal_code,insee`` rows, sorted, UTF-8, ``\\n`` line ends.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "data" / "gazetteer"


def pairs(communes: list[dict], known: set[str]) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for c in communes:
        if c.get("type") == "commune-actuelle":
            insee = c["code"]
        elif c.get("type") == "arrondissement-municipal":
            insee = c.get("commune", "")
        else:
            continue
        if insee in known:
            found.update((code, insee) for code in c.get("codesPostaux", []))
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, required=True,
                        help="the unpacked npm package (its folder 'package')")
    args = parser.parse_args()
    communes = json.loads((args.package / "data" / "communes.json").read_text(encoding="utf-8"))
    with (GAZETTEER / "communes.csv").open(encoding="utf-8", newline="") as f:
        known = {row["insee"] for row in csv.DictReader(f)}
    rows = pairs(communes, known)
    with (GAZETTEER / "postal-codes.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["postal_code", "insee"])
        writer.writerows(rows)
    print(f"{len(rows)} pairs, {len({p for p, _ in rows})} postal codes, "
          f"{len({i for _, i in rows})} communes")


if __name__ == "__main__":
    main()
