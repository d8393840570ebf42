"""Verdicts the harness must not get wrong (from its review): a bare 200 is no "verified", a 401
or a redirect is no "rejected", a rejection without an accepted baseline proves nothing, and a
garbage credential from an issuer is a reported problem, not a crash."""

from __future__ import annotations

import httpx
import pytest

from conformance.client import Answer, ImplementationError, VcApiClient
from conformance.config import parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.runner import _scrub
from conformance.suites import _tamper, securing


@pytest.mark.parametrize(
    ("answer", "verified"),
    [
        (Answer(200, {"verified": True, "errors": []}), True),
        (Answer(200, {"checks": ["proof"]}), True),
        (Answer(200, None), False),
        (Answer(200, {}), True),
        (Answer(200, []), False),
        (Answer(200, "ok"), False),
        (Answer(200, {"verified": "true"}), False),
        (Answer(200, {"errors": [{"id": "x"}]}), False),
        (Answer(200, {"errors": "none"}), False),
        (Answer(422, {"verified": False}), False),
    ],
)
def test_what_counts_as_verified(answer: Answer, verified: bool) -> None:
    assert answer.verified is verified


def _client(status: int, body: bytes = b"{}", **headers: str) -> VcApiClient:
    config = parse_config(
        {
            "implementation": [
                {
                    "name": "x",
                    "issuer": {"endpoint": "http://127.0.0.1:1/i", "formats": ["vc+jwt"]},
                    "verifier": {"endpoint": "http://127.0.0.1:1/v"},
                }
            ]
        },
        environ={},
    )
    transport = httpx.MockTransport(lambda r: httpx.Response(status, content=body, headers=headers))
    return VcApiClient(config.implementations[0], httpx.Client(transport=transport))


@pytest.mark.parametrize("status", [301, 401, 403, 404, 405, 415, 429, 500])
def test_answers_that_say_nothing_about_the_credential_are_errors(status: int) -> None:
    with pytest.raises(ImplementationError, match=f"HTTP {status}"):
        _client(status, location="http://elsewhere/").verify({"x": 1})


def test_a_huge_or_deeply_nested_answer_is_an_error() -> None:
    with pytest.raises(ImplementationError, match="not JSON"):
        _client(200, b"[" * 100_000 + b"]" * 100_000).verify({"x": 1})


def test_an_issuer_may_refuse_a_format_with_403() -> None:
    assert _client(403).issue({"x": 1}).status == 403


def test_tampered_checks_fail_without_an_accepted_baseline() -> None:
    """An issuer that issues and a verifier that rejects everything (422) must not pass the
    tampering checks: nothing shows it could tell a good credential from a bad one."""
    config = parse_config(
        {
            "implementation": [
                {
                    "name": "x",
                    "issuer": {"endpoint": "http://127.0.0.1:1/i", "formats": ["vc+jwt"]},
                    "verifier": {"endpoint": "http://127.0.0.1:1/v"},
                }
            ]
        },
        environ={},
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/i":
            return httpx.Response(201, json={"verifiableCredential": "e30.e30.c2ln"})
        return httpx.Response(422, json={"verified": False, "errors": [{"id": "proof"}]})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    results = list(securing.run(SuiteContext(config, config.implementations, http)))
    tampered = [r for r in results if ".tampered-" in r.check]
    assert tampered
    assert {r.outcome for r in tampered} == {Outcome.FAILED}
    assert all("no baseline" in r.detail for r in tampered)


@pytest.mark.parametrize("garbage", ["a.b.c", "e30.WzFd.c2ln", "!!.??.##"])
def test_a_garbage_jws_is_a_tamper_error_not_a_crash(garbage: str) -> None:
    with pytest.raises(_tamper.TamperError):
        _tamper.jwt_parts(garbage)


def test_configured_tokens_never_reach_a_result() -> None:
    result = Result(
        check="c",
        suite="s",
        outcome=Outcome.FAILED,
        implementation="x",
        detail="the server said: token sekrit-123456 is wrong",
        evidence={"echo": ["sekrit-123456"]},
    )
    scrubbed = _scrub(result, ["sekrit-123456"])
    assert "sekrit" not in scrubbed.detail
    assert scrubbed.evidence == {"echo": ["[redacted]"]}
