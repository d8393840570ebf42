"""The ledger's posting rules, as pure functions: the store and the offline audit both use them.

The rules were once written twice, as SQL in the store's transaction and again in the replay of
``vcservice ledger verify``, and two copies of a rule drift. Here they are one copy, over plain
data, with no database:

* :func:`post` is what issuing a credential does to the ledger: given the part of the ledger
  the postings touch (a :class:`Book`, as the store loaded it under its lock) and the postings
  that :func:`~vcservice.ledger.postings.postings_of` read in the credential (and in the
  upstream credentials served with it), it returns the entries to append (a
  :class:`Posting`), or refuses with a :class:`~vcservice.errors.ConflictError`. Which
  account a debit draws on, who may draw (the holder), what is an origin and how a newly
  opened account settles earlier origins are decided here and nowhere else.
* :func:`apply` is what one entry does to an account: a credit opens it, a debit draws on it,
  only by its holder and never below zero. :func:`post` computes every balance it hands back
  through :func:`apply`, and the audit replays the stored entries through the same
  :func:`apply`, so the balances the store writes and the balances the audit expects come
  from one function.

The store only loads the rows a posting touches and saves what :func:`post` returns: the
entries say everything that changed (a credit entry is an account to insert, a debit entry a
balance to lower, an origin entry the origins to remember), plus the posted credentials and the
origins settled, which :class:`Posting` names.

Refusals are the package's ConflictErrors (``InsufficientCreditError``, ``NotHolderError``,
``NoMatchingAccountError``, ``AlreadyPostedError``), raised here and passed through by the
store unchanged; their details are the service's contract with issuers, kept word for word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from vcservice.errors import (
    AlreadyPostedError,
    ConflictError,
    InsufficientCreditError,
    NoMatchingAccountError,
    NotHolderError,
    NotHomeError,
)
from vcservice.ledger.entries import Entry, EntryKind, credential_identity, kg_text
from vcservice.ledger.postings import Charge, Opening, Postings, Source, Upstream

__all__ = [
    "Account",
    "AccountKey",
    "Book",
    "Credential",
    "Origin",
    "Posting",
    "apply",
    "post",
    "register",
]

#: An account's key: the digest of the credential that opened it, the product, the kind.
AccountKey = tuple[str, str, str]


@dataclass(frozen=True)
class Account:
    """An account: what one credential credits of one product and kind, and who holds it.
    ``seq`` is the entry that opened it, when known (the audit's replay names it)."""

    digest: str
    product: str
    kind: str
    holder: str
    opened_mg: int
    balance_mg: int
    seq: int | None = None

    @property
    def key(self) -> AccountKey:
        return (self.digest, self.product, self.kind)


@dataclass(frozen=True)
class Origin:
    """An origin not yet settled, by one of its source digests (a row of ``ledger_origins``):
    what the origin entry ``seq`` drew, by whom, on a credential the ledger did not know."""

    seq: int
    digest: str
    product: str | None
    kind: str
    amount_mg: int
    holder: str
    credential_id: str
    credential_digest: str
    tenant_id: str


@dataclass(frozen=True)
class Credential:
    """A credential making postings: its id, issuer (who draws) and digest (its accounts)."""

    credential_id: str
    issuer: str
    digest: str

    @property
    def identity(self) -> str:
        return credential_identity(self.issuer, self.credential_id)


@dataclass(frozen=True)
class Book:
    """The part of the ledger a posting reads, as loaded. It must hold every account of the
    digests the postings draw on or open, every posted credential among those digests or with
    the identities being posted, and every unsettled origin of the digests being opened.

    ``posted`` maps the identity of each posted credential to its digest; ``issued_here`` maps
    the identity of a served upstream credential that was issued here to that credential's
    digest (needed only for one not posted yet)."""

    accounts: Sequence[Account] = ()
    posted: Mapping[str, str] = field(default_factory=dict)
    origins: Sequence[Origin] = ()
    issued_here: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Posting:
    """What a posting appends: ``entries`` (numbered from the ``first_seq`` given to
    :func:`post`), the credentials it posts (in order) and the ``seq``s of the origins it
    settles (a settled origin may have drawn nothing, so no entry names it)."""

    entries: tuple[Entry, ...]
    credentials: tuple[Credential, ...]
    settled: tuple[int, ...]


def apply(accounts: Mapping[AccountKey, Account], seq: int, entry: Entry) -> Account | None:
    """The account after entry ``seq`` (None: an origin or posted entry touches no account).

    A credit opens an account that must not exist; a debit draws on one that exists, by its
    holder (the entry's ``holder`` is who drew), and no more than its balance. Raises
    a ConflictError (the subclass of the rule broken) whose detail says what the entry
    contradicts.
    """
    if entry.kind in ("origin", "posted"):
        return None
    key = (entry.digest, entry.product or "", entry.property_kind)
    account = accounts.get(key)
    if entry.kind == "credit":
        if account is not None:
            raise ConflictError(f"a second credit of {_opened_by(account)}")
        return Account(*key, entry.holder, entry.amount_mg, entry.amount_mg, seq)
    if account is None:
        raise NoMatchingAccountError("a debit of an account no earlier entry credits")
    if entry.holder != account.holder:
        raise NotHolderError(
            f"a debit by {entry.holder} of {_opened_by(account)} for {account.holder}",
        )
    if entry.amount_mg > account.balance_mg:
        raise InsufficientCreditError(
            f"a debit of {kg_text(entry.amount_mg)} from {_opened_by(account)}, which had "
            f"{kg_text(account.balance_mg)} left",
        )
    return replace(account, balance_mg=account.balance_mg - entry.amount_mg)


def _opened_by(account: Account) -> str:
    if account.seq is None:
        return f"the account of {account.product} ({account.kind}) of digest {account.digest}"
    return f"the account entry {account.seq} opened"


def post(
    book: Book,
    credential: Credential,
    postings: Postings,
    *,
    upstream: Sequence[Upstream] = (),
    tenant_id: str,
    now: datetime,
    first_seq: int,
) -> Posting:
    """Post one credential issued by tenant ``tenant_id`` (its issuer's DID is the viewer of
    the refusals' details); the entries to append from ``first_seq`` on.

    ``upstream`` credentials (issued elsewhere, verified by the caller, in an order where each
    comes after the upstream credentials it draws on) are posted first, exactly like a
    credential issued here: their debits are charged, then their credits open accounts. One
    already posted under the same digest is skipped (serving it again neither refills nor
    charges anything twice); one posted, or issued here, under another digest is refused
    (``ledger.already-posted``). Each charge goes to the first of its sources with an account
    of its kind and product (a charge without a product draws from that source's accounts of
    its kind in product order), or is an origin when no source is a credential known here.
    """
    ledger = _Ledger(book, tenant_id, credential.issuer, now, first_seq)
    for source in upstream:
        served = Credential(source.credential_id, source.issuer, source.digest)
        if not ledger.already_posted(served):
            ledger.post(served, source.postings)
    ledger.post(credential, postings)
    return Posting(tuple(ledger.entries), tuple(ledger.credentials), tuple(ledger.settled))


def register(
    book: Book,
    credential: Credential,
    charges: Sequence[Charge],
    *,
    now: datetime,
    first_seq: int,
) -> Posting:
    """Register the debits of ``credential`` (issued anywhere; ``digest`` is its registration
    digest, see :func:`vcservice.registry.registration_digest`) at this, their home registry.

    Each charge is judged exactly as :func:`post` judges a local one (the holder, the
    balance, the product and kind) and must draw on an account of this ledger: a charge none
    of whose sources has an account here is :class:`~vcservice.errors.NotHomeError`, never an
    origin, since a home can only vouch for what it keeps. The credential is not posted (its
    credits, if any, are posted where it is issued); no tenant made the entries.
    """
    ledger = _Ledger(book, None, credential.issuer, now, first_seq)
    for charge in charges:
        if not any(ledger.of_digest(source.digest) for source in charge.sources):
            names = ", ".join(source.digest for source in charge.sources)
            raise NotHomeError(
                f"{charge.pointer or 'a debit'} draws on {names}, whose credits this registry "
                "does not keep: register it at the home the source credential names"
            )
        ledger.charge(credential, charge)
    return Posting(tuple(ledger.entries), (), ())


class _Ledger:
    """The working copy of a :class:`Book` while :func:`post` runs: the accounts, posted
    credentials and pending origins as the entries so far leave them."""

    def __init__(
        self, book: Book, tenant_id: str | None, viewer: str, now: datetime, first_seq: int
    ) -> None:
        self.accounts = {account.key: account for account in book.accounts}
        self.posted = dict(book.posted)
        self.digests = set(book.posted.values())
        self.pending = sorted(book.origins, key=lambda origin: origin.seq)
        self.issued_here = book.issued_here
        self.tenant_id = tenant_id
        self.viewer = viewer
        self.now = now
        self.first_seq = first_seq
        self.entries: list[Entry] = []
        self.credentials: list[Credential] = []
        self.settled: list[int] = []

    def add(
        self,
        kind: EntryKind,
        digest: str,
        product: str | None,
        property_kind: str,
        amount_mg: int,
        credential: Credential,
        holder: str,
        tenant_id: str | None = None,
        *,
        sources: tuple[str, ...] | None = None,
        settles: int | None = None,
    ) -> int:
        """Append an entry and apply it to the accounts; its ``seq``-to-be."""
        seq = self.first_seq + len(self.entries)
        entry = Entry(
            kind=kind,
            digest=digest,
            product=product,
            property_kind=property_kind,
            amount_mg=amount_mg,
            credential_id=credential.credential_id,
            credential_digest=credential.digest,
            tenant_id=tenant_id or self.tenant_id,
            created_at=self.now,
            holder=holder,
            issuer=credential.issuer,
            sources=sources,
            settles=settles,
        )
        account = apply(self.accounts, seq, entry)
        if account is not None:
            self.accounts[account.key] = account
        self.entries.append(entry)
        return seq

    def of_digest(self, digest: str) -> list[Account]:
        """The accounts of a credential digest, in (product, kind) order."""
        return sorted(
            (account for account in self.accounts.values() if account.digest == digest),
            key=lambda account: (account.product, account.kind),
        )

    def already_posted(self, served: Credential) -> bool:
        """True when ``served`` was posted under its digest (or issued here as served);
        refused when it was posted or issued here under another digest."""
        if served.digest in self.digests:
            return True
        where = f"the served credential {served.credential_id} of {served.issuer}"
        known = self.posted.get(served.identity)
        if known is not None:
            raise AlreadyPostedError(
                f"{where} (digest {served.digest}) is another serialization of a credential "
                f"whose credits are accounted under digest {known}; link to that digest",
            )
        digest = self.issued_here.get(served.identity)
        if digest is None:
            return False
        if digest == served.digest:
            return True  # issued here and posted then (if it posts anything at all)
        raise AlreadyPostedError(
            f"{where} (digest {served.digest}) was issued here, where its credits are "
            f"accounted under digest {digest}; link to that digest",
        )

    def post(self, credential: Credential, postings: Postings) -> None:
        identity = credential.identity
        if credential.digest in self.digests or identity in self.posted:
            known = self.posted.get(identity)
            raise AlreadyPostedError(
                f"credential {credential.credential_id} of {credential.issuer} is already "
                f"posted to the ledger" + (f" under digest {known}" if known is not None else ""),
            )
        self.posted[identity] = credential.digest
        self.digests.add(credential.digest)
        self.credentials.append(credential)
        before = len(self.entries)
        for charge in postings.charges:
            self.charge(credential, charge)
        opened = [self.open(credential, opening) for opening in postings.openings]
        self.settle(credential, opened)
        if not any(e.credential_digest == credential.digest for e in self.entries[before:]):
            # Posted, yet no entry says so (it credits and draws nothing, or only 0 mg): the
            # log records it all the same, so the audit can account for its row.
            self.add("posted", credential.digest, None, "", 0, credential, credential.issuer)

    def charge(self, credential: Credential, charge: Charge) -> None:
        known: Source | None = None
        for source in charge.sources:
            accounts = self.of_digest(source.digest)
            fitting = [
                account
                for account in accounts
                if account.kind == charge.kind
                and (charge.product is None or account.product == charge.product)
            ]
            if fitting:
                self.draw(credential, charge, source, fitting)
                return
            if known is None and (accounts or source.digest in self.digests):
                known = source
        if known is not None:
            product = "any product" if charge.product is None else charge.product
            raise NoMatchingAccountError(
                f"{charge.pointer} draws {charge.kind} credit of {product} from {known.url} "
                f"(digest {known.digest}), a credential the ledger knows, which credits none "
                "of that product and kind: name the product and property kind its credit was "
                "made for",
            )
        self.origin(credential, charge)

    def draw(
        self, credential: Credential, charge: Charge, source: Source, accounts: list[Account]
    ) -> None:
        if any(account.holder != credential.issuer for account in accounts):
            raise NotHolderError(
                f"{charge.pointer} draws {charge.kind} credit from {source.url} (digest "
                f"{source.digest}), which {credential.issuer} does not hold: only the holder "
                "of a credit (whoever made it, or the consignee it was moved to) can pass it on",
            )
        if sum(account.balance_mg for account in accounts) < charge.amount_mg:
            raise _insufficient(charge, source, accounts, self.viewer)
        remaining = charge.amount_mg
        for account in accounts:
            take = min(account.balance_mg, remaining)
            if not take:
                continue
            remaining -= take
            self.add(
                "debit",
                source.digest,
                account.product,
                charge.kind,
                take,
                credential,
                credential.issuer,
            )

    def origin(self, credential: Credential, charge: Charge) -> None:
        if self.tenant_id is None:  # register() refuses a charge with no account here first
            raise RuntimeError("a registration never records an origin")
        tenant_id = self.tenant_id
        first = charge.sources[0].digest if charge.sources else ""
        digests = tuple(dict.fromkeys(source.digest for source in charge.sources))
        seq = self.add(
            "origin",
            first,
            charge.product,
            charge.kind,
            charge.amount_mg,
            credential,
            credential.issuer,
            sources=digests,
        )
        self.pending.extend(
            Origin(
                seq=seq,
                digest=digest,
                product=charge.product,
                kind=charge.kind,
                amount_mg=charge.amount_mg,
                holder=credential.issuer,
                credential_id=credential.credential_id,
                credential_digest=credential.digest,
                tenant_id=tenant_id,
            )
            for digest in digests
        )

    def open(self, credential: Credential, opening: Opening) -> AccountKey:
        key = (credential.digest, opening.product, opening.kind)
        if key in self.accounts:
            raise ConflictError(
                f"the ledger already has an account for {opening.product} ({opening.kind}) "
                f"of the credential with digest {credential.digest}",
            )
        holder = opening.holder or credential.issuer
        self.add(
            "credit",
            credential.digest,
            opening.product,
            opening.kind,
            opening.amount_mg,
            credential,
            holder,
        )
        return key

    def settle(self, credential: Credential, opened: list[AccountKey]) -> None:
        """Charge the accounts just opened with the origins that drew on their credential
        before it was posted: those of the accounts' holder, of their kind, and of their
        product (or of none). Origins of anyone else never drew on a credit they could not
        hold. Settling an origin through one of its sources settles it for all of them."""
        if not opened:
            return
        ordered = sorted(opened, key=lambda key: (key[1], key[2]))
        pending = [origin for origin in self.pending if origin.digest == credential.digest]
        for origin in pending:
            accounts = [
                account
                for account in (self.accounts[key] for key in ordered)
                if account.kind == origin.kind
                and account.holder == origin.holder
                and (origin.product is None or account.product == origin.product)
            ]
            if not accounts:
                continue
            if sum(account.balance_mg for account in accounts) < origin.amount_mg:
                raise _overdrawn_by_origins(credential, accounts, self.viewer)
            drawn_by = Credential(origin.credential_id, origin.holder, origin.credential_digest)
            remaining = origin.amount_mg
            for account in accounts:
                take = min(account.balance_mg, remaining)
                if not take:
                    continue
                remaining -= take
                self.add(
                    "debit",
                    credential.digest,
                    account.product,
                    origin.kind,
                    take,
                    drawn_by,
                    origin.holder,
                    tenant_id=origin.tenant_id,
                    settles=origin.seq,
                )
            self.settled.append(origin.seq)
            self.pending = [other for other in self.pending if other.seq != origin.seq]


def _insufficient(
    charge: Charge, source: Source, accounts: list[Account], viewer: str
) -> InsufficientCreditError:
    """The refusal of an overdraft; the balance is named only to the accounts' holder."""
    products = ", ".join(account.product for account in accounts)
    if all(account.holder == viewer for account in accounts):
        left = f"which has {kg_text(sum(account.balance_mg for account in accounts))} left"
    else:
        left = "which holds less than that"
    return InsufficientCreditError(
        f"{charge.pointer} asks for {kg_text(charge.amount_mg)} of {charge.kind} credit of "
        f"{products} from {source.url} (digest {source.digest}), {left}",
    )


def _overdrawn_by_origins(
    credential: Credential, accounts: list[Account], viewer: str
) -> InsufficientCreditError:
    products = ", ".join(account.product for account in accounts)
    detail = (
        f"the credit of {products} ({accounts[0].kind}) of credential "
        f"{credential.credential_id} (digest {credential.digest}) was drawn on before it was "
        "posted here, by credentials that named it as a source (origin entries), and they drew "
        "more than it credits"
    )
    if all(account.holder == viewer for account in accounts):
        detail += f": {kg_text(sum(account.balance_mg for account in accounts))} left to draw"
    return InsufficientCreditError(detail)
