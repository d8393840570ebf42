"""Errors raised by the storage layer, on top of :mod:`vcservice.errors`.

Hierarchy::

    VCServiceError
    ├── NotFoundError          no such row *for this tenant*: never says whether another has it
    ├── ConflictError          the write contradicts stored state (name taken, duplicate id,
    │   │                      retiring the last active key)
    │   ├── InsufficientCreditError  a debit would take a ledger account below zero
    │   ├── NotHolderError           a debit by someone other than the account's holder
    │   ├── NoMatchingAccountError   a debit's source has accounts, none of its product/kind
    │   └── AlreadyPostedError       another serialization of a credential already posted
    ├── KeyVaultError          a stored private key cannot be decrypted (wrong secret, tampering)
    └── StoreUnavailableError  the database is down, or busy past its timeouts: try again later

They live here rather than in ``errors.py`` because only the store raises them; callers that map
errors to problem details see ordinary ``VCServiceError`` subclasses with a slug.
"""

from __future__ import annotations

from vcservice.errors import VCServiceError


class NotFoundError(VCServiceError):
    slug = "not-found"
    title = "Not found"


class ConflictError(VCServiceError):
    slug = "conflict"
    title = "Conflict with stored state"


class InsufficientCreditError(ConflictError):
    """The detail names the account (source link and digest, product, kind), its balance and
    the amount asked for: the issuer can see which upstream credit is exhausted."""

    slug = "ledger.insufficient-credit"
    title = "Insufficient certified credit"


class NotHolderError(ConflictError):
    """Names the account, never its balance: the requester does not hold it."""

    slug = "ledger.not-holder"
    title = "Not the holder of the credit"


class NoMatchingAccountError(ConflictError):
    slug = "ledger.no-matching-account"
    title = "No account of this product and kind"


class AlreadyPostedError(ConflictError):
    """The detail names the digest the credential's credits are accounted under."""

    slug = "ledger.already-posted"
    title = "Credential already posted under another digest"


class KeyVaultError(VCServiceError):
    """Decryption failed; the message names the likely cause and never includes key material."""

    slug = "key-vault"
    title = "Stored key cannot be decrypted"


class StoreUnavailableError(VCServiceError):
    """An outage, not a fault of the request: an API maps it to 503, never to 4xx."""

    slug = "store-unavailable"
    title = "Database unavailable"
