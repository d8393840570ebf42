"""The CLI end to end: the acceptance points for keys, issue, verify and canonicalize."""

from __future__ import annotations

import copy
import json
import socket
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vcservice.cli import app

from ..conftest import ECDSA_VECTORS, EDDSA_VECTORS, load_json

runner = CliRunner()

SIGNED_VECTORS = {
    "eddsa-rdfc-2022": EDDSA_VECTORS / "eddsa-rdfc-2022" / "signedDataInt.json",
    "eddsa-jcs-2022": EDDSA_VECTORS / "eddsa-jcs-2022" / "signedJCS.json",
    "ecdsa-rdfc-2019-p256": ECDSA_VECTORS / "ecdsa-rdfc-2019-p256" / "signedECDSAP256.json",
    "ecdsa-rdfc-2019-p384": ECDSA_VECTORS / "ecdsa-rdfc-2019-p384" / "signedECDSAP384.json",
    "ecdsa-jcs-2019-p256": ECDSA_VECTORS / "ecdsa-jcs-2019-p256" / "signedJCSECDSAP256.json",
    "ecdsa-jcs-2019-p384": ECDSA_VECTORS / "ecdsa-jcs-2019-p384" / "signedJCSECDSAP384.json",
    "proof-set-1": EDDSA_VECTORS / "proof-set-chain" / "signedProofSet1.json",
    "proof-set-2": EDDSA_VECTORS / "proof-set-chain" / "signedProofSet2.json",
    "proof-chain-1": EDDSA_VECTORS / "proof-set-chain" / "signedProofChain1.json",
    "proof-chain-2": EDDSA_VECTORS / "proof-set-chain" / "signedProofChain2.json",
}
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
FOREIGN = "https://contexts.example.net/minerals/v9"


def _write(tmp_path: Path, name: str, value: Any) -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def _verify(path: Path, *args: str) -> Any:
    return runner.invoke(app, ["verify", str(path), *args])


def _swap(text: str, index: int, alphabet: str = BASE58) -> str:
    replacement = next(c for c in alphabet if c != text[index])
    return text[:index] + replacement + text[index + 1 :]


def _first_proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document["proof"]
    first: dict[str, Any] = proof[0] if isinstance(proof, list) else proof
    return first


@pytest.mark.parametrize("name", list(SIGNED_VECTORS))
def test_verify_accepts_every_signed_w3c_vector(name: str) -> None:
    result = _verify(SIGNED_VECTORS[name])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("verified:")
    # The vectors' issuer is an https URL, not a DID: the binding is a warning, not a failure.
    assert "proof.issuer-binding" in result.output


def _tampered(document: dict[str, Any], where: str, position: int) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    if where == "proofValue":
        proof = _first_proof(changed)
        value = proof["proofValue"]
        proof["proofValue"] = _swap(value, 1 + position % (len(value) - 1))
    elif where == "issuer":
        issuer = changed["issuer"]
        changed["issuer"] = _swap(issuer, position % len(issuer), "abcdefghijklmnopqrstuvwxyz0123")
    else:
        subject = changed["credentialSubject"]
        claim = next(k for k in subject if k != "id")
        value = subject[claim]
        subject[claim] = _swap(value, position % len(value), "abcdefghijklmnopqrstuvwxyz")
    assert changed != document
    return changed


@pytest.mark.parametrize("name", list(SIGNED_VECTORS))
@pytest.mark.parametrize("where", ["proofValue", "issuer", "claim"])
@pytest.mark.parametrize("position", [0, 17, -1])
def test_verify_rejects_any_single_character_change(
    tmp_path: Path, name: str, where: str, position: int
) -> None:
    document = load_json(SIGNED_VECTORS[name])
    path = _write(tmp_path, "tampered.json", _tampered(document, where, position))
    result = _verify(path)
    assert result.exit_code == 1, result.output
    assert "proof." in result.output


