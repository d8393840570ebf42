"""Issuing with ``encrypt``: the public URL serves ciphertext, the key is returned once and is
found nowhere in the database; the issuer still reads its own credential in the clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tests.api.conftest import PUBLIC_URL, auth, credential
from vcservice.confidential import is_sealed, split_key, unseal
from vcservice.service import Service
from vcservice.service.commands import NewTenant

CID = "urn:uuid:0b5e1c1e-5ea1-4ed0-8c1a-c0ffee000001"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the test reads the database file's bytes."""
    return f"sqlite:///{tmp_path / 'vcservice.db'}"


@pytest.fixture
def acme(service: Service) -> NewTenant:
    return service.create_tenant("acme")


def _issue(client: TestClient, key: str, options: dict[str, Any]) -> Any:
    body = {"credential": credential(id=CID), "options": options}
    return client.post("/credentials/issue", json=body, headers=auth(key))


def test_an_encrypted_credential_is_published_as_ciphertext_and_its_key_kept_nowhere(
    client: TestClient, acme: NewTenant, database_url: str
) -> None:
    response = _issue(client, acme["api_key"], {"publish": True, "encrypt": True})
    assert response.status_code == 201, response.text
    body = response.json()
    issued, encryption = body["verifiableCredential"], body["encryption"]
    key = encryption["decryptionKey"]
    url = f"{PUBLIC_URL}/tenants/acme/credentials/{CID.replace(':', '%3A')}"
    assert encryption["url"] == url
    assert split_key(encryption["link"]) == (url, key)

    for path in (f"/tenants/acme/credentials/{CID}", f"/credentials/{CID}"):
        served = client.get(path).json()
        assert is_sealed(served)
        assert unseal(served, key) == issued
    own = client.get(f"/credentials/{CID}", headers=auth(acme["api_key"])).json()
    assert own == issued  # the issuer's copy stays in the clear

    client.close()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = [
            str(row)
            for table in ("credentials", "key_events", "shared_results")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        ]
    engine.dispose()
    assert rows
    assert not any(key in row for row in rows)
    database = Path(database_url.removeprefix("sqlite:///"))
    for file in database.parent.glob(database.name + "*"):  # the file, its journal or WAL
        raw = file.read_bytes()
        assert key.encode() not in raw
        assert bytes.fromhex(key) not in raw


def test_a_plain_issue_answers_as_before(client: TestClient, acme: NewTenant) -> None:
    response = _issue(client, acme["api_key"], {"publish": True})
    assert set(response.json()) == {"verifiableCredential"}
    assert not is_sealed(client.get(f"/credentials/{CID}").json())


def test_encrypt_without_publish_is_refused(client: TestClient, acme: NewTenant) -> None:
    response = _issue(client, acme["api_key"], {"encrypt": True})
    assert response.status_code == 400
    assert "ask for publish as well" in response.json()["detail"]


def test_graph_requests_carry_decryption_keys(client: TestClient) -> None:
    body = {
        "root": "https://credentials.example.org/c1",
        "trustAnchors": ["did:example:anchor"],
        "decryptionKeys": {"https://credentials.example.org/c0": "not a key"},
    }
    response = client.post("/graphs/verify", json=body)
    assert response.status_code == 400
    assert "hexadecimal" in response.json()["detail"]
