"""Checks of the real identifiers our IRIs are built from: FINESS numbers and INSEE codes."""

from __future__ import annotations

import re

# Department prefixes: 01..95 without 20, 2A/2B (Corsica), 97/98 (overseas, all-digit numbers).
FINESS_PATTERN = r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|9[78])[0-9]{7}$"
INSEE_COMMUNE_PATTERN = r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])[0-9]{3}$|^97[1-46][0-9]{2}$"
DEPARTMENT_PATTERN = r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-46])$"
REGION_PATTERN = r"^[0-9]{2}$"

_FINESS = re.compile(FINESS_PATTERN)
_COMMUNE = re.compile(INSEE_COMMUNE_PATTERN)
_DEPARTMENT = re.compile(DEPARTMENT_PATTERN)
_REGION = re.compile(REGION_PATTERN)


def luhn_ok(digits: str) -> bool:
    """Luhn check over all the digits, the last one being the key."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_key(first_eight: str) -> int:
    """The check digit that completes eight digits into a valid FINESS number."""
    for key in range(10):
        if luhn_ok(first_eight + str(key)):
            return key
    raise AssertionError("unreachable: one key always fits")


def finess_problem(number: str) -> str | None:
    """None if `number` is a well-formed FINESS number, else what is wrong with it."""
    if not _FINESS.match(number):
        return (
            f"'{number}' is not a FINESS number (9 characters: a department prefix such as "
            "01..95, 2A, 2B or 97, then 7 digits)"
        )
    if number.isdigit() and not luhn_ok(number):
        return (
            f"'{number}' fails the FINESS check key: its last digit should be "
            f"{luhn_key(number[:8])}; check the number against the register"
        )
    return None


def commune_problem(code: str) -> str | None:
    if _COMMUNE.match(code):
        return None
    return f"'{code}' is not an INSEE commune code (5 characters, e.g. 78158, 2A004, 97411)"


def department_problem(code: str) -> str | None:
    if _DEPARTMENT.match(code):
        return None
    return f"'{code}' is not a department code (01..95, 2A, 2B, 971..974, 976)"


def region_problem(code: str) -> str | None:
    return None if _REGION.match(code) else f"'{code}' is not a region code (two digits)"


WIKIDATA_PATTERN = r"^Q[1-9][0-9]*$"
_WIKIDATA = re.compile(WIKIDATA_PATTERN)


def wikidata_problem(qid: str) -> str | None:
    """None if `qid` is a Wikidata item id (Q and digits), else what is wrong with it."""
    if _WIKIDATA.match(qid):
        return None
    return f"'{qid}' is not a Wikidata item id (Q then digits, e.g. Q2867205)"
