"""Reading STIX 2.1 and 2.0 bundles and checking them before anything is imported: every problem
of every bundle is collected, each naming the file, the object and what is wrong."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.dates import DateProblem, parse_date
from kg.durations import ONE_UNIT
from kg.errors import KgError
from kg.exporting.stix_mapping import HCK_EXTENSION

TYPE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
IDENTIFIER = re.compile(rf"^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)--({UUID})$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
NAMED = {"threat-actor", "intrusion-set", "identity", "incident"}
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")  # BCP 47, loosely
TIMES = ("created", "modified", "first_seen", "last_seen", "start_time", "end_time")
OUR_DATES = ("start", "end", "date", "asserted")


class StixErrors(KgError):
    """The bundles cannot be imported; nothing was written."""

    def __init__(self, errors: list[str]) -> None:
        n = len(errors)
        head = f"{n} error{'s' if n != 1 else ''} in the STIX bundles; nothing was imported"
        super().__init__("\n".join([head, *errors]))
        self.errors = errors


@dataclass
class Bundles:
    """The objects of all bundles read, by identifier (the latest version of each), where each
    came from, and the older versions that were set aside."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: dict[str, Path] = field(default_factory=dict)
    superseded: list[tuple[str, str]] = field(default_factory=list)  # (id, modified)
    files: list[Path] = field(default_factory=list)


def read_bundles(paths: list[Path]) -> Bundles:
    """Read and check `paths`; raise StixErrors listing every problem found."""
    errors: list[str] = []
    found: list[tuple[Path, int, dict[str, Any]]] = []
    for path in paths:
        for n, obj in _objects(path, errors):
            found.extend([(path, n, obj)] if _check_object(path, n, obj, errors) else [])
    out = Bundles(files=list(paths))
    for path, _, obj in found:
        _keep_latest(out, path, obj, errors)
    for path, _, obj in found:
        if out.objects.get(obj["id"]) is obj:
            _check_references(path, obj, out.objects, errors)
    if errors:
        raise StixErrors(errors)
    return out


MAX_BUNDLE_BYTES = 512 * 1024 * 1024


def _objects(path: Path, errors: list[str]) -> list[tuple[int, Any]]:
    from kg.errors import DataError
    from kg.files import read_text

    try:
        doc = json.loads(read_text(path, path, MAX_BUNDLE_BYTES))
    except json.JSONDecodeError as exc:
        errors.append(f"{path}: not JSON ({exc.msg} at line {exc.lineno})")
        return []
    except DataError as exc:
        errors.append(str(exc))
        return []
    except RecursionError:
        errors.append(f"{path}: nested too deeply to be a STIX bundle")
        return []
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        errors.append(f"{path}: not a STIX bundle (its 'type' is {kind!r}, not 'bundle')")
        return []
    objects = doc.get("objects", [])
    if not isinstance(objects, list):
        errors.append(f"{path}: 'objects' is not a list")
        return []
    return list(enumerate(objects, 1))


def _check_object(path: Path, n: int, obj: Any, errors: list[str]) -> bool:
    """Identity checks (type and id); False if the object cannot even be named."""
    if not isinstance(obj, dict):
        errors.append(f"{path}: object {n} is not a JSON object")
        return False
    kind, ident = obj.get("type"), obj.get("id")
    label = f"object {n}" + (f" ({kind})" if isinstance(kind, str) else "")
    if "type" not in obj:
        errors.append(f"{path}: {ident if isinstance(ident, str) else label}: no 'type'")
        return False
    if not isinstance(kind, str) or not TYPE.match(kind):
        errors.append(
            f"{path}: {label}: 'type' is {kind!r}, not a STIX type name "
            "(lowercase letters, digits and hyphens)"
        )
        return False
    if "id" not in obj:
        errors.append(f"{path}: {label} has no 'id'")
        return False
    match = IDENTIFIER.match(ident) if isinstance(ident, str) else None
    if match is None:
        errors.append(f"{path}: {label}: 'id' is {ident!r}, not {kind}--UUID")
        return False
    if match.group(1) != kind:
        errors.append(
            f"{path}: {ident}: 'type' is '{kind}' but the id is of type '{match.group(1)}'"
        )
        return False
    before = len(errors)
    _check_properties(f"{path}: {ident}", obj, errors)
    return len(errors) == before


def _is_timestamp(value: object) -> bool:
    """A STIX timestamp that names a real instant (not 2022-02-30T25:61:00Z)."""
    from datetime import datetime

    if not (isinstance(value, str) and TIMESTAMP.match(value)):
        return False
    try:
        datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return False
    return True


