"""Reading inputs and writing outputs safely: a regular file (not a folder, a device such as
/dev/zero or a link to itself), at most so many bytes, UTF-8; an output in a folder that exists
and never over one of the inputs. Each failure is one DataError or KgError naming the file."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from kg.errors import DataError, KgError


def regular_file(path: Path, shown: Path | str | None = None) -> None:
    """DataError unless `path` is a regular file (so reading it ends)."""
    if path.is_file():
        return
    if path.is_dir():
        what = "a folder"
    elif path.is_symlink():
        what = "a broken or looping symbolic link"
    elif path.exists():
        what = "not a regular file (a device or a pipe?)"
    else:
        what = "missing"
    raise DataError(shown or path, None, f"is {what}", "give a file")


def read_bytes(path: Path, shown: Path | str, limit: int) -> bytes:
    regular_file(path, shown)
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or os.strerror(exc.errno or 0)
        raise DataError(shown, None, f"cannot be read ({reason})", "check the file") from None
    if len(data) > limit:
        raise DataError(shown, None, f"is larger than {limit:,} bytes", "is it the right file?")
    return data


def read_text(path: Path, shown: Path, limit: int) -> str:
    """A data file's text: UTF-8, at most `limit` bytes, a file (not a folder, a device or a
    link to itself); each failure a DataError naming the file."""
    data = read_bytes(path, shown, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            shown, line, f"is not UTF-8 (byte {exc.start + 1}: {exc.reason})", "save it as UTF-8"
        ) from None


def check_output(option: str, path: Path, inputs: Iterable[Path] = ()) -> None:
    """KgError unless `path` can be written: its folder exists, it is not a folder, and it is
    none of `inputs` (an output never overwrites an input)."""
    if not path.parent.is_dir():
        raise KgError(
            f"{option} {path}: the folder {path.parent} does not exist", "create it first"
        )
    if path.is_dir():
        raise KgError(f"{option} {path} is a folder", "give a file name")
    for source in inputs:
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise KgError(
                f"{option} {path} is one of the inputs", "write the output to another file"
            )
