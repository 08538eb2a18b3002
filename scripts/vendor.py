"""Vendors the map's JavaScript and shapes from the npm registry into kg/site/static/, and
axe-core (the accessibility checker of the browser tests) into tests/vendor/: `npm pack` of
pinned versions, then the files the pages use; France's outline (with its overseas
departments) is cut from world-atlas's Natural Earth countries at 1:50m and written as a
script, so the map works from disk with nothing fetched at run time. Usage:
python scripts/vendor.py (needs npm and the registry; the output is committed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "kg" / "site" / "static"
PACKAGES = {"leaflet": "1.9.4", "world-atlas": "2.0.2", "axe-core": "4.11.0",
            "@zazuko/yasgui": "4.6.2"}
FRANCE = "250"  # ISO 3166-1 numeric, the id of France in world-atlas


def pack(name: str, version: str, into: Path) -> Path:
    subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=into, check=True,
                   stdout=subprocess.DEVNULL)
    folder = into / name.replace("/", "-")
    tgz = name.removeprefix("@").replace("/", "-")  # npm names @scope/pkg scope-pkg-V.tgz
    with tarfile.open(next(into.glob(f"{tgz}-{version}.tgz"))) as tar:
        tar.extractall(folder, filter="data")
    return folder / "package"


def decode(topology: dict, geometry: dict) -> dict:
    """A TopoJSON (multi)polygon as GeoJSON: arcs un-delta-encoded and scaled."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * sx + tx, 4), round(y * sy + ty, 4)])
        arcs.append(points)

    def ring(indexes: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out += points[1:] if out else points
        return out

    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in p] for p in polygons]}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        packages = {name: pack(name, v, work) for name, v in PACKAGES.items()}
        leaflet = STATIC / "vendor" / "leaflet"
        shutil.rmtree(leaflet, ignore_errors=True)
        (leaflet / "images").mkdir(parents=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copy(packages["leaflet"] / "dist" / name, leaflet / name)
        for image in (packages["leaflet"] / "dist" / "images").iterdir():
            shutil.copy(image, leaflet / "images" / image.name)
        shutil.copy(packages["leaflet"] / "LICENSE", leaflet / "LICENSE")
        atlas = json.loads((packages["world-atlas"] / "countries-50m.json").read_text())
        geometry = next(g for g in atlas["objects"]["countries"]["geometries"]
                        if g.get("id") == FRANCE)
        shape = {"type": "Feature", "properties": {"name": "France"},
                 "geometry": decode(atlas, geometry)}
        (STATIC / "shapes").mkdir(exist_ok=True)
        (STATIC / "shapes" / "france.js").write_text(
            "// France with its overseas departments: Natural Earth 1:50m (public domain) from\n"
            f"// world-atlas {PACKAGES['world-atlas']} (ISC), countries-50m.json, id {FRANCE}.\n"
            "window.KG_FRANCE = " + json.dumps(shape, separators=(",", ":")) + ";\n"
        )
        shutil.copy(packages["world-atlas"] / "LICENSE", STATIC / "shapes" / "LICENSE-world-atlas")
        axe = ROOT / "tests" / "vendor"
        axe.mkdir(exist_ok=True)
        shutil.copy(packages["axe-core"] / "axe.min.js", axe / "axe.min.js")
        shutil.copy(packages["axe-core"] / "LICENSE", axe / "LICENSE-axe-core")
        yasgui(packages["@zazuko/yasgui"])


def yasgui(package: Path) -> None:
    """The query page's SPARQL editor: YASGUI's browser build and style. The npm package ships
    no LICENSE file; its package.json says MIT, written down beside the files."""
    meta = json.loads((package / "package.json").read_text())
    folder = STATIC / "vendor" / "yasgui"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("yasgui.min.js", "yasgui.min.css"):
        text = (package / "build" / name).read_text()
        # the source-map comment would make browsers' tools ask for a file we do not ship
        maps = ("//# sourceMappingURL", "/*# sourceMappingURL")
        lines = [line for line in text.splitlines() if not line.startswith(maps)]
        (folder / name).write_text("\n".join(lines) + "\n")
    (folder / "LICENSE").write_text(
        f"{meta['name']} {meta['version']}: licence {meta['license']} (package.json of the npm\n"
        f"package; author {meta['author']}; source {meta['homepage']}).\n")


if __name__ == "__main__":
    main()
