"""YAML that remembers where each value was written, so errors can name the file and line.

Dates are read as text (the loader parses them with their precision), mappings as `Node`
(a dict with the line of each key), sequences as `Items` (a list with the line of each item).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import DataError
from kg.files import read_text


class Node(dict[str, Any]):
    """A YAML mapping: `line` is where it starts, `lines[key]` where each key is."""

    line: int = 0
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class Items(list[Any]):
    """A YAML sequence: `line` is where it starts, `lines[i]` where each item is."""

    line: int = 0
    lines: list[int]


MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40


class _Refused(yaml.MarkedYAMLError):
    """An alias or a nesting too deep: data files need neither."""


class _Loader(yaml.SafeLoader):
    """SafeLoader without timestamp resolution, building Node and Items; no aliases (a
    'billion laughs' file is refused, not expanded) and a bounded nesting depth."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                None, None, "aliases (*name) are not allowed in data files", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    out = Node()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> Items:
    out = Items(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(path: Path, shown: Path | None = None) -> Any:
    """Parse one YAML document; a syntax error becomes a DataError at its line."""
    shown = shown or path
    text = read_text(path, shown, MAX_BYTES)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "not YAML"
        if isinstance(exc, _Refused):
            raise DataError(shown, line, problem, "write the values out in full") from None
        raise DataError(
            shown, line, f"YAML syntax: {problem}", "check indentation and quoting"
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(shown, None, f"not YAML ({' '.join(str(exc).split())[:200]})") from None
    except RecursionError:
        raise DataError(shown, None, "is nested too deeply", "flatten it") from None