KEY_FORMATS = [
    ("ed25519", "vc+jwt"),
    ("p256", "vc+jwt"),
    ("p384", "vc+jwt"),
    ("ed25519", "eddsa-rdfc-2022"),
    ("ed25519", "eddsa-jcs-2022"),
    ("p256", "ecdsa-rdfc-2019"),
    ("p384", "ecdsa-rdfc-2019"),
    ("p256", "ecdsa-jcs-2019"),
    ("p384", "ecdsa-jcs-2019"),
]


def _credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleMaterialCredential"],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:0b9c1d52-8f3e-4e8a-9d2f-3c1b2a4e5f60",
            "grade": "Cu 8.0 MIX",
        },
        **extra,
    }


def _generate(tmp_path: Path, key_type: str) -> tuple[Path, dict[str, Any]]:
    key_path = tmp_path / f"{key_type}.key.json"
    result = runner.invoke(app, ["keys", "generate", "--type", key_type, "--out", str(key_path)])
    assert result.exit_code == 0, result.output
    return key_path, json.loads(result.output)


def test_keys_generate_writes_private_key_only_to_a_0600_file(tmp_path: Path) -> None:
    key_path, public = _generate(tmp_path, "p256")
    assert public["did"].startswith("did:key:zDn")
    assert "privateKeyJwk" not in public
    assert '"d"' not in json.dumps(public)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert "d" in json.loads(key_path.read_text())["privateKeyJwk"]
    again = runner.invoke(app, ["keys", "generate", "--out", str(key_path)])
    assert again.exit_code == 2
    assert "refusing to overwrite" in again.output


@pytest.mark.parametrize(("key_type", "fmt"), KEY_FORMATS)
def test_issue_verify_round_trip_and_tampering(tmp_path: Path, key_type: str, fmt: str) -> None:
    key_path, public = _generate(tmp_path, key_type)
    source = _write(tmp_path, "credential.json", _credential())
    issued = runner.invoke(app, ["issue", str(source), "--key", str(key_path), "--format", fmt])
    assert issued.exit_code == 0, issued.output
    secured = json.loads(issued.output)
    signed_path = _write(tmp_path, "signed.json", secured)

    result = _verify(signed_path)
    assert result.exit_code == 0, result.output
    report = json.loads(_verify(signed_path, "--json").output)
    assert report["verified"] is True
    assert report["document"]["issuer"] == public["did"]
    ids = {c["id"] for c in report["checks"] if c["outcome"] == "passed"}
    assert {"proof.signature", "proof.issuer-binding", "datamodel.context"} <= ids

    if fmt == "vc+jwt":
        header, payload, signature = (
            secured["id"].removeprefix("data:application/vc+jwt,").split(".")
        )
        import base64

        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["credentialSubject"]["grade"] = "Cu 2.0 MIX"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        tampered = {**secured, "id": f"data:application/vc+jwt,{header}.{forged}.{signature}"}
    else:
        tampered = copy.deepcopy(secured)
        tampered["credentialSubject"]["grade"] = "Cu 2.0 MIX"
    result = _verify(_write(tmp_path, "tampered.json", tampered))
    assert result.exit_code == 1
    assert "proof.signature" in result.output


def test_issue_refuses_a_foreign_issuer_and_a_wrong_key_type(tmp_path: Path) -> None:
    key_path, _ = _generate(tmp_path, "ed25519")
    foreign = _write(
        tmp_path,
        "c.json",
        _credential(issuer="did:key:z6MkhWqdDBPojHA7cprTGTt5yHv5yUi1B8cnXn8ReLumkw6E"),
    )
    result = runner.invoke(app, ["issue", str(foreign), "--key", str(key_path)])
    assert result.exit_code == 2
    assert "not the signing key's controller" in result.output
    plain = _write(tmp_path, "p.json", _credential())
    result = runner.invoke(
        app, ["issue", str(plain), "--key", str(key_path), "--format", "ecdsa-rdfc-2019"]
    )
    assert result.exit_code == 2
    assert "cannot be signed with a ed25519 key" in result.output