def _check_properties(where: str, obj: dict[str, Any], errors: list[str]) -> None:
    kind = obj["type"]
    if (kind in NAMED or (kind == "malware" and obj.get("is_family") is not False)) and not (
        isinstance(obj.get("name"), str) and obj["name"].strip()
    ):
        errors.append(f"{where}: no 'name' (a {kind} needs one)")
    for key in TIMES:
        if key in obj and not _is_timestamp(obj[key]):
            errors.append(
                f"{where}: '{key}' is {obj[key]!r:.100}, not a STIX timestamp (UTC, ...Z)"
            )
    tags = [obj["lang"]] if "lang" in obj else []
    if kind == "language-content" and isinstance(obj.get("contents"), dict):
        tags += list(obj["contents"])
    for tag in tags:
        if not (isinstance(tag, str) and LANGUAGE_TAG.match(tag)):
            shown = repr(tag)[:100]
            errors.append(f"{where}: the language {shown} is not a language tag (e.g. en, fr)")
    confidence = obj.get("confidence")
    if "confidence" in obj and (
        isinstance(confidence, bool)
        or not isinstance(confidence, int)
        or not 0 <= confidence <= 100
    ):
        errors.append(f"{where}: 'confidence' is {confidence!r}, not an integer from 0 to 100")
    references = obj.get("external_references", [])
    if not isinstance(references, list):
        errors.append(f"{where}: 'external_references' is not a list")
    else:
        for i, ref in enumerate(references):
            if not isinstance(ref, dict) or not isinstance(ref.get("source_name"), str):
                errors.append(f"{where}: external_references[{i}] has no 'source_name'")
    mine = (
        (obj.get("extensions") or {}).get(HCK_EXTENSION)
        if isinstance(obj.get("extensions"), dict)
        else None
    )
    for key in OUR_DATES if isinstance(mine, dict) else ():
        if key in mine:  # type: ignore[operator]
            try:
                parse_date(str(mine[key]))  # type: ignore[index]
            except DateProblem as exc:
                errors.append(f"{where}: '{key}' of the hospital-cyber-kg extension: {exc}")
    if kind == "relationship":
        for key in ("relationship_type", "source_ref", "target_ref"):
            if not isinstance(obj.get(key), str):
                errors.append(f"{where}: no '{key}' (a relationship needs one)")


def _check_ours(where: str, obj: dict[str, Any], errors: list[str]) -> None:
    """The dates and duration of our own extension, which go into the graph as literals."""
    extensions = obj.get("extensions")
    mine = extensions.get(HCK_EXTENSION) if isinstance(extensions, dict) else None
    if not isinstance(mine, dict):
        return
    for key in OUR_DATES:
        if key in mine:
            try:
                parse_date(str(mine[key]))
            except DateProblem as exc:
                errors.append(f"{where}: '{key}' of the hospital-cyber-kg extension: {exc}")
    if "duration" in mine and not ONE_UNIT.match(str(mine["duration"])):
        errors.append(
            f"{where}: 'duration' of the hospital-cyber-kg extension is {mine['duration']!r}, "
            "not an ISO 8601 duration in one unit (e.g. P3W)"
        )


def _keep_latest(out: Bundles, path: Path, obj: dict[str, Any], errors: list[str]) -> None:
    ident = obj["id"]
    other = out.objects.get(ident)
    if other is None:
        out.objects[ident], out.origin[ident] = obj, path
        return
    if other == obj:
        return
    mine, theirs = str(obj.get("modified", "")), str(other.get("modified", ""))
    if mine == theirs:
        errors.append(
            f"{path}: {ident}: differs from the object with the same id and 'modified' "
            f"in {out.origin[ident]}"
        )
    elif mine > theirs:
        out.superseded.append((ident, theirs))
        out.objects[ident], out.origin[ident] = obj, path
    else:
        out.superseded.append((ident, mine))


def _check_references(
    path: Path, obj: dict[str, Any], objects: dict[str, Any], errors: list[str]
) -> None:
    if obj["type"] != "relationship":
        return
    for key in ("source_ref", "target_ref"):
        ref = obj[key]
        if not IDENTIFIER.match(ref):
            errors.append(f"{path}: {obj['id']}: '{key}' is {ref!r}, not an identifier")
        elif ref not in objects:
            errors.append(
                f"{path}: {obj['id']}: {key} '{ref}' is not an object of the bundles "
                "(import the bundle that defines it in the same command)"
            )
