"""VC Data Model 1.1 rules, for credentials and presentations secured with Data Integrity.

The W3C Data Integrity test suites, and many deployed issuers, still exchange VC 1.1
documents. Their rules are the VC 2.0 ones (shared, not copied, from the sibling modules) with
these differences:

* the first ``@context`` is :data:`V1_CONTEXT`;
* ``issuanceDate`` is required and ``expirationDate`` optional, both XML Schema ``dateTime``
  (the time zone is optional; see :func:`parse_datetime`), under ``datamodel.issuance-date``
  and ``datamodel.expiration-date``;
* ``name``, ``description``, ``relatedResource`` and enveloped credentials are VC 2.0 terms
  the 1.1 context does not define, so strict JSON-LD reports them under
  ``datamodel.undefined-terms`` instead of a rule of their own. The published 1.1 context does
  define ``validFrom`` and ``validUntil``; when present they are checked as in VC 2.0 and the
  verifier's validity window honours them as well as ``issuanceDate``/``expirationDate``;
* a VC 1.1 presentation carries VC 1.1 credentials only, as embedded JSON objects.

VC-JOSE-COSE secures VC 2.0 documents only, so issuing and verifying refuse a VC 1.1 document
in a JOSE envelope (:func:`jose_refusal`). A verifier reports every VC 1.1 document with the
warning :data:`LEGACY_VC1`, never silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vcservice.jsonld import StaticDocumentLoader
from vcservice.model._checks import (
    EXPIRATION_DATE,
    ISSUANCE_DATE,
    LEGACY_VC1,
    VERIFIABLE_CREDENTIAL,
    Findings,
)
from vcservice.model._context import V1_CONTEXT, check_context, is_vc1
from vcservice.model._credential import VERIFIABLE_CREDENTIAL as VC_TYPE
from vcservice.model._credential import check_subjects, check_types, check_validity
from vcservice.model._datetime import parse_datetime
from vcservice.model._expansion import check_expansion
from vcservice.model._json import show
from vcservice.model._objects import (
    CREDENTIAL_TYPED,
    PRESENTATION_TYPED,
    check_holder,
    check_id,
    check_issuer,
    check_typed_objects,
)
from vcservice.model._presentation import check_embedded
from vcservice.model._validate import check_usable
from vcservice.report import VerificationReport

__all__ = [
    "LEGACY_VC1",
    "jose_refusal",
    "legacy_warning",
    "validate_vc1_credential",
    "validate_vc1_presentation",
]


def validate_vc1_credential(document: Any, *, loader: StaticDocumentLoader) -> VerificationReport:
    """Checks ``document`` against the VC-DM 1.1 rules for a verifiable credential."""
    out = Findings()
    if check_usable(document, "credential", out):
        check_vc1_credential(document, loader, out)
        if not out.failed:
            check_expansion(document, loader, out)
    return out.write(VerificationReport())


def validate_vc1_presentation(document: Any, *, loader: StaticDocumentLoader) -> VerificationReport:
    """Checks a VC 1.1 presentation and the data model of each (VC 1.1) credential in it."""
    out = Findings()
    if check_usable(document, "presentation", out):
        check_context(document, loader, out, base=V1_CONTEXT)
        check_types(document, "VerifiablePresentation", out, where="")
        check_id(document, out, where="")
        check_holder(document, out, where="")
        check_typed_objects(document, PRESENTATION_TYPED, out, where="")
        check_embedded(document, loader, out, _check_entry)
        if not out.failed:
            check_expansion(document, loader, out)
    return out.write(VerificationReport())


def check_vc1_credential(
    document: dict[str, Any], loader: StaticDocumentLoader, out: Findings, *, where: str = ""
) -> None:
    """All JSON-level VC 1.1 credential rules, each recorded under its own check id."""
    check_context(document, loader, out, where=where, base=V1_CONTEXT)
    check_types(document, VC_TYPE, out, where=where)
    check_id(document, out, where=where)
    check_issuer(document, out, where=where)
    check_subjects(document, out, where=where)
    _check_dates(document, out, where=where)
    check_validity(document, out, where=where)
    check_typed_objects(document, CREDENTIAL_TYPED, out, where=where)


def legacy_warning(kind: str) -> tuple[str, str, str]:
    """The ``(id, title, detail)`` of the warning a verifier gives every VC 1.1 document."""
    return (
        LEGACY_VC1,
        "VC 1.1 document",
        f"this {kind} follows VC Data Model 1.1 (its first @context is {V1_CONTEXT!r}); it was "
        "checked against the VC 1.1 rules, which VC 2.0 supersedes",
    )


def jose_refusal(kind: str, fmt: str) -> str:
    """Why a VC 1.1 ``kind`` cannot be secured (or accepted) as ``fmt``."""
    return (
        f"this is a VC 1.1 {kind} (its first @context is {V1_CONTEXT!r}), and {fmt} "
        "(VC-JOSE-COSE) secures VC Data Model 2.0 documents only; use a Data Integrity format "
        "or move the document to VC 2.0"
    )


def _check_dates(document: dict[str, Any], out: Findings, *, where: str) -> None:
    out.ran(ISSUANCE_DATE)
    if "issuanceDate" not in document:
        out.fail(ISSUANCE_DATE, "issuanceDate is required in a VC 1.1 credential", where=where)
        start = None
    else:
        start = _date(document["issuanceDate"], "issuanceDate", ISSUANCE_DATE, out, where=where)
    if "expirationDate" not in document:
        return
    out.ran(EXPIRATION_DATE)
    end = _date(document["expirationDate"], "expirationDate", EXPIRATION_DATE, out, where=where)
    if start is not None and end is not None and end < start:
        out.fail(
            EXPIRATION_DATE,
            f"expirationDate {show(document['expirationDate'])} is before issuanceDate "
            f"{show(document['issuanceDate'])}",
            where=where,
        )


def _date(value: Any, prop: str, check: str, out: Findings, *, where: str) -> datetime | None:
    instant = parse_datetime(value)
    if instant is None:
        out.fail(
            check,
            f"{prop} must be an XML Schema dateTime (such as 2024-01-01T00:00:00Z), "
            f"found {show(value)}",
            where=where,
        )
    return instant


def _check_entry(entry: Any, loader: StaticDocumentLoader, out: Findings, *, where: str) -> None:
    if isinstance(entry, dict) and is_vc1(entry):
        check_vc1_credential(entry, loader, out, where=where)
    else:
        out.fail(
            VERIFIABLE_CREDENTIAL,
            "a VC 1.1 presentation carries VC 1.1 credentials (JSON objects whose first "
            f"@context is {V1_CONTEXT!r}), found {show(entry)}",
            where=where,
        )
