"""A bare SD-JWT is read by the CLI as by the API and the page: one verdict everywhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from typer.testing import CliRunner

from tests.api.conftest import credential
from vcservice.cli import app
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer

runner = CliRunner()


def test_verify_reads_a_bare_sd_jwt(tmp_path: Path) -> None:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    secured = issue_credential(credential(), signer, "vc+sd-jwt", loader=bundled_loader())
    token = unquote(secured["id"].split(",", 1)[1])
    path = tmp_path / "credential.sd-jwt"
    path.write_text(token + "\n", encoding="ascii")
    result = runner.invoke(app, ["verify", "--offline", str(path)])
    assert result.exit_code == 0, result.output
    tampered = tmp_path / "tampered.sd-jwt"
    tampered.write_text(token.replace("~", "~x", 1), encoding="ascii")
    assert runner.invoke(app, ["verify", "--offline", str(tampered)]).exit_code in (1, 2)
