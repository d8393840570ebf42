"""DID resolution behind one interface: did:key, did:jwk and did:web.

Every resolver raises :class:`~vcservice.errors.ResolutionError` when it *could not check*
(network down, timeout, malformed response) and returns a DID document otherwise. Whether a
verification method is present and authorized for a purpose is decided separately, by
:func:`resolve_verification_method`, which raises :class:`VerificationMethodError` ("invalid").

:func:`default_resolver` is what the service uses; :func:`did_document` and :func:`did_web_for`
build the did:web documents the service hosts for its tenants.
"""

from vcservice.dids._base import (
    DIDResolver,
    StaticResolver,
    VerificationMethod,
    did_of,
    public_key_of,
    resolve_verification_method,
)
from vcservice.dids._didjwk import DidJwkResolver, JwkMethodType, did_jwk_document, did_jwk_for
from vcservice.dids._didkey import DidKeyResolver, did_key_document, did_key_for
from vcservice.dids._didweb import DidWebResolver, did_web_client, did_web_url
from vcservice.dids._documents import (
    MethodForm,
    TenantDidMethod,
    active_method_ids,
    did_document,
    did_web_for,
    verification_method_id,
)
from vcservice.dids._multi import MultiResolver, default_resolver

__all__ = [
    "DIDResolver",
    "DidJwkResolver",
    "DidKeyResolver",
    "DidWebResolver",
    "JwkMethodType",
    "MethodForm",
    "MultiResolver",
    "StaticResolver",
    "TenantDidMethod",
    "VerificationMethod",
    "active_method_ids",
    "default_resolver",
    "did_document",
    "did_jwk_document",
    "did_jwk_for",
    "did_key_document",
    "did_key_for",
    "did_of",
    "did_web_client",
    "did_web_for",
    "did_web_url",
    "public_key_of",
    "resolve_verification_method",
    "verification_method_id",
]
