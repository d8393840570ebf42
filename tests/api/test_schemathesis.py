"""Schemathesis against the service's own ``/openapi.json``: no 5xx, every response as documented.

How it runs
-----------
* In process. Each test builds a fresh :class:`Service` on a temporary SQLite database with one
  tenant (``acme``), a second signing key and a published credential with a status entry, so
  that generated requests meet real data as well as random ids, and loads the schema with
  ``schemathesis.openapi.from_asgi``: requests go through the ASGI transport, no socket opens.
* One pytest test per operation and generation mode. *Positive* cases are schema-valid and carry
  the tenant's API key (``auth.openapi.HTTPBearer`` in the schemathesis config); *negative*
  cases break the schema somewhere, and as often as not drop or garble the key (schemathesis
  negates the security requirement too). Cases come from schemathesis's public Hypothesis
  strategy (``APIOperation.as_strategy``) and each response goes through four checks:
  ``not_a_server_error``, ``status_code_conformance``, ``content_type_conformance`` and
  ``response_schema_conformance``. :func:`test_real_resources_conform` then sends the requests
  that reach the success paths random ids never find (a stored credential, a status list and
  its 304, a DID document, a key to retire) through the same checks.
* Bounded and deterministic: ``max_examples`` per test, ``derandomize=True`` and no example
  database, so every run sends the same requests.
* Why not schemathesis's pytest plugin: ``schema.parametrize()`` needs the schema (so an app
  and a database) at import time, and ``schemathesis.pytest.from_fixture`` fails under pytest
  9.2 (``'Function' object has no attribute '_nodeid'``, schemathesis 4.32). The plugin's
  *coverage* phase (one request per missing member, wrong type, boundary value) is therefore
  not run here; ``test_bad_input.py`` and ``test_schemathesis_regressions.py`` pin those cases.
* SQLite only: what is under test is the HTTP contract, which is the same above either store,
  and PostgreSQL would double the runtime. The one backend-specific finding (NUL in
  identifiers) has a regression test that runs on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import given, settings
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from vcservice.api import create_app
from vcservice.graph._verify import offline_resolver
from vcservice.keys import KeyType
from vcservice.service import IssueCommand, Service
from vcservice.settings import Settings

from .conftest import PUBLIC_URL, credential
from .test_graphs import Offline

#: ``POST /registry/entries`` takes a COSE_Sign1 (``application/cose``, binary in the schema):
#: generated bodies go out as raw bytes, as schemathesis sends ``application/octet-stream``.
schemathesis.serializer.alias("application/cose", "application/octet-stream")

#: Per operation and mode: about 2,200 requests, 20-25 s for the file on two cores.
MAX_EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

#: Every operation of the API; test_every_operation_is_tested keeps this list complete.
OPERATIONS = [
    ("POST", "/credentials/issue"),
    ("POST", "/credentials/issue/batch"),
    ("POST", "/credentials/status"),
    ("GET", "/credentials"),
    ("GET", "/credentials/{credential_id}"),
    ("GET", "/tenants/me/keys"),
    ("POST", "/tenants/me/keys"),
    ("POST", "/tenants/me/keys/{fragment}/retire"),
    ("GET", "/tenants/me"),
    ("GET", "/tenants/me/key-events"),
    ("POST", "/tenants/me/did/deactivate"),
    ("POST", "/tenants/me/did/witness-proofs"),
    ("POST", "/credentials/verify"),
    ("POST", "/credentials/derive"),
    ("POST", "/presentations/verify"),
    ("POST", "/graphs/verify"),
    ("GET", "/status-lists/{list_id}"),
    ("GET", "/tenants/{name}/did.json"),
    ("GET", "/tenants/{name}/did.jsonl"),
    ("GET", "/tenants/{name}/did-witness.json"),
    ("GET", "/tenants/{name}/credentials/{credential_id}"),
    ("GET", "/ledger/checkpoint"),
    ("GET", "/ledger/entries/{seq}"),
    ("GET", "/ledger/consistency"),
    ("GET", "/ledger/spent"),
    ("GET", "/.well-known/did.json"),
    ("GET", "/.well-known/transparency-configuration"),
    ("GET", "/1.0/identifiers/{did}"),
    ("GET", "/.well-known/resolver"),
    ("POST", "/resolver/identifiers"),
    ("GET", "/resolver/identifiers"),
    ("GET", "/resolver/qr.svg"),
    ("GET", "/resolver/qr.png"),
    ("GET", "/01/{path}"),
    ("GET", "/414/{path}"),
    ("GET", "/417/{path}"),
    ("GET", "/id/{path}"),
    ("POST", "/registry/entries"),
    ("GET", "/registry/entries/{digest}"),
    ("POST", "/registry/witness"),
    ("GET", "/registry/witness"),
    ("GET", "/vocab/"),
    ("GET", "/vocab/context.jsonld"),
    ("GET", "/vocab/vocab.ttl"),
    ("GET", "/vocab/vocab.jsonld"),
    ("GET", "/vocab/schemas/{profile}"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
]
#: Nothing to break: no parameters, no body (or one that any bytes satisfy: a COSE
#: registration, whose negative cases schemathesis cannot serialize), no security.
NOTHING_TO_NEGATE = {
    ("POST", "/registry/entries"),
    ("GET", "/ledger/checkpoint"),
    ("GET", "/.well-known/did.json"),
    ("GET", "/.well-known/transparency-configuration"),
    ("GET", "/.well-known/resolver"),
    ("GET", "/registry/witness"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/vocab/"),
    ("GET", "/vocab/context.jsonld"),
    ("GET", "/vocab/vocab.ttl"),
    ("GET", "/vocab/vocab.jsonld"),
}


@dataclass
class Api:
    schema: schemathesis.BaseSchema
    api_key: str
    issued: dict[str, Any]
    status_list_id: str


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url=PUBLIC_URL,
        secret_key=SecretStr("A" * 43),  # 32 bytes of base64url: tests only
    )
    service = Service.from_settings(settings)
    service.network_links = Offline()  # a generated root URL must never reach DNS
    service.network_resolver = offline_resolver()  # nor a generated did:web / did:webvh
    try:
        acme = service.create_tenant("acme")
        tenant = service.store.tenant_by_name("acme")
        assert tenant is not None
        service.store.add_key(tenant.id, KeyType.ED25519)  # key-2, so that key-1 can retire
        cid = "urn:uuid:3f1e0c2a-9b8d-4c7e-8f6a-5d4c3b2a1f0e"
        issued = service.issue(
            tenant,
            IssueCommand(
                credential(id=cid),
                format="eddsa-jcs-2022",
                status_purposes=("revocation",),
                publish=True,
            ),
        ).secured
        list_url = issued["credentialStatus"]["statusListCredential"]
        config = schemathesis.Config.from_dict(
            {
                "generation": {"deterministic": True, "database": "none"},
                "auth": {"openapi": {"HTTPBearer": {"bearer": acme["api_key"]}}},
            }
        )
        schema = schemathesis.openapi.from_asgi(
            "/openapi.json", create_app(service=service), config=config
        )
        yield Api(schema, acme["api_key"], issued, list_url.rsplit("/", 1)[1])
    finally:
        service.close()


def _id(value: Any) -> str:
    return f"{value[0]} {value[1]}" if isinstance(value, tuple) else str(value)


def test_every_operation_is_tested(api: Api) -> None:
    documented = {
        (method.upper(), path)
        for path, item in api.schema.raw_schema["paths"].items()
        for method in item
    }
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=_id)
def test_operation_conforms(api: Api, operation: tuple[str, str], mode: GenerationMode) -> None:
    if mode is GenerationMode.NEGATIVE and operation in NOTHING_TO_NEGATE:
        pytest.skip("no parameters, body or security to make invalid")
    method, path = operation
    strategy = api.schema[path][method].as_strategy(generation_mode=mode)

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
    )
    @given(case=strategy)
    def conforms(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(checks=CHECKS)

    conforms()


def test_real_resources_conform(api: Api) -> None:
    """The success paths random input never reaches, through the same checks, in order."""
    key = {"Authorization": f"Bearer {api.api_key}"}
    cid = api.issued["id"]
    op = {(method, path): api.schema[path][method] for method, path in OPERATIONS}
    issue = op["POST", "/credentials/issue"]
    stored = op["GET", "/credentials/{credential_id}"]
    verify = op["POST", "/credentials/verify"]
    retire = op["POST", "/tenants/me/keys/{fragment}/retire"]
    revoke: dict[str, Any] = {
        "credentialId": cid,
        "credentialStatus": [{"status": True, "statusPurpose": "revocation"}],
    }
    unsigned_presentation: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [api.issued],
    }
    cases = [
        (issue.Case(headers=key, body={"credential": credential()}), 201),
        (
            op["POST", "/credentials/issue/batch"].Case(
                headers=key, body={"items": [{"credential": credential()}, {"credential": {}}]}
            ),
            200,
        ),
        (stored.Case(path_parameters={"credential_id": cid}), 200),  # published
        (stored.Case(path_parameters={"credential_id": cid}, headers=key), 200),
        (op["GET", "/tenants/{name}/did.json"].Case(path_parameters={"name": "acme"}), 200),
        (verify.Case(body={"verifiableCredential": api.issued}), 200),
        (op["POST", "/credentials/status"].Case(headers=key, body=revoke), 200),
        (verify.Case(body={"verifiableCredential": api.issued}), 422),  # revoked: a report
        (
            op["POST", "/presentations/verify"].Case(
                body={"verifiablePresentation": unsigned_presentation}
            ),
            422,
        ),
        (retire.Case(path_parameters={"fragment": "key-1"}, headers=key), 200),
        (retire.Case(path_parameters={"fragment": "key-2"}, headers=key), 409),  # the last one
        (op["GET", "/tenants/me/keys"].Case(headers=key), 200),
        (op["GET", "/credentials"].Case(headers=key), 200),
    ]
    for case, status in cases:
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == status, f"{case.method} {case.formatted_path}"

    status_list = op["GET", "/status-lists/{list_id}"]
    first = status_list.Case(path_parameters={"list_id": api.status_list_id})
    response = first.call_and_validate(checks=CHECKS)
    assert response.status_code == 200
    again = status_list.Case(
        path_parameters={"list_id": api.status_list_id},
        headers={"If-None-Match": response.headers["etag"][0]},
    )
    assert again.call_and_validate(checks=CHECKS).status_code == 304
