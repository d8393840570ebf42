"""The typed issue command: what it accepts, and that the issue route hands the service the
command its request model builds, unchanged (the service then trusts its types)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from vcservice.api import create_app
from vcservice.api.models import IssueRequest
from vcservice.errors import InputError
from vcservice.http.deps import get_service
from vcservice.service import IssueCommand, IssuedCredential
from vcservice.settings import Settings
from vcservice.store import Tenant

CREDENTIAL: dict[str, Any] = {"type": ["VerifiableCredential"], "credentialSubject": {"id": "x"}}
TENANT = Tenant(
    "t1", "acme", "did:web:localhost%3A8000:tenants:acme", "vc+jwt", datetime.now(UTC), False
)
API_KEY = "vcs_test"


def test_a_command_defaults_to_the_tenants_format_and_nothing_more() -> None:
    command = IssueCommand(CREDENTIAL)
    assert command.format is None
    assert command.status_purposes == ()
    assert command.publish is False
    assert command.source_credentials == ()


def test_a_command_refuses_a_purpose_asked_for_twice() -> None:
    with pytest.raises(InputError, match="statusPurpose revocation requested twice"):
        IssueCommand(CREDENTIAL, status_purposes=("revocation", "suspension", "revocation"))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, IssueCommand(CREDENTIAL)),
        ({"credentialStatus": {}}, IssueCommand(CREDENTIAL, status_purposes=("revocation",))),
        (
            {"credentialStatus": [{"statusPurpose": "suspension"}, {}]},
            IssueCommand(CREDENTIAL, status_purposes=("suspension", "revocation")),
        ),
        (
            {
                "format": "eddsa-rdfc-2022",
                "publish": True,
                "sourceCredentials": ["a.b.c", {"id": "urn:x"}],
                "unknown": 1,
            },
            IssueCommand(
                CREDENTIAL,
                format="eddsa-rdfc-2022",
                publish=True,
                source_credentials=("a.b.c", {"id": "urn:x"}),
            ),
        ),
    ],
    ids=["defaults", "one-status-object", "status-list-in-order", "format-publish-sources"],
)
def test_the_request_model_builds_the_command(
    options: dict[str, Any], expected: IssueCommand
) -> None:
    request = IssueRequest.model_validate({"credential": CREDENTIAL, "options": options})
    assert request.command() == expected


class Recording:
    """A service that records the commands it is given (the route needs nothing else)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Tenant, IssueCommand]] = []

    def tenant_by_api_key(self, api_key: str) -> Tenant | None:
        return TENANT if api_key == API_KEY else None

    def issue(self, tenant: Tenant, command: IssueCommand) -> IssuedCredential:
        self.calls.append((tenant, command))
        return IssuedCredential("urn:uuid:1", "vc+jwt", {"id": "urn:uuid:1"})


@pytest.fixture
def recording(tmp_path: Path) -> Iterator[tuple[TestClient, Recording]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url="http://localhost:8000",
        secret_key=SecretStr("A" * 43),
    )
    app = create_app(settings)
    stub = Recording()
    app.dependency_overrides[get_service] = lambda: stub
    with TestClient(app) as client:
        yield client, stub


def test_the_issue_route_passes_the_command_unchanged(
    recording: tuple[TestClient, Recording],
) -> None:
    client, stub = recording
    body = {
        "credential": CREDENTIAL,
        "options": {
            "format": "eddsa-jcs-2022",
            "credentialStatus": [{"statusPurpose": "suspension"}],
            "publish": True,
            "sourceCredentials": ["a.b.c"],
        },
    }
    response = client.post(
        "/credentials/issue", json=body, headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"verifiableCredential": {"id": "urn:uuid:1"}}
    assert stub.calls == [(TENANT, IssueRequest.model_validate(body).command())]
    assert stub.calls[0][1] == IssueCommand(
        CREDENTIAL,
        format="eddsa-jcs-2022",
        status_purposes=("suspension",),
        publish=True,
        source_credentials=("a.b.c",),
    )


def test_a_purpose_asked_for_twice_is_a_400_and_reaches_no_service(
    recording: tuple[TestClient, Recording],
) -> None:
    client, stub = recording
    body = {"credential": CREDENTIAL, "options": {"credentialStatus": [{}, {}]}}
    response = client.post(
        "/credentials/issue", json=body, headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == "statusPurpose revocation requested twice"
    assert stub.calls == []
