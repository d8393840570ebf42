"""Group commit of plain issues (:mod:`vcservice.service.group_commit`), on SQLite and
PostgreSQL: concurrent issues share a transaction and each is stored whole or refused alone;
the same credential id twice at once stores one; a database failure in a batch fails every
item of it. The first batch is held open until the other issues are queued, so the next one
stores them together (what a busy service does by itself)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from tests.backends import BACKENDS, backend_url, new_tenant, service_on
from vcservice.keys.audit import first_break
from vcservice.service import IssueCommand, Service, group_commit
from vcservice.service.sequencer import sequencer_of
from vcservice.store import ConflictError, StoreUnavailableError, Tenant


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with service_on(backend_url(request, tmp_path)) as svc:
        yield svc


def _command(n: int) -> IssueCommand:
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": f"urn:example:lot:{n}",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": f"urn:example:lot:{n}", "name": f"Lot {n}"},
    }
    return IssueCommand(credential, format="vc+jwt", status_purposes=("revocation",))


def _issue_at_once(
    service: Service, tenant: Tenant, commands: list[IssueCommand], monkeypatch: pytest.MonkeyPatch
) -> list[Any]:
    """Issue ``commands`` one thread each, the first batch held until the others are queued:
    the issued credentials or the exceptions, in order."""
    sequencer = sequencer_of(service.store, group_commit.WRITES)
    integrate = group_commit._integrate
    held: list[int] = []

    def holding(store: Any, batch: list[Any]) -> None:
        if not held:
            held.append(len(batch))
            deadline = time.monotonic() + 10
            while len(sequencer._queue) < len(commands) - len(batch):
                assert time.monotonic() < deadline, "the issues were never queued"
                time.sleep(0.005)
        integrate(store, batch)

    def one(command: IssueCommand) -> Any:
        try:
            return service.issue(tenant, command)
        except Exception as exc:  # the outcome under test
            return exc

    monkeypatch.setattr(group_commit, "_integrate", holding)
    with ThreadPoolExecutor(len(commands)) as pool:
        return list(pool.map(one, commands))


def _payload(enveloped: dict[str, Any]) -> Any:
    """The credential a vc+jwt envelope carries."""
    token = enveloped["id"].split(",", 1)[1]
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_concurrent_issues_are_stored_in_shared_batches(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = new_tenant(service)
    issued = _issue_at_once(service, tenant, [_command(n) for n in range(16)], monkeypatch)
    assert all(not isinstance(item, Exception) for item in issued), issued
    assert sequencer_of(service.store, group_commit.WRITES).largest_batch > 1
    for n in range(16):
        assert service.store.credential(tenant.id, f"urn:example:lot:{n}") is not None
    indexes = {_payload(item.secured)["credentialStatus"]["statusListIndex"] for item in issued}
    assert len(indexes) == 16
    events, previous = service.key_events(tenant, limit=1000)
    assert first_break(events, previous) is None
    assert sum(service.signature_counts(tenant).values()) == 16


def test_the_same_id_twice_at_once_stores_one_and_refuses_the_other_alone(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = new_tenant(service)
    commands = [_command(1), _command(1), _command(2)]
    issued = _issue_at_once(service, tenant, commands, monkeypatch)
    refused = [item for item in issued if isinstance(item, Exception)]
    assert len(refused) == 1, issued
    assert isinstance(refused[0], ConflictError)
    assert service.store.credential(tenant.id, "urn:example:lot:2") is not None
    assert sum(service.signature_counts(tenant).values()) == 2
    events, previous = service.key_events(tenant, limit=1000)
    assert first_break(events, previous) is None


class _FakeTransaction:
    @contextmanager
    def savepoint(self) -> Iterator[Callable[[], None]]:
        yield lambda: None


class _FakeStore:
    """A store whose commit fails: the database went away once the batch was written."""

    def __init__(self, commit_fails: bool) -> None:
        self.commit_fails = commit_fails

    @contextmanager
    def transaction(self) -> Iterator[_FakeTransaction]:
        yield _FakeTransaction()
        if self.commit_fails:
            raise StoreUnavailableError("the database is unavailable or busy; try again")


def _lost(tx: Any) -> str:
    raise OperationalError("INSERT", {}, Exception("connection lost"))


@pytest.mark.parametrize("commit_fails", [False, True], ids=["statement", "commit"])
def test_a_database_failure_fails_every_item_of_its_batch(commit_fails: bool) -> None:
    writes: list[Callable[[Any], str]] = [lambda tx: "a", lambda tx: "b"]
    if not commit_fails:
        writes.insert(1, _lost)
    batch = [group_commit._Grouped(("t", str(n)), write) for n, write in enumerate(writes)]
    group_commit._integrate(_FakeStore(commit_fails), batch)  # type: ignore[arg-type]
    for item in batch:
        with pytest.raises((StoreUnavailableError, OperationalError)):
            item.outcome()


def test_a_refusal_fails_only_its_item_whatever_the_order() -> None:
    def refused(tx: Any) -> str:
        raise ConflictError("refused")

    def ok(tx: Any) -> str:
        return "a"

    batch = [group_commit._Grouped(("t", "2"), refused), group_commit._Grouped(("t", "1"), ok)]
    group_commit._integrate(_FakeStore(False), batch)  # type: ignore[arg-type]
    assert batch[1].outcome() == "a"
    with pytest.raises(ConflictError):
        batch[0].outcome()
