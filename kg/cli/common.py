"""What every command shares: the project from the global options, and error reporting."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from kg.project import Project

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(fn: F) -> F:
    """Our own errors become one message on stderr and their exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kg.errors import KgError

        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def project(ctx: typer.Context) -> Project:
    from kg.project import Project

    options = ctx.find_root().obj or {}
    return Project.find(options.get("root"), options.get("home"))


def say(message: str) -> None:
    """Progress to stderr, so stdout carries only results."""
    print(message, file=sys.stderr, flush=True)