def test_foreign_context_is_refused_by_name_without_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def guard(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    key_path, _ = _generate(tmp_path, "ed25519")
    credential = _credential()
    credential["@context"].append(FOREIGN)
    source = _write(tmp_path, "c.json", credential)

    for fmt in ("vc+jwt", "eddsa-rdfc-2022"):
        result = runner.invoke(app, ["issue", str(source), "--key", str(key_path), "--format", fmt])
        assert result.exit_code != 0
        assert FOREIGN in result.output

    signed = load_json(SIGNED_VECTORS["eddsa-rdfc-2022"])
    signed["@context"].append(FOREIGN)
    result = _verify(_write(tmp_path, "signed.json", signed))
    assert result.exit_code == 1
    assert FOREIGN in result.output
    assert attempts == []


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "empty"), ("{not json", "not valid JSON"), ("hello", "neither JSON nor"), ("[1, 2]", "")],
)
def test_verify_unusable_input_exits_2(tmp_path: Path, content: str, message: str) -> None:
    result = _verify(_write(tmp_path, "bad.json", content))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_verify_missing_file_exits_2(tmp_path: Path) -> None:
    assert _verify(tmp_path / "absent.json").exit_code == 2


def test_verify_reads_stdin() -> None:
    text = SIGNED_VECTORS["eddsa-rdfc-2022"].read_text()
    result = runner.invoke(app, ["verify", "-"], input=text)
    assert result.exit_code == 0, result.output


def test_unsigned_credential_is_not_verified(tmp_path: Path) -> None:
    result = _verify(_write(tmp_path, "c.json", _credential(issuer="did:example:x")))
    assert result.exit_code == 1
    assert "proof.present" in result.output


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("rdfc", EDDSA_VECTORS / "eddsa-rdfc-2022" / "canonDocDataInt.txt"),
        ("jcs", EDDSA_VECTORS / "eddsa-jcs-2022" / "canonDocJCS.txt"),
    ],
)
def test_canonicalize(algorithm: str, expected: Path) -> None:
    result = runner.invoke(
        app, ["canonicalize", str(EDDSA_VECTORS / "unsigned.json"), "--algorithm", algorithm]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected.read_text().strip()


def test_canonicalize_foreign_context_exits_2(tmp_path: Path) -> None:
    document = _credential()
    document["@context"].append(FOREIGN)
    result = runner.invoke(app, ["canonicalize", str(_write(tmp_path, "c.json", document))])
    assert result.exit_code == 2
    assert FOREIGN in result.output


def test_tenants_create(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCSERVICE_DATABASE_URL", f"sqlite:///{tmp_path / 'vc.db'}")
    monkeypatch.setenv("VCSERVICE_PUBLIC_URL", "https://certifier.example")
    monkeypatch.delenv("VCSERVICE_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["tenants", "create", "acme", "--key-type", "p256"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["did"] == "did:web:certifier.example:tenants:acme"
    assert created["api_key"].startswith("vcs_")
    secret = tmp_path / "vc.db.secret-key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert created["api_key"] not in (tmp_path / "vc.db").read_bytes().decode("latin-1")

    again = runner.invoke(app, ["tenants", "create", "acme"])
    assert again.exit_code == 2
    assert "acme" in again.output
    bad = runner.invoke(app, ["tenants", "create", "no spaces/allowed"])
    assert bad.exit_code == 2
    assert "tenant name" in bad.output


def test_tenants_create_with_did_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCSERVICE_DATABASE_URL", f"sqlite:///{tmp_path / 'vc.db'}")
    monkeypatch.setenv("VCSERVICE_PUBLIC_URL", "https://certifier.example")
    monkeypatch.delenv("VCSERVICE_SECRET_KEY", raising=False)
    args = ["tenants", "create", "acme", "--did-method", "key", "--key-type", "p384"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["did"].startswith("did:key:z82")  # multicodec p384-pub
    assert created["api_key"].startswith("vcs_")
    web = runner.invoke(app, ["tenants", "create", "borax", "--did-method", "web"])
    assert json.loads(web.output)["did"] == "did:web:certifier.example:tenants:borax"
    bad = runner.invoke(app, ["tenants", "create", "carbo", "--did-method", "jwk"])
    assert bad.exit_code == 2
    assert "--did-method" in bad.output
