"""``confidential``: a provenance graph whose upstream credential is published encrypted (UNTP
secure targets: AES-256-GCM, the key in the link given to authorised parties).

For every implementation with an issuer and a ``graph_verifier``, the suite issues an upstream
credential and a downstream one linking it by the digest of the upstream's plaintext
(``docs/hash-links.md``), seals the upstream locally under a fresh key (the envelope of
:mod:`vcservice.confidential`, which is the UNTP reference implementation's), and posts the
bundle (the upstream as ciphertext under its URL) to the graph verifier:

* ``confidential.with-key``: with ``decryptionKeys`` naming the upstream's key, it verifies;
* ``confidential.without-key``: without a key it does not verify, and the report calls that
  link *indeterminate*, never *failed* (no error entry has the outcome ``failed``);
* ``confidential.wrong-key``: with a key that does not open it, the same.

Skipped for implementations without an issuer or a graph verifier.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import partial
from typing import Any

from conformance.client import Answer, ImplementationError
from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Result
from conformance.suites._common import (
    Check,
    Verdict,
    describe,
    document_of,
    excerpt,
    failed,
    judge,
    passed,
    skip_all,
)
from conformance.suites.disclosure import plain_format
from vcservice.confidential import new_key, seal
from vcservice.links import digest_document

WITH_KEY = Check("confidential.with-key", "An encrypted upstream verifies with its key",
                 ("confidential", "graph"))  # fmt: skip
WITHOUT_KEY = Check("confidential.without-key", "Without its key it is indeterminate",
                    ("confidential", "graph", "negative"))  # fmt: skip
WRONG_KEY = Check("confidential.wrong-key", "With a wrong key it is indeterminate",
                  ("confidential", "graph", "negative"))  # fmt: skip
CHECKS = [WITH_KEY, WITHOUT_KEY, WRONG_KEY]
#: Where the bundle places the two credentials: the verifier reads them from the bundle.
BASE = "https://conformance.invalid/confidential/"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
    "https://w3id.org/critical-minerals/v1",
]


def _credential(name: str, links: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "type": ["VerifiableCredential"],
        "id": f"urn:uuid:{secrets.token_hex(16)}",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["Product"],
            "id": f"https://conformance.invalid/products/{name}",
            "name": name,
            "sourceCredential": links,
        },
    }


def run(context: SuiteContext) -> Iterator[Result]:
    for implementation in context.implementations:
        if implementation.issuer is None or implementation.graph_verifier is None:
            yield from skip_all(CHECKS, implementation, "needs an issuer and a graph_verifier")
            continue
        bundles: list[dict[str, Any]] = []
        first = judge(WITH_KEY, implementation.name, partial(_with_key, context, implementation,
                                                             bundles))  # fmt: skip
        yield first
        for check, keys in ((WITHOUT_KEY, None), (WRONG_KEY, new_key())):
            if not bundles:
                why = f"no bundle to verify: {first.detail}"
                yield judge(check, implementation.name, partial(Verdict, first.outcome, why))
                continue
            work = partial(_locked, context, implementation, bundles[0], keys)
            yield judge(check, implementation.name, work)


def _bundle(context: SuiteContext, issuer: Implementation, key: str) -> dict[str, Any]:
    """The two credentials issued, the upstream sealed under ``key``, as a graph bundle."""
    client = context.client(issuer)
    fmt = plain_format(issuer)
    upstream = client.issued(_credential("upstream", []), fmt=fmt)
    link = {
        "linkURL": BASE + "upstream",
        "linkName": "upstream",
        "digestMultibase": digest_document(upstream),
    }
    downstream = client.issued(_credential("downstream", [link]), fmt=fmt)
    issuer_id = document_of(downstream).get("issuer")
    anchor = issuer_id.get("id") if isinstance(issuer_id, dict) else issuer_id
    if not isinstance(anchor, str):
        raise ImplementationError("the issued credential names no issuer")
    return {
        "type": "ProvenanceGraphBundle",
        "root": BASE + "downstream",
        "trustAnchors": [anchor],
        "documents": {BASE + "downstream": downstream, BASE + "upstream": seal(upstream, key)},
    }


def _with_key(
    context: SuiteContext, issuer: Implementation, bundles: list[dict[str, Any]]
) -> Verdict:
    key = new_key()
    bundle = _bundle(context, issuer, key)
    bundles.append(bundle)
    answer = context.client(issuer).verify_graph(
        {**bundle, "decryptionKeys": {BASE + "upstream": key}}
    )
    if answer.verified:
        return passed(describe(answer))
    return failed(describe(answer), response=excerpt(answer.body))


def _locked(
    context: SuiteContext, issuer: Implementation, bundle: dict[str, Any], key: str | None
) -> Verdict:
    body = bundle if key is None else {**bundle, "decryptionKeys": {BASE + "upstream": key}}
    answer = context.client(issuer).verify_graph(body)
    return indeterminate(answer)


def indeterminate(answer: Answer) -> Verdict:
    """Passed when the report is not verified, names an indeterminate check, and no failed one."""
    body = answer.body if isinstance(answer.body, dict) else {}
    outcomes = [e.get("outcome") for e in body.get("errors") or [] if isinstance(e, dict)]
    if answer.verified:
        return failed(f"verified without a key that opens the upstream: {describe(answer)}")
    if "failed" in outcomes or "indeterminate" not in outcomes:
        return failed(
            f"the locked link should be indeterminate, never failed: {describe(answer)}",
            response=excerpt(body),
        )
    return passed(describe(answer))
