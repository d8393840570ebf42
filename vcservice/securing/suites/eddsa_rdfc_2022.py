"""``eddsa-rdfc-2022`` (W3C vc-di-eddsa): RDFC-1.0, SHA-256, pure Ed25519.

The signature is 64 bytes over SHA-256(canonical proof config) || SHA-256(canonical document).
Ed25519 is deterministic, so the W3C vector's ``proofValue`` is reproduced byte for byte.
"""

from __future__ import annotations

from vcservice.keys import KeyType
from vcservice.securing.suites._families import RdfcSuite, sha256_only

EDDSA_RDFC_2022 = RdfcSuite(
    name="eddsa-rdfc-2022",
    key_types=frozenset({KeyType.ED25519}),
    hash_name=sha256_only,
)
