"""Errors of the ledger's pure core (the store raises InsufficientCreditError itself).

Hierarchy::

    InputError
    ├── NotAMassError      a credited or debited quantity whose unit is not a mass (422)
    └── CheckpointError    a checkpoint JWS that is malformed or whose signature fails
"""

from __future__ import annotations

from vcservice.errors import InputError


class NotAMassError(InputError):
    slug = "ledger.not-a-mass"
    title = "Certified quantity is not a mass"


class CheckpointError(InputError):
    slug = "ledger.checkpoint"
    title = "Unusable ledger checkpoint"
