#!/usr/bin/env python3
"""Regenerate the FINESS register snapshot in data/register/ from its public files.

Source, read from a local clone (this script uses no network): the FHIR rendering of the etalab
FINESS extract ``etalab-cs1100507-stock-20210108-0427.csv`` (data.gouv.fr, "FINESS Extraction du
Fichier des établissements", Licence Ouverte 2.0), published as ``out/etab*.tar.gz`` in
https://github.com/flrt/finess-fhir at commit f33d5e989b679e04cd4eac5cad7a11051e4b4fe5. Each
site (ET) is an FHIR Organization (FINESS ET number, name, category and aggregate category,
address with city and postal code, opening date) and a Location (coordinates); the legal entity
(EJ) is the first half of the Organization id (``{EJ}-{ET}``). The extract gives no EJ name and
no INSEE commune code.

    git clone https://github.com/flrt/finess-fhir && git -C finess-fhir checkout f33d5e9
    python scripts/register.py --clone finess-fhir

The commune of a site is derived from its postal code and city against
data/gazetteer/communes.csv, never guessed (see match_commune); a site without a sure match
keeps an empty commune and is counted in data/register/README.md.

Output (deterministic; gzip with a zero timestamp):

* ``data/register/establishments.csv.gz``: finess_et, finess_ej, name, category, aggregate,
  commune, latitude, longitude, opened, source (the URL of the archive at the commit);
* ``data/register/legal_entities.csv.gz``: finess_ej, sites, source;
* ``data/register/categories.csv``: code, label_fr, aggregate, aggregate_label, sites, hospital;
* ``data/register/unmatched-communes.csv``: the sites whose commune is not found, and why;
* the figures of the commune match, printed (and written into the README by hand).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
import unicodedata
from collections import Counter
from pathlib import Path

COMMIT = "f33d5e989b679e04cd4eac5cad7a11051e4b4fe5"
BASE = f"https://github.com/flrt/finess-fhir/blob/{COMMIT}/"
ARCHIVES = [
    "out/etab0-10000.tar.gz",
    "out/etab10001-20000.tar.gz",
    "out/etab20001-30000.tar.gz",
    "out/etab30001-40000.tar.gz",
    "out/etab40001-50000.tar.gz",
    "out/etab50001-60000.tar.gz",
    "out/etab60001-70000.tar.gz",
    "out/etab70001-80000.tar.gz",
    "out/etab80001-90000.tar.gz",
    "out/etab90001-95541.tar.gz",
]
# The hospital categories (the default build): the FINESS aggregate categories of health
# establishments with beds (codes of the extract's CAT_AGR_ETAB value set), plus the private
# psychiatric clinics and the armed forces' hospitals, whose aggregates also hold other kinds.
HOSPITAL_AGGREGATES = {"1101", "1102", "1103", "1104", "1106", "1107", "1109", "1110"}
HOSPITAL_CATEGORIES = {"161", "114"}
TRUNCATED = 25  # the extract cuts city names at 26 characters
ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clone", type=Path, required=True, help="clone of flrt/finess-fhir")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "register")
    args = parser.parse_args()
    communes = read_communes(ROOT / "data" / "gazetteer" / "communes.csv")
    sites, categories = [], {}
    for archive in ARCHIVES:
        for org, loc in read_archive(args.clone, archive):
            site = site_row(org, loc, archive)
            labels = (site.pop("label"), site.pop("agr_label"))
            categories.setdefault(site["category"], labels)
            site["commune"], site["match"] = match_commune(site["city"], site["postal"], communes)
            sites.append(site)
    sites.sort(key=lambda s: s["finess_et"])
    args.out.mkdir(parents=True, exist_ok=True)
    write_outputs(args.out, sites, categories)
    report(sites)
    return 0


def read_archive(clone: Path, archive: str) -> list[tuple[dict, dict | None]]:
    """(Organization, Location) pairs of one archive, read from the commit with `git show`."""
    blob = subprocess.run(
        ["git", "-C", str(clone), "show", f"{COMMIT}:{archive}"], capture_output=True, check=True
    ).stdout
    orgs: dict[str, dict] = {}
    locs: dict[str, dict] = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for member in tar.getmembers():
            f = tar.extractfile(member)
            if f is None:
                continue
            for line in io.TextIOWrapper(f, encoding="utf-8"):
                resource = json.loads(line)
                if resource["resourceType"] == "Organization":
                    orgs[resource["id"]] = resource
                elif resource["resourceType"] == "Location":
                    ref = resource["managingOrganization"]["reference"].split("/", 1)[1]
                    locs[ref] = resource
    return [(org, locs.get(key)) for key, org in orgs.items()]


def site_row(org: dict, loc: dict | None, archive: str) -> dict[str, str]:
    codes = {
        c["system"].rsplit("/", 1)[-1]: (c["code"], c.get("display", ""))
        for t in org.get("type", [])
        for c in t.get("coding", [])
    }
    et = next(i["value"] for i in org["identifier"] if i["system"] == "urn:oid:1.2.250.1.71.4.2.2")
    ej = org["id"].split("-", 1)[0]
    address = (org.get("address") or [{}])[0]
    period = [e for e in org.get("extension", []) if e["url"].endswith("organization-period")]
    position = (loc or {}).get("position") or {}
    lat, lon = position.get("latitude"), position.get("longitude")
    return {
        "finess_et": et,
        "finess_ej": ej,
        "name": " ".join(org.get("name", "").split()),
        "category": codes.get("CAT_ETAB", ("", ""))[0],
        "label": codes.get("CAT_ETAB", ("", ""))[1],
        "aggregate": codes.get("CAT_AGR_ETAB", ("", ""))[0],
        "agr_label": codes.get("CAT_AGR_ETAB", ("", ""))[1],
        "city": address.get("city", ""),
        "postal": address.get("postalCode", ""),
        "latitude": f"{lat:.6f}" if lat is not None and lon is not None else "",
        "longitude": f"{lon:.6f}" if lat is not None and lon is not None else "",
        "opened": period[0]["valuePeriod"].get("start", "") if period else "",
        "source": BASE + archive,
    }


def normalise(name: str) -> str:
    """Upper case without accents or punctuation, St/Ste spelt out, no CEDEX or district."""
    name = name.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"[^A-Z0-9]+", " ", text)
    text = re.sub(r"\bCEDEX\b.*$", "", text)
    text = re.sub(r"(\s+\d+\s*(E|ER|EME)?)+\s*(ARRONDISSEMENT)?\s*$", "", text)
    text = re.sub(r"\bSTE\b", "SAINTE", text)
    text = re.sub(r"\bST\b", "SAINT", text)
    return " ".join(text.split())


def read_communes(path: Path) -> dict[tuple[str, str], list[str]]:
    """{(department, normalised name): [INSEE codes]}."""
    out: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault((row["department"], normalise(row["name"])), []).append(row["insee"])
    return out


def departments_of(postal: str) -> list[str]:
    if not re.fullmatch(r"\d{5}", postal):
        return []
    if postal.startswith("97") or postal.startswith("98"):
        return [postal[:3]]
    if postal.startswith("20"):
        return ["2A", "2B"]
    return [postal[:2]]


def match_commune(
    city: str, postal: str, communes: dict[tuple[str, str], list[str]]
) -> tuple[str, str]:
    """(INSEE code, how) where exactly one commune of the postal code's department bears the
    city's normalised name ("name"), or, for a city cut at the extract's TRUNCATED characters,
    exactly one commune's name starts with it ("prefix"); ("", why not) otherwise."""
    name = normalise(city)
    departments = departments_of(postal)
    found = [c for d in departments for c in communes.get((d, name), [])]
    if not found and len(city.split("CEDEX")[0].strip()) >= TRUNCATED:
        found = [
            c
            for (d, other), codes in communes.items()
            if d in departments and other.startswith(name)
            for c in codes
        ]
        if len(found) == 1:
            return found[0], "prefix"
    if len(found) == 1:
        return found[0], "name"
    return "", "ambiguous" if found else "no-commune"


