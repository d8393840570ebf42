"""``@context`` rules (VC-DM 2.0 §4.3) and recognition of VC 1.1 documents.

The first entry must be the VC 2.0 base context; later entries must be URLs or context
objects. URLs are also checked against the document loader here, before any JSON-LD work, so
a refused context is reported with its URL even when other checks fail and expansion never
runs (the detail is the :class:`ContextNotAllowedError` message, which callers parse for the
URL). A single string is accepted as a one-entry ordered set: JSON-LD treats them alike and
enveloped-credential objects in the specification itself use that form.
"""

from __future__ import annotations

from typing import Any

from vcservice.errors import ContextNotAllowedError
from vcservice.jsonld import StaticDocumentLoader
from vcservice.model._checks import CONTEXT, Findings
from vcservice.model._iri import is_url
from vcservice.model._json import show

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


def context_entries(document: dict[str, Any]) -> list[Any] | None:
    """The ``@context`` value as a list (a lone value becomes one entry); None if absent."""
    if "@context" not in document:
        return None
    value = document["@context"]
    return list(value) if isinstance(value, list) else [value]


def is_vc1(document: Any) -> bool:
    """True if ``document`` is a VC/VP 1.1 document (its first context is the v1 URL).

    VC 1.1 has different required properties (``issuanceDate``, no ``validFrom``) and a
    different base context, so callers route such documents to a legacy path instead of
    reporting them as broken 2.0 documents.
    """
    if not isinstance(document, dict):
        return False
    entries = context_entries(document) or []
    return bool(entries) and entries[0] == V1_CONTEXT


def check_context(
    document: dict[str, Any],
    loader: StaticDocumentLoader,
    out: Findings,
    *,
    where: str = "",
    base: str = V2_CONTEXT,
) -> None:
    """Records ``datamodel.context`` for the document's own ``@context``, which must start
    with ``base`` (the VC 2.0 context; the VC 1.1 rules pass :data:`V1_CONTEXT`)."""
    out.ran(CONTEXT)
    entries = context_entries(document)
    if entries is None:
        out.fail(CONTEXT, "@context is required", where=where)
        return
    if not entries:
        out.fail(CONTEXT, f"@context must start with {base!r}; it is empty", where=where)
        return
    if entries[0] != base:
        out.fail(
            CONTEXT,
            f"the first @context entry must be {base!r}, found {show(entries[0])}",
            where=where,
        )
    for index, entry in enumerate(entries[1:], start=1):
        problem = _entry_problem(entry, loader)
        if problem is not None:
            out.fail(CONTEXT, f"@context[{index}]: {problem}", where=where)


def _entry_problem(entry: Any, loader: StaticDocumentLoader) -> str | None:
    if isinstance(entry, dict):
        return None
    if not isinstance(entry, str):
        return f"must be a URL or a context object, found {show(entry)}"
    if not is_url(entry):
        return f"{show(entry)} is not a URL"
    if entry not in loader:
        return ContextNotAllowedError(entry).detail
    return None


def legacy_detail(kind: str) -> str:
    """The detail for a VC 1.1 document: it is not broken, it follows another data model."""
    return (
        f"this is a VC 1.1 {kind} (its first @context is {V1_CONTEXT!r}); the VC Data Model "
        "2.0 rules do not apply to it: process it as a legacy document (see is_vc1)"
    )
