"""The service's own outage is never a verdict (issue 13, deliverable 6).

Why bullet "An outage becomes a verdict": with the database restarting during verification,
verify requests answered 422 "not verified" (``status.revocation`` indeterminate: "status list
… could not be verified: the database …") while every other request got 503, and the 503s had
no ``Retry-After``. ``status/_check.py`` treated the service's own ``StoreUnavailableError``
like an undecidable remote list. Now it propagates: 503 + ``Retry-After`` on the API, the graph
API and the buyer page, exit 3 in one line on the CLI. A remote list that cannot be had stays
*indeterminate*: that is a fact about the credential.

The tenant is did:key, so the issuer's DID resolves without the database and the status list
is the only thing the outage touches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from tests.pg import PostgresUnavailableError, remove_server, start_server
from vcservice import verifiers
from vcservice.api import create_app
from vcservice.cli import app as cli_app
from vcservice.http.problems import PROBLEM_JSON, problem
from vcservice.report import Outcome, VerificationReport
from vcservice.service import Service
from vcservice.settings import Settings
from vcservice.status import MapStatusListFetcher, check_status
from vcservice.store import StatusList, Store, StoreUnavailableError

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f", "grade": "A"},
}
OUTAGE = "the database is restarting (test)"


class FlakyStore:
    """The real store, except that reading a status list fails while ``down``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.down = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def status_list(self, list_id: str) -> StatusList | None:
        if self.down:
            raise StoreUnavailableError(OUTAGE)
        return self._store.status_list(list_id)


@pytest.fixture
def flaky(tmp_path: Path) -> Iterator[tuple[Service, FlakyStore]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url="http://localhost:8000",
        secret_key=SecretStr("A" * 43),
    )
    service = Service.from_settings(settings)
    store = FlakyStore(service.store)
    service.store = store  # type: ignore[assignment]
    yield service, store
    service.close()


def _issue(client: TestClient, api_key: str) -> Any:
    response = client.post(
        "/credentials/issue",
        json={
            "credential": CREDENTIAL,
            "options": {"format": "vc+jwt", "credentialStatus": {"statusPurpose": "revocation"}},
        },
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def _assert_try_again(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"].isdigit()


def test_store_outage_during_verification_is_503_on_every_http_surface(
    flaky: tuple[Service, FlakyStore],
) -> None:
    """Why: "An outage becomes a verdict" (API, graph API and page answered as verdicts)."""
    service, store = flaky
    tenant = service.create_tenant("keyco", did_method="key")
    with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
        vc = _issue(client, tenant["api_key"])
        assert client.post("/credentials/verify", json={"verifiableCredential": vc}).is_success
        store.down = True

        api = client.post("/credentials/verify", json={"verifiableCredential": vc})
        _assert_try_again(api)
        assert api.headers["content-type"] == PROBLEM_JSON
        assert api.json()["status"] == 503
        assert "verified" not in api.json()

        graph = client.post("/graphs/verify", json={"root": vc, "trustAnchors": [tenant["did"]]})
        _assert_try_again(graph)
        assert graph.headers["content-type"] == PROBLEM_JSON

        page = client.post("/verify", data={"credential": json.dumps(vc), "anchors": tenant["did"]})
        _assert_try_again(page)
        assert "try again" in page.text
        assert 'data-testid="verdict"' not in page.text

        store.down = False
        assert client.post("/credentials/verify", json={"verifiableCredential": vc}).is_success


def test_every_503_problem_carries_retry_after() -> None:
    """Why: "An outage becomes a verdict" (the 503 answers carried no Retry-After)."""
    assert problem(503, "Not ready", "the database does not answer").headers["Retry-After"]
    assert "Retry-After" not in problem(400, "Bad", "bad").headers


def test_status_check_lets_the_service_outage_through() -> None:
    """Why: "An outage becomes a verdict": the status step no longer swallows it."""

    class Down:
        def fetch(self, url: str) -> Any:
            raise StoreUnavailableError(OUTAGE)

    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://status.example/lists/1",
    }
    credential = {**CREDENTIAL, "issuer": "did:example:i", "credentialStatus": entry}

    def verify_list(value: Any) -> tuple[VerificationReport, dict[str, Any] | None]:
        raise AssertionError("no list to verify")

    with pytest.raises(StoreUnavailableError):
        check_status(credential, fetcher=Down(), verify_list=verify_list)
    # an unreachable remote list is a fact about the credential: could not check
    report = check_status(credential, fetcher=MapStatusListFetcher({}), verify_list=verify_list)
    assert [(c.id, c.outcome) for c in report.checks] == [
        ("status.revocation", Outcome.INDETERMINATE)
    ]


def test_cli_exits_3_in_one_line_on_a_failure_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why: "An outage becomes a verdict" (on the CLI: exit 3, one line, no verdict)."""

    class Down:
        def fetch(self, url: str) -> Any:
            raise StoreUnavailableError(OUTAGE)

    def wiring(*args: Any, **kwargs: Any) -> verifiers.Wiring:
        return verifiers.Wiring(verifiers.offline().resolver, Down())

    monkeypatch.setattr(verifiers, "online", wiring)
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://status.example/lists/1",
    }
    source = tmp_path / "vc.json"
    source.write_text(json.dumps({**CREDENTIAL, "credentialStatus": entry}))
    result = CliRunner().invoke(cli_app, ["verify", str(source)])
    assert result.exit_code == 3, result.output
    assert result.output.strip().splitlines() == [f"error: could not check: {OUTAGE}"]


def test_real_postgresql_stopped_mid_way_answers_503() -> None:
    """Why: "An outage becomes a verdict", on a real PostgreSQL stopped after issuing."""
    try:
        server = start_server(prefix="vcservice-outage-")
    except PostgresUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        settings = Settings(
            database_url=server.create_database(),
            public_url="http://localhost:8000",
            secret_key=SecretStr("A" * 43),
        )
        service = Service.from_settings(settings)
        try:
            tenant = service.create_tenant("keyco", did_method="key")
            with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
                vc = _issue(client, tenant["api_key"])
                server.stop()
                response = client.post("/credentials/verify", json={"verifiableCredential": vc})
                _assert_try_again(response)
        finally:
            service.close()
    finally:
        remove_server(server)
