"""One credential, one reading, on every surface (issue 13): the CLI, the API, the buyer page,
a graph bundle and a vc+jwt payload all read through vcservice.ingress."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from vcservice.api import create_app
from vcservice.cli import app as cli
from vcservice.errors import JsonDuplicateMemberError
from vcservice.graph import load_bundle
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer, b64url_encode
from vcservice.links import digest_document
from vcservice.service import Service
from vcservice.settings import Settings

runner = CliRunner()
SIGNER = Signer.did_key(KeyPair.generate(KeyType.ED25519))
FORGED_SUBJECT = '"credentialSubject": {"id": "did:example:mallory"}, '
DUPLICATE = "duplicate member name 'credentialSubject'"


def _credential() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": SIGNER.controller,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:alice"},
    }


def _signed(fmt: str) -> Any:
    return issue_credential(_credential(), SIGNER, fmt, loader=bundled_loader())


def _forged() -> str:
    """A signed credential with a second credentialSubject placed BEFORE the real one: Python
    keeps the last copy (the signed one), a parser keeping the first would show the forgery."""
    text = json.dumps(_signed("eddsa-jcs-2022"))
    assert text.startswith("{")
    return "{" + FORGED_SUBJECT + text[1:]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        public_url="http://localhost:8000",
        secret_key=SecretStr("A" * 43),
        trust_anchors=SIGNER.controller,
    )
    service = Service.from_settings(settings)
    with TestClient(create_app(service=service), raise_server_exceptions=False) as test_client:
        yield test_client
    service.close()


def _cli(*args: str) -> Any:
    return runner.invoke(cli, list(args))


# --- Why "Duplicate JSON members" ---------------------------------------------------------------


def test_forged_duplicate_member_is_refused_by_the_cli(tmp_path: Path) -> None:
    """Why "Duplicate JSON members": `vcservice verify` exited 0 on the forgery."""
    path = tmp_path / "forged.json"
    path.write_text(_forged())
    for command in ("verify", "validate", "digest", "canonicalize"):
        result = _cli(command, str(path))
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith(f"vcservice: {path}: "), result.stderr
        assert DUPLICATE in result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_forged_duplicate_member_is_refused_by_the_api(client: TestClient) -> None:
    """Why "Duplicate JSON members": POST /credentials/verify answered 200 on the forgery."""
    body = '{"verifiableCredential": ' + _forged() + "}"
    response = client.post(
        "/credentials/verify", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"].endswith("/json-duplicate-member")
    assert DUPLICATE in problem["detail"]
    assert "/verifiableCredential" in problem["detail"]


def test_forged_duplicate_member_is_refused_by_the_page(client: TestClient) -> None:
    response = client.post("/verify", data={"credential": _forged(), "anchors": SIGNER.controller})
    assert response.status_code == 400, response.text
    assert "Duplicate JSON member" in response.text
    assert "credentialSubject" in response.text


def test_forged_duplicate_member_is_refused_in_a_graph_bundle(tmp_path: Path) -> None:
    url = "https://credentials.example/forged"
    path = tmp_path / "bundle.json"
    path.write_text(
        '{"type": "ProvenanceGraphBundle", "root": "' + url + '", "documents": {"' + url
        + '": ' + _forged() + "}}"
    )  # fmt: skip
    with pytest.raises(JsonDuplicateMemberError, match="credentialSubject"):
        load_bundle(path)
    result = _cli("verify-graph", str(path), "--trust-anchor", SIGNER.controller, "--offline")
    assert result.exit_code == 2, result.output
    assert DUPLICATE in result.output


def _jws_with_duplicate() -> str:
    """A vc+jwt whose signed payload names credentialSubject twice, the forged copy first."""
    envelope = _signed("vc+jwt")
    jws = envelope["id"].partition(",")[2]
    header = jws.split(".")[0]
    text = json.dumps(_credential(), separators=(",", ":"))
    forged = b64url_encode(("{" + FORGED_SUBJECT + text[1:]).encode())
    signature = b64url_encode(SIGNER.sign(f"{header}.{forged}".encode("ascii")))
    return f"{header}.{forged}.{signature}"


def test_duplicate_member_inside_a_vc_jwt_payload(client: TestClient, tmp_path: Path) -> None:
    """Why "Duplicate JSON members": "the same holds inside a vc+jwt payload"."""
    token = _jws_with_duplicate()
    response = client.post("/credentials/verify", json={"verifiableCredential": token})
    assert response.status_code == 422, response.text
    failed = {e["id"]: e["problem"]["detail"] for e in response.json()["errors"]}
    assert DUPLICATE in failed["jose.parse"]
    path = tmp_path / "token.jwt"
    path.write_text(token)
    result = _cli("verify", str(path), "--offline")
    assert result.exit_code == 1, result.output
    assert DUPLICATE in result.output


# --- Why "DATA: (upper case)" ---------------------------------------------------------------------


def test_upper_case_data_url_is_read_alike_everywhere(client: TestClient, tmp_path: Path) -> None:
    """Why "DATA: (upper case)": the verifier's envelope detection was case-sensitive."""
    lower = _signed("vc+jwt")["id"]
    upper = "DATA:" + lower[len("data:") :]
    response = client.post("/credentials/verify", json={"verifiableCredential": upper})
    assert response.status_code == 200, response.text
    path = tmp_path / "upper.txt"
    path.write_text(upper)
    result = _cli("verify", str(path), "--offline")
    assert result.exit_code == 0, result.output
    digests = {_cli("digest", str(path)).stdout, digest_document(lower) + "\n"}
    assert len(digests) == 1