def write_outputs(out: Path, sites: list[dict], categories: dict) -> None:
    et_columns = ["finess_et", "finess_ej", "name", "category", "aggregate", "commune"]
    et_columns += ["latitude", "longitude", "opened", "source"]
    _write_gz(out / "establishments.csv.gz", et_columns, sites)
    with (out / "unmatched-communes.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(
            f,
            ["finess_et", "category", "city", "postal", "match"],
            extrasaction="ignore",
            lineterminator="\n",
        )
        w.writeheader()
        w.writerows(s for s in sites if not s["commune"])
    entities: dict[str, dict[str, str]] = {}
    counts: Counter[str] = Counter()
    for site in sites:
        counts[site["finess_ej"]] += 1
        entities.setdefault(site["finess_ej"], {"source": site["source"]})
    rows = [
        {"finess_ej": ej, "sites": str(counts[ej]), "source": e["source"]}
        for ej, e in sorted(entities.items())
    ]
    _write_gz(out / "legal_entities.csv.gz", ["finess_ej", "sites", "source"], rows)
    aggregates = {s["category"]: s["aggregate"] for s in sites}
    per_category = Counter(s["category"] for s in sites)
    agr_labels = {}
    for code, (_label, agr_label) in categories.items():
        agr_labels[aggregates[code]] = agr_label
    with (out / "categories.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "label_fr", "aggregate", "aggregate_label", "sites", "hospital"])
        for code in sorted(categories):
            agr = aggregates[code]
            hospital = agr in HOSPITAL_AGGREGATES or code in HOSPITAL_CATEGORIES
            w.writerow(
                [
                    code,
                    categories[code][0],
                    agr,
                    agr_labels[agr],
                    per_category[code],
                    "yes" if hospital else "no",
                ]
            )


def _write_gz(path: Path, columns: list[str], rows: list[dict]) -> None:
    text = io.StringIO()
    w = csv.DictWriter(text, columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(text.getvalue().encode("utf-8"))


def report(sites: list[dict]) -> None:
    hospital = [
        s
        for s in sites
        if s["aggregate"] in HOSPITAL_AGGREGATES or s["category"] in HOSPITAL_CATEGORIES
    ]
    for label, group in (("all sites", sites), ("hospital sites", hospital)):
        how = Counter(s["match"] for s in group)
        matched = how["name"] + how["prefix"]
        print(
            f"{label}: {len(group)}, commune matched {matched} "
            f"({100 * matched / len(group):.2f} %), (by prefix {how['prefix']}), "
            f"ambiguous {how['ambiguous']}, "
            f"no commune {how['no-commune']}, no coordinates "
            f"{sum(1 for s in group if not s['latitude'])}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    sys.exit(main())
