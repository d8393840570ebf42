"""The ledger's errors, under the names its modules and callers import them by.

They are defined in :mod:`vcservice.errors`, the one tree of the package (where the hierarchy
is drawn); the store raises the refusals that depend on stored accounts itself
(``InsufficientCreditError`` and its siblings, re-exported by ``vcservice.store``).
"""

from __future__ import annotations

from vcservice.errors import (
    CheckpointError,
    ConsistencyError,
    LedgerLimitError,
    NotAMassError,
    UnbalanceableError,
    UnreadableSourceError,
)

__all__ = [
    "CheckpointError",
    "ConsistencyError",
    "LedgerLimitError",
    "NotAMassError",
    "UnbalanceableError",
    "UnreadableSourceError",
]
