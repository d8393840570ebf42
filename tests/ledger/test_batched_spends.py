"""Concurrent spends integrated in batches (:mod:`vcservice.service.sequencer`), on SQLite
and PostgreSQL: one winner per credit, every spend of distinct credits wins in one batch with
consecutive entries and receipts that verify, and an item failing inside a batch leaves the
others alone. The first batch is held open until every other spend is queued, so the next
one integrates them all together (what a busy service does by itself)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.backends import BACKENDS, backend_url, service_on
from vcservice.cli import app
from vcservice.dids import StaticResolver
from vcservice.errors import InsufficientCreditError
from vcservice.links import digest_document
from vcservice.registry import RECEIPT_PROPERTY, decode_receipt_text, read_receipt, verify_receipt
from vcservice.service import IssueCommand, Service
from vcservice.service.registry import Registry
from vcservice.service.sequencer import sequencer_of
from vcservice.store import ConflictError, Tenant

from .events import certified, link, make_event, move_event, product

PRODUCT = "https://id.smelter.example/01/07350000000019/10/LOT-{}"


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with service_on(backend_url(request, tmp_path), "https://ledger.example") as svc:
        svc.create_tenant("smelter")
        yield svc


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch, service: Service) -> Callable[[int], list[int]]:
    """Hold the first batch until ``waiting`` more spends are queued; the batch sizes seen."""
    sizes: list[int] = []
    integrate = Registry._integrate

    def arm(waiting: int) -> list[int]:
        def held(self: Registry, batch: list[Any]) -> None:
            if not sizes:
                deadline = time.monotonic() + 10
                while len(sequencer_of(service.store)._queue) < waiting:
                    assert time.monotonic() < deadline, "the spends were never queued"
                    time.sleep(0.005)
            sizes.append(len(batch))
            integrate(self, batch)

        monkeypatch.setattr(Registry, "_integrate", held)
        return sizes

    return arm


def _smelter(service: Service) -> Tenant:
    tenant = service.store.tenant_by_name("smelter")
    assert tenant is not None
    return tenant


def _open(service: Service, index: int, tonnes: float) -> dict[str, Any]:
    """A MakeEvent crediting ``tonnes`` of product ``index``, and a spend of all of it."""
    made = service.issue(
        _smelter(service),
        IssueCommand(make_event([product(PRODUCT.format(index), [certified(tonnes)])])),
    ).secured
    source = [link(f"https://smelter.example/make/{index}", digest_document(made))]
    return move_event(product(PRODUCT.format(index), [certified(tonnes, source=source)]))


def _spend_all(service: Service, commands: list[IssueCommand]) -> list[Any]:
    """Issue ``commands`` at once, one thread each (the first leads the held first batch):
    the issued credential or the exception."""
    tenant = _smelter(service)
    sequencer = sequencer_of(service.store)

    def one(command: IssueCommand) -> Any:
        try:
            return service.issue(tenant, command)
        except Exception as exc:  # the outcome under test
            return exc

    with ThreadPoolExecutor(len(commands)) as pool:
        first = pool.submit(one, commands[0])
        deadline = time.monotonic() + 10
        while not sequencer._leading:
            assert time.monotonic() < deadline, "the first spend never led a batch"
            time.sleep(0.005)
        rest = pool.map(one, commands[1:])  # submitted now, while the first batch is held
        return [first.result(), *rest]


def _audit_clean(service: Service) -> str:
    result = CliRunner().invoke(
        app, ["ledger", "verify", "--database", service.settings.database_url]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _verify_receipt(service: Service, secured: dict[str, Any]) -> None:
    resolver = StaticResolver({service.service_did: service.service_did_document()})
    events = secured["credentialSubject"]
    text = (events[0] if isinstance(events, list) else events)[RECEIPT_PROPERTY][0]
    verify_receipt(read_receipt(decode_receipt_text(text)), resolver)


def test_distinct_credits_all_win_in_one_batch(
    service: Service, batches: Callable[[int], list[int]]
) -> None:
    spends = [IssueCommand(_open(service, i, 1), format="eddsa-jcs-2022") for i in range(6)]
    before = service.store.ledger_head().count
    sizes = batches(len(spends) - 1)
    issued = _spend_all(service, spends)
    assert all(not isinstance(i, Exception) for i in issued), issued
    assert sizes[:2] == [1, 5]  # the held batch, then every other spend together
    # Each spend appended a debit and the consignee's credit: consecutive, audit clean.
    assert service.store.ledger_head().count == before + 2 * len(spends)
    assert "ledger intact" in _audit_clean(service)
    for credential in issued:
        _verify_receipt(service, credential.secured)


def test_one_credit_one_winner(service: Service, batches: Callable[[int], list[int]]) -> None:
    spend = _open(service, 0, 45)
    commands = [IssueCommand({**spend, "id": f"urn:uuid:spend-{i}"}) for i in range(12)]
    before = service.store.ledger_head().count
    batches(len(commands) - 1)
    outcomes = _spend_all(service, commands)
    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(won) == 1
    assert all(isinstance(o, InsufficientCreditError) for o in outcomes if o not in won)
    assert service.store.ledger_head().count == before + 2
    assert "ledger intact" in _audit_clean(service)


def test_a_failing_item_leaves_the_batch_alone(
    service: Service, batches: Callable[[int], list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spend refused after its batch's checkpoint was signed (its id is taken) is undone
    alone: the batch is done again without it, the others win, nothing of it is stored."""
    spends = [_open(service, i, 1) for i in range(4)]
    plain = {**make_event([product(PRODUCT.format(9), [certified(1)])]), "id": "urn:uuid:taken"}
    service.issue(_smelter(service), IssueCommand(plain))
    # The id is read as free before registering, as when a concurrent issue takes it between
    # that read and the batch (the read refuses it otherwise: see the next test).
    monkeypatch.setattr(service.store, "credential", lambda *_: None)
    commands = [IssueCommand(s, format="eddsa-jcs-2022") for s in spends[:3]]
    commands.append(IssueCommand({**spends[3], "id": "urn:uuid:taken"}))
    before = service.store.ledger_head().count
    sizes = batches(len(commands) - 1)
    outcomes = _spend_all(service, commands)
    assert all(not isinstance(o, Exception) for o in outcomes[:3]), outcomes
    assert isinstance(outcomes[3], ConflictError)
    assert sizes[:2] == [1, 3]
    assert service.store.ledger_head().count == before + 2 * 3
    assert "ledger intact" in _audit_clean(service)
    for credential in outcomes[:3]:
        _verify_receipt(service, credential.secured)


