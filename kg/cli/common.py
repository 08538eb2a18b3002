"""What every command shares: the project from the global options, and the error boundary.

Every failure of every command ends as ONE line on stderr and a documented exit code:
2 bad input or usage, 1 does not conform or no match (said by the command itself), 130
interrupted, 70 an internal error (a bug: the line asks to report it). `--debug` or KG_DEBUG=1
prints the traceback as well.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from kg.project import Project

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70
INTERNAL = "internal error, please report it (rerun with --debug for the traceback)"
_debug = {"on": False}


def debugging() -> bool:
    return _debug["on"] or os.environ.get("KG_DEBUG", "") not in ("", "0")


def set_debug(on: bool) -> None:
    _debug["on"] = on


def reports_errors(fn: F) -> F:
    """Kept for the commands that name it: the group's boundary (KgGroup) does the work."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe(exc: BaseException) -> tuple[str, int]:
    """The message (without 'error: ') and exit code of any failure."""
    from typer import _click as click

    from kg.errors import DataErrors, KgError

    if isinstance(exc, DataErrors) or (isinstance(exc, KgError) and "\n" in exc.message):
        return str(exc), exc.exit_code  # one line per located error, after a head line
    if isinstance(exc, KgError):
        return one_line(str(exc)), exc.exit_code
    if isinstance(exc, click.exceptions.UsageError):
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        return one_line(exc.format_message()) + where, EXIT_USAGE
    if isinstance(exc, click.ClickException):
        return one_line(exc.format_message()), EXIT_USAGE
    if isinstance(exc, KeyboardInterrupt | typer.Abort):
        return "interrupted", EXIT_INTERRUPTED
    if isinstance(exc, RecursionError):
        return "an input is nested too deeply to read (flatten it)", EXIT_USAGE
    if isinstance(exc, MemoryError):
        return "out of memory reading an input (is it a file of the expected kind?)", EXIT_USAGE
    if isinstance(exc, UnicodeError):
        return f"an input is not UTF-8 ({one_line(str(exc))}; save it as UTF-8)", EXIT_USAGE
    if isinstance(exc, OSError):
        return _os_error(exc), EXIT_USAGE
    return f"{INTERNAL}: {type(exc).__name__}: {one_line(str(exc))[:300]}", EXIT_INTERNAL


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or one_line(str(exc)) or type(exc).__name__
    where = exc.filename if exc.filename is not None else None
    hint = {
        errno.ENOENT: "check the path",
        errno.EACCES: "check its permissions",
        errno.EISDIR: "give a file, not a folder",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ELOOP: "a symbolic link points to itself; fix or remove it",
        errno.ENAMETOOLONG: "give a shorter path",
        errno.ENOSPC: "free some disk space",
    }.get(exc.errno or 0, "check the path and the disk")
    return f"{where}: {reason} ({hint})" if where else f"{reason} ({hint})"


def report(exc: BaseException) -> int:
    """Print `exc` as one line on stderr (the traceback first with --debug); its exit code."""
    message, code = describe(exc)
    if debugging() and not isinstance(exc, KeyboardInterrupt):
        traceback.print_exception(exc, file=sys.stderr)
    print(f"error: {message}", file=sys.stderr, flush=True)
    return code


class KgGroup(TyperGroup):
    """The `kg` group: runs a command and turns whatever it raises into report()."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from typer import _click as click

        set_debug(False)
        interrupted = False
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Exit as exc:
            code = exc.exit_code
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # `kg` or `kg import` alone: the help, as usage
            code = EXIT_USAGE
        except BrokenPipeError:
            sys.stdout = click.utils.PacifyFlushWrapper(sys.stdout)
            code = 1
        except BaseException as exc:  # noqa: BLE001 - the boundary: every failure ends here
            if isinstance(exc, SystemExit):
                raise
            code = report(exc)
            interrupted = code == EXIT_INTERRUPTED
        if isinstance(code, bool) or not isinstance(code, int):
            code = 0
        if code == EXIT_INTERRUPTED and not interrupted:  # typer turned Ctrl-C into Exit(130)
            print("error: interrupted", file=sys.stderr, flush=True)
        if not standalone_mode:
            return code
        sys.exit(code)


_IRI_FORBIDDEN = set('<>"{}|^`\\ ')


def endpoint_option(value: str | None) -> str | None:
    """An --endpoint value: an http(s) URL with a host, and an IRI (it is written into RDF)."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise typer.BadParameter(f"'{value[:100]}' is not a URL ({exc})") from None
    bad = any(c in _IRI_FORBIDDEN or ord(c) < 0x21 for c in value)
    if parts.scheme not in ("http", "https") or not parts.hostname or bad or port == 0:
        raise typer.BadParameter(
            f"'{value[:100]}' is not an http(s) URL, e.g. http://127.0.0.1:8890/sparql"
        )
    return value


def project(ctx: typer.Context) -> Project:
    from kg.project import Project

    options = ctx.find_root().obj or {}
    return Project.find(options.get("root"), options.get("home"))


def say(message: str) -> None:
    """Progress to stderr, so stdout carries only results."""
    print(message, file=sys.stderr, flush=True)
