"""``vcservice digest``: the digestMultibase a hash link to a credential file carries."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import base58
import pytest
import rfc8785
from typer.testing import CliRunner

from vcservice.cli import app
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing.jose import envelope, issue_vc_jwt

from ..conftest import UNTP, load_json

runner = CliRunner()
SAMPLE = UNTP / "untp-0.7.0-prerelease-2026-04-03/samples/dpp/DigitalProductPassport_instance.json"


def multihash(data: bytes) -> str:
    return "z" + base58.b58encode(b"\x12\x20" + hashlib.sha256(data).digest()).decode()


def _digest(*args: str, stdin: bytes | str | None = None) -> Any:
    return runner.invoke(app, ["digest", *args], input=stdin)


@pytest.fixture(scope="module")
def jws() -> str:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    dpp = load_json(SAMPLE)
    dpp["issuer"]["id"] = signer.controller
    return issue_vc_jwt(dpp, signer)


def test_json_credential_digest_is_over_jcs_bytes() -> None:
    result = _digest(str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert result.stdout == multihash(rfc8785.dumps(load_json(SAMPLE))) + "\n"


def test_formatting_does_not_change_the_digest(tmp_path: Path) -> None:
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(load_json(SAMPLE), separators=(",", ":")), encoding="utf-8")
    assert _digest(str(compact)).stdout == _digest(str(SAMPLE)).stdout


def test_raw_hashes_the_exact_file_bytes() -> None:
    result = _digest(str(SAMPLE), "--raw")
    assert result.exit_code == 0
    assert result.stdout == multihash(SAMPLE.read_bytes()) + "\n"
    assert result.stdout != _digest(str(SAMPLE)).stdout


@pytest.mark.parametrize("form", ["jws", "jws-newline", "envelope", "data-url"])
def test_vc_jwt_digest_is_over_the_jws(jws: str, tmp_path: Path, form: str) -> None:
    content = {
        "jws": jws,
        "jws-newline": jws + "\n",
        "envelope": json.dumps(envelope(jws), indent=2),
        "data-url": envelope(jws)["id"],
    }[form]
    path = tmp_path / "credential"
    path.write_text(content, encoding="utf-8")
    result = _digest(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == multihash(jws.encode("ascii")) + "\n"


def test_stdin(jws: str) -> None:
    assert _digest("-", stdin=jws).stdout == multihash(jws.encode()) + "\n"
    raw = b"\x00\xffbinary"
    assert _digest("-", "--raw", stdin=raw).stdout == multihash(raw) + "\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b'{"a": 1, "a": 2}', "duplicate member"),
        (b'{"a": NaN}', "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b"hello world", "compact JWS"),
        (b"a.b", "compact JWS"),
        (b'{"type": "EnvelopedVerifiableCredential", "id": "data:text/plain,x"}', "media type"),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "bad-json",
        "duplicate-member",
        "nan",
        "array",
        "text",
        "two-segments",
        "bad-envelope",
    ],
)
def test_unusable_input_exits_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    result = _digest(str(path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_raw_accepts_anything(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert _digest(str(path), "--raw").stdout == multihash(b"") + "\n"


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = _digest(str(tmp_path / "absent.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
