"""The registry of issuing formats: every surface's list of formats comes from it.

The acceptance test of issue 14: a new cryptosuite is one module plus one registry entry, and
the API, the CLI, issuing and verifying follow with no other change. The toy suite here is
``eddsa-jcs-2022`` under another name, written as a suite module would be, registered through
the public function and removed after.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from vcservice.api import create_app
from vcservice.cli import app
from vcservice.errors import InputError, SigningError
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing import (
    VC_JWT,
    JoseFormat,
    SuiteFormat,
    default_suites,
    format_names,
    formats_for_key,
    issuing_format,
    register_suite,
    status_list_suite,
    unregister_suite,
)
from vcservice.securing.suites import EDDSA_JCS_2022, Cryptosuite
from vcservice.service import Service
from vcservice.settings import Settings

TODAY = (
    "vc+jwt",
    "vc+sd-jwt",
    "eddsa-rdfc-2022",
    "ecdsa-rdfc-2019",
    "eddsa-jcs-2022",
    "ecdsa-jcs-2019",
    "ecdsa-sd-2023",
)
JOSE = ("vc+jwt", "vc+sd-jwt")
TOY = "toy-eddsa-2026"

#: The whole of a new cryptosuite's module, as it would sit in vcservice/securing/suites/.
TOY_MODULE = '''
"""``toy-eddsa-2026``: eddsa-jcs-2022 under another name (a test's suite, never shipped)."""

from vcservice.keys import KeyType
from vcservice.securing.suites._families import JcsSuite, sha256_only

TOY_EDDSA_2026 = JcsSuite(
    name="toy-eddsa-2026",
    key_types=frozenset({KeyType.ED25519}),
    hash_name=sha256_only,
)
'''

runner = CliRunner()


def _toy_suite() -> Cryptosuite:
    module = types.ModuleType("toy_eddsa_2026")
    exec(compile(TOY_MODULE, "toy_eddsa_2026.py", "exec"), module.__dict__)
    suite: Cryptosuite = module.TOY_EDDSA_2026
    return suite


@pytest.fixture
def toy() -> Iterator[Cryptosuite]:
    suite = _toy_suite()
    register_suite(suite)  # the one registry line
    try:
        yield suite
    finally:
        unregister_suite(suite.name)


def _credential() -> dict[str, Any]:
    return {
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


# --- the registry itself ----------------------------------------------------------------------
def test_format_names_are_todays_list() -> None:
    assert format_names() == TODAY


def test_formats_for_each_key_type() -> None:
    assert formats_for_key(KeyType.ED25519) == (*JOSE, "eddsa-rdfc-2022", "eddsa-jcs-2022")
    ecdsa = ("ecdsa-rdfc-2019", "ecdsa-jcs-2019")
    assert formats_for_key(KeyType.P256) == (*JOSE, *ecdsa, "ecdsa-sd-2023")
    assert formats_for_key(KeyType.P384) == (*JOSE, *ecdsa)


def test_vc_jwt_is_jose_with_the_alg_of_each_key_type() -> None:
    assert issuing_format("vc+jwt") is VC_JWT
    assert isinstance(VC_JWT, JoseFormat)
    assert dict(VC_JWT.algs) == {
        KeyType.ED25519: "EdDSA",
        KeyType.P256: "ES256",
        KeyType.P384: "ES384",
    }
    assert isinstance(issuing_format("vc+sd-jwt"), JoseFormat)
    for name in TODAY[len(JOSE) :]:
        chosen = issuing_format(name)
        assert isinstance(chosen, SuiteFormat)
        assert default_suites().get(name) is chosen.suite


def test_an_unknown_format_is_refused_naming_the_registered_ones() -> None:
    for name in ("rsa-2048", None, 3):
        with pytest.raises(
            InputError, match=r"unknown format .*expected one of vc\+jwt, vc\+sd-jwt, eddsa"
        ):
            issuing_format(name)


def test_status_lists_are_signed_with_the_first_rdfc_suite_of_the_key_type() -> None:
    assert status_list_suite(KeyType.ED25519) == "eddsa-rdfc-2022"
    assert status_list_suite(KeyType.P256) == "ecdsa-rdfc-2019"
    assert status_list_suite(KeyType.P384) == "ecdsa-rdfc-2019"


def test_registering_is_checked_and_undone() -> None:
    before = default_suites()
    with pytest.raises(ValueError, match="already registered"):
        register_suite(EDDSA_JCS_2022)
    with pytest.raises(ValueError, match="not registered"):
        unregister_suite(TOY)
    assert default_suites() is before  # a refused change changes nothing
    suite = _toy_suite()
    register_suite(suite)
    try:
        assert format_names() == (*TODAY, TOY)
        assert formats_for_key(KeyType.ED25519)[-1] == TOY
        assert TOY not in formats_for_key(KeyType.P256)
        assert status_list_suite(KeyType.ED25519) == "eddsa-rdfc-2022"  # registered later
        assert default_suites().get(TOY) is suite
    finally:
        unregister_suite(TOY)
    assert format_names() == TODAY
    assert default_suites().names == before.names


def test_no_registered_suite_for_a_key_type_is_a_signing_error() -> None:
    registered = default_suites().suites
    for suite in registered:
        if KeyType.P384 in suite.key_types:
            unregister_suite(suite.name)
    try:
        assert format_names() == (*JOSE, "eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-sd-2023")
        with pytest.raises(SigningError, match="no registered cryptosuite signs with a p384 key"):
            status_list_suite(KeyType.P384)
    finally:  # back to the same suites in the same order
        for suite in default_suites().suites:
            unregister_suite(suite.name)
        for suite in registered:
            register_suite(suite)
    assert format_names() == TODAY


# --- the surfaces follow ----------------------------------------------------------------------
@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url="http://localhost:8000",
        secret_key=SecretStr("A" * 43),  # 32 bytes of base64url: tests only
    )
    svc = Service.from_settings(settings)
    yield svc
    svc.close()


def _format_schema(client: TestClient) -> dict[str, Any]:
    schema: dict[str, Any] = client.get("/openapi.json").json()
    fmt: dict[str, Any] = schema["components"]["schemas"]["IssueOptions"]["properties"]["format"]
    return fmt


def test_the_openapi_enum_is_todays_list(service: Service) -> None:
    with TestClient(create_app(service=service)) as client:
        fmt = _format_schema(client)
    assert fmt["anyOf"][0] == {"enum": list(TODAY), "type": "string"}


def test_a_registered_suite_issues_through_the_api(service: Service, toy: Cryptosuite) -> None:
    api_key = service.create_tenant("acme")["api_key"]
    headers = {"Authorization": f"Bearer {api_key}"}
    body = {"credential": _credential(), "options": {"format": TOY}}
    with TestClient(create_app(service=service)) as client:
        issued = client.post("/credentials/issue", json=body, headers=headers)
        assert issued.status_code == 201, issued.text
        secured = issued.json()["verifiableCredential"]
        assert secured["proof"]["cryptosuite"] == TOY
        verified = client.post("/credentials/verify", json={"verifiableCredential": secured})
        assert verified.status_code == 200, verified.text
        assert verified.json()["verified"] is True
        refused = client.post(
            "/credentials/issue",
            json={"credential": _credential(), "options": {"format": "toy-eddsa-2027"}},
            headers=headers,
        )
    assert refused.status_code == 422
    assert f"'{TOY}'" in refused.json()["detail"]


def test_a_registered_suite_issues_through_the_cli(tmp_path: Path, toy: Cryptosuite) -> None:
    key_path = tmp_path / "ed25519.key.json"
    generated = runner.invoke(app, ["keys", "generate", "--out", str(key_path)])
    assert generated.exit_code == 0, generated.output
    source = tmp_path / "credential.json"
    source.write_text(json.dumps(_credential()))
    issued = runner.invoke(app, ["issue", str(source), "--key", str(key_path), "--format", TOY])
    assert issued.exit_code == 0, issued.output
    secured = json.loads(issued.output)
    assert secured["proof"]["cryptosuite"] == TOY
    signed = tmp_path / "signed.json"
    signed.write_text(issued.output)
    verified = runner.invoke(app, ["verify", str(signed)])
    assert verified.exit_code == 0, verified.output


def test_the_cli_refuses_an_unregistered_format(tmp_path: Path) -> None:
    source = tmp_path / "credential.json"
    source.write_text(json.dumps(_credential()))
    result = runner.invoke(app, ["issue", str(source), "--key", "k.json", "--format", TOY])
    assert result.exit_code == 2
    assert "--format" in result.output
    assert TOY in result.output


def test_issuing_with_a_registered_suite_signs_with_it(toy: Cryptosuite) -> None:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    secured = issue_credential(_credential(), signer, TOY, loader=bundled_loader())
    assert secured["proof"]["cryptosuite"] == TOY
    p256 = Signer.did_key(KeyPair.generate(KeyType.P256))
    with pytest.raises(SigningError, match=f"format {TOY} cannot be signed with a p256 key"):
        issue_credential(_credential(), p256, TOY, loader=bundled_loader())
