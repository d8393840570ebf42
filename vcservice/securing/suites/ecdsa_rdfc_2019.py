"""``ecdsa-rdfc-2019`` (W3C vc-di-ecdsa): RDFC-1.0 with P-256 or P-384.

Both halves of hashData use the curve's hash (SHA-256 for P-256, SHA-384 for P-384: 32 or
48 bytes each) and the signature is raw r||s, 64 or 96 bytes. ECDSA signing is randomized, so
the W3C vectors are checked by verifying their signatures, not by re-signing.

The spec also asks RDFC-1.0 itself to hash blank-node labels with SHA-384 for P-384 keys;
:func:`vcservice.jsonld.rdfc` has no such parameter, so that part uses RDFC's default SHA-256
(as Digital Bazaar's implementation does). It changes nothing for documents with fewer than two
blank nodes, which includes every W3C vector and every proof configuration.
"""

from __future__ import annotations

from vcservice.keys import KeyType
from vcservice.securing.suites._families import RdfcSuite, sha_by_curve

ECDSA_RDFC_2019 = RdfcSuite(
    name="ecdsa-rdfc-2019",
    key_types=frozenset({KeyType.P256, KeyType.P384}),
    hash_name=sha_by_curve,
)
