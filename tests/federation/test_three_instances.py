"""Three independently run services, one federation: no credit is spent twice, anywhere.

A, B and C are separate ``vcservice serve`` processes with their own databases and vault
secrets, on loopback; each resolves the others' did:web over http. A (the smelter's platform)
asks B and C to witness its checkpoints. The mill trades on B and on C with one did:key (its
own key, brought to both platforms).

1. The smelter makes cathode on A and moves 20 t of its credit to the mill (local debits:
   the move carries A's receipt).
2. The mill spends 5 t on B: B registers the debit at A (the credit's home) and embeds the
   receipt; both B's and A's spent lookups say spent.
3. The mill tries to spend the remaining 15 t on B and on C at once: exactly one wins.
4. The mill moves a credit away (on B) and then tries to spend it on C: refused by B, its home.
5. 100 concurrent spends of one credit through B and C: exactly one succeeds, and A's
   balances are conserved.
6. A graph from A's, B's and C's credentials verifies the receipts; the same debit made by a
   platform that did not register (a second spend, signed with the mill's own key) fails
   ``massbalance.unregistered``.
7. A equivocates: a copy of A's database, served by a second process under A's identity,
   registers another debit; the witnesses B and C refuse to cosign it and keep the evidence.

The scenario runs on SQLite, and again with every instance on PostgreSQL.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.instances import Server, TenantSpec, start, stop, vcservice_command
from tests.ledger import events
from tests.ledger.events import CATHODE, certified, link, product
from tests.pg import find_bin_dir
from vcservice.dids import StaticResolver
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, Signer
from vcservice.keys._keyfile import write_key_file
from vcservice.ledger.postings import Charge, Source
from vcservice.ledger.spent import spent_key
from vcservice.links import digest_document
from vcservice.registry import (
    HOME_PROPERTY,
    RECEIPT_PROPERTY,
    Registration,
    decode_receipt_text,
    read_receipt,
    sign_registration,
    verify_cosignature,
    verify_receipt,
)

pytestmark = pytest.mark.network

WIRE = "https://id.mill.example/01/07350000000064/10/MKW-2026-031"
MAKE_URL = "https://a.example/credentials/make"
MOVE_URL = "https://a.example/credentials/move"
PROBLEMS = "https://vcservice.dev/problems/"
TONNE = 1_000_000_000


@dataclass
class Federation:
    a: Server
    b: Server
    c: Server
    mill_key: Signer
    client: httpx.Client

    def issue(self, server: Server, tenant: str, credential: Any, **options: Any) -> httpx.Response:
        return self.client.post(
            f"{server.url}/credentials/issue",
            json={"credential": credential, "options": options},
            headers={"Authorization": f"Bearer {server.tenant(tenant).api_key}"},
        )

    def did(self, server: Server) -> str:
        return str(self.client.get(f"{server.url}/.well-known/did.json").json()["id"])

    def resolver(self, *servers: Server) -> StaticResolver:
        """The servers' own DID documents, as a verifier would fetch them."""
        return StaticResolver(
            {self.did(s): self.client.get(f"{s.url}/.well-known/did.json").json() for s in servers}
        )


def _plain(credential: dict[str, Any]) -> dict[str, Any]:
    """The ledger tests' events as plain VerifiableCredentials: they carry the flows a ledger
    and a graph read, not every member UNTP's DigitalTraceabilityEvent schema requires (as in
    tests/graph/test_holders.py, whose graphs are about mass balance, not UNTP conformance)."""
    return {**credential, "type": ["VerifiableCredential"]}


