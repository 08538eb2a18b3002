"""STIX Impact objects (Incident Core's Impact extension) into the impacts of an incident: our
impact type and status come from our concept references, or are read from the category and its
extension (see docs/stix.md); what is left is kept as JSON."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from kg.dates import parse_date
from kg.durations import duration_triples
from kg.exporting.stix_mapping import HCK_EXTENSION, IMPACT_EXTENSION, MONETARY, date_from
from kg.importing.stix_mapper import part
from kg.loading.context import decimal
from kg.namespaces import HCK, SCHEMA, concept

if TYPE_CHECKING:
    from kg.importing.stix_mapper import Mapper

IMPACT_KINDS = {"ransom-demand": "ransom-demanded", "ransom-payment": "ransom-paid"}
STATUS_OF_LOSS = {
    "none": "ruled-out",
    "suspected-loss": "suspected",
    "confirmed-loss": "known",
    "exploited-loss": "known",
}


def _impact_kind(category: str, detail: dict[str, Any]) -> str | None:
    if category == "monetary":
        return IMPACT_KINDS.get(str(detail.get("variety")))
    if category == "confidentiality":
        return "data-published" if detail.get("loss_type") == "exploited-loss" else "data-stolen"
    return "service-disruption" if category == "availability" else None


def _impact_status(imp: dict[str, Any], category: str, detail: dict[str, Any]) -> str | None:
    if imp.get("criticality") == 0:
        return "ruled-out"
    if category == "confidentiality":
        return STATUS_OF_LOSS.get(str(detail.get("loss_type")))
    if category == "availability" and detail.get("availability_impact") == 0:
        return "ruled-out"
    return "known"


def map_impact(
    m: Mapper, incident: dict[str, Any], owner: URIRef, imp: dict[str, Any], seen: Counter[str]
) -> None:
    refs = m.refs(imp)
    name = str(imp.get("impact_category", ""))
    category = name.removesuffix("-ext")
    detail = part(imp, name) or part(imp, category) or part(imp, f"{category}-ext")
    mine, ours = part(imp, HCK_EXTENSION), m.ours(imp)
    kind = m.concept(refs, "impact-type") or _impact_kind(category, detail)
    status = m.concept(refs, "fact-status") or _impact_status(imp, category, detail)
    problems = [
        text
        for missing, text in (
            (kind is None, f"no impact type we know for category '{name}'"),
            (status is None, "no status we know (loss_type 'contained'?)"),
            (not refs.sources, "no external reference with a URL (a source)"),
        )
        if missing
    ]
    if problems:
        m.keep(imp, "; ".join(problems))
        return
    assert kind is not None and status is not None
    iri = refs.iri or m.free(f"{owner}/impact", seen, kind)
    m.add(owner, HCK.impact, iri)
    m.add(iri, RDF.type, HCK.Impact)
    m.add(iri, HCK.impactType, concept("impact-type", kind))
    m.add(iri, HCK.status, concept("fact-status", status))
    consumed = {
        "impact_category",
        "description",
        "lang",
        "external_references",
        f"extensions/{IMPACT_EXTENSION}",
        f"extensions/{HCK_EXTENSION}",
    }
    consumed |= _impact_values(m, imp, iri, kind, detail, mine)
    if ours:
        consumed |= {"criticality", "impacted_entity_counts", f"extensions/{name}"}
    else:
        keys = ("variety", "currency", "min_amount", "max_amount", "loss_type", "record_count")
        consumed |= {f"extensions/{name}/{k}" for k in keys}
    m.texts(iri, SKOS.note, imp, "description")
    m.slots[imp["id"]] = (iri, {"description": SKOS.note})
    m.cite(iri, refs, imp)
    m.done(imp, "mapped", iri, consumed, f"impact of {incident['id']}")


def _impact_values(
    m: Mapper, imp: dict[str, Any], iri: URIRef, kind: str, detail: dict, mine: dict
) -> set[str]:
    consumed = set()
    if "date" in mine:
        m.dated(iri, HCK.date, parse_date(str(mine["date"])))
    elif "start_time" in imp:
        m.dated(iri, HCK.date, date_from(imp["start_time"], imp.get("start_time_fidelity")))
    consumed |= {"start_time", "start_time_fidelity"}
    if "duration" in mine:
        for triple in duration_triples(iri, str(mine["duration"])) or []:
            m.add(*triple)
    counts = imp.get("impacted_entity_counts")
    count = detail.get("record_count")
    if isinstance(counts, dict) and set(counts) == {kind}:
        count, consumed = counts[kind], consumed | {"impacted_entity_counts"}
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        m.add(iri, HCK["count"], Literal(count, datatype=XSD.integer))
    amount, currency = detail.get("max_amount"), str(detail.get("currency", "")).upper()
    if kind in MONETARY and isinstance(amount, int | float) and amount > 0:
        if len(currency) == 3 and currency.isalpha():
            money = URIRef(f"{iri}/amount")
            m.add(iri, HCK.amount, money)
            m.add(money, RDF.type, SCHEMA.MonetaryAmount)
            m.add(money, SCHEMA.value, decimal(str(Decimal(str(amount)))))
            m.add(money, SCHEMA.currency, Literal(currency))
        else:
            m.note(imp, f"amount {amount} without an ISO 4217 currency: not imported")
    return consumed
