"""DID resolution behind one interface: did:key, did:jwk and did:web.

Every resolver raises :class:`~vcservice.errors.ResolutionError` when it *could not check*
(network down, timeout, malformed response) and returns a DID document otherwise. Whether a
verification method is present and authorized for a purpose is decided separately, by
:func:`resolve_verification_method`, which raises :class:`VerificationMethodError` ("invalid").
"""

from vcservice.dids._base import (
    DIDResolver,
    StaticResolver,
    VerificationMethod,
    did_of,
    resolve_verification_method,
)
from vcservice.dids._didkey import DidKeyResolver, did_key_document, did_key_for

__all__ = [
    "DIDResolver",
    "DidKeyResolver",
    "StaticResolver",
    "VerificationMethod",
    "did_key_document",
    "did_key_for",
    "did_of",
    "resolve_verification_method",
]
