"""``eddsa-jcs-2022`` (W3C vc-di-eddsa): RFC 8785 JCS, SHA-256, pure Ed25519.

Works on plain JSON as well as JSON-LD: no context is loaded. The proof carries the document's
``@context`` so a verifier can refuse a document whose contexts were swapped after signing.
"""

from __future__ import annotations

from vcservice.keys import KeyType
from vcservice.securing.suites._families import JcsSuite, sha256_only

EDDSA_JCS_2022 = JcsSuite(
    name="eddsa-jcs-2022",
    key_types=frozenset({KeyType.ED25519}),
    hash_name=sha256_only,
)
