"""``ecdsa-jcs-2019`` (W3C vc-di-ecdsa): RFC 8785 JCS with P-256 or P-384.

Hash and signature sizes follow the curve exactly as in ``ecdsa-rdfc-2019``; the ``@context``
handling is the JCS family's (see :mod:`vcservice.securing.suites._families`).
"""

from __future__ import annotations

from vcservice.keys import KeyType
from vcservice.securing.suites._families import JcsSuite, sha_by_curve

ECDSA_JCS_2019 = JcsSuite(
    name="ecdsa-jcs-2019",
    key_types=frozenset({KeyType.P256, KeyType.P384}),
    hash_name=sha_by_curve,
)
