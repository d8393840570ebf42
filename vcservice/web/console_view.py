"""What the console shows of a stored credential: plain values for the templates.

A stored credential is a JSON document or a compact JWS; its contents are read from the
payload without checking the signature (the service signed it itself, and the console only
describes it). Whatever the stored document holds, a summary never fails: odd shapes show as
"—". Names, products and kinds come from :mod:`vcservice.credential_terms`, the same words
the store's search matches, so what a certifier reads in the list is what finds it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from vcservice.credential_terms import describe, document_of, strings
from vcservice.resolver import Identifier
from vcservice.store import CredentialRecord, CredentialStatus
from vcservice.vocab import profiles_for

#: What each purpose's set bit means, and whether the console may clear it again.
PURPOSE_LABELS = {"revocation": "revoked", "suspension": "suspended"}


@dataclass(frozen=True)
class StatusView:
    purpose: str
    list_id: str
    index: int
    value: bool


@dataclass(frozen=True)
class CredentialView:
    id: str
    href: str
    title: str
    named: bool
    kind: str
    products: list[str]
    types: list[str]
    profiles: list[str]
    format: str
    issued: str
    issued_date: str
    issued_iso: str
    published: bool
    state: str
    statuses: list[StatusView]
    subject: list[tuple[str, str]]
    valid_from: str
    valid_until: str
    raw: str
    contents: str | None


@dataclass(frozen=True)
class IdentifierView:
    """A product identifier linking to a credential: its URL (what its QR code carries) and
    where its QR code images are."""

    url: str
    svg: str
    png: str


def identifier_views(root: str, identifiers: Sequence[Identifier]) -> list[IdentifierView]:
    """The views of ``identifiers`` of the resolver at ``root``."""
    views = []
    for identifier in identifiers:
        query = quote(identifier.path, safe="")
        views.append(
            IdentifierView(
                identifier.url(root),
                f"/resolver/qr.svg?identifier={query}",
                f"/resolver/qr.png?identifier={query}",
            )
        )
    return views


def detail_href(credential_id: str, done: str | None = None) -> str:
    query = {"id": credential_id, **({"done": done} if done else {})}
    return "/console/credential?" + urlencode(query)


def state_of(statuses: Sequence[CredentialStatus]) -> str:
    """``revoked`` beats ``suspended`` beats ``active``: revocation is final."""
    for purpose in ("revocation", "suspension"):
        if any(s.purpose == purpose and s.value for s in statuses):
            return PURPOSE_LABELS[purpose]
    return "active"


def _validity(value: Any) -> str:
    """A ``validFrom``/``validUntil`` in words when it parses, as written when it does not."""
    if not isinstance(value, str) or not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return human_moment(moment.astimezone(UTC))


def _subject(document: dict[str, Any]) -> list[tuple[str, str]]:
    subjects = document.get("credentialSubject")
    facts: list[tuple[str, str]] = []
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if not isinstance(subject, dict):
            continue
        kinds = [t for t in strings(subject.get("type")) if t]
        if kinds:
            facts.append(("Subject type", ", ".join(kinds)))
        for key, label in (("name", "Subject name"), ("id", "Subject id")):
            if isinstance(subject.get(key), str):
                facts.append((label, subject[key]))
        if len(facts) >= 12:
            break
    return facts


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def human_date(moment: datetime) -> str:
    """ "6 Dec 2026": unambiguous in every locale, unlike 06/12/2026 (moments are UTC)."""
    return f"{moment.day} {_MONTHS[moment.month - 1][:3]} {moment.year}"


def human_moment(moment: datetime) -> str:
    """ "6 December 2026, 08:47 UTC"."""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"


def credential_view(
    record: CredentialRecord, statuses: Sequence[CredentialStatus], *, full: bool = False
) -> CredentialView:
    """The summary of one credential; ``full`` adds its subject and raw text (detail page)."""
    document = document_of(record.document)
    enveloped = isinstance(record.document, str) or document is not record.document
    raw = ""
    contents = None
    if full:
        stored = record.document
        raw = (
            stored if isinstance(stored, str) else json.dumps(stored, indent=2, ensure_ascii=False)
        )
        if enveloped and document:
            contents = json.dumps(document, indent=2, ensure_ascii=False)
    types = [t for t in strings(document.get("type")) if t != "VerifiableCredential"]
    profiles = profiles_for(document) if document else []
    terms = describe(document)
    return CredentialView(
        id=record.id,
        href=detail_href(record.id),
        title=terms.name or terms.kind,
        named=bool(terms.name),
        kind=terms.kind,
        products=list(terms.products),
        types=types,
        profiles=profiles,
        format=record.format,
        issued=human_moment(record.created_at),
        issued_date=human_date(record.created_at),
        issued_iso=record.created_at.isoformat(),
        published=record.published,
        state=state_of(statuses),
        statuses=[StatusView(s.purpose, s.list_id, s.index, s.value) for s in statuses],
        subject=_subject(document) if full else [],
        valid_from=_validity(document.get("validFrom")),
        valid_until=_validity(document.get("validUntil")),
        raw=raw,
        contents=contents,
    )
