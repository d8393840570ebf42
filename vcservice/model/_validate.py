"""The two entry points: validate a credential or a presentation against VC-DM 2.0.

Order matters for cost and for clarity. The JSON-level rules run first; JSON-LD expansion
(20–75 ms on a UNTP credential, everything else is microseconds) runs exactly once, and only
when those rules all passed: on a document already known to be invalid it would mostly
restate the same defect in JSON-LD terms ("invalid @id value" for an ``id`` array) and hide
the precise reason behind a vaguer one. Consequently a report lists JSON-LD checks
(``datamodel.json-ld``, ``datamodel.undefined-terms``) only for documents that got that far.

Neither function raises on malformed input: every outcome, including a context URL the
loader refuses, is a check in the returned report.
"""

from __future__ import annotations

from typing import Any

from vcservice.jsonld import StaticDocumentLoader
from vcservice.model._checks import CONTEXT, DOCUMENT, Findings
from vcservice.model._context import is_vc1, legacy_detail
from vcservice.model._credential import check_credential
from vcservice.model._expansion import check_expansion
from vcservice.model._guard import MAX_DEPTH, too_deep
from vcservice.model._json import show
from vcservice.model._presentation import check_presentation
from vcservice.report import VerificationReport


def validate_credential(document: Any, *, loader: StaticDocumentLoader) -> VerificationReport:
    """Checks ``document`` against the VC-DM 2.0 rules for a verifiable credential.

    Used before issuing (never sign what a verifier must reject) and after a proof verified
    (the signature says who said it, not that it is a credential). A VC 1.1 document fails
    ``datamodel.context`` with a detail saying so; use :func:`is_vc1` to route it first.
    """
    out = Findings()
    if check_usable(document, "credential", out):
        if is_vc1(document):
            out.fail(CONTEXT, legacy_detail("credential"))
        else:
            check_credential(document, loader, out)
            if not out.failed:
                check_expansion(document, loader, out)
    return out.write(VerificationReport())


def validate_presentation(document: Any, *, loader: StaticDocumentLoader) -> VerificationReport:
    """Checks a verifiable presentation and the data model of each embedded credential.

    An ``EnvelopedVerifiableCredential`` entry is checked for shape only; the caller unwraps
    and verifies it (it is a separate secured document with its own proof).
    """
    out = Findings()
    if check_usable(document, "presentation", out):
        if is_vc1(document):
            out.fail(CONTEXT, legacy_detail("presentation"))
        else:
            check_presentation(document, loader, out)
            if not out.failed:
                check_expansion(document, loader, out)
    return out.write(VerificationReport())


def check_usable(document: Any, kind: str, out: Findings) -> bool:
    if not isinstance(document, dict):
        out.fail(DOCUMENT, f"a {kind} must be a JSON object, found {show(document)}")
        return False
    if too_deep(document):
        out.fail(DOCUMENT, f"the {kind} nests more than {MAX_DEPTH} levels deep")
        return False
    out.ran(DOCUMENT)
    return True
