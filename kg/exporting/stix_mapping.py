"""What `kg export stix` and `kg import stix` share: STIX identifiers derived from our IRIs, dates
with their precision as STIX timestamps, the confidence scale, and the vocabulary tables.

docs/stix.md explains every choice made here; keep the two in step."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.dates import parse_date
from kg.namespaces import BASE, ID, VOCAB

# uuid5(NAMESPACE_URL, "https://w3id.org/hospital-cyber-kg/"): the namespace of every UUIDv5 we
# derive. The name of an object is the IRI of the node it comes from, or IRI#role for the
# auxiliary objects of a node (the start event of an incident, the unnamed actor of a claim...).
NAMESPACE = uuid.UUID("bc934e7c-13a0-59df-bf3c-06306283102c")
assert NAMESPACE == uuid.uuid5(uuid.NAMESPACE_URL, BASE)

SELF = "hospital-cyber-kg"  # source_name of the references to our own IRIs and concepts
INCIDENT_CORE = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
IMPACT_EXTENSION = "extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9"
EVENT_EXTENSION = "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e"


def stix_id(kind: str, name: str) -> str:
    """`kind--uuid5(NAMESPACE, name)`: the same node always gets the same identifier."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, name)}"


PRODUCER = stix_id("identity", BASE)
HCK_EXTENSION = stix_id("extension-definition", BASE + "stix-extension")
BUNDLE = stix_id("bundle", BASE + "dataset")
DEFINITION_DATE = "2026-11-29T00:00:00.000Z"  # when our extension definition was written

# Certainty -> confidence on the "None / Low / Med / High" scale of STIX 2.1 Appendix A.
CONFIDENCE = {"confirmed": 85, "claimed": 50, "suspected": 15, "unknown": 0}


def certainty_of(confidence: int | None) -> str:
    """The certainty a confidence value falls in: 70-100 High, 30-69 Med, 1-29 Low, 0 None;
    no confidence (not specified) is 'unknown'."""
    if confidence is None or confidence == 0:
        return "unknown"
    if confidence >= 70:
        return "confirmed"
    return "claimed" if confidence >= 30 else "suspected"


# Our incident types -> event-type-ov (Incident Core) values, and back (with near synonyms).
INCIDENT_TYPES = {
    "ransomware": "ransomware",
    "data-breach": "data-exfiltration",
    "ddos": "denial-of-service",
    "intrusion": "unauthorized-access-system",
    "supply-chain": "supply-chain-customer",
}
INCIDENT_TYPES_BACK = {
    **{v: k for k, v in INCIDENT_TYPES.items()},
    "unauthorized-access-information": "data-breach",
    "unauthorized-release": "data-breach",
    "packet-flood": "ddos",
    "compromised-system": "intrusion",
    "supply-chain-vendor": "supply-chain",
}
TYPE_PRIORITY = ["ransomware", "supply-chain", "ddos", "data-breach", "intrusion"]

# Impact types -> impact_category (the name of the impact's category extension, see docs).
MONETARY = {"ransom-demanded": "ransom-demand", "ransom-paid": "ransom-payment"}
CONFIDENTIALITY = ("data-stolen", "data-published")
AVAILABILITY_VALUE = 50  # "Significant" on Appendix A's simple scale: a placeholder, see docs


def impact_category(kind: str) -> str:
    if kind in MONETARY:
        return "monetary-ext"
    return "confidentiality-ext" if kind in CONFIDENTIALITY else "availability-ext"


def loss_type(kind: str, status: str) -> str:
    if status == "ruled-out":
        return "none"
    if status == "known":
        return "exploited-loss" if kind == "data-published" else "confirmed-loss"
    return "suspected-loss"


# Actor kinds -> threat-actor-type-ov, for the unnamed actor of a claim that names only a kind.
ACTOR_KIND_TYPES = {
    "ransomware-group": "crime-syndicate",
    "state-sponsored": "nation-state",
    "hacktivist": "activist",
    "unknown": "unknown",
}


# --- identifiers and concepts as external references -------------------------------------------


def self_reference(iri: URIRef | str) -> dict[str, str]:
    """The reference that carries our IRI, so that an import gives the node back its IRI."""
    return {"source_name": SELF, "external_id": str(iri)[len(str(ID)) :], "url": str(iri)}


def concept_reference(concept: URIRef | str) -> dict[str, str]:
    return {
        "source_name": SELF,
        "external_id": str(concept)[len(str(VOCAB)) :],
        "url": str(concept),
    }


def our_iri(references: list[dict[str, Any]]) -> URIRef | None:
    for ref in references:
        url = str(ref.get("url", ""))
        if ref.get("source_name") == SELF and url.startswith(str(ID)):
            return URIRef(url)
    return None


def our_concepts(references: list[dict[str, Any]]) -> dict[str, str]:
    """{scheme: code} of the references to our vocabulary concepts."""
    out = {}
    for ref in references:
        url = str(ref.get("url", ""))
        if ref.get("source_name") == SELF and url.startswith(str(VOCAB)):
            scheme, _, code = url[len(str(VOCAB)) :].partition("/")
            out[scheme] = code
    return out


def reference_order(ref: dict[str, Any]) -> tuple[int, str, str, str, str]:
    """Our own reference first, then by source name, identifier, URL and description."""
    own = ref.get("source_name") == SELF and str(ref.get("url", "")).startswith(str(ID))
    return (
        0 if own else 1,
        str(ref.get("source_name", "")),
        str(ref.get("external_id", "")),
        str(ref.get("url", "")),
        str(ref.get("description", "")),
    )


# --- dates ---------------------------------------------------------------------------------------

FIDELITY = {XSD.gYear: "year", XSD.gYearMonth: "month", XSD.date: "day"}


def utc(value: Literal) -> dt.datetime:
    text = str(value)
    if value.datatype == XSD.dateTime:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment.astimezone(dt.UTC)
    day = text[:10] + {4: "-01-01", 7: "-01"}.get(len(text[:10]), "")
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def timestamp(value: Literal) -> tuple[str, str | None]:
    """A date of any precision as (the earliest instant it may denote in UTC, its fidelity):
    '2021-08' -> ('2021-08-01T00:00:00Z', 'month'); a dateTime keeps its instant, fidelity None
    ("accurate to the decimals it includes")."""
    moment = utc(value)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z", FIDELITY.get(value.datatype)  # type: ignore[arg-type]


def object_time(value: Literal) -> str:
    """`created`/`modified`: the earliest instant of a date, to the millisecond."""
    moment = utc(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def date_from(stamp: str, fidelity: str | None) -> Literal:
    """A STIX timestamp and its fidelity back as a date of that precision. Year, month and day
    fidelities read the day the period starts in local time: a time other than midnight is the
    UTC offset of that local midnight (23:00Z is the next day's midnight at +01:00)."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if fidelity in ("year", "month", "day"):
        day = moment.date()
        if moment.time() != dt.time(0) and moment.hour >= 12:
            day += dt.timedelta(days=1)
        text = day.isoformat()[: {"year": 4, "month": 7, "day": 10}[fidelity]]
        return parse_date(text)
    return parse_date(stamp)


def later(*stamps: str | None) -> str:
    return max(s for s in stamps if s)
