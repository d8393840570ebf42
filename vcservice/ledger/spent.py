"""Keys of the public "has this credential's credit been spent?" lookup.

``GET /ledger/spent?digest=<key>`` answers for ``key = hex(SHA-256(salt || digestMultibase))``,
where ``salt`` is this service's random salt (published) and ``digestMultibase`` the digest a
hash link to the credential carries. Only a platform that holds the credential (or a link to
it) can form the key, and the answer is two booleans: no consumer, no tenant, no amounts. A
competitor who asks learns nothing about who bought from whom; a salt per service means the
keys published or logged by one service cannot be matched against another's, nor against a
precomputed table of digests.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["ALGORITHM", "spent_key", "valid_spent_key"]

#: How a key is formed, as published next to the salt.
ALGORITHM = "hex(sha-256(salt || utf-8(digestMultibase)))"
_KEY = re.compile(r"[0-9a-f]{64}")


def spent_key(salt: bytes, digest: str) -> str:
    return hashlib.sha256(salt + digest.encode("utf-8")).hexdigest()


def valid_spent_key(value: str) -> bool:
    """Whether ``value`` is a key as formed here (64 lower-case hex digits)."""
    return _KEY.fullmatch(value) is not None
