"""One credential through every surface, for differential tests (issue 13: one verdict).

The same credential document enters vcservice four ways; each must give the same verdict and
the same sets of failed and indeterminate check ids:

``api``
    ``POST /credentials/verify`` (TestClient over ``create_app``): 200 verified, 422 with the
    report otherwise.
``cli``
    ``vcservice verify --json`` (typer's CliRunner), online: status lists and the issuer's
    did:web are fetched over loopback HTTP from the same service, which :func:`open_surfaces`
    serves on the port its ``public_url`` names. Exit 0/1/3, or 2 for unusable input.
``page``
    ``POST /verify`` (the buyer page), read from the machine-readable ``data-*`` attributes of
    the verdict section (``data-state``, ``data-failed-checks``, ``data-indeterminate-checks``).
``graph``
    ``POST /graphs/verify`` with a one-node bundle whose root is the credential.

A document is a JSON value, or :class:`Raw` text (bytes a hostile party wrote: duplicate
members, ``NaN``, deep nesting...), which every surface embeds as it is, never re-encoded.

Each answer is a :class:`Seen`: the verdict (``verified``, ``failed``, ``indeterminate``, or
``refused`` for unusable input: a 4xx problem, CLI exit 2; ``unavailable`` for a 503) and the
two id sets. The page and the graph are graph verifications, so their ids include graph-level
checks when there are any; for a lone credential that is not a UNTP document there are none.

Usage::

    with open_surfaces(tmp_path) as surfaces:
        vc = surfaces.issue(credential, {"credentialStatus": {}})
        assert len(set(surfaces.verdicts(vc).values())) == 1  # {"api": Seen(...), ...}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any, NamedTuple

from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from tests.serve import free_port, serving
from vcservice.api import create_app
from vcservice.cli import app as cli_app
from vcservice.errors import ResolutionError
from vcservice.service import DidMethod, NewTenant, Service
from vcservice.settings import Settings

SURFACES = ("api", "cli", "page", "graph")
_RUNNER = CliRunner()
_CLI_VERDICTS = {0: "verified", 1: "failed", 2: "refused", 3: "indeterminate"}


class Raw(str):
    """JSON text sent as written: spliced into request bodies, written to the CLI's file,
    pasted into the page, never parsed and re-encoded on the way."""


def _text(document: Any) -> str:
    """The document as a surface that reads text receives it."""
    return document if isinstance(document, str) else json.dumps(document)


def _json(document: Any) -> str:
    """The document as a JSON value inside a request body."""
    return str(document) if isinstance(document, Raw) else json.dumps(document)


class Seen(NamedTuple):
    """What one surface said about a document: (verdict, failed ids, indeterminate ids)."""

    verdict: str
    failed: frozenset[str] = frozenset()
    indeterminate: frozenset[str] = frozenset()


class _NoLinks:
    """Linked credentials are never fetched: the graph surface gets one node."""

    def fetch(self, url: str) -> Any:
        raise ResolutionError(f"could not fetch linked credential {url}: not in the bundle")


def _from_report(verified: bool, errors: list[dict[str, Any]]) -> Seen:
    failed = frozenset(e["id"] for e in errors if e["outcome"] == "failed")
    indeterminate = frozenset(e["id"] for e in errors if e["outcome"] == "indeterminate")
    verdict = (
        "verified" if verified else "failed" if failed or not indeterminate else "indeterminate"
    )
    return Seen(verdict, failed, indeterminate)


def _refusal(status: int) -> Seen:
    return Seen("unavailable" if status == 503 else "refused")


def _attribute(html: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', html)
    assert match is not None, f"no {name} on the page"
    return unescape(match.group(1))


@dataclass
class Surfaces:
    """A service on SQLite, served over loopback HTTP, with its four ways in."""

    service: Service
    client: TestClient
    url: str
    tenant: NewTenant
    directory: Path

    # --- making documents -----------------------------------------------------------------
    def issue(self, credential: dict[str, Any], options: dict[str, Any] | None = None) -> Any:
        """Issue as the tenant (``POST /credentials/issue``); the secured credential."""
        response = self.client.post(
            "/credentials/issue",
            json={"credential": credential, "options": options or {}},
            headers={"Authorization": f"Bearer {self.tenant['api_key']}"},
        )
        assert response.status_code == 201, response.text
        return response.json()["verifiableCredential"]

    def set_status(self, credential_id: str, purpose: str, value: bool) -> None:
        response = self.client.post(
            "/credentials/status",
            json={
                "credentialId": credential_id,
                "credentialStatus": [
                    {"type": "BitstringStatusListEntry", "status": value, "statusPurpose": purpose}
                ],
            },
            headers={"Authorization": f"Bearer {self.tenant['api_key']}"},
        )
        assert response.status_code == 200, response.text

    # --- the surfaces ---------------------------------------------------------------------
    def _post_json(self, path: str, text: str) -> Any:
        return self.client.post(
            path, content=text.encode("utf-8"), headers={"Content-Type": "application/json"}
        )

    def api(self, document: Any) -> Seen:
        response = self._post_json(
            "/credentials/verify", '{"verifiableCredential": ' + _json(document) + "}"
        )
        if response.status_code not in (200, 422) or "verified" not in response.json():
            return _refusal(response.status_code)
        body = response.json()
        return _from_report(body["verified"], body["errors"])

    def cli(self, document: Any) -> Seen:
        path = self.directory / "credential.json"
        path.write_bytes(_text(document).encode("utf-8", "surrogatepass"))
        result = _RUNNER.invoke(
            cli_app,
            ["verify", "--json", str(path)],
            env={"VCSERVICE_ALLOW_HTTP_LOOPBACK": "true"},
        )
        verdict = _CLI_VERDICTS.get(result.exit_code, f"exit {result.exit_code}")
        if verdict == "refused" or result.exit_code not in _CLI_VERDICTS:
            return Seen(verdict)
        body = json.loads(result.stdout)
        seen = _from_report(body["verified"], body["errors"])
        return Seen(verdict, seen.failed, seen.indeterminate)

    def page(self, document: Any) -> Seen:
        response = self.client.post(
            "/verify", data={"credential": _text(document), "anchors": self.tenant["did"]}
        )
        if response.status_code != 200:
            return _refusal(response.status_code)
        html = response.text
        state = _attribute(html, "data-state")
        return Seen(
            "verified" if state == "passed" else state,
            frozenset(_attribute(html, "data-failed-checks").split()),
            frozenset(_attribute(html, "data-indeterminate-checks").split()),
        )

    def graph(self, document: Any) -> Seen:
        anchors = json.dumps([self.tenant["did"]])
        response = self._post_json(
            "/graphs/verify",
            '{"type": "ProvenanceGraphBundle", "root": '
            + _json(document)
            + f', "trustAnchors": {anchors}}}',
        )
        if response.status_code not in (200, 422) or "verified" not in response.json():
            return _refusal(response.status_code)
        body = response.json()
        return _from_report(body["verified"], body["errors"])

    def verdicts(self, document: Any) -> dict[str, Seen]:
        """``document`` (a JSON object, a JWS string or :class:`Raw` text) through every
        surface, by name."""
        return {
            "api": self.api(document),
            "cli": self.cli(document),
            "page": self.page(document),
            "graph": self.graph(document),
        }


@contextmanager
def open_surfaces(
    directory: Path, tenant: str = "acme", did_method: DidMethod = "web"
) -> Iterator[Surfaces]:
    """A fresh service in ``directory`` (SQLite), served at ``http://localhost:<port>`` (its
    public URL, so its did:web and status-list URLs are reachable by the CLI), with one tenant
    (``did_method`` web or key)."""
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{directory / 'surfaces.db'}",
        public_url=f"http://localhost:{port}",
        secret_key=SecretStr("A" * 43),  # 32 bytes of base64url: tests only
    )
    service = Service.from_settings(settings)
    service.network_links = _NoLinks()
    try:
        created = service.create_tenant(tenant, did_method=did_method)
        with (
            serving(service, port) as url,
            TestClient(create_app(service=service), raise_server_exceptions=False) as client,
        ):
            yield Surfaces(service, client, url, created, directory)
    finally:
        service.close()
