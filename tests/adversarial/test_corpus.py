"""The adversarial corpus: one case per class of hostile input of issue 13, each named after the
problem type or check id it must trip, through the public API of a real service.

What a hostile party controls is the input; every case here is such an input and the answer
it must get: a problem type (``problem:<slug>``, with its HTTP status) or a report whose failed
checks include a check id (``check:<id>``). The classes that need a hostile *environment*
rather than a hostile document have their own tests, named the same way:

- SSRF (did:web, status lists, linked credentials resolving to private addresses):
  ``tests/network/test_ssrf_rule.py``;
- forwarded headers from untrusted peers: ``tests/web/test_proxy_headers.py``;
- the service's own database failing mid-verification (503, never a verdict):
  ``tests/api/test_outage_not_verdict.py``;
- another tenant's credential ids, caller-supplied status entries:
  ``tests/api/test_issue_what_you_verify.py``;
- edits to any ledger table: ``tests/ledger/test_audit_tables.py``;
- deep or broken input on every CLI command (exit 2, one line): ``tests/ingress/test_surfaces.py``;
- the same document through every surface: ``tests/pipeline/test_differential.py``.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.surfaces import Surfaces, open_surfaces

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not a package on path
from bench import hostile

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


@dataclass(frozen=True)
class Case:
    name: str  # "problem:<slug>" or "check:<id>"
    path: str
    body: Callable[[Surfaces], bytes]
    status: int
    tenant: bool = False  # sent with the tenant's API key


def _credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "urn:example:lot-1", "grade": "A"},
        **extra,
    }


def _verify(document: Any) -> bytes:
    return json.dumps({"verifiableCredential": document}).encode()


def _clique(n: int) -> Callable[[Surfaces], bytes]:
    """The verify body of an RDFC clique of ``n`` blank nodes (one per case, bound now)."""
    return lambda s: _verify(hostile.clique_credential(n))


def _verify_raw(text: str) -> bytes:
    return b'{"verifiableCredential": ' + text.encode() + b"}"


def _issue_raw(credential_text: str, options: Any = None) -> bytes:
    return (
        b'{"credential": '
        + credential_text.encode()
        + b', "options": '
        + json.dumps(options or {"format": "vc+jwt"}).encode()
        + b"}"
    )


def _signed(surfaces: Surfaces, fmt: str = "eddsa-rdfc-2022") -> Any:
    return surfaces.issue(_credential(), {"format": fmt})


def _forged_first(surfaces: Surfaces) -> bytes:
    """A signed credential with a second credentialSubject placed before the real one."""
    text = json.dumps(_signed(surfaces))
    forged = '"credentialSubject": {"id": "urn:example:lot-1", "grade": "Z"}, '
    return _verify_raw("{" + forged + text[1:])


def _forged_in_payload(surfaces: Surfaces) -> bytes:
    envelope = _signed(surfaces, "vc+jwt")
    prefix, _, jws = envelope["id"].partition(",")
    header, payload, signature = jws.split(".")
    text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    forged = '{"issuer": "did:web:forger.example", ' + text[1:]
    encoded = base64.urlsafe_b64encode(forged.encode()).rstrip(b"=").decode()
    return _verify({**envelope, "id": f"{prefix},{header}.{encoded}.{signature}"})


def _envelope(surfaces: Surfaces, **changes: Any) -> bytes:
    envelope = {**_signed(surfaces, "vc+jwt"), **changes}
    return _verify({k: v for k, v in envelope.items() if v is not None})


def _revoked(surfaces: Surfaces) -> bytes:
    cid = "urn:example:adversarial:revoked"
    options = {"format": "vc+jwt", "credentialStatus": {"statusPurpose": "revocation"}}
    vc = surfaces.issue(_credential(id=cid), options)
    surfaces.set_status(cid, "revocation", True)
    return _verify(vc)


def _status_entry(index: Any) -> bytes:
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": "https://status.example/lists/1",
    }
    return _issue_raw(json.dumps(_credential(credentialStatus=entry)))


CASES = [
    # Duplicate JSON members: the forged member first, where other parsers keep it.
    Case("problem:json-duplicate-member", "/credentials/verify", _forged_first, 400),
    # inside a vc+jwt the payload is the credential's: the JWS is not usable, a failed check
    Case("check:jose.parse", "/credentials/verify", _forged_in_payload, 422),
    Case(
        "problem:json-duplicate-member",
        "/graphs/verify",
        lambda s: (
            b'{"root": {"id": "a", "id": "b"}, "trustAnchors": ["did:web:accreditation.example"]}'
        ),
        400,
    ),
    # An unchecked status must never pass: revoked is a failed check on every surface.
    Case("check:status.revocation", "/credentials/verify", _revoked, 422),
    # Envelopes: the outer object is checked (VC-DM 2.0 §4.13, VC-JOSE-COSE).
    Case(
        "check:datamodel.context",
        "/credentials/verify",
        lambda s: _envelope(s, **{"@context": []}),
        422,
    ),
    Case(
        "check:datamodel.context",
        "/credentials/verify",
        lambda s: _envelope(s, **{"@context": None}),
        422,
    ),
    Case(
        "check:datamodel.context",
        "/credentials/verify",
        lambda s: _envelope(s, **{"@context": ["https://www.w3.org/2018/credentials/v1"]}),
        422,
    ),
    Case(
        "check:datamodel.type",
        "/credentials/verify",
        lambda s: _envelope(s, type=["EnvelopedVerifiableCredential", "VerifiableCredential"]),
        422,
    ),
    Case(
        "check:datamodel.id",
        "/credentials/verify",
        lambda s: _envelope(s, id="https://example.com/vc.jwt"),
        422,
    ),
    # Issuing signs nothing its verifier would refuse.
    Case(
        "problem:json-not-finite",
        "/credentials/issue",
        lambda s: _issue_raw('{"a": NaN}'),
        400,
        True,
    ),
    Case(
        "problem:json-not-finite",
        "/credentials/issue",
        lambda s: _issue_raw('{"a": -Infinity}'),
        400,
        True,
    ),
    Case(
        "problem:json-number-range",
        "/credentials/issue",
        lambda s: _issue_raw('{"a": 1e999}'),
        400,
        True,
    ),
    Case("check:status.malformed", "/credentials/issue", lambda s: _status_entry(True), 422, True),
    Case("check:status.malformed", "/credentials/issue", lambda s: _status_entry("-1"), 422, True),
    Case("check:status.malformed", "/credentials/issue", lambda s: _status_entry(7), 422, True),
    # Cost: refused within bounds, never minutes of a worker.
    *(
        Case(
            "problem:work-limit",
            "/credentials/verify",
            _clique(n),
            422,
        )
        for n in (8, 12, 20, 40)
    ),
    Case(
        "problem:json-too-deep",
        "/credentials/verify",
        lambda s: _verify_raw("[" * 100_000 + "]" * 100_000),
        400,
    ),
    Case(
        "problem:json-too-many-items",
        "/credentials/verify",
        lambda s: _verify(list(range(20_000))),
        400,
    ),
    Case(
        "problem:json-not-unicode", "/credentials/verify", lambda s: _verify_raw('"\\udc00"'), 400
    ),
    Case(
        "problem:json-syntax", "/credentials/verify", lambda s: b'{"verifiableCredential": {', 400
    ),
]


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Surfaces]:
    with open_surfaces(tmp_path_factory.mktemp("adversarial"), did_method="key") as opened:
        yield opened


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}@{c.path}")
def test_each_hostile_input_trips_what_it_is_named_after(surfaces: Surfaces, case: Case) -> None:
    headers = {"Content-Type": "application/json"}
    if case.tenant:
        headers["Authorization"] = f"Bearer {surfaces.tenant['api_key']}"
    response = surfaces.client.post(case.path, content=case.body(surfaces), headers=headers)
    assert response.status_code == case.status, response.text[:500]
    kind, _, name = case.name.partition(":")
    body = response.json()
    if kind == "problem":
        assert response.headers["content-type"].startswith("application/problem+json")
        assert body["type"].endswith("/" + name), body
    else:
        failed = {c["id"] for c in body.get("errors", []) if c.get("outcome") == "failed"}
        assert name in failed, body
