"""Errors of the ledger's pure core (the store raises the refusals that depend on stored
accounts itself: InsufficientCreditError and its siblings in ``vcservice.store``).

Hierarchy::

    InputError
    ├── UnbalanceableError         a credential the ledger cannot post (422)
    │   ├── NotAMassError          a credited or debited quantity whose unit is not a mass
    │   ├── UnreadableSourceError  a debit's source link with no usable sha2-256 digest
    │   └── LedgerLimitError       an amount, id or name beyond what an account can hold
    └── CheckpointError            a checkpoint JWS that is malformed or whose signature fails
"""

from __future__ import annotations

from vcservice.errors import InputError


class UnbalanceableError(InputError):
    slug = "ledger.unbalanceable"
    title = "The ledger cannot post this credential"


class NotAMassError(UnbalanceableError):
    slug = "ledger.not-a-mass"
    title = "Certified quantity is not a mass"


class UnreadableSourceError(UnbalanceableError):
    slug = "ledger.unreadable-source"
    title = "Source link without a usable sha2-256 digest"


class LedgerLimitError(UnbalanceableError):
    slug = "ledger.limit"
    title = "Beyond what a ledger account can hold"


class CheckpointError(InputError):
    slug = "ledger.checkpoint"
    title = "Unusable ledger checkpoint"
