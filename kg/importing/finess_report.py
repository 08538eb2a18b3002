"""What an import of the FINESS extract read, wrote and rejected, and its text for people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import DataError


class Rejected(DataError):
    """A line that was not imported; `reason` is the short key the summary counts it under."""

    def __init__(
        self, reason: str, path: Path, line: int, message: str, hint: str | None = None
    ) -> None:
        super().__init__(path, line, message, hint)
        self.reason = reason


@dataclass
class FinessReport:
    """What an import read, wrote and rejected."""

    source: Path
    extract_date: str
    synthetic: bool
    encoding: str = "UTF-8"
    lines: int = 0  # lines read after the first
    establishments: int = 0
    hospitals: int = 0
    geolocated: int = 0
    legal_entities: int = 0
    communes: int = 0
    curated: int = 0  # establishments of data/establishments.csv, whose curated row is kept
    without_coordinates: int = 0  # geolocalisation lines with no coordinates at all
    ignored: Counter[str] = field(default_factory=Counter)  # lines of other record types
    rejected: list[Rejected] = field(default_factory=list)
    triples: int = 0
    graph: str | None = None  # the named graph of an import into the store

    @property
    def by_reason(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejected)

    @property
    def import_name(self) -> str:
        """The store's name for the import: a synthetic register never replaces the real one."""
        return "finess-synthetic" if self.synthetic else "finess"


class NothingImported(DataError):
    """Every establishment line was rejected: nothing is written; `report` lists why."""

    def __init__(self, report: FinessReport) -> None:
        n = len(report.rejected)
        super().__init__(
            report.source,
            None,
            f"no establishment could be imported ({n} line{'s' if n != 1 else ''} rejected); "
            "nothing was imported",
            "fix the rejected lines listed above, or use the original extract",
        )
        self.report = report


def format_summary(report: FinessReport) -> str:
    """The counts of an import, one per line, for people."""
    kind = "synthetic register" if report.synthetic else "FINESS extract"
    rows = [
        (report.establishments, "establishments imported"),
        (report.hospitals, "  of which hospitals (category group 11xx)"),
        (report.geolocated, "geolocated"),
        (report.legal_entities, "legal entities"),
        (report.communes, "communes"),
    ]
    if report.curated:
        rows.append((report.curated, "kept from data/establishments.csv (curated rows win)"))
    if report.without_coordinates:
        rows.append((report.without_coordinates, "geolocalisation lines without coordinates"))
    rows += [(n, f"'{kind_}' lines ignored") for kind_, n in sorted(report.ignored.items())]
    rows.append((len(report.rejected), "lines rejected"))
    rows += [(n, f"  {reason}") for reason, n in sorted(report.by_reason.items())]
    head = (
        f"{report.source.name}: {kind} of {report.extract_date} ({report.encoding}), "
        f"{report.lines} lines read"
    )
    return "\n".join([head, *(f"{n:>9}  {label}" for n, label in rows)])


def format_rejections(report: FinessReport, limit: int) -> list[str]:
    """The first `limit` rejected lines, then how many more there are."""
    shown = [str(r) for r in report.rejected[:limit]]
    more = len(report.rejected) - len(shown)
    return shown + ([f"and {more} more"] if more > 0 else [])
