"""The home page's reading of a phrase (`/?q=attacks near Paris in 2022`), through the phrase
parser of `kg ask` (`kg.asking.parse`), imported only when a phrase is given. Without that
package the page says so and uses the explicit filters alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reading:
    options: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    available: bool = True


def available() -> bool:
    import importlib.util

    return importlib.util.find_spec("kg.asking") is not None


def read(text: str) -> Reading:
    """The `kg attacks` options a phrase stands for; a phrase the parser cannot read raises its
    KgError (with examples), shown as a 400 page."""
    if not available():
        return Reading(available=False)
    from kg import asking  # type: ignore[attr-defined, unused-ignore]

    question = asking.parse(text)
    return Reading(dict(question.options), str(getattr(question, "command", "")))
