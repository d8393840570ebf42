"""``*.contexts-resolvable``: every JSON-LD context a credential names resolves offline, from
vcservice's bundle or the run's registry (``[settings] contexts``), and fails naming the one
that does not (conformance/resolution.py). Offline: files, a fake issuer, nothing fetched."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance import suites as registry
from conformance.config import ConfigError, parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.resolution import ContextRegistry, named_contexts
from conformance.suites._contexts import contexts_verdict
from conformance.suites.files import check_files
from tests.conftest import REPO
from vcservice.vocab import CONTEXT_URL

V2 = "https://www.w3.org/ns/credentials/v2"
PLATFORM = "https://platform.example/contexts/v1"
UNKNOWN = "https://unknown.example/contexts/v9"
PLATFORM_CONTEXT = {
    "@context": {
        "@protected": True,
        "CopperCathode": "https://platform.example/vocab#CopperCathode",
        "grade": "https://platform.example/vocab#grade",
    }
}


def credential(*contexts: Any) -> dict[str, Any]:
    return {
        "@context": [V2, *contexts],
        "type": ["VerifiableCredential", "CopperCathode"],
        "issuer": "did:example:issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f", "grade": "A"},
    }


def by_check(results: list[Result], check: str) -> Result:
    return next(r for r in results if r.check == check)


@pytest.fixture
def platform_context(tmp_path: Path) -> Path:
    path = tmp_path / "contexts" / "platform-v1.jsonld"
    path.parent.mkdir()
    path.write_text(json.dumps(PLATFORM_CONTEXT))
    return path


# --- what a credential names -------------------------------------------------------------------
def test_named_contexts_at_any_depth() -> None:
    presentation = {
        "@context": [
            V2,
            {
                "@import": "https://a.example/imported",
                "x": {"@context": "https://b.example/scoped"},
            },
        ],
        "verifiableCredential": [
            {
                "@context": [V2, CONTEXT_URL],
                "credentialSubject": {"@context": "https://c.example/e"},
            }
        ],
        "@type": "VerifiablePresentation",
    }
    assert named_contexts(presentation) == [
        V2,
        "https://a.example/imported",
        "https://b.example/scoped",
        CONTEXT_URL,
        "https://c.example/e",
    ]
    assert named_contexts({"@context": None, "name": "@context"}) == []


def test_the_bundled_contexts_resolve_and_others_are_named() -> None:
    verdict = contexts_verdict(ContextRegistry(), [("ok", credential(CONTEXT_URL))], "none")
    assert verdict.outcome == Outcome.PASSED
    assert CONTEXT_URL in verdict.detail
    verdict = contexts_verdict(
        ContextRegistry(),
        [("a", credential(UNKNOWN)), ("b", credential("relative.jsonld", UNKNOWN))],
        "none",
    )
    assert verdict.outcome == Outcome.FAILED
    assert f"{UNKNOWN} (named by a, b)" in verdict.detail
    assert "relative.jsonld (named by b)" in verdict.detail
    assert verdict.evidence["unresolvable"] == {UNKNOWN: ["a", "b"], "relative.jsonld": ["b"]}
    assert contexts_verdict(ContextRegistry(), [], "nothing issued").outcome == Outcome.SKIPPED


def test_a_vc_jwt_is_judged_by_its_envelope_and_its_payload() -> None:
    def segment(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    jws = f"{segment({'alg': 'ES256'})}.{segment(credential(UNKNOWN))}.c2ln"
    envelope = {
        "@context": [V2],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{jws}",
    }
    for served in (envelope, jws):
        verdict = contexts_verdict(ContextRegistry(), [("jwt", served)], "none")
        assert verdict.outcome == Outcome.FAILED
        assert UNKNOWN in verdict.detail


def test_the_registry_resolves_and_what_its_files_name_must_resolve_too(tmp_path: Path) -> None:
    nested = tmp_path / "nested.jsonld"
    nested.write_text(json.dumps({"@context": [{"@import": UNKNOWN}]}))
    contexts = ContextRegistry({"https://nested.example/v1": nested})
    verdict = contexts_verdict(contexts, [("c", credential("https://nested.example/v1"))], "-")
    assert verdict.outcome == Outcome.FAILED
    assert f"{UNKNOWN} (named by registry file of https://nested.example/v1)" in verdict.detail


# --- the setting ------------------------------------------------------------------------------
def config_data(contexts: Any) -> dict[str, Any]:
    return {
        "implementation": [{"name": "x", "issuer": "http://x.test/credentials/issue"}],
        "settings": {"contexts": contexts},
    }


def test_settings_contexts_are_read_relative_to_the_configuration(platform_context: Path) -> None:
    base = platform_context.parent.parent
    config = parse_config(config_data({PLATFORM: "contexts/platform-v1.jsonld"}), base=base)
    assert config.contexts == ((PLATFORM, platform_context),)
    assert parse_config(config_data(None) | {"settings": {}}, base=base).contexts == ()


@pytest.mark.parametrize(
    ("contexts", "message"),
    [
        (["contexts/platform-v1.jsonld"], "must be a table"),
        ({PLATFORM: "contexts/missing.jsonld"}, "cannot read"),
        ({PLATFORM: "not-a-context.json"}, "not a JSON-LD context document"),
        ({PLATFORM: "broken.json"}, "is not JSON"),
        ({CONTEXT_URL: "contexts/platform-v1.jsonld"}, "bundled with vcservice already"),
        ({"platform-v1": "contexts/platform-v1.jsonld"}, "not an absolute context URL"),
    ],
)
def test_unusable_settings_contexts_are_refused(
    platform_context: Path, contexts: Any, message: str
) -> None:
    base = platform_context.parent.parent
    (base / "not-a-context.json").write_text('{"a": 1}')
    (base / "broken.json").write_text("{")
    with pytest.raises(ConfigError, match=message):
        parse_config(config_data(contexts), base=base)


# --- files.contexts-resolvable ----------------------------------------------------------------
def test_files_the_example_chain_names_only_bundled_contexts() -> None:
    chain = REPO / "examples" / "copper"
    paths = [chain / "make-cathode.json", chain / "dpp-cathode-cu80.json"]
    results = [r for r in check_files(paths) if r.check == "files.contexts-resolvable"]
    assert [r.outcome for r in results] == [Outcome.PASSED, Outcome.PASSED]
    assert all(CONTEXT_URL in r.detail for r in results)


def test_files_an_unknown_context_fails_unless_the_registry_has_it(
    tmp_path: Path, platform_context: Path
) -> None:
    path = tmp_path / "cathode.json"
    path.write_text(json.dumps(credential(PLATFORM)))
    results = list(check_files([path]))
    failed = by_check(results, "files.contexts-resolvable")
    assert failed.outcome == Outcome.FAILED
    assert PLATFORM in failed.detail
    assert by_check(results, "files.datamodel").outcome == Outcome.FAILED  # cannot expand

    contexts = ContextRegistry({PLATFORM: platform_context})
    results = list(check_files([path], contexts))
    resolved = by_check(results, "files.contexts-resolvable")
    assert resolved.outcome == Outcome.PASSED
    assert f"{PLATFORM} (registry)" in resolved.detail
    datamodel = by_check(results, "files.datamodel")
    assert datamodel.outcome == Outcome.PASSED, datamodel.detail  # the registry expands it


def test_the_files_suite_takes_the_registry_from_the_configuration(
    platform_context: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cathode.json"
    path.write_text(json.dumps(credential(PLATFORM)))
    base = platform_context.parent.parent
    config = parse_config(config_data({PLATFORM: "contexts/platform-v1.jsonld"}), base=base)
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as http:
        context = SuiteContext(config, config.implementations, http, files=(path,))
        results = list(registry.get("files")(context))
    assert by_check(results, "files.contexts-resolvable").outcome == Outcome.PASSED


# --- datamodel.contexts-resolvable ------------------------------------------------------------
def run_datamodel(issue: Any) -> Result:
    config = parse_config(
        {"implementation": [{"name": "fake", "issuer": "http://fake.test/credentials/issue"}]},
        environ={},
    )
    with httpx.Client(transport=httpx.MockTransport(issue)) as http:
        context = SuiteContext(config, config.implementations, http)
        results = list(registry.get("datamodel")(context))
    assert results[-1].check == "datamodel.contexts-resolvable"
    return results[-1]


def test_datamodel_an_issuer_naming_an_unknown_context_fails_naming_it() -> None:
    def issue(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)["credential"]
        sent["@context"] = [*sent["@context"], UNKNOWN]
        return httpx.Response(201, json={"verifiableCredential": sent})

    result = run_datamodel(issue)
    assert result.outcome == Outcome.FAILED
    assert UNKNOWN in result.detail
    assert "named by cathode-" in result.detail  # which input's credential named it
    assert "cathode-ok" in result.evidence["unresolvable"][UNKNOWN]
    assert result.implementation == "fake"


def test_datamodel_an_issuer_keeping_to_bundled_contexts_passes() -> None:
    def issue(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"verifiableCredential": json.loads(request.content)[
            "credential"]})  # fmt: skip

    result = run_datamodel(issue)
    assert result.outcome == Outcome.PASSED
    assert V2 in result.detail


def test_datamodel_nothing_issued_is_skipped() -> None:
    result = run_datamodel(lambda request: httpx.Response(400, json={"error": "no"}))
    assert result.outcome == Outcome.SKIPPED
