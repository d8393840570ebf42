"""Issuing for a tenant: id, status entries, securing, ledger postings and storage.

Everything a credential commits (its status entries, its ledger postings, the credential, the
key audit trail's ``signed`` event) is written in one transaction, after signing, so a refusal
anywhere writes nothing (but status slots reserved beforehand: gaps in the list). A credential
that posts nothing to the ledger is signed and checked before that transaction opens, which
then only inserts; one that posts is signed inside it, after its registration. Upstream
credentials served with the request (issued on other platforms) are verified and posted
first, sources before what draws on them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from vcservice.confidential import new_key, seal
from vcservice.credential_terms import describe, document_of, search_text
from vcservice.errors import InputError, ResolutionError
from vcservice.issuing import issue_credential, prepared
from vcservice.jsonld import StaticDocumentLoader
from vcservice.keys import Signer
from vcservice.ledger import LedgerLimitError, Postings, UnbalanceableError, Upstream, postings_of
from vcservice.ledger.postings import MAX_CREDENTIAL_ID, Charge
from vcservice.links import digest_document
from vcservice.registry import (
    HOME_PROPERTY,
    RECEIPT_PROPERTY,
    Home,
    Registration,
    encode_receipt_text,
    home_of,
    name_home,
    registration_digest,
)
from vcservice.report import Outcome, VerificationReport
from vcservice.resolver import Identifier
from vcservice.service.commands import IssueCommand, IssuedCredential
from vcservice.service.group_commit import commit_grouped
from vcservice.service.identifiers import Identifiers
from vcservice.service.registry import Registry
from vcservice.service.status_lists import StatusLists
from vcservice.service.tenants import Tenants
from vcservice.store import (
    ConflictError,
    KeyRecord,
    StatusAllocation,
    Store,
    Tenant,
    Transaction,
)
from vcservice.verify import issuer_id


@dataclass(frozen=True)
class Routes:
    """Where a credential's debits are charged: ``local`` ones are registered at this
    service (it keeps their accounts), ``foreign`` ones at the home their source names, and
    ``remaining`` (with the credential's openings) is posted as before homes existed: debits
    of credits with no home (origins, or legacy upstream credentials served with the
    request). ``homes_consulted``: served credentials read only to find a home."""

    remaining: Postings
    local: tuple[Charge, ...]
    foreign: dict[Home, tuple[Charge, ...]]
    homes_consulted: frozenset[str]


@dataclass(frozen=True)
class Draft:
    """An issue request read and checked, nothing signed yet (see :meth:`Issuing._draft`).
    Made for one request: it holds the served credentials that request verified."""

    tenant: Tenant
    command: IssueCommand
    fmt: str
    #: The credential as it will be signed, less its status entries and receipts: its id set.
    document: dict[str, Any]
    credential_id: str
    products: tuple[Identifier, ...]
    signer: Signer
    key: KeyRecord
    routes: Routes
    upstream: list[Upstream]

    @property
    def posts(self) -> bool:
        """Whether anything goes to a ledger (here or at another home)."""
        return bool(self.routes.remaining or self.routes.local or self.routes.foreign)


@dataclass(frozen=True)
class Signed:
    """A credential signed and checked, waiting to be stored (:meth:`Issuing.store_signed`)."""

    tenant: Tenant
    command: IssueCommand
    fmt: str
    id: str
    secured: dict[str, Any]
    allocations: tuple[StatusAllocation, ...]
    products: tuple[Identifier, ...]
    key: KeyRecord
    #: What is stored beside it, worked out before the write transaction opens (on SQLite
    #: each moment in it is every writer's wait): its digest (for the key event), the words
    #: a search matches, and when it is published encrypted, its key (shown once) and sealed
    #: envelope.
    digest: str
    search_text: str
    decryption_key: str | None
    sealed: dict[str, Any] | None


def _signed(
    draft: Draft, secured: dict[str, Any], allocations: tuple[StatusAllocation, ...]
) -> Signed:
    """``secured`` with what is stored beside it (see :class:`Signed`)."""
    key_text = new_key() if draft.command.encrypt else None
    return Signed(
        draft.tenant,
        draft.command,
        draft.fmt,
        draft.credential_id,
        secured,
        allocations,
        draft.products,
        draft.key,
        digest_document(secured),
        search_text(draft.credential_id, describe(document_of(secured))),
        key_text,
        None if key_text is None else seal(secured, key_text),
    )


@dataclass(frozen=True)
class Issuing:
    store: Store
    tenants: Tenants
    status_lists: StatusLists
    loader: StaticDocumentLoader
    clock: Callable[[], datetime]
    #: How a served upstream credential is verified (the service's online verifier).
    verify: Callable[[Any], VerificationReport]
    #: Homes, registrations and receipts (:mod:`vcservice.service.registry`).
    registry: Registry
    #: Served credentials verified so far, by their index in the request: an Issuing is made
    #: per request, and finding homes and posting upstream credentials read the same ones.
    _verified_by_index: dict[int, dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: The identity resolver, for ``register_identifiers``.
    identifiers: Identifiers | None = None
    #: Signers already looked up, by tenant id, shared by the Issuings of one batch: its
    #: items need one lookup (a read transaction and a key decryption), not one each. Safe to
    #: share because the key is checked again, under lock, when each credential is stored.
    signers: dict[str, tuple[Signer, KeyRecord]] | None = None

    def issue(self, tenant: Tenant, command: IssueCommand) -> IssuedCredential:
        """Issue for ``tenant``: id, status entries, securing and storage.

        A credential that posts nothing to the ledger is signed and checked before the write
        transaction opens (:meth:`sign`), which then only inserts and checks the key
        (:meth:`store_signed`): on SQLite that transaction is the database's one writer, so
        the CPU work no longer queues every other issuer behind it. One that posts is signed
        inside it (:meth:`issue_posting`), after its registration, whose receipt it carries.
        Either way a refusal anywhere writes nothing but reserved status slots (gaps).
        Concurrent plain issues share their transaction and commit (:func:`commit_grouped`),
        each credential in a SAVEPOINT of its own."""
        draft = self._draft(tenant, command)
        if draft.posts:
            return self.issue_posting(draft)
        signed = self._sign(draft)
        return commit_grouped(
            self.store, (tenant.id, signed.id), lambda tx: self.store_signed(tx, signed)
        )

    def sign(self, tenant: Tenant, command: IssueCommand) -> Signed | Draft:
        """The credential signed and checked but not stored, for a caller that stores several
        in one transaction (a batch, :meth:`store_signed`); one that posts to the ledger comes
        back unsigned, its draft, for :meth:`issue_posting`."""
        draft = self._draft(tenant, command)
        return draft if draft.posts else self._sign(draft)

    def store_signed(self, tx: Transaction, signed: Signed) -> IssuedCredential:
        """Store a credential signed by :meth:`sign`, in ``tx``: the credential, its status
        entries, its identifiers and the ``signed`` key event. Refuses (ConflictError) when
        the signing key is no longer active: see :meth:`_sign_off`."""
        self._save(tx, signed)
        self._sign_off(tx, signed)
        return IssuedCredential(signed.id, signed.fmt, signed.secured, signed.decryption_key)

    def _draft(self, tenant: Tenant, command: IssueCommand) -> Draft:
        """Everything read and refused before any signature: the format, the id, the ledger
        postings and where they go, the identifiers, and the tenant's signing key."""
        fmt = command.format or tenant.default_format
        if fmt == "ecdsa-sd-2023" and command.publish:
            # A base proof carries what any holder needs to derive from it, and verifiers
            # refuse it as a final proof: it is handed to its holder, never published.
            raise InputError("an ecdsa-sd-2023 base credential is for its holder, not to publish")
        document = copy.deepcopy(command.credential)
        document.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        credential_id = document["id"]
        if not isinstance(credential_id, str):
            raise InputError("credential id must be a string URL")
        if not credential_id or len(credential_id.encode()) > MAX_CREDENTIAL_ID:
            raise InputError(f"a credential id is 1 to {MAX_CREDENTIAL_ID} bytes of UTF-8")
        if command.status_purposes and document.get("credentialStatus") is not None:
            raise InputError("the credential already has credentialStatus; do not also request one")
        postings = postings_of(document)  # refuses unbalanceable quantities before any work
        products = self._products(command)
        signer, key = self._active_signer(tenant)
        if postings.openings:
            _name_home(document, self.registry.home)
        routes = self._routes(postings, command.source_credentials)
        upstream = self._upstream(
            routes.remaining, command.source_credentials, routes.homes_consulted
        )
        return Draft(
            tenant, command, fmt, document, credential_id, products, signer, key, routes, upstream
        )

    def _active_signer(self, tenant: Tenant) -> tuple[Signer, KeyRecord]:
        if self.signers is None:
            return self.tenants.active_signer(tenant)
        if tenant.id not in self.signers:
            self.signers[tenant.id] = self.tenants.active_signer(tenant)
        return self.signers[tenant.id]

    def _sign(self, draft: Draft) -> Signed:
        """Sign and check a credential that posts nothing, outside any transaction."""
        allocations = self._allocations(draft)
        return _signed(draft, self._secure(draft, draft.document, allocations), allocations)

    def _allocations(self, draft: Draft) -> tuple[StatusAllocation, ...]:
        """Reserved slots, outside the write transaction (a refill is a short one of its own)."""
        purposes = draft.command.status_purposes
        return tuple(self.status_lists.allocate(draft.tenant.id, p) for p in purposes)

    def _secure(
        self, draft: Draft, document: dict[str, Any], allocations: Sequence[StatusAllocation]
    ) -> dict[str, Any]:
        """``document`` with its status entries, signed and checked (:func:`issue_credential`)."""
        if allocations:
            entries = [self.status_lists.entry(a) for a in allocations]
            document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
        return issue_credential(
            document,
            draft.signer,
            draft.fmt,
            loader=self.loader,
            clock=self.clock,
            mandatory_pointers=draft.command.mandatory_pointers,
            disclosable=draft.command.disclosable,
        )

    def issue_posting(self, draft: Draft) -> IssuedCredential:
        """Issue a credential that posts to the ledger: signed inside the write transaction,
        after its local registration (the receipt it carries is made there)."""
        tenant, routes = draft.tenant, draft.routes
        signer, credential_id, document = draft.signer, draft.credential_id, draft.document
        if self.store.credential(tenant.id, credential_id) is not None:
            # Refused before any registration: once a registration's checkpoint is shown to
            # witnesses (or a home has registered it), a refusal while storing cannot undo it
            # without showing them two roots for one size. Only a concurrent issue of the same
            # id can still get past this read (see docs/ledger.md, "Throughput").
            raise ConflictError(
                f"this tenant already issued a credential with id {credential_id!r}"
            )
        home = self.registry.home
        foreign: list[tuple[Home, tuple[Charge, ...], bytes]] = []
        local_signer: Signer | None = None
        if routes.foreign or routes.local:
            # What will be signed, checked as signing checks it, before any home is asked:
            # a registration at another home cannot be undone.
            document = prepared(document, signer, draft.fmt, loader=self.loader)
            digest = registration_digest(document)

            def registration(at: Home, charges: tuple[Charge, ...]) -> Registration:
                return Registration(at.did, signer.controller, credential_id, digest, charges)

            for at, charges in routes.foreign.items():  # the network, before any write
                receipt = self.registry.obtain(at, registration(at, charges), signer)
                foreign.append((at, charges, receipt))
            if routes.local:
                local_signer = self.registry.ledger.service_signer()
        allocations = self._allocations(draft)
        unsigned = document

        def finish(tx: Transaction, local: bytes | None) -> IssuedCredential:
            """Everything that commits with the credential (with its local registration, in
            the batch that makes ``local``, its receipt: a batch may run this again)."""
            document = copy.deepcopy(unsigned)
            receipts = [(charges, receipt) for _, charges, receipt in foreign]
            if local is not None:
                receipts.append((routes.local, local))
            for charges, receipt in receipts:
                _carry(document, charges, receipt)
            # Signed, digested and described once: this runs under the ledger lock.
            signed = _signed(draft, self._secure(draft, document, allocations), allocations)
            if routes.remaining:  # the digest a downstream link to this credential will carry
                tx.post_ledger(
                    tenant.id,
                    tenant.did,
                    credential_id,
                    signed.digest,
                    routes.remaining,
                    draft.upstream,
                )
            for at, charges, _ in foreign:  # so that this service's spent lookup counts them
                for charge in charges:
                    tx.record_registered_spend(
                        tenant.id, charge.sources[0].digest, at.did, charge.amount_mg, credential_id
                    )
            return self.store_signed(tx, signed)

        if routes.local and local_signer is not None:
            spend = registration(home, routes.local)
            return self.registry.spend(spend, local_signer, finish)[2]
        if routes.remaining:  # posted in the ledger's next batch (one lock, one commit)
            return self.registry.post(finish)
        with self.store.transaction() as tx:
            return finish(tx, None)

    def _save(self, tx: Transaction, signed: Signed) -> None:
        """The credential, its status entries and its identifiers."""
        tx.save_credential(
            signed.tenant.id,
            signed.id,
            signed.secured,
            signed.fmt,
            published=signed.command.publish,
            allocations=signed.allocations,
            sealed=signed.sealed,
            search_text=signed.search_text,
        )
        if signed.products and self.identifiers is not None:
            self.identifiers.register_issued(
                tx, signed.tenant, signed.id, signed.secured, signed.products
            )

    @staticmethod
    def _sign_off(tx: Transaction, signed: Signed) -> None:
        """Record the signature on the key audit trail, last in the transaction: it locks the
        tenant's row (the trail's head) only until the commit. Under that lock, the key must
        still be the tenant's: a rotation committed since it was read would leave a credential
        signed by a retired key, dated after its retirement."""
        detail = {"credential": signed.id, "format": signed.fmt, "digestMultibase": signed.digest}
        tenant, key = signed.tenant, signed.key
        if tx.append_signature(tenant.id, key.id, key.fragment, detail) is None:
            raise ConflictError(
                f"the signing key of {tenant.name!r} changed while this credential was being "
                "issued; nothing was stored: issue it again"
            )

    def _products(self, command: IssueCommand) -> tuple[Identifier, ...]:
        """The identifiers to register the credential under, read before any work: a
        malformed one refuses the issue before anything is signed or written."""
        if not command.register_identifiers:
            return ()
        if self.identifiers is None:
            raise InputError("this service has no identity resolver to register identifiers in")
        return tuple(self.identifiers.identifier(text) for text in command.register_identifiers)

    def _routes(self, postings: Postings, served: Sequence[Any]) -> Routes:
        """Where each debit is charged (see :class:`Routes`). A debit goes to the first of its
        sources that is an account of this ledger (registered here, with a receipt), or a
        served credential naming a home (registered there: here when it names this service);
        one with neither keeps the single-service path."""
        if not postings.charges:
            return Routes(postings, (), {}, frozenset())
        digests = {source.digest for charge in postings.charges for source in charge.sources}
        kept_here = self.store.ledger_account_digests(sorted(digests))
        by_digest: dict[str, tuple[int, Any]] = {}
        for index, credential in enumerate(served):
            by_digest.setdefault(digest_document(credential), (index, credential))

        def document(digest: str) -> dict[str, Any]:
            return self._verified(*by_digest[digest])

        own = self.registry.home.did
        homes: dict[str, Home | None] = {}
        local: list[Charge] = []
        foreign: dict[Home, list[Charge]] = {}
        remaining: list[Charge] = []
        consulted: set[str] = set()  # sources of registered debits: served, but not posted
        for charge in postings.charges:
            for source in charge.sources:
                home: Home | None = None
                if source.digest in kept_here:
                    home = self.registry.home
                elif source.digest in by_digest:
                    if source.digest not in homes:
                        homes[source.digest] = home_of(document(source.digest))
                    home = homes[source.digest]
                    if home is not None and home.did == own:
                        # Homed here yet no account under this digest: another serialization
                        # of a credential posted here, which the posting rules name.
                        home = None
                if home is not None:
                    consulted.add(source.digest)
                    narrowed = replace(charge, sources=(source,))
                    if home.did == own:
                        local.append(narrowed)
                    else:
                        foreign.setdefault(home, []).append(narrowed)
                    break
            else:
                remaining.append(charge)
        pending = [d for d in consulted if d in by_digest]
        while pending:  # what the sources of registered debits draw on is not posted here
            try:
                upstream = postings_of(document(pending.pop()))
            except UnbalanceableError:
                continue
            for charge in upstream.charges:
                for source in charge.sources:
                    if source.digest in by_digest and source.digest not in consulted:
                        consulted.add(source.digest)
                        pending.append(source.digest)
        return Routes(
            Postings(tuple(remaining), postings.openings),
            tuple(local),
            {home: tuple(charges) for home, charges in foreign.items()},
            frozenset(consulted),
        )

    def _upstream(
        self, postings: Postings, served: Sequence[Any], consulted: frozenset[str] = frozenset()
    ) -> list[Upstream]:
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
            if digest not in found and digest not in consulted:
                raise InputError(
                    f"options.sourceCredentials[{index}] (digest {digest}) is not a source "
                    "this credential draws on"
                )
        return _sources_first(found)

    def _verified(self, index: int, credential: Any) -> dict[str, Any]:
        """The served credential's document once it verifies (see :meth:`_served`), verified
        once per request however many steps read it."""
        known = self._verified_by_index.get(index)
        if known is not None:
            return known
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
        self._verified_by_index[index] = report.document
        return report.document

    def _served(self, index: int, credential: Any, digest: str) -> Upstream:
        where = f"options.sourceCredentials[{index}]"
        document = self._verified(index, credential)
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


def _name_home(document: dict[str, Any], home: Home) -> None:
    """Name this service as the home of the credits ``document`` opens; one that names
    another home is refused: credits are kept, and spent, where they are issued."""
    named = home_of(document)
    if named is not None and named != home:
        raise InputError(
            f"the credential names {named.did} as the home of its credits, but credits "
            f"issued here are kept here ({home.did}): leave {HOME_PROPERTY} out"
        )
    name_home(document, home)


def _carry(document: dict[str, Any], charges: Sequence[Charge], receipt: bytes) -> None:
    """Put ``receipt`` on each event of ``document`` that makes one of ``charges``."""
    subjects = document.get("credentialSubject")
    text = encode_receipt_text(receipt)
    events: list[dict[str, Any]] = []
    for charge in charges:
        parts = charge.pointer.split("/")
        if isinstance(subjects, list) and len(parts) > 2 and parts[2].isdigit():
            event = subjects[int(parts[2])]
        else:
            event = subjects
        if isinstance(event, dict) and all(event is not e for e in events):
            events.append(event)
    for event in events:
        carried = event.setdefault(RECEIPT_PROPERTY, [])
        if isinstance(carried, list) and text not in carried:
            carried.append(text)


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
