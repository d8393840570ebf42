"""Links to upstream credentials in the issue forms: picked, never typed, and completed here.

A link from one credential to another carries ``digestMultibase``, the hash of the exact bytes
served at ``linkURL`` (:mod:`vcservice.links`). Asking a certifier to compute it by hand is
asking for mistakes, so the form offers a *choice* of credentials and the service writes the
link: its address, a readable name, its UNTP link type, media type and digest.

What can be picked: the tenant's own credentials (served by this service at
``/tenants/<name>/credentials/<id>`` once published) and, since this service keeps no store of
credentials it received, any credential by its web address, which is fetched through the
bounded fetcher of the credential verifier (https only, the SSRF rule, size and time limits)
and verified. A credential that cannot be fetched cannot be linked (there is nothing to hash);
one that fetches but does not verify is linked with a warning the preview shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from vcservice import credential_terms
from vcservice.errors import VCServiceError
from vcservice.links import digest_document
from vcservice.report import VerificationReport
from vcservice.schema_validation import unwrap_credential
from vcservice.store import CredentialRecord
from vcservice.web.issue_start import form_of
from vcservice.web.schema_form import KINDS

__all__ = [
    "Candidate",
    "Resolved",
    "candidates",
    "credential_url",
    "describe",
    "resolve",
]

_LINK_TYPE_BASE = "https://test.uncefact.org/vocabulary/linkTypes/"
#: How many of the tenant's newest credentials the picker offers.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Candidate:
    """One credential the picker offers: where it is served and how it reads."""

    url: str
    name: str
    kind: str
    issued: str
    digest: str
    secured: Any
    jws: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kind}, {self.issued})"


@dataclass(frozen=True)
class Resolved:
    """A link as the service completed it, and what the preview says about its target."""

    link: dict[str, Any]
    kind: str
    own: bool
    verified: bool
    note: str = ""
    fetched: Any = None  # a received credential, as served (for the ledger's upstream posting)

    @property
    def name(self) -> str:
        return str(self.link["linkName"])

    @property
    def digest(self) -> str:
        return str(self.link["digestMultibase"])


def credential_url(public_url: str, tenant_name: str, credential_id: str) -> str:
    """Where this service serves a tenant's published credential (one URL per credential,
    whatever other tenants publish under the same id)."""
    base = public_url.rstrip("/")
    return (
        f"{base}/tenants/{quote(tenant_name, safe='')}/credentials/{quote(credential_id, safe='')}"
    )


def describe(document: Mapping[str, Any]) -> tuple[str, str]:
    """(readable name, plain kind) of a credential, never a raw id or type name: the kind is
    the title of the form it was issued from, else the kind the console lists it as."""
    form = form_of(document)
    terms = credential_terms.describe(document)
    kind = KINDS[form].title if form else terms.kind
    return terms.name or kind, kind


def _link_type(document: Mapping[str, Any]) -> str | None:
    for credential_type in credential_terms.strings(document.get("type")):
        if credential_type in credential_terms.LINK_TYPES:
            return _LINK_TYPE_BASE + credential_terms.LINK_TYPES[credential_type]
    return None


def _link(
    url: str, name: str, document: Mapping[str, Any], jws: bool, digest: str
) -> dict[str, Any]:
    link: dict[str, Any] = {"linkURL": url, "linkName": name}
    link_type = _link_type(document)
    if link_type:
        link["linkType"] = link_type
    link["mediaType"] = "application/vc+jwt" if jws else "application/vc"
    link["digestMultibase"] = digest
    return link


def candidates(
    records: Iterable[CredentialRecord], public_url: str, tenant_name: str
) -> list[Candidate]:
    """The tenant's credentials as picker entries (records newest first; unreadable skipped)."""
    out: list[Candidate] = []
    for record in records:
        try:
            document, jws = unwrap_credential(record.document)
            digest = digest_document(record.document)
        except VCServiceError:
            continue
        name, kind = describe(document)
        url = credential_url(public_url, tenant_name, record.id)
        issued = record.created_at.date().isoformat()
        out.append(Candidate(url, name, kind, issued, digest, record.document, jws))
    return out


def resolve(
    url: str,
    own: Mapping[str, Candidate],
    fetch: Callable[[str], Any] | None,
    verify: Callable[[Any], VerificationReport],
) -> Resolved | str:
    """The completed link to ``url``, or why it cannot be made (a message for the field).

    ``own``: the picker's candidates by URL (their bytes are in the store: no fetch). Anything
    else is fetched with ``fetch`` and verified with ``verify``."""
    if url in own:
        candidate = own[url]
        document, _ = unwrap_credential(candidate.secured)
        link = _link(url, candidate.name, document, candidate.jws, candidate.digest)
        return Resolved(link, candidate.kind, own=True, verified=True)
    if not url.startswith(("https://", "http://")):
        return "Pick a credential from the list, or give a web address starting with https://."
    if fetch is None:
        return "This service does not fetch credentials from other addresses."
    try:
        secured = fetch(url)
        document, jws = unwrap_credential(secured)
        digest = digest_document(secured)
    except VCServiceError as exc:
        return f"The credential at this address could not be read: {exc.detail}"
    name, kind = describe(document)
    report = verify(secured)
    note = ""
    if not report.verified:
        first = report.errors[0] if report.errors else None
        reason = first.problem.detail if first and first.problem else "it did not verify"
        note = f"This credential did not verify: {reason}"
    link = _link(url, name, document, jws, digest)
    return Resolved(link, kind, own=False, verified=report.verified, note=note, fetched=secured)
