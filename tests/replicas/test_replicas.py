"""Replicas on one PostgreSQL database are a supported deployment (issue 20).

Three ``vcservice serve`` processes share one database (``conftest.py``); requests are spread
round-robin over them from a thread pool, so the issuing transactions of different processes
really run side by side. What one process guarantees must hold across processes: distinct
status indexes, one open status list per tenant and purpose, one winner among spends of one
credit, nothing answered 201 and then lost when a replica dies, and a replica that joins late
migrating nothing.

The tests run in file order on one cluster: the replica that joins under load stays, and the
SIGKILL test (last) kills one replica of those serving.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.ledger.events import certified, link, make_event, move_event, product
from tests.replicas.cluster import Cluster, Outcome, call, kill
from vcservice.cli import app as cli
from vcservice.links import digest_document
from vcservice.service import Service
from vcservice.store import alembic_config

pytestmark = [pytest.mark.network, pytest.mark.xdist_group("replicas")]

INSUFFICIENT = "https://vcservice.dev/problems/ledger.insufficient-credit"
Request = Callable[[httpx.Client], httpx.Response]


def _credential(index: int) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"urn:example:lot:{index}", "grade": "Cu 8.0 MIX"},
    }


def _issue(api_key: str, credential: dict[str, Any], *, status: bool = True) -> Request:
    """A vc+jwt issue request, with a revocation status entry unless ``status`` is False."""
    options: dict[str, Any] = {"format": "vc+jwt"}
    if status:
        options["credentialStatus"] = {"statusPurpose": "revocation"}
    body = {"credential": credential, "options": options}
    headers = {"Authorization": f"Bearer {api_key}"}
    return lambda client: client.post("/credentials/issue", json=body, headers=headers)


def _claims(outcome: Outcome) -> dict[str, Any]:
    """The issued credential's claims: the payload of the vc+jwt, which the API answers as
    an EnvelopedVerifiableCredential whose id is a ``data:application/vc+jwt,`` URL."""
    envelope = outcome.body["verifiableCredential"]
    payload = str(envelope["id"]).rsplit(",", 1)[-1].split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def _tenant(admin: Service, name: str) -> tuple[str, str]:
    """A new did:key tenant: (tenant id, API key)."""
    key = str(admin.create_tenant(name, did_method="key")["api_key"])
    tenant = admin.store.tenant_by_name(name)
    assert tenant is not None
    return tenant.id, key


def _column(cluster: Cluster, query: str, **params: Any) -> list[Any]:
    """The first column of ``query`` on the replicas' database, read from outside them."""
    engine = create_engine(cluster.database_url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(text(query), params)]
    finally:
        engine.dispose()


def _lists(cluster: Cluster, tenant_id: str) -> int:
    query = "SELECT count(*) FROM status_lists WHERE tenant_id = :t AND purpose = 'revocation'"
    return int(_column(cluster, query, t=tenant_id)[0])


def _stored_ids(cluster: Cluster, tenant_id: str) -> set[str]:
    return set(_column(cluster, "SELECT id FROM credentials WHERE tenant_id = :t", t=tenant_id))


def _version(cluster: Cluster) -> list[str]:
    return _column(cluster, "SELECT version_num FROM alembic_version")


