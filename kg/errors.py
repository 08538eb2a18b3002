"""The few exceptions kg raises. Each message says what is wrong, where, and how to fix it."""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base of every error kg reports to a user (CLI exit code 2 unless said otherwise)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class DataError(KgError):
    """A problem in an input file, located by path and line."""

    def __init__(
        self, path: Path | str, line: int | None, message: str, hint: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.path = Path(path)
        self.line = line

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class DataErrors(KgError):
    """Several DataErrors found in one pass, so a curator can fix them all at once."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = list(errors)
        n = len(self.errors)
        head = f"{n} error{'s' if n != 1 else ''} in the input; nothing was built"
        super().__init__("\n".join([head, *(str(e) for e in self.errors)]))

    def __str__(self) -> str:
        return self.message


class StoreError(KgError):
    """The persisted store is missing, locked or unreadable."""


class QueryError(KgError):
    """A query or a query parameter is wrong."""


class EndpointError(KgError):
    """A remote SPARQL endpoint refused, failed or could not be reached."""


class PhraseError(QueryError):
    """A phrase `kg ask` (or the home page's search box) cannot read; the hint gives phrases
    it can."""
