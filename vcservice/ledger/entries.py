"""Ledger entries and the hash chain that makes the log append-only.

An entry's hash is ``SHA-256(prev_hash || JCS(content))``: the 32 raw bytes of the previous
entry's hash (32 zero bytes for the first entry), then the RFC 8785 bytes of :meth:`Entry.content`.
The content is everything the entry says except its sequence number: the position is fixed by
``prev_hash`` (and by the leaf's index in the Merkle tree) instead, which is also what lets the
verifier tell an edited entry (its content no longer hashes to its hash) from a moved one (it
still does, but it follows the wrong entry).

Amounts are integer **milligrams**, carried as decimal strings in the hashed content: JSON
numbers are doubles (RFC 8785 refuses integers beyond 2**53) and a ledger that balances floats
drifts. Conversion from a credential's Measure is exact decimal arithmetic on the number as
written (see :mod:`vcservice.ledger.postings`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from vcservice.jsonld import jcs
from vcservice.ledger.merkle import leaf_hash

__all__ = [
    "GENESIS",
    "Entry",
    "EntryKind",
    "account_id",
    "chain_hash",
    "credential_identity",
    "entry_leaf",
    "kg_text",
]

#: ``prev_hash`` of the first entry, and the head hash of an empty ledger.
GENESIS = "00" * 32

#: credit: an account opened by the credential; debit: an account it drew from; origin: a
#: debit whose sources name no account known here (credits minted from attestations, e.g.
#: the first make event after a mine), recorded so the ledger shows where credit came from.
#: When an account is later opened for a digest origins drew on, those origins are charged to
#: it as debits (made by the origin's credential).
#: posted: the record of a credential posted without any other entry (e.g. an upstream
#: credential that credits and debits nothing), so every posted credential is in the log.
EntryKind = Literal["credit", "debit", "origin", "posted"]


@dataclass(frozen=True)
class Entry:
    """One posting. ``digest`` is the account's credential digest (for an origin, the first
    source link's digest, or ""); ``credential_*`` name the credential that made the posting.
    ``holder`` is the account's holder: who it is credited to, for a credit; who drew on it
    (the issuer of the debiting credential, which must be the holder), for a debit or origin.

    The last three fields commit the log to what the ledger's other tables hold, so that the
    audit can derive every row of them from the entries (``None``: an entry written before
    they existed, which does not carry them). ``issuer`` is the issuer of the credential
    making the posting (``ledger_credentials``); ``sources`` are all the source digests of an
    origin (``ledger_origins``); ``settles`` is, for a debit charged when an account opened
    for a digest an origin drew on, that origin's ``seq`` (its ``settled`` flag).
    """

    kind: EntryKind
    digest: str
    product: str | None
    property_kind: str
    amount_mg: int
    credential_id: str
    credential_digest: str
    #: None for a registration: a debit registered by a holder on another platform (or
    #: embedded with a receipt), which no tenant of this service made.
    tenant_id: str | None
    created_at: datetime
    holder: str
    issuer: str | None = None
    sources: tuple[str, ...] | None = None
    settles: int | None = None

    def content(self) -> dict[str, Any]:
        """What the entry hash covers (and what its writer is shown): the fields, in JSON.
        Fields that are None are left out, so entries written before they existed hash as
        they did."""
        content: dict[str, Any] = {
            "kind": self.kind,
            "account": {
                "credentialDigest": self.digest,
                "product": self.product,
                "propertyKind": self.property_kind,
                "holder": self.holder,
            },
            "amountMg": str(self.amount_mg),
            "credentialId": self.credential_id,
            "credentialDigest": self.credential_digest,
            "createdAt": timestamp(self.created_at),
        }
        if self.tenant_id is not None:
            content["tenant"] = self.tenant_id
        if self.issuer is not None:
            content["issuer"] = self.issuer
        if self.sources is not None:
            content["sources"] = list(self.sources)
        if self.settles is not None:
            content["settles"] = str(self.settles)
        return content


def account_id(digest: str, product: str, kind: str) -> str:
    """An account's key: fixed length, whatever the length of the product URL."""
    return hashlib.sha256(jcs([digest, product, kind])).hexdigest()


def credential_identity(issuer: str, credential_id: str) -> str:
    """What names a credential whatever its serialization: its issuer and its id, hashed."""
    return hashlib.sha256(jcs([issuer, credential_id])).hexdigest()


def timestamp(moment: datetime) -> str:
    """Microsecond UTC text: both databases keep microseconds, so it reads back unchanged."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev_hash: str, entry: Entry) -> str:
    """The entry's hash (hex) after ``prev_hash`` (hex)."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + jcs(entry.content())).hexdigest()


def entry_leaf(entry_hash: str) -> bytes:
    """The entry's Merkle leaf hash: the leaf data is the entry hash's 32 bytes."""
    return leaf_hash(bytes.fromhex(entry_hash))


def kg_text(amount_mg: int) -> str:
    """Milligrams as kilograms for people (``45000 kg``, ``0.5 kg``), exact."""
    whole, fraction = divmod(amount_mg, 1_000_000)
    digits = f"{fraction:06d}".rstrip("0")
    return f"{whole}.{digits} kg" if digits else f"{whole} kg"