def make_event(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return _plain(events.make_event(*args, **kwargs))


def move_event(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return _plain(events.move_event(*args, **kwargs))


def _vc(response: httpx.Response) -> Any:
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def _document(vc: Any) -> dict[str, Any]:
    """The credential a verifier reads: the payload of an enveloped vc+jwt."""
    payload = vc["id"].split(",", 1)[1].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _receipts(vc: Any) -> list[bytes]:
    subjects = _document(vc)["credentialSubject"]
    return [
        decode_receipt_text(text)
        for subject in (subjects if isinstance(subjects, list) else [subjects])
        for text in subject.get(RECEIPT_PROPERTY, [])
    ]


def _spend(source: Any, tonnes: float, url: str = MOVE_URL) -> dict[str, Any]:
    """The mill draws ``tonnes`` of the cathode's credit from ``source`` into wire."""
    links = [link(url, digest_document(source))]
    drawn = product(CATHODE, [certified(tonnes, source=links)], links)
    return make_event([product(WIRE, [certified(tonnes / 2)])], inputs=[drawn])


def _spent(federation: Federation, server: Server, digest: str) -> bool:
    salt = bytes.fromhex(federation.client.get(f"{server.url}/ledger/spent").json()["salt"])
    answer = federation.client.get(
        f"{server.url}/ledger/spent", params={"digest": spent_key(salt, digest)}
    )
    return bool(answer.json()["spent"])


def _problem(response: httpx.Response) -> str:
    body = response.json()
    home = body.get("homeProblem", {})
    return str(home.get("type", body["type"])).removeprefix(PROBLEMS)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def federation(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Federation]:
    keys = tmp_path_factory.mktemp("mill-key")
    mill_key = Signer.did_key(KeyPair.generate("ed25519"))
    key_file = keys / "mill.key.json"
    write_key_file(key_file, mill_key)
    own_key = ("--did-method", "key", "--key-file", str(key_file))
    a = Server("a", tmp_path_factory.mktemp("a"), [TenantSpec("smelter")])
    b = Server("b", tmp_path_factory.mktemp("b"), [TenantSpec("mill", own_key), TenantSpec("z")])
    c = Server("c", tmp_path_factory.mktemp("c"), [TenantSpec("mill", own_key)])
    a.extra_env["VCSERVICE_WITNESS_ENDPOINTS"] = f"{b.url}/registry,{c.url}/registry"
    for each in (a, b, c):  # a loaded CI machine is slow; an answer, not a timeout, is tested
        each.extra_env["VCSERVICE_REGISTRY_TIMEOUT"] = "30"
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        for each in (a, b, c):
            each.database_url = server.create_database()
    servers = [a, b, c]
    try:
        start(servers)
        with httpx.Client(timeout=60.0) as client:
            yield Federation(a, b, c, mill_key, client)
    finally:
        stop(servers)


@dataclass
class Chain:
    made: Any
    moved: Any


@pytest.fixture(scope="module")
def chain(federation: Federation) -> Chain:
    """Step 1: the smelter makes 20 t of certified cathode on A and moves it to the mill."""
    f = federation
    made = _vc(f.issue(f.a, "smelter", make_event([product(CATHODE, [certified(20)])])))
    moved = _vc(
        f.issue(
            f.a,
            "smelter",
            move_event(
                product(CATHODE, [certified(20, source=[link(MAKE_URL, digest_document(made))])]),
                consignee=f.mill_key.controller,
            ),
        )
    )
    return Chain(made, moved)


def test_credits_name_their_home_and_local_debits_carry_its_receipt(
    federation: Federation, chain: Chain
) -> None:
    f = federation
    home = _document(chain.made)["credentialSubject"][0][HOME_PROPERTY]
    assert home == {"id": f.did(f.a), "serviceEndpoint": f"{f.a.url}/registry"}
    (receipt,) = _receipts(chain.moved)
    read = read_receipt(receipt)
    verify_receipt(read, f.resolver(f.a))
    assert read.registry == f.did(f.a)
    (entry,) = read.entries
    assert entry.content["account"]["credentialDigest"] == digest_document(chain.made)
    assert entry.content["amountMg"] == str(20 * TONNE)
    # A asked B and C to witness the receipt's checkpoint; both cosigned that very root.
    cosigned = {
        verify_cosignature(jws, f.resolver(f.b, f.c)).witness: verify_cosignature(
            jws, f.resolver(f.b, f.c)
        )
        for jws in read.cosignatures
    }
    assert set(cosigned) == {f.did(f.b), f.did(f.c)}
    assert {(c.log, c.count, c.root_hash) for c in cosigned.values()} == {
        (f.did(f.a), read.tree_size, read.root.hex())
    }


def test_a_spend_on_another_platform_is_registered_at_the_home(
    federation: Federation, chain: Chain
) -> None:
    f = federation
    spent = _vc(f.issue(f.b, "mill", _spend(chain.moved, 5), sourceCredentials=[chain.moved]))
    (receipt,) = _receipts(spent)
    read = read_receipt(receipt)
    verify_receipt(read, f.resolver(f.a))
    assert read.registry == f.did(f.a)
    assert read.entries[0].content["account"]["holder"] == f.mill_key.controller
    assert read.entries[0].content["amountMg"] == str(5 * TONNE)
    moved = digest_document(chain.moved)
    assert _spent(f, f.a, moved)  # the home's account
    assert _spent(f, f.b, moved)  # the registered spend, counted where it was made
    assert not _spent(f, f.c, moved)


def test_the_remainder_spent_on_two_platforms_at_once_wins_once(
    federation: Federation, chain: Chain
) -> None:
    f = federation
    answers: dict[str, httpx.Response] = {}

    def spend(server: Server) -> None:
        answers[server.name] = f.issue(
            server, "mill", _spend(chain.moved, 15), sourceCredentials=[chain.moved]
        )

    threads = [threading.Thread(target=spend, args=(s,)) for s in (f.b, f.c)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in answers.values())
    assert statuses == [201, 409], {k: r.text for k, r in answers.items()}
    refused = next(r for r in answers.values() if r.status_code == 409)
    assert refused.json()["type"] == PROBLEMS + "registry.refused"
    assert _problem(refused) == "ledger.insufficient-credit"
    # and nothing is left for a third try, on either platform
    again = f.issue(f.c, "mill", _spend(chain.moved, 1), sourceCredentials=[chain.moved])
    assert again.status_code == 409
    assert _problem(again) == "ledger.insufficient-credit"


def test_a_credit_moved_away_cannot_be_spent_elsewhere(federation: Federation) -> None:
    """The mill makes wire on B (credits homed at B), moves them to z on B, then tries to
    spend the moved credit on C: C registers at B, which refuses: the mill no longer holds it."""
    f = federation
    wire = _vc(f.issue(f.b, "mill", make_event([product(WIRE, [certified(3)])])))
    moved = _vc(
        f.issue(
            f.b,
            "mill",
            move_event(
                product(WIRE, [certified(3, source=[link(MAKE_URL, digest_document(wire))])]),
                consignee=f.b.tenant("z").did,
            ),
        )
    )
    drawn = product(WIRE, [certified(3, source=[link(MOVE_URL, digest_document(moved))])])
    again = f.issue(
        f.c,
        "mill",
        make_event([product(CATHODE, [certified(1)])], inputs=[drawn]),
        sourceCredentials=[moved],
    )
    assert again.status_code == 409, again.text
    assert again.json()["type"] == PROBLEMS + "registry.refused"
    assert _problem(again) == "ledger.not-holder"
    assert f.did(f.b) in again.json()["detail"]


def _credit_to_mill(f: Federation, tonnes: float) -> Any:
    """A fresh credit of ``tonnes`` made by the smelter on A and moved to the mill."""
    made = _vc(f.issue(f.a, "smelter", make_event([product(CATHODE, [certified(tonnes)])])))
    return _vc(
        f.issue(
            f.a,
            "smelter",
            move_event(
                product(
                    CATHODE, [certified(tonnes, source=[link(MAKE_URL, digest_document(made))])]
                ),
                consignee=f.mill_key.controller,
            ),
        )
    )


def test_a_hundred_concurrent_spends_through_two_platforms_win_once(
    federation: Federation, tmp_path: Path
) -> None:
    f = federation
    moved = _credit_to_mill(f, 10)
    statuses: list[int] = []
    problems: list[str] = []
    lock = threading.Lock()

    def spend(server: Server) -> None:
        with httpx.Client(timeout=120.0) as client:
            response = client.post(
                f"{server.url}/credentials/issue",
                json={"credential": _spend(moved, 10), "options": {"sourceCredentials": [moved]}},
                headers={"Authorization": f"Bearer {server.tenant('mill').api_key}"},
            )
        with lock:
            statuses.append(response.status_code)
            if response.status_code != 201:
                problems.append(_problem(response))

    threads = [threading.Thread(target=spend, args=(s,)) for s in [f.b, f.c] * 50]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(201) == 1, Counter(statuses)
    # every other answer is the home's refusal, or "busy, try again" (nothing written)
    assert set(problems) <= {"ledger.insufficient-credit", "busy", "registry.unavailable"}, Counter(
        problems
    )
    assert "ledger.insufficient-credit" in problems
    salt = bytes.fromhex(f.client.get(f"{f.a.url}/ledger/spent").json()["salt"])
    answer = f.client.get(
        f"{f.a.url}/ledger/spent", params={"digest": spent_key(salt, digest_document(moved))}
    ).json()
    assert answer == {"spent": True, "fullySpent": True}
    # conservation, audited offline: A's ledger replays to exactly its accounts
    audit = subprocess.run(
        [vcservice_command(), "ledger", "verify"],
        env=f.a.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "ledger intact" in audit.stdout


def _graph(f: Federation, root: Any, documents: dict[str, Any]) -> dict[str, Any]:
    response = f.client.post(
        f"{f.a.url}/graphs/verify",
        json={
            "type": "ProvenanceGraphBundle",
            "root": root,
            "trustAnchors": ["did:web:accreditation.example"],
            "documents": documents,
        },
    )
    assert response.status_code in (200, 422), response.text
    report: dict[str, Any] = response.json()
    return report


def _failed(report: dict[str, Any]) -> set[str]:
    return {check["id"] for check in report["errors"] if check["outcome"] == "failed"}


def test_a_graph_verifies_only_where_every_debit_carries_the_home_receipt(
    federation: Federation,
) -> None:
    """Spent on B with A's receipt: registered. The same credit spent again by a platform
    that does not register (a credential the mill signs itself, consistent on its own):
    massbalance.unregistered, although that graph balances."""
    f = federation
    moved = _credit_to_mill(f, 8)
    made = _vc(f.issue(f.b, "mill", _spend(moved, 8), sourceCredentials=[moved]))
    documents = {MOVE_URL: moved}
    honest = _graph(f, made, documents)
    assert not {c for c in _failed(honest) if c.startswith(("schema.", "massbalance."))}, [
        (e.get("path"), e["problem"]["detail"][:300]) for e in honest["errors"]
    ]
    registered = [a for a in honest["accounts"] if a.get("registry") == f.did(f.a)]
    assert registered, honest["accounts"]
    assert "massbalance.overallocated" not in _failed(honest)

    second = issue_credential(
        _spend(moved, 8), f.mill_key, "vc+jwt", loader=bundled_loader()
    )  # never registered at A, which would refuse it: the credit is spent
    split = _graph(f, second, documents)
    assert "massbalance.unregistered" in _failed(split), split["errors"]
    assert "massbalance.overallocated" not in _failed(split)  # each graph balances alone


def _copy_postgres(request: pytest.FixtureRequest, url: str) -> str:
    """A new database holding what ``url``'s holds now (pg_dump | psql, one snapshot)."""
    server = request.getfixturevalue("postgres_server")
    copy: str = server.create_database()
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    source, target = (u.replace("postgresql+psycopg://", "postgresql://") for u in (url, copy))
    dump = subprocess.run(
        [bin_dir / "pg_dump", "--no-owner", source], capture_output=True, check=True, timeout=60
    )
    subprocess.run(
        [bin_dir / "psql", "--quiet", "--set", "ON_ERROR_STOP=1", target],
        input=dump.stdout,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return copy


def test_an_equivocating_home_is_caught_by_its_witnesses(
    federation: Federation, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    f = federation
    moved = _credit_to_mill(f, 4)
    fork = Server("a-fork", tmp_path / "fork", public_url=f.a.url, secret=f.a.secret)
    fork.directory.mkdir()
    fork.extra_env = dict(f.a.extra_env)
    if f.a.database_url:  # a consistent copy of A's ledger as it stands
        fork.database_url = _copy_postgres(request, f.a.database_url)
    else:
        with (
            sqlite3.connect(f.a.directory / "vcservice.db") as live,
            sqlite3.connect(fork.directory / "vcservice.db") as copy,
        ):
            live.backup(copy)
    # A goes on: the mill spends 1 t on B (registered at A, cosigned by B and C)
    _vc(f.issue(f.b, "mill", _spend(moved, 1), sourceCredentials=[moved]))
    start([fork])
    try:
        # The fork (A's identity and key) registers another 3 t: a log A never had.
        debit = Charge(
            product=CATHODE,
            kind="carbonFootprint",
            amount_mg=3 * TONNE,
            sources=(Source(MOVE_URL, digest_document(moved)),),
            pointer="/credentialSubject/0/inputProduct/0/product/certifiedProperty/0",
        )
        statement = sign_registration(
            Registration(
                f.did(f.a), f.mill_key.controller, "urn:uuid:fork", "zForkDigest", (debit,)
            ),
            f.mill_key,
            datetime.now(UTC),
        )
        forked = f.client.post(
            f"{fork.url}/registry/entries",
            content=statement,
            headers={"Content-Type": "application/cose"},
        )
        assert forked.status_code == 201, forked.text
        assert read_receipt(forked.content).cosignatures == ()  # no witness cosigned the fork
    finally:
        stop([fork])
    for witness in (f.b, f.c):
        seen = f.client.get(f"{witness.url}/registry/witness").json()
        (caught,) = [e for e in seen["equivocations"] if e["log"] == f.did(f.a)]
        assert "two roots" in caught["detail"], caught