def _assert_issued(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    statuses = Counter(outcome.status for outcome in outcomes)
    assert statuses == {201: len(outcomes)}, [o for o in outcomes if o.status != 201][:3]
    return [_claims(outcome) for outcome in outcomes]


def test_replicas_started_together_migrate_once(cluster: Cluster) -> None:
    """The racing start-ups ran each revision once, in one of the replicas, and the database
    is at head (``env.py`` takes an advisory lock around the whole upgrade)."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert _version(cluster) == heads
    revisions = len(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
    steps = Counter(step for replica in cluster.replicas for step in replica.migrations())
    assert len(steps) == revisions, steps
    assert set(steps.values()) == {1}, steps
    for replica in cluster.replicas:
        assert replica.client.get("/readyz").status_code == 200


def test_50_concurrent_first_issues_open_one_list(cluster: Cluster, admin: Service) -> None:
    tenant_id, key = _tenant(admin, "issuer-first")
    outcomes = cluster.spread([_issue(key, _credential(i)) for i in range(50)], threads=50)
    entries = [claims["credentialStatus"] for claims in _assert_issued(outcomes)]
    assert len({(e["statusListCredential"], e["statusListIndex"]) for e in entries}) == 50
    assert _lists(cluster, tenant_id) == 1


def test_200_concurrent_issues_get_distinct_indexes_on_one_list(
    cluster: Cluster, admin: Service
) -> None:
    tenant_id, key = _tenant(admin, "issuer-200")
    outcomes = cluster.spread([_issue(key, _credential(i)) for i in range(200)])
    assert {o.replica for o in outcomes} == {r.name for r in cluster.live}
    entries = [claims["credentialStatus"] for claims in _assert_issued(outcomes)]
    pairs = {(e["statusListCredential"], e["statusListIndex"]) for e in entries}
    assert len(pairs) == 200
    assert len(_stored_ids(cluster, tenant_id)) == 200
    assert _lists(cluster, tenant_id) == 1  # herd privacy: one open list per tenant and purpose


def test_100_concurrent_spends_of_one_credit_one_wins(cluster: Cluster, admin: Service) -> None:
    """Each spend alone fits the account (all 45 t of it); any two do not."""
    _, key = _tenant(admin, "smelter")
    cathode = "https://id.smelter.example/01/07350000000019/10/CU80-REPLICAS"
    made = call(cluster.live[0], _issue(key, make_event([product(cathode, [certified(45)])])))
    assert made.status == 201, made.body
    source = [
        link("https://smelter.example/make", digest_document(made.body["verifiableCredential"]))
    ]
    spend = _issue(key, move_event(product(cathode, [certified(45, source=source)])), status=False)
    outcomes = cluster.spread([spend] * 100, threads=32)
    assert Counter(o.status for o in outcomes) == {201: 1, 409: 99}
    for refused in (o for o in outcomes if o.status == 409):
        assert refused.content_type.startswith("application/problem+json")
        assert refused.body["type"] == INSUFFICIENT
        assert refused.body["status"] == 409


@contextmanager
def _stream(cluster: Cluster, key: str, prefix: str) -> Iterator[list[Outcome]]:
    """Issues (each a MakeEvent opening its own ledger account, with a status entry) sent
    round-robin over the replicas live at the start, 6 at a time, until the block ends."""
    outcomes: list[Outcome] = []
    targets = list(cluster.live)
    stop = threading.Event()
    lock = threading.Lock()
    counter = iter(range(1_000_000))

    def worker() -> None:
        while not stop.is_set():
            with lock:
                index = next(counter)
            lot = f"https://id.smelter.example/01/07350000000019/10/{prefix}-{index}"
            event = make_event([product(lot, [certified(1)])])
            outcome = call(targets[index % len(targets)], _issue(key, event))
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        yield outcomes
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)


def _wait_for(outcomes: list[Outcome], count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(outcomes) < count:
        assert time.monotonic() < deadline, f"only {len(outcomes)} answers"
        time.sleep(0.05)


def test_replica_joining_under_load_migrates_nothing(cluster: Cluster, admin: Service) -> None:
    _, key = _tenant(admin, "joiner")
    before = _version(cluster)
    with _stream(cluster, key, "JOIN") as outcomes:
        _wait_for(outcomes, 20)
        (joined,) = cluster.launch()
        served = call(joined, _issue(key, _credential(0)))
        _wait_for(outcomes, len(outcomes) + 20)
    assert served.status == 201, served.body
    assert joined.migrations() == []
    assert _version(cluster) == before
    _assert_issued(outcomes)


def test_sigkill_of_a_replica_under_load_loses_nothing(cluster: Cluster, admin: Service) -> None:
    tenant_id, key = _tenant(admin, "survivor")
    victim = cluster.live[-1]
    with _stream(cluster, key, "KILL") as outcomes:
        _wait_for(outcomes, 30)
        kill(victim)
        _wait_for(outcomes, len(outcomes) + 30)
    answered = [o for o in outcomes if o.status is not None]
    assert Counter(o.status for o in answered) == {201: len(answered)}
    assert {o.replica for o in outcomes if o.error is not None} <= {victim.name}
    assert any(o.error is not None for o in outcomes)  # the kill really hit the stream
    issued = {str(_claims(o)["id"]) for o in answered}
    assert issued <= _stored_ids(cluster, tenant_id)

    survivors = cluster.live
    assert victim not in survivors
    assert len(survivors) >= 2
    after = cluster.spread([_issue(key, _credential(i)) for i in range(len(survivors) * 3)])
    _assert_issued(after)
    assert {o.replica for o in after} == {r.name for r in survivors}

    admin.ledger_checkpoint()
    result = CliRunner().invoke(cli, ["ledger", "verify", "--database", cluster.database_url])
    assert result.exit_code == 0, result.output
    assert "ledger intact" in result.output
