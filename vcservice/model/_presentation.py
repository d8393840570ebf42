"""The JSON-level rules of a verifiable presentation (VC-DM 2.0 §4.13).

Embedded credentials are checked with the credential rules, each problem prefixed with the
entry's position (``verifiableCredential[1]: ...``) under the credential's own check id, so
"the second credential has no issuer" reads as ``datamodel.issuer``. Enveloped credentials
are opaque here: only the wrapper's shape is checked (a ``data:`` URL ``id``, the type, a
context); the caller unwraps and verifies the credential inside separately.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vcservice.errors import ContextNotAllowedError
from vcservice.ingress import is_data_url
from vcservice.jsonld import StaticDocumentLoader
from vcservice.model._checks import CONTEXT, VERIFIABLE_CREDENTIAL, Findings
from vcservice.model._context import (
    V2_CONTEXT,
    check_context,
    context_entries,
    is_vc1,
    legacy_detail,
)
from vcservice.model._credential import check_credential, check_types
from vcservice.model._json import as_list, show
from vcservice.model._language import check_names
from vcservice.model._objects import (
    PRESENTATION_TYPED,
    check_holder,
    check_id,
    check_related_resources,
    check_typed_objects,
    type_problem,
)

ENVELOPED = "EnvelopedVerifiableCredential"
#: RFC 2397 after the scheme: ``[<mediatype>][;base64],<data>`` with a non-empty payload.
_DATA_URL_REST = re.compile(r"[^,\s]*,\S+")


def check_presentation(
    document: dict[str, Any], loader: StaticDocumentLoader, out: Findings
) -> None:
    """All JSON-level presentation rules, including those of embedded credentials."""
    check_context(document, loader, out)
    check_types(document, "VerifiablePresentation", out, where="")
    check_id(document, out, where="")
    check_holder(document, out, where="")
    check_typed_objects(document, PRESENTATION_TYPED, out, where="")
    check_related_resources(document, out, where="")
    check_names(document, out, where="")
    check_embedded(document, loader, out, _check_entry)


def check_embedded(
    document: dict[str, Any],
    loader: StaticDocumentLoader,
    out: Findings,
    check_entry: Callable[..., None],
) -> None:
    """Walk ``verifiableCredential`` (one entry or a list) and apply ``check_entry`` to each,
    with ``where`` naming its position; VC 2.0 and VC 1.1 presentations differ only there."""
    if "verifiableCredential" not in document:
        return
    out.ran(VERIFIABLE_CREDENTIAL)
    value = document["verifiableCredential"]
    entries = as_list(value)
    if not entries:
        out.fail(VERIFIABLE_CREDENTIAL, "verifiableCredential must not be an empty array")
    for index, entry in enumerate(entries):
        where = f"verifiableCredential[{index}]" if isinstance(value, list) else ""
        check_entry(entry, loader, out, where=where or "verifiableCredential")


def _check_entry(entry: Any, loader: StaticDocumentLoader, out: Findings, *, where: str) -> None:
    if not isinstance(entry, dict):
        out.fail(
            VERIFIABLE_CREDENTIAL,
            f"must be a credential object, found {show(entry)}; an enveloped credential is an "
            f"object of type {ENVELOPED} whose id is a data: URL",
            where=where,
        )
        return
    types = as_list(entry.get("type"))
    if ENVELOPED in types:
        _check_envelope(entry, loader, out, where=where)
    elif "VerifiableCredential" not in types and _is_data_url(entry.get("id")):
        out.fail(
            VERIFIABLE_CREDENTIAL,
            f"its id is a data: URL, as in an enveloped credential, but its type is "
            f"{show(entry.get('type'))}, not {ENVELOPED!r}",
            where=where,
        )
    elif is_vc1(entry):
        out.fail(CONTEXT, legacy_detail("credential"), where=where)
    else:
        check_credential(entry, loader, out, where=where)


def _check_envelope(
    entry: dict[str, Any], loader: StaticDocumentLoader, out: Findings, *, where: str
) -> None:
    """VC-DM 2.0 §4.13.1: a context defining the envelope terms, a data: URL id, the type."""
    contexts = context_entries(entry)
    if not contexts or V2_CONTEXT not in contexts:
        out.fail(
            VERIFIABLE_CREDENTIAL,
            f"an {ENVELOPED} must have an @context that includes {V2_CONTEXT!r}",
            where=where,
        )
    for url in contexts or []:
        if isinstance(url, str) and url not in loader:
            out.fail(CONTEXT, ContextNotAllowedError(url).detail, where=where)
    problem = type_problem(entry["type"])
    if problem is not None:
        out.fail(VERIFIABLE_CREDENTIAL, problem, where=where)
    if not _is_data_url(entry.get("id")):
        out.fail(
            VERIFIABLE_CREDENTIAL,
            f"the id of an {ENVELOPED} must be a data: URL holding the secured credential, "
            f"found {show(entry.get('id'))}",
            where=where,
        )


def _is_data_url(value: Any) -> bool:
    """A ``data:`` URL with a non-empty payload, its scheme in any case as every surface reads
    it (:func:`vcservice.ingress.is_data_url`); what it carries is opaque here, judged when
    the embedded credential is verified."""
    return is_data_url(value) and bool(_DATA_URL_REST.fullmatch(value[5:]))