# --- Why "Envelopes" ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [None, [], "https://example.org/other", ["https://www.w3.org/2018/credentials/v1"]],
    ids=["missing", "empty", "wrong", "vc1"],
)
def test_envelope_outer_context_is_checked(
    client: TestClient, tmp_path: Path, context: Any
) -> None:
    """Why "Envelopes": an envelope without (or with a wrong) @context verified."""
    envelope = _signed("vc+jwt")
    assert client.post("/credentials/verify", json={"verifiableCredential": envelope}).is_success
    if context is None:
        del envelope["@context"]
    else:
        envelope["@context"] = context
    response = client.post("/credentials/verify", json={"verifiableCredential": envelope})
    assert response.status_code == 422, response.text
    assert "datamodel.context" in {e["id"] for e in response.json()["errors"]}
    path = tmp_path / "envelope.json"
    path.write_text(json.dumps(envelope))
    result = _cli("verify", str(path), "--offline")
    assert result.exit_code == 1, result.output
    assert "datamodel.context" in result.output


@pytest.mark.parametrize(
    ("change", "check_id"),
    [
        ({"type": ["EnvelopedVerifiableCredential", "VerifiableCredential"]}, "datamodel.type"),
        ({"id": "data:application/vp+jwt,a.b.c"}, "datamodel.id"),
        ({"id": "data:text/plain,a.b.c"}, "datamodel.id"),
    ],
)
def test_envelope_type_and_media_type_are_checked(
    client: TestClient, change: dict[str, Any], check_id: str
) -> None:
    envelope = {**_signed("vc+jwt"), **change}
    response = client.post("/credentials/verify", json={"verifiableCredential": envelope})
    assert response.status_code == 422, response.text
    assert check_id in {e["id"] for e in response.json()["errors"]}


# --- Why "Issuing signs what verifying refuses" (NaN / Infinity / 1e999) -----------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_issue_requests_refuse_non_finite_numbers(
    client: TestClient, tmp_path: Path, number: str
) -> None:
    """Why "Issuing signs what verifying refuses": 201 with a credential that did not verify."""
    key = client.app.state.service.create_tenant("acme")["api_key"]  # type: ignore[attr-defined]
    credential = json.dumps({**_credential(), "credentialSubject": {"id": "did:example:a"}})
    credential = credential[:-1] + ', "https://example.org/n": ' + number + "}"
    body = '{"credential": ' + credential + ', "options": {"format": "eddsa-rdfc-2022"}}'
    response = client.post(
        "/credentials/issue",
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["type"].endswith(("/json-not-finite", "/json-number-range"))
    path = tmp_path / "draft.json"
    path.write_text(credential)
    key_file = tmp_path / "key.json"
    assert _cli("keys", "generate", "--out", str(key_file)).exit_code == 0
    result = _cli("issue", str(path), "--key", str(key_file), "--format", "eddsa-rdfc-2022")
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1


# --- Why "CLI: deeply nested input" -------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "command",
    [
        ["verify"],
        ["validate"],
        ["canonicalize"],
        ["digest"],
        ["verify-graph", "--trust-anchor", "did:example:anchor", "--offline"],
        ["issue", "--key", "KEY"],
    ],
    ids=lambda c: c[0],
)
def test_deeply_nested_input_exits_2_with_one_line(tmp_path: Path, command: list[str]) -> None:
    """Why "CLI: deeply nested input": a RecursionError traceback and exit 1 before."""
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + DEEP + "}")
    key_file = tmp_path / "key.json"
    _cli("keys", "generate", "--out", str(key_file))
    args = [a.replace("KEY", str(key_file)) for a in command[1:]]
    result = _cli(command[0], str(path), *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"vcservice: {path}: JSON nests deeper than 64 levels")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "path", ["/credentials/verify", "/credentials/issue", "/presentations/verify", "/graphs/verify"]
)
def test_deep_and_duplicate_bodies_are_4xx_problems(client: TestClient, path: str) -> None:
    for body in ('{"a": ' + DEEP + "}", '{"a": 1, "a": 2}', '{"a": 1e999}'):
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


def test_unusable_files_exit_2_with_one_line(tmp_path: Path) -> None:
    cases = (("binary", b"\xff\xfe", "not UTF-8"), ("bom", b"\xef\xbb\xbf{}", "byte order mark"))
    for name, content, problem in cases:
        path = tmp_path / name
        path.write_bytes(content)
        result = _cli("verify", str(path))
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"vcservice: {path}: ")
        assert problem in result.stderr
    result = _cli("verify", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"vcservice: {tmp_path}: cannot read: it is a directory, not a file\n"
