"""Offline JSON-LD: a fail-closed document loader over bundled, hash-pinned contexts, and the
canonicalization algorithms (RDFC-1.0 with work limits, RFC 8785 JCS) the proof suites use."""

from vcservice.jsonld._canon import (
    CanonLimits,
    expand,
    fast_dataset,
    jcs,
    rdfc,
    rdfc_nquads,
    rdfc_reference,
    rdfc_traced,
    shared_walks,
)
from vcservice.jsonld._loader import BUNDLED_CONTEXTS, StaticDocumentLoader, bundled_loader

__all__ = [
    "BUNDLED_CONTEXTS",
    "CanonLimits",
    "StaticDocumentLoader",
    "bundled_loader",
    "expand",
    "fast_dataset",
    "jcs",
    "rdfc",
    "rdfc_nquads",
    "rdfc_reference",
    "rdfc_traced",
    "shared_walks",
]