def test_a_taken_id_is_refused_before_anything_is_registered(service: Service) -> None:
    """A spend whose id the tenant already used is refused before its registration: no
    entry, no checkpoint (one shown to witnesses could not be taken back)."""
    spend = _open(service, 0, 1)
    plain = {**make_event([product(PRODUCT.format(9), [certified(1)])]), "id": "urn:uuid:taken"}
    service.issue(_smelter(service), IssueCommand(plain))
    head, checkpoint = service.store.ledger_head(), service.store.ledger_checkpoint()
    with pytest.raises(ConflictError, match="already issued"):
        service.issue(_smelter(service), IssueCommand({**spend, "id": "urn:uuid:taken"}))
    assert service.store.ledger_head() == head
    assert service.store.ledger_checkpoint() == checkpoint


def test_openings_are_posted_in_batches_too(
    service: Service, batches: Callable[[int], list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issues that only post (MakeEvents: an origin and a credit each) share batches as well;
    one refused inside a batch (its id is taken) is rolled back alone."""
    taken = {**make_event([product(PRODUCT.format(9), [certified(1)])]), "id": "urn:uuid:taken"}
    service.issue(_smelter(service), IssueCommand(taken))
    monkeypatch.setattr(service.store, "credential", lambda *_: None)  # taken meanwhile
    before = service.store.ledger_head().count
    commands = [
        IssueCommand(make_event([product(PRODUCT.format(i), [certified(1)])])) for i in range(4)
    ]
    commands.insert(2, IssueCommand({**taken, "id": "urn:uuid:taken"}))
    sizes = batches(len(commands) - 1)
    outcomes = _spend_all(service, commands)
    assert isinstance(outcomes[2], ConflictError)
    assert all(not isinstance(o, Exception) for i, o in enumerate(outcomes) if i != 2), outcomes
    assert sizes[:2] == [1, 4]
    assert service.store.ledger_head().count == before + 2 * 4
    assert "ledger intact" in _audit_clean(service)
