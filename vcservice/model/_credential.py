"""The JSON-level rules of a verifiable credential (VC-DM 2.0 §4), without JSON-LD.

These run first because they are cheap and say precisely what is wrong; JSON-LD expansion
(the expensive step) runs only on documents that pass them. Presentations reuse
:func:`check_credential` for each embedded credential, with ``where`` naming its position.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vcservice.jsonld import StaticDocumentLoader
from vcservice.model._checks import (
    CREDENTIAL_SUBJECT,
    ID,
    TYPE,
    VALID_FROM,
    VALID_UNTIL,
    Findings,
)
from vcservice.model._context import check_context, context_entries
from vcservice.model._datetime import parse_datetime_stamp
from vcservice.model._iri import is_term, is_url
from vcservice.model._json import as_list, show
from vcservice.model._language import check_names
from vcservice.model._objects import (
    CREDENTIAL_TYPED,
    check_id,
    check_issuer,
    check_related_resources,
    check_typed_objects,
    id_problem,
    type_problem,
)

VERIFIABLE_CREDENTIAL = "VerifiableCredential"


def check_credential(
    document: dict[str, Any], loader: StaticDocumentLoader, out: Findings, *, where: str = ""
) -> None:
    """All JSON-level credential rules, each recorded under its own check id."""
    check_context(document, loader, out, where=where)
    check_types(document, VERIFIABLE_CREDENTIAL, out, where=where)
    check_id(document, out, where=where)
    check_issuer(document, out, where=where)
    check_subjects(document, out, where=where)
    check_validity(document, out, where=where)
    check_typed_objects(document, CREDENTIAL_TYPED, out, where=where)
    check_related_resources(document, out, where=where)
    check_names(document, out, where=where)


def check_types(document: dict[str, Any], required: str, out: Findings, *, where: str) -> None:
    """``type`` is present, well-formed, includes ``required`` and, where an inline context
    maps one of its terms, maps it to an absolute IRI.

    The last rule catches ``{"Example": "https ://not-a-url#Example"}`` by name; left to
    JSON-LD it would only surface as "invalid IRI mapping", without saying which term.
    Mappings in remote contexts and terms with no mapping at all are JSON-LD's to judge.
    """
    out.ran(TYPE)
    if "type" not in document:
        out.fail(TYPE, "type is required", where=where)
        return
    problem = type_problem(document["type"])
    if problem is not None:
        out.fail(TYPE, problem, where=where)
        return
    values = as_list(document["type"])
    if required not in values:
        found = ", ".join(values)
        out.fail(TYPE, f"type must include {required!r}, found {show(found)}", where=where)
    definitions = _inline_definitions(document)
    for value in values:
        iri = _mapped_iri(definitions, value) if is_term(value) else None
        if iri is not None and not is_url(iri):
            out.fail(
                TYPE,
                f"type {value!r} is mapped by @context to {show(iri)}, not an absolute IRI",
                where=where,
            )


def _inline_definitions(document: dict[str, Any]) -> dict[str, Any]:
    """Term definitions of the document's inline context objects; later ones win."""
    definitions: dict[str, Any] = {}
    for entry in context_entries(document) or []:
        if isinstance(entry, dict):
            definitions.update(entry)
    return definitions


def _mapped_iri(definitions: dict[str, Any], term: str) -> str | None:
    """The IRI an inline context gives ``term``, when it is written as a full IRI."""
    definition = definitions.get(term)
    iri = definition.get("@id") if isinstance(definition, dict) else definition
    if not isinstance(iri, str) or ":" not in iri or iri.startswith(("_:", "@")):
        return None
    prefix = iri.split(":", 1)[0]
    return None if prefix in definitions else iri


def check_subjects(document: dict[str, Any], out: Findings, *, where: str) -> None:
    """``credentialSubject``: one or more objects, each making at least one claim (§4.8)."""
    out.ran(CREDENTIAL_SUBJECT)
    if "credentialSubject" not in document:
        out.fail(CREDENTIAL_SUBJECT, "credentialSubject is required", where=where)
        return
    value = document["credentialSubject"]
    subjects = as_list(value)
    if not subjects:
        out.fail(CREDENTIAL_SUBJECT, "credentialSubject must not be an empty array", where=where)
    for index, subject in enumerate(subjects):
        label = f"credentialSubject[{index}]" if isinstance(value, list) else "credentialSubject"
        if not isinstance(subject, dict):
            out.fail(
                CREDENTIAL_SUBJECT, f"{label} must be an object, found {show(subject)}", where=where
            )
        elif not subject:
            out.fail(CREDENTIAL_SUBJECT, f"{label} makes no claims (it is empty)", where=where)
        elif "id" in subject and (problem := id_problem(subject["id"])) is not None:
            out.fail(ID, f"{label}.id {problem}", where=where)


def check_validity(document: dict[str, Any], out: Findings, *, where: str) -> None:
    """``validFrom``/``validUntil`` are dateTimeStamps and do not overlap wrongly (§4.9)."""
    start = _stamp(document, "validFrom", VALID_FROM, out, where=where)
    end = _stamp(document, "validUntil", VALID_UNTIL, out, where=where)
    if start is not None and end is not None and end < start:
        out.fail(
            VALID_UNTIL,
            f"validUntil {show(document['validUntil'])} is before validFrom "
            f"{show(document['validFrom'])}",
            where=where,
        )


def _stamp(
    document: dict[str, Any], prop: str, check: str, out: Findings, *, where: str
) -> datetime | None:
    if prop not in document:
        return None
    out.ran(check)
    value = document[prop]
    instant = parse_datetime_stamp(value) if isinstance(value, str) else None
    if instant is None:
        out.fail(
            check,
            f"{prop} must be an XML Schema dateTimeStamp with a time zone "
            f"(such as 2024-01-01T00:00:00Z), found {show(value)}",
            where=where,
        )
    return instant
