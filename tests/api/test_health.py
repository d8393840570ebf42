from __future__ import annotations

from fastapi.testclient import TestClient

from vcservice.api import create_app


def test_healthz_and_docs() -> None:
    client = TestClient(create_app())
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "vcservice"
