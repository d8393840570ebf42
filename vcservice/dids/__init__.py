"""DID resolution behind one interface: did:key, did:jwk, did:web and did:webvh.

Every resolver raises :class:`~vcservice.errors.ResolutionError` when it *could not check*
(network down, timeout, malformed response) and returns a DID document otherwise. Whether a
verification method is present and authorized for a purpose is decided separately, by
:func:`resolve_verification_method`, which raises :class:`VerificationMethodError` ("invalid").

:func:`default_resolver` is what the service uses; :func:`did_document` and :func:`did_web_for`
build the did:web documents the service hosts for its tenants. A DID with history (did:webvh)
also has its verified versions (:func:`history_of`), so a proof is checked against the key in
force when it was made; :func:`create_did`, :func:`next_entry` and :func:`deactivate_entry`
write such a log.
"""

from vcservice.dids._base import (
    DidHistory,
    DIDResolver,
    DidVersion,
    HistoryResolver,
    StaticResolver,
    VerificationMethod,
    did_of,
    history_of,
    public_key_of,
    resolution_result,
    resolve_verification_method,
)
from vcservice.dids._didjwk import DidJwkResolver, JwkMethodType, did_jwk_document, did_jwk_for
from vcservice.dids._didkey import DidKeyResolver, did_key_document, did_key_for
from vcservice.dids._didweb import DidWebResolver, did_web_client, did_web_url
from vcservice.dids._didwebvh import DidWebvhResolver, verify_log, webvh_urls
from vcservice.dids._documents import (
    MethodForm,
    TenantDidMethod,
    active_method_ids,
    did_document,
    did_web_for,
    verification_method_id,
)
from vcservice.dids._multi import MultiResolver, default_resolver
from vcservice.dids._webvh_log import (
    WitnessRule,
    create_did,
    deactivate_entry,
    did_web_alias,
    next_entry,
    next_key_hash,
    parallel_did_web,
    witness_file,
    witness_proof,
)

__all__ = [
    "DIDResolver",
    "DidHistory",
    "DidJwkResolver",
    "DidKeyResolver",
    "DidVersion",
    "DidWebResolver",
    "DidWebvhResolver",
    "HistoryResolver",
    "JwkMethodType",
    "MethodForm",
    "MultiResolver",
    "StaticResolver",
    "TenantDidMethod",
    "VerificationMethod",
    "WitnessRule",
    "active_method_ids",
    "create_did",
    "deactivate_entry",
    "default_resolver",
    "did_document",
    "did_jwk_document",
    "did_jwk_for",
    "did_key_document",
    "did_key_for",
    "did_of",
    "did_web_alias",
    "did_web_client",
    "did_web_for",
    "did_web_url",
    "history_of",
    "next_entry",
    "next_key_hash",
    "parallel_did_web",
    "public_key_of",
    "resolution_result",
    "resolve_verification_method",
    "verification_method_id",
    "verify_log",
    "webvh_urls",
    "witness_file",
    "witness_proof",
]
