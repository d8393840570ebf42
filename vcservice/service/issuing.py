"""Issuing for a tenant: id, status entries, securing, ledger postings and storage.

Everything a credential commits (its status indexes, its ledger postings, the credential)
is written in one transaction, after signing, so a refusal anywhere writes nothing. Upstream
credentials served with the request (issued on other platforms) are verified and posted
first, sources before what draws on them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.errors import InputError, ResolutionError
from vcservice.issuing import issue_credential
from vcservice.jsonld import StaticDocumentLoader
from vcservice.ledger import LedgerLimitError, Postings, UnbalanceableError, Upstream, postings_of
from vcservice.ledger.postings import MAX_CREDENTIAL_ID
from vcservice.links import digest_document
from vcservice.report import Outcome, VerificationReport
from vcservice.service.commands import IssueCommand, IssuedCredential
from vcservice.service.status_lists import StatusLists
from vcservice.service.tenants import Tenants
from vcservice.store import Store, Tenant
from vcservice.verify import issuer_id


@dataclass(frozen=True)
class Issuing:
    store: Store
    tenants: Tenants
    status_lists: StatusLists
    loader: StaticDocumentLoader
    clock: Callable[[], datetime]
    #: How a served upstream credential is verified (the service's online verifier).
    verify: Callable[[Any], VerificationReport]

    def issue(self, tenant: Tenant, command: IssueCommand) -> IssuedCredential:
        """Issue for ``tenant``: id, status entries, securing and storage in one transaction."""
        fmt = command.format or tenant.default_format
        document = copy.deepcopy(command.credential)
        document.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        credential_id = document["id"]
        if not isinstance(credential_id, str):
            raise InputError("credential id must be a string URL")
        if not credential_id or len(credential_id.encode()) > MAX_CREDENTIAL_ID:
            raise InputError(f"a credential id is 1 to {MAX_CREDENTIAL_ID} bytes of UTF-8")
        postings = postings_of(document)  # refuses unbalanceable quantities before any work
        upstream = self._upstream(postings, command.source_credentials)
        signer = self.tenants.signer(tenant)
        with self.store.transaction() as tx:
            allocations = [
                tx.allocate_status(tenant.id, purpose) for purpose in command.status_purposes
            ]
            if allocations:
                entries = [self.status_lists.entry(a) for a in allocations]
                if document.get("credentialStatus") is not None:
                    raise InputError(
                        "the credential already has credentialStatus; do not also request one"
                    )
                document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
            secured = issue_credential(document, signer, fmt, loader=self.loader, clock=self.clock)
            if postings:  # the digest a downstream link to this credential will carry
                digest = digest_document(secured)
                tx.post_ledger(tenant.id, tenant.did, credential_id, digest, postings, upstream)
            tx.save_credential(
                tenant.id,
                credential_id,
                secured,
                fmt,
                published=command.publish,
                allocations=allocations,
            )
        return IssuedCredential(credential_id, fmt, secured)

    def _upstream(self, postings: Postings, served: Sequence[Any]) -> list[Upstream]:
        """Upstream credentials issued on other platforms (``options.sourceCredentials``), to be
        posted before this credential draws on them, sources first.

        Each must be what a source link names (its digest), of this credential's debits or of
        another served credential's (a chain of them), and must verify; its postings are read
        like those of a credential issued here. One that could not be checked (its issuer's DID
        did not resolve) is a ResolutionError, not a forgery.
        """
        by_digest: dict[str, tuple[int, Any]] = {}
        for index, credential in enumerate(served):
            by_digest.setdefault(digest_document(credential), (index, credential))
        found: dict[str, Upstream] = {}
        wanted = [source.digest for charge in postings.charges for source in charge.sources]
        while wanted:
            digest = wanted.pop()
            if digest in found or digest not in by_digest:
                continue
            found[digest] = self._served(*by_digest[digest], digest)
            wanted.extend(
                source.digest
                for charge in found[digest].postings.charges
                for source in charge.sources
            )
        for digest, (index, _) in by_digest.items():
            if digest not in found:
                raise InputError(
                    f"options.sourceCredentials[{index}] (digest {digest}) is not a source "
                    "this credential draws on"
                )
        return _sources_first(found)

    def _served(self, index: int, credential: Any, digest: str) -> Upstream:
        where = f"options.sourceCredentials[{index}]"
        report = self.verify(credential)
        if not report.verified or report.document is None:
            failed = [c for c in report.errors if c.outcome is Outcome.FAILED]
            detail = "; ".join(
                f"{c.id}: {c.problem.detail}" for c in failed or report.errors if c.problem
            )
            if failed:
                raise InputError(f"{where} does not verify: {detail}")
            raise ResolutionError(f"{where} could not be checked: {detail}")
        document = report.document
        issuer = issuer_id(document)
        if not issuer or len(issuer.encode()) > MAX_CREDENTIAL_ID:
            raise LedgerLimitError(
                f"{where}: the ledger keeps issuers of 1 to {MAX_CREDENTIAL_ID} bytes"
            )
        ident = document.get("id")
        if ident is None:  # named by its content, which no re-serialization changes
            ident = digest_document({k: v for k, v in document.items() if k != "proof"})
        if not isinstance(ident, str) or not ident or len(ident.encode()) > MAX_CREDENTIAL_ID:
            raise LedgerLimitError(
                f"{where}: the ledger keeps credential ids of 1 to {MAX_CREDENTIAL_ID} bytes"
            )
        try:
            posted = postings_of(document)
        except UnbalanceableError as exc:
            raise type(exc)(f"{where}: {exc.detail}") from None
        return Upstream(ident, issuer, digest, posted)


def _sources_first(found: dict[str, Upstream]) -> list[Upstream]:
    """The upstream credentials ordered so that each comes after those it draws on (a
    depth-first post-order, iterative: a long chain must not exhaust the stack)."""
    ordered: list[Upstream] = []
    seen: set[str] = set()
    for root in found:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(_sources(found[root], found)))]
        while stack:
            digest, sources = stack[-1]
            following = next((d for d in sources if d not in seen), None)
            if following is None:
                stack.pop()
                ordered.append(found[digest])
            else:  # hash links cannot form a cycle; ``seen`` keeps this total all the same
                seen.add(following)
                stack.append((following, iter(_sources(found[following], found))))
    return ordered


def _sources(upstream: Upstream, found: dict[str, Upstream]) -> list[str]:
    return [
        source.digest
        for charge in upstream.postings.charges
        for source in charge.sources
        if source.digest in found
    ]
