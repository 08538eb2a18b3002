"""bench/out/results.md from bench/out/results.json: the targets of issue 16, each with kg's
figure beside its anchor's (measured in the same run), the ratio, and met or not; then each
step at every size with its slope (growth); then the rdflib baseline where it was run.

    python bench/report.py        # rewrite results.md from the last results.json
"""

from __future__ import annotations

import json
import math
import platform
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _s(x: float | None, places: int = 2) -> str:
    return "" if x is None else f"{x:,.{places}f}"


def target_rows(r: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(target, kg, anchor, ratio, goal, met) for one size."""
    out = []
    build, anchor = r["build"], r.get("anchor_load")
    if anchor:
        ratio = anchor["seconds"] / build["wall"]
        out.append(
            (
                "1. build rate vs Oxigraph bulk load (whole process)",
                f"{build['wall']:.2f} s",
                f"{anchor['seconds']:.2f} s ({anchor['how']})",
                f"{ratio:.2f}x",
                ">= 0.75x",
                "met" if ratio >= 0.75 else "not met",
            )
        )
    peak = build["peak_mb"]
    out.append(
        (
            "1. build peak memory",
            f"{peak:,.0f} MB",
            f"{anchor['peak_mb']:,.0f} MB" if anchor else "",
            "",
            "<= 1,500 MB",
            "met" if peak <= 1500 else "not met",
        )
    )
    ght, virtuoso = r["ght_wall"], r.get("virtuoso_ght")
    ratio_v = ght / virtuoso["seconds"] if virtuoso else None
    in_time, near = ght <= 1.0, ratio_v is not None and ratio_v <= 2.0
    if ratio_v is None:
        met = "half (no Virtuoso)" if in_time else "not met"
    else:
        met = {
            (True, True): "met",
            (False, True): "2x met, 1 s not met",
            (True, False): "1 s met, 2x not met",
        }.get((in_time, near), "not met")
    out.append(
        (
            f"2. GHT exposure, {r['ght_rows']:,} rows, CSV (whole process)",
            f"{ght:.2f} s",
            f"{virtuoso['seconds']:.2f} s (Virtuoso HTTP)" if virtuoso else "not run",
            f"{ratio_v:.2f}x Virtuoso's time" if ratio_v else "",
            "<= 1 s and <= 2x",
            met,
        )
    )
    serve = r.get("serve")
    if serve:
        ratio_s = serve["kg"]["qps"] / serve["oxigraph"]["qps"]
        flat = serve["kg"]["growth_mb"] <= max(50.0, 0.1 * serve["kg"]["start_mb"])
        ok = ratio_s >= 0.7 and serve["kg"]["errors"] == 0 and flat
        out.append(
            (
                f"3. serving, {serve['clients']} clients, {serve['seconds']:.0f} s",
                f"{serve['kg']['qps']:.1f} q/s, p99 {serve['kg']['p99']:.2f} s, "
                f"{serve['kg']['errors']} errors, memory +{serve['kg']['growth_mb']:.0f} MB",
                f"{serve['oxigraph']['qps']:.1f} q/s, p99 {serve['oxigraph']['p99']:.2f} s, "
                f"{serve['oxigraph']['errors']} errors (oxigraph serve)",
                f"{ratio_s:.2f}x",
                ">= 0.7x, 0 errors, flat",
                "met" if ok else "not met",
            )
        )
    for key, label in (
        ("push", "4. push"),
        ("push_again", "4. push"),
        ("push_gsp", "4. push, without SQL access"),
    ):
        push = r.get(key)
        if not push:
            continue
        ratio_p = push["curl"] / push["kg"]
        out.append(
            (
                f"{label} ({push['method']})",
                f"{push['kg']:.1f} s (load {push.get('staging', 0):.1f} s, "
                f"swap {push.get('swap', 0):.1f} s)",
                f"{push['curl']:.1f} s (curl GSP)",
                f"{ratio_p:.2f}x",
                ">= 0.8x",
                "met" if ratio_p >= 0.8 else "not met",
            )
        )
    return out


STEPS = {
    "build": lambda r: r["build"]["wall"],
    "anchor load": lambda r: (r.get("anchor_load") or {}).get("seconds"),
    "GHT exposure": lambda r: r["ght_wall"],
    "attacks near Paris": lambda r: r["attacks_wall"],
    "validate, whole graph": lambda r: r["validate"]["wall"],
    "export N-Triples": lambda r: r["export"]["wall"],
    "push": lambda r: (r.get("push") or {}).get("kg"),
}


def growth(results: list[dict]) -> list[str]:
    """Seconds of each step at each size, and the slope between consecutive sizes: log(time
    ratio) / log(triples ratio), 1.0 being linear."""
    sized = [r for r in results if r.get("triples")]
    head = "| step | " + " | ".join(f"{r['size']} ({r['triples']:,})" for r in sized)
    lines = [head + " | slopes |", "| --- |" + " ---: |" * len(sized) + " --- |"]
    for name, get in STEPS.items():
        values = [get(r) for r in sized]
        slopes = []
        for (a, ra), (b, rb) in zip(
            zip(values, sized, strict=True), list(zip(values, sized, strict=True))[1:], strict=False
        ):
            if a and b and ra["triples"] != rb["triples"]:
                slopes.append(f"{math.log(b / a) / math.log(rb['triples'] / ra['triples']):.2f}")
        cells = " | ".join(_s(v) for v in values)
        lines.append(f"| {name} | {cells} | {', '.join(slopes)} |")
    return lines


def phases(results: list[dict]) -> list[str]:
    lines = ["| size | " + " | ".join(PHASES) + " |", "| --- |" + " ---: |" * len(PHASES)]
    for r in results:
        got = r["build"].get("phases") or {}
        lines.append(f"| {r['size']} | " + " | ".join(_s(got.get(p)) for p in PHASES) + " |")
    return lines


PHASES = ("read", "write", "load", "optimize", "count", "validate")


def markdown(results: list[dict], machine: str) -> str:
    out = [f"Measured {machine}.", ""]
    out += ["| size | target | kg | anchor | ratio | goal | met |", "| --- " * 7 + "|"]
    for r in results:
        for row in target_rows(r):
            out.append(f"| {r['size']} | " + " | ".join(row) + " |")
    out += ["", "Growth (seconds; slope 1.0 is linear):", "", *growth(results)]
    out += ["", "Build phases (seconds, from the manifest):", "", *phases(results)]
    opt = [r for r in results if r.get("optimize")]
    if opt:
        out += ["", "What `optimize()` costs and buys (GHT exposure in process, seconds):", ""]
        out += ["| size | optimize s | query, optimized | query, not optimized |"]
        out += ["| --- | ---: | ---: | ---: |"]
        for r in opt:
            o = r["optimize"]
            out.append(
                f"| {r['size']} | {_s(o['seconds'])} | {_s(o['with'], 3)} | {_s(o['without'], 3)} |"
            )
    notes = [n for r in results for n in r.get("notes", [])]
    if notes:
        out += ["", *[f"- {n}" for n in notes]]
    return "\n".join(out) + "\n"


def machine_line(load: tuple[float, float, float] | None = None) -> str:
    import datetime
    import os

    cores = os.cpu_count()
    load = load or os.getloadavg()
    day = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{day} on {platform.machine()} Linux, {cores} cores, Python "
        f"{sys.version.split()[0]}; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(shared machine: compare the ratios, not the seconds)"
    )


if __name__ == "__main__":
    found = json.loads((OUT / "results.json").read_text())
    (OUT / "results.md").write_text(markdown(found["sizes"], found["machine"]))
    print((OUT / "results.md").read_text())
