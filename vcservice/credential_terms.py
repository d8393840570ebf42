"""What a credential is called, in words a certifier uses: its name, its products, its kind.

The issuer console lists and searches credentials by these words, so the same function feeds
both: :func:`describe` for what a page shows and :func:`search_text` for the text the store
keeps beside each credential (``credentials.search_text``) and matches a search against. A
compact JWT is stored as opaque base64url, so a search over the stored document itself could
never find a JWT's name: the words are extracted once, when the credential is saved.

Everything here is pure and total: whatever shape a document has, an answer comes back (at
worst "Credential" with no name and no product), never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.errors import VCServiceError
from vcservice.schema_validation import unwrap_credential

__all__ = [
    "KIND_WORDS",
    "LINK_TYPES",
    "Terms",
    "describe",
    "document_of",
    "kind_of",
    "search_text",
    "strings",
    "subjects",
]

#: Longest name or product name kept (longer ones are cut with "…"); search text is bounded too.
MAX_WORDS = 200
MAX_PRODUCTS = 3
MAX_SEARCH_TEXT = 4096  # above the longest possible: a 2 KiB id and four names
#: How deep to look for products in a subject (assessment[] → assessedProduct[] → product).
_DEPTH = 6

#: UNTP credential type → what a certifier and a buyer call it; in the order a provenance graph
#: lists siblings (material first: events and passports, then the records and certificates
#: about them). The one table of kinds: the console, its search and the pages all use it.
KIND_WORDS: Mapping[str, str] = {
    "DigitalTraceabilityEvent": "Traceability event",
    "DigitalProductPassport": "Product passport",
    "DigitalFacilityRecord": "Facility record",
    "DigitalConformityCredential": "Certificate",
    "DigitalIdentityAnchor": "Accreditation",
    "BitstringStatusListCredential": "Status list",
}
#: UNTP credential type → its link type code (the vocabulary.uncefact.org linkTypes list),
#: which a link carries and which is all a link to a credential that cannot be fetched says.
LINK_TYPES: Mapping[str, str] = {
    "DigitalConformityCredential": "dcc",
    "DigitalTraceabilityEvent": "dte",
    "DigitalProductPassport": "dpp",
    "DigitalIdentityAnchor": "dia",
    "DigitalFacilityRecord": "dfr",
}
#: Subject types that say more than the credential type, first match wins (claim before make).
_DETAILS: Sequence[tuple[str, str]] = (
    ("ClaimEvent", "Traceability event – claim"),
    ("MakeEvent", "Traceability event – make"),
    ("TransformationEvent", "Traceability event – make"),
    ("MoveEvent", "Traceability event – move"),
    ("TransactionEvent", "Traceability event – move"),
    ("ModifyEvent", "Traceability event – change"),
    ("StocktakeEvent", "Traceability event – stocktake"),
    ("AggregationEvent", "Traceability event – packing"),
    ("AssociationEvent", "Traceability event – assembly"),
    ("ObjectEvent", "Traceability event – observation"),
    ("ChainOfCustodyCertificate", "Certificate – chain of custody"),
    ("ProductCarbonFootprintAttestation", "Certificate – carbon footprint"),
    ("RecycledContentAttestation", "Certificate – recycled content"),
    ("Accreditation", "Accreditation"),
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class Terms:
    """``name``: the credential's own name, else its subject's, else its first product's
    (empty when none has one); ``products``: product names, at most three; ``kind``: the kind
    in words ("Product passport", "Traceability event – move", "Certificate – …")."""

    name: str
    products: tuple[str, ...]
    kind: str


def document_of(stored: Any) -> dict[str, Any]:
    """The credential JSON of a stored credential (a JWT's payload, unverified; the service
    signed it itself), or ``{}`` for anything unreadable."""
    try:
        document, _ = unwrap_credential(stored)
    except (VCServiceError, ValueError, TypeError):
        return {}
    return document if isinstance(document, dict) else {}


def strings(value: Any) -> list[str]:
    """A JSON-LD member that may be one string or a list, as its strings."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def subjects(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``credentialSubject`` objects of a credential (one or a list; others skipped)."""
    given = document.get("credentialSubject")
    listed = given if isinstance(given, list) else [given]
    return [s for s in listed if isinstance(s, dict)]


def _clean(value: Any) -> str:
    """A name as one line of at most MAX_WORDS characters; "" for a non-string."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return text if len(text) <= MAX_WORDS else text[: MAX_WORDS - 1].rstrip() + "…"


def humanize(type_name: str) -> str:
    """``ExampleCopperCathodeCredential`` → "Example copper cathode credential"."""
    words = _CAMEL.sub(" ", type_name).split()
    if not words:
        return ""
    rest = [w if w.isupper() and len(w) > 1 else w.lower() for w in words[1:]]
    return " ".join([words[0][:1].upper() + words[0][1:], *rest])


def kind_of(document: Mapping[str, Any]) -> str:
    """The credential's kind in words; an unknown type is spelt out from its CamelCase."""
    types = [t for t in strings(document.get("type")) if t != "VerifiableCredential"]
    subject_types = {t for s in subjects(document) for t in strings(s.get("type"))}
    for subject_type, words in _DETAILS:
        if subject_type in subject_types:
            return words
    for credential_type in types:
        if credential_type in KIND_WORDS:
            return KIND_WORDS[credential_type]
    return humanize(types[0]) if types else "Credential"


def _products(value: Any, depth: int = 0) -> Iterator[str]:
    """Names of the products under ``value``: objects typed ``Product`` and the ``product``
    member of UNTP's product-quantity wrappers (``inputProduct[].product``), depth-bounded."""
    if depth > _DEPTH:
        return
    if isinstance(value, list):
        for item in value[:50]:
            yield from _products(item, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if "Product" in strings(value.get("type")) and _clean(value.get("name")):
        yield _clean(value.get("name"))
        return
    for key, member in value.items():
        if key in ("product", "conformityAssessment") or key.endswith("Product"):
            yield from _products(member, depth + 1)


def _product_names(document: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for subject in subjects(document):
        for name in _products(subject):
            if name not in names:
                names.append(name)
            if len(names) >= MAX_PRODUCTS:
                return tuple(names)
    return tuple(names)


def describe(document: Mapping[str, Any]) -> Terms:
    """The name, products and kind of a credential JSON (see :class:`Terms`)."""
    products = _product_names(document)
    name = _clean(document.get("name"))
    for subject in subjects(document):
        if name:
            break
        name = _clean(subject.get("name")) or _clean(subject.get("registeredName"))
    return Terms(name or (products[0] if products else ""), products, kind_of(document))


def search_text(credential_id: str, terms: Terms) -> str:
    """What a console search matches: name, products, kind and id, case-folded, one line per
    field (so a search never matches across two fields), bounded in length."""
    fields = [terms.name, *terms.products, terms.kind, credential_id]
    return "\n".join(f.casefold() for f in fields if f)[:MAX_SEARCH_TEXT]
