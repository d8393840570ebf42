"""The storage layer's errors, under the names the store's modules import them by.

They are defined in :mod:`vcservice.errors`, the one tree of the package (where the hierarchy
is drawn), and re-exported by ``vcservice.store``.
"""

from __future__ import annotations

from vcservice.errors import (
    AlreadyPostedError,
    ConflictError,
    InsufficientCreditError,
    KeyVaultError,
    NoMatchingAccountError,
    NotFoundError,
    NotHolderError,
    StoreUnavailableError,
)

__all__ = [
    "AlreadyPostedError",
    "ConflictError",
    "InsufficientCreditError",
    "KeyVaultError",
    "NoMatchingAccountError",
    "NotFoundError",
    "NotHolderError",
    "StoreUnavailableError",
]
