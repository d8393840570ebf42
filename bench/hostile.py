"""A hostile corpus for ``POST /credentials/verify``: documents built to cost, not to verify.

Why: issue 13 found that a symmetric blank-node clique with a junk proof held a worker for
seconds to minutes, and that a credential naming one context 10,000 times took tens of
seconds. The service must refuse every such document with a 4xx problem within a bounded
amount of CPU; this module makes the documents (deterministically: no randomness, fixed key)
so that the tests (tests/jsonld/test_cost_bounds.py) and the benchmark
(:mod:`bench.hostile_http`, figures ``hostile.*``) judge the very same inputs.

Classes: symmetric blank-node cliques of several sizes with a well-formed but junk
``eddsa-rdfc-2022`` proof by a resolvable did:key (so that verification reaches
canonicalization), the repeated-context document, deeply nested JSON, a huge array, the
number ``1e999`` and a 900 kB string. Some are bodies that are not JSON a strict reader
accepts; they are given as raw bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vcservice.keys import KeyType

V2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://ex.example/"
#: Sizes of the cliques (nodes): from just past what RDFC-1.0 permutes cheaply to the size of
#: the issue's 35 kB documents and beyond.
CLIQUE_SIZES = (6, 8, 12, 20, 40)


@dataclass(frozen=True)
class Hostile:
    """One hostile request body (raw bytes, sent as ``application/json``)."""

    key: str
    label: str
    body: bytes


def _junk_proof() -> dict[str, Any]:
    """A Data Integrity proof that parses and names a resolvable key, over nothing."""
    from bench.fixtures import signer

    method = signer(KeyType.ED25519, "hostile").verification_method
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-12-01T00:00:00Z",
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
        # 64 zero bytes, base58btc multibase: the right shape, never a valid signature.
        "proofValue": "z" + "1" * 64,
    }


def clique_credential(nodes: int, *, proof: bool = True) -> dict[str, Any]:
    """A credential whose subject links to ``nodes`` blank nodes, each linked to every other:
    every node looks like every other, so RDFC-1.0 must permute (dataset poisoning)."""
    members = [
        {"@id": f"_:n{i}", "link": [{"@id": f"_:n{j}"} for j in range(nodes) if j != i]}
        for i in range(nodes)
    ]
    document: dict[str, Any] = {
        "@context": [V2, {"@vocab": EX, "link": {"@id": EX + "link", "@type": "@id"}}],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", "member": members},
    }
    if proof:
        document["proof"] = _junk_proof()
    return document


def repeated_context_credential(times: int = 10_000, *, proof: bool = True) -> dict[str, Any]:
    """A credential naming the bundled VC 2.0 context ``times`` times in its ``@context``."""
    document: dict[str, Any] = {
        "@context": [V2] * times,
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    if proof:
        document["proof"] = _junk_proof()
    return document


def _body(credential: Any) -> bytes:
    return json.dumps({"verifiableCredential": credential}).encode()


def corpus() -> list[Hostile]:
    """Every hostile body, smallest classes first."""
    found = [
        Hostile(f"clique-{n}", f"blank-node clique of {n}, junk proof", _body(clique_credential(n)))
        for n in CLIQUE_SIZES
    ]
    found.append(
        Hostile(
            "repeated-context",
            "VC 2.0 context named 10,000 times",
            _body(repeated_context_credential()),
        )
    )
    depth = 100_000
    found.append(
        Hostile(
            "deep-json",
            f"JSON nested {depth:,} deep",
            b'{"verifiableCredential":' + b"[" * depth + b"]" * depth + b"}",
        )
    )
    found.append(
        Hostile(
            "huge-array",
            "an array of 100,000 items",
            _body({"@context": [V2], "type": ["VerifiableCredential"], "x": list(range(100_000))}),
        )
    )
    found.append(
        Hostile(
            "1e999",
            "the number 1e999",
            b'{"verifiableCredential":{"@context":["' + V2.encode() + b'"],"x":1e999}}',
        )
    )
    found.append(
        Hostile(
            "long-string",
            "a 900 kB string",
            _body(
                {
                    "@context": [V2],
                    "type": ["VerifiableCredential"],
                    "issuer": "did:example:issuer",
                    "credentialSubject": {"id": "did:example:s", "note": "x" * 900_000},
                    "proof": _junk_proof(),
                }
            ),
        )
    )
    return found


__all__ = [
    "CLIQUE_SIZES",
    "Hostile",
    "clique_credential",
    "corpus",
    "repeated_context_credential",
]
