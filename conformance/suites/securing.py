"""``securing``: each securing format an implementation declares, and the official vectors.

Per declared issuer format ``F`` (check ids use ``F`` with ``+`` as ``-``: ``vc-jwt``):

* ``securing.F.issue-verify``: a credential issued in ``F`` verifies at the same
  implementation's verifier;
* ``securing.F.local-verify``: and with vcservice's verifier (an independent second opinion);
* ``securing.F.tampered-claim`` / ``tampered-signature`` / ``tampered-issuer``: copies with a
  claim, the signature or the issuer changed must *not* verify at the implementation's verifier.

Per official W3C vector (``<fixtures>/w3c/vectors/**/signed*.json``, did:key signers):
``securing.vector.<name>`` must verify and ``securing.vector.<name>.tampered`` must not. A vector
whose format the verifier does not support is skipped: the verifier's ``formats`` when declared,
else the issuer's; when neither declares any, every vector is tried.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from conformance.config import FORMATS, Implementation
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites._common import (
    TAMPERINGS,
    Check,
    Verdict,
    describe,
    excerpt,
    failed,
    judge,
    local_verifier,
    passed,
    report_errors,
    skipped,
    tamper_claim,
)

VECTORS = Path("w3c/vectors")
CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f",
        "grade": "Cu 8.0 MIX",
    },
}


def slug(fmt: str) -> str:
    return fmt.replace("+", "-")


#: Contexts a verifier can be expected to hold: the W3C VC and Data Integrity ones and the CCG
#: suite contexts. A vector that needs another (the vc-di-* "employ" vectors use a citizenship
#: draft context) says nothing about a verifier that cannot load it.
PUBLISHED_CONTEXTS = frozenset(
    {
        "https://www.w3.org/2018/credentials/v1",
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/2018/credentials/examples/v1",
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://w3id.org/security/data-integrity/v1",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/jwk/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/suites/jws-2020/v1",
        "https://www.w3.org/ns/did/v1",
    }
)


def _unpublished_contexts(document: dict[str, Any]) -> list[str]:
    contexts = document.get("@context", [])
    items = contexts if isinstance(contexts, list) else [contexts]
    proof = document.get("proof")
    if isinstance(proof, dict):
        extra = proof.get("@context", [])
        items = [*items, *(extra if isinstance(extra, list) else [extra])]
    return sorted({c for c in items if isinstance(c, str) and c not in PUBLISHED_CONTEXTS})


def vectors(fixtures: Path | None) -> list[tuple[str, str, Path]]:
    """(name, format, path) of every signed single-proof vector."""
    if fixtures is None or not (fixtures / VECTORS).is_dir():
        return []
    found = []
    for path in sorted((fixtures / VECTORS).rglob("signed*.json")):
        if "proof-set-chain" in path.parts:
            continue
        try:
            proof = json.loads(path.read_text(encoding="utf-8")).get("proof", {})
        except (OSError, ValueError):
            continue
        fmt = proof.get("cryptosuite") or proof.get("type") if isinstance(proof, dict) else None
        if not isinstance(fmt, str):
            continue
        name = path.parent.name
        if name == "employ":
            name = f"{path.parent.parent.name}-employ"
        found.append((name, fmt, path))
    return found


def run(context: SuiteContext) -> Iterator[Result]:
    for implementation in context.implementations:
        yield from _formats(context, implementation)
    found = vectors(context.fixtures)
    if not found:
        check = Check("securing.vector", "Official W3C vectors", ("securing", "vector"))
        for implementation in context.implementations:
            yield judge(
                check, implementation.name, partial(skipped, "no W3C vectors in the fixtures")
            )
    for name, fmt, path in found:
        vector = json.loads(path.read_text(encoding="utf-8"))
        tags = ("securing", "vector", fmt)
        extra = _unpublished_contexts(vector)
        good = Check(f"securing.vector.{name}", f"W3C vector {name} verifies", tags)
        bad = Check(
            f"securing.vector.{name}.tampered",
            f"W3C vector {name} with a changed claim does not verify",
            (*tags, "negative"),
        )
        tampered = tamper_claim(vector)
        for implementation in context.implementations:
            if extra:
                reason = (
                    f"the vector needs the JSON-LD context {', '.join(extra)}, which is not a "
                    "published W3C/CCG context: no verifier can be expected to hold it"
                )
                yield judge(good, implementation.name, partial(skipped, reason))
                yield judge(bad, implementation.name, partial(skipped, reason))
                continue
            verify = partial(_vector, context, implementation, fmt)
            baseline = judge(good, implementation.name, partial(verify, vector, True))
            yield baseline
            if baseline.outcome is Outcome.PASSED:
                yield judge(bad, implementation.name, partial(verify, tampered, False))
            elif baseline.outcome is Outcome.SKIPPED:
                yield judge(bad, implementation.name, partial(skipped, baseline.detail))
            else:
                reason = "no baseline: the untampered vector was not accepted"
                yield judge(bad, implementation.name, partial(failed, reason))


def _formats(context: SuiteContext, implementation: Implementation) -> Iterator[Result]:
    declared = implementation.issuer.formats if implementation.issuer else ()
    if not declared:
        check = Check("securing.formats", "Declared securing formats", ("securing",))
        reason = "no issuer endpoint" if implementation.issuer is None else "no formats declared"
        yield judge(check, implementation.name, partial(skipped, reason))
        return
    for fmt in declared:
        tags = ("securing", fmt)
        base = f"securing.{slug(fmt)}"
        issue = Check(f"{base}.issue-verify", f"Issued as {fmt}, verified by itself", tags)
        issued: dict[str, Any] = {}

        def issue_verify(fmt: str = fmt, issued: dict[str, Any] = issued) -> Verdict:
            if implementation.verifier is None:
                return skipped("no verifier endpoint")
            client = context.client(implementation)
            refused = client.issue(sample_credential(implementation), fmt=fmt)
            body = refused.body if isinstance(refused.body, dict) else {}
            if not 200 <= refused.status < 300 or "verifiableCredential" not in body:
                return failed(
                    f"a declared format, but issuing failed: HTTP {refused.status} "
                    f"{excerpt(refused.body, 300)}"
                )
            issued["raw"] = body["verifiableCredential"]
            answer = client.verify(body["verifiableCredential"])
            if not answer.verified:
                return failed(
                    f"its own credential: {describe(answer)}",
                    vc=excerpt(body["verifiableCredential"]),
                )
            # Only a credential the verifier accepted makes its tampered copies meaningful.
            issued["vc"] = body["verifiableCredential"]
            return passed(describe(answer))

        yield judge(issue, implementation.name, issue_verify)
        yield judge(
            Check(f"{base}.local-verify", f"Issued as {fmt}, verified by vcservice", tags),
            implementation.name,
            partial(_local, context, issued),
        )
        for name, tamper in TAMPERINGS.items():
            check = Check(
                f"{base}.{name}",
                f"{fmt} with {name.split('-', 1)[1]} changed does not verify",
                (*tags, "negative"),
            )

            def tampered(tamper: Any = tamper, issued: dict[str, Any] = issued) -> Verdict:
                if "vc" not in issued:
                    return failed(
                        "no baseline: the valid credential was not issued and accepted (see "
                        "issue-verify), so a rejection here would prove nothing"
                    )
                copy = tamper(issued["vc"])
                answer = context.client(implementation).verify(copy)
                if answer.verified:
                    return failed(f"accepted: {describe(answer)}", vc=excerpt(copy))
                return passed(f"refused: {describe(answer)}")

            yield judge(check, implementation.name, tampered)


def sample_credential(implementation: Implementation) -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(json.dumps(CREDENTIAL))
    if implementation.data_model == "1.1":
        credential["@context"] = [
            "https://www.w3.org/2018/credentials/v1",
            "https://www.w3.org/2018/credentials/examples/v1",
        ]
        credential["issuanceDate"] = credential.pop("validFrom")
        credential["credentialSubject"] = {"id": credential["credentialSubject"]["id"]}
    if implementation.issuer is not None and implementation.issuer.did:
        credential["issuer"] = implementation.issuer.did
    return credential


def _local(context: SuiteContext, issued: dict[str, Any]) -> Verdict:
    if "raw" not in issued:
        return skipped("nothing was issued (see issue-verify)")
    errors = report_errors(local_verifier(context).verify_credential(issued["raw"]))
    if errors:
        return failed("; ".join(errors[:5]), vc=excerpt(issued["raw"]))
    return passed("verifies with vcservice")


def _vector(
    context: SuiteContext,
    implementation: Implementation,
    fmt: str,
    vector: dict[str, Any],
    expect: bool,
) -> Verdict:
    if implementation.verifier is None:
        return skipped("no verifier endpoint")
    supported = (implementation.verifier.formats or
                 (implementation.issuer.formats if implementation.issuer else ()))  # fmt: skip
    if supported and fmt not in supported:
        return skipped(f"{fmt} is not among the formats declared ({', '.join(supported)})")
    if fmt not in FORMATS:
        return skipped(f"{fmt} is not a format this harness knows")
    answer = context.client(implementation).verify(vector)
    if answer.verified is expect:
        return passed(describe(answer))
    return failed(describe(answer))
