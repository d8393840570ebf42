"""The cost of a foreign spend (issue 15): a debit registered at its home over loopback HTTP,
against a local one, through the same service in the same run.

Two services, each ``vcservice serve --workers 1`` (:func:`bench.server.serve`, SQLite, with
``VCSERVICE_ALLOW_HTTP_LOOPBACK=true`` so they call each other's registries over plain http on
127.0.0.1): **A**, the home, and **B**, the spender. The holder is one tenant on both with its
own did:key (``tenants create --did-method key --key-file``). It opens a large credit on each
(a MakeEvent, :func:`bench.ledger.opening_event`): the one issued on A is homed at A, the one
issued on B at B. Then it spends, one request at a time through B, small debits
(:data:`SPEND_TONNES`, a crediting MoveEvent, :func:`bench.ledger.spend_event`) alternately

* **foreign**: of the credit homed at A, serving it (``options.sourceCredentials``): B verifies
  the served credential, signs a registration statement, ``POST {A}/registry/entries``, A
  verifies it, posts the debit and signs a receipt, B checks the receipt and embeds it;
* **local**: of the credit homed at B: registered in-process, in the transaction that stores
  the credential, with a receipt too.

Each figure is the time of one ``POST /credentials/issue`` on B as the client (this process,
httpx, keep-alive) sees it; the two kinds are interleaved, so a busy moment costs both alike.
The ratio of their medians is the target.
"""

from __future__ import annotations

import base64
import json
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench._timing import Timing, allowed_cpus, percentile
from bench.fixtures import signer
from bench.ledger import CATHODE, opening_event, spend_event
from bench.report import Results, ms
from bench.server import Server, serve
from tests.ledger.events import link
from vcservice.keys import KeyType, write_key_file
from vcservice.links import digest_document
from vcservice.registry import RECEIPT_PROPERTY, decode_receipt_text, read_receipt

SPEND_TONNES = 0.001
OPENED_TONNES = 1_000_000
LOOPBACK = {"VCSERVICE_ALLOW_HTTP_LOOPBACK": "true"}


@dataclass(frozen=True)
class FederationBudget:
    #: Timed spends of each kind (interleaved), after ``warmup`` untimed ones of each.
    spends: int
    warmup: int = 5


def _issue(client: httpx.Client, server: Server, body: dict[str, Any]) -> Any:
    answer = client.post(
        f"{server.url}/credentials/issue",
        json=body,
        headers={"Authorization": f"Bearer {server.api_key}"},
    )
    if answer.status_code != 201:
        raise RuntimeError(f"issue on {server.url} answered {answer.status_code}: {answer.text}")
    return answer.json()["verifiableCredential"]


def _service_did(client: httpx.Client, server: Server) -> str:
    return str(client.get(f"{server.url}/.well-known/did.json").json()["id"])


def _receipt_registries(served: Any) -> list[str]:
    """The registries whose receipts an issued vc+jwt carries."""
    payload = str(served["id"]).split(",", 1)[1].split(".")[1]
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    subjects = document["credentialSubject"]
    return [
        read_receipt(decode_receipt_text(text)).registry
        for subject in (subjects if isinstance(subjects, list) else [subjects])
        for text in subject.get(RECEIPT_PROPERTY, [])
    ]


def spend_bodies(
    client: httpx.Client, home: Server, spender: Server
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open the two credits; the foreign and the local spend request bodies, each checked once
    to carry the receipt of the home it should."""
    bodies = []
    for index, (where, served) in enumerate(((home, True), (spender, False))):
        product = CATHODE.format(f"home-{index}")
        opened = _issue(client, where, {"credential": opening_event(product, OPENED_TONNES)})
        source = [link(f"{where.url}/credentials/opening-{index}", digest_document(opened))]
        body: dict[str, Any] = {"credential": spend_event(product, SPEND_TONNES, source)}
        if served:
            body["options"] = {"sourceCredentials": [opened]}
        bodies.append(body)
    foreign, local = bodies
    for body, server in ((foreign, home), (local, spender)):
        expected = _service_did(client, server)
        carried = _receipt_registries(_issue(client, spender, body))
        if carried != [expected]:
            raise RuntimeError(f"a spend carries receipts of {carried}, not of {expected}")
    return foreign, local


def _stats(samples: Sequence[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    return {**Timing.of(list(ordered)).to_dict(), "p95_s": percentile(ordered, 95)}


def measure_spends(client: httpx.Client, spender: Server, foreign: dict[str, Any],
                   local: dict[str, Any], budget: FederationBudget) -> dict[str, Any]:  # fmt: skip
    """Alternate foreign and local spends through ``spender``; their figures."""
    samples: dict[str, list[float]] = {"foreign": [], "local": []}
    headers = {"Authorization": f"Bearer {spender.api_key}"}
    url = f"{spender.url}/credentials/issue"
    for round_ in range(budget.warmup + budget.spends):
        for kind, body in (("foreign", foreign), ("local", local)):
            start = time.perf_counter_ns()
            answer = client.post(url, json=body, headers=headers)
            elapsed = (time.perf_counter_ns() - start) / 1e9
            if answer.status_code != 201:
                raise RuntimeError(f"{kind} spend answered {answer.status_code}: {answer.text}")
            if round_ >= budget.warmup:
                samples[kind].append(elapsed)
    figures = {kind: _stats(values) for kind, values in samples.items()}
    figures["ratio"] = figures["foreign"]["median_s"] / figures["local"]["median_s"]
    figures["ratio_p95"] = figures["foreign"]["p95_s"] / figures["local"]["p95_s"]
    return figures


def _placement(cpu: int | None) -> tuple[list[int] | None, str]:
    """Both servers on the cores other than this process's (the client's), when there are."""
    others = [c for c in allowed_cpus() if c != cpu]
    if cpu is None or not others:
        return None, "not pinned: servers and client share every core"
    return others, f"servers A and B on cores {others}, client on core {cpu}"


def run(results: Results, budget: FederationBudget, cpu: int | None) -> None:
    table = results.table(
        "Foreign vs local spend: POST /credentials/issue on B, one at a time (1 worker each, "
        "SQLite, loopback)",
        "spend",
        "registered",
        "spends",
        "median",
        "p95",
        "p90",
    )
    cpus, where = _placement(cpu)
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vcbench-key-")))
        key_file = directory / "holder.key.json"
        write_key_file(key_file, signer(KeyType.ED25519, "federation holder"))
        home = stack.enter_context(
            serve(workers=1, cpus=cpus, key_file=key_file, extra_env=LOOPBACK)
        )
        spender = stack.enter_context(
            serve(workers=1, cpus=cpus, key_file=key_file, extra_env=LOOPBACK)
        )
        if home.did != spender.did:
            raise RuntimeError(f"the holder is {home.did} on A but {spender.did} on B")
        client = stack.enter_context(httpx.Client(timeout=120, trust_env=False))
        foreign, local = spend_bodies(client, home, spender)
        figures = measure_spends(client, spender, foreign, local, budget)
    results.figures["federation.spend"] = {**figures, "placement": where}
    for kind, registered in (
        ("foreign", "at A, over HTTP (POST /registry/entries)"),
        ("local", "at B, in-process"),
    ):
        f = figures[kind]
        table.add(kind, registered, f["runs"], ms(f["median_s"]), ms(f["p95_s"]), ms(f["p90_s"]))
    table.notes.append(
        f"Foreign / local: {figures['ratio']:.2f}× (medians), {figures['ratio_p95']:.2f}× "
        f"(p95). Each spend debits {SPEND_TONNES:g} t of a credit the holder (one did:key on "
        "both services) opened on A (foreign: served with the request, registered at A, whose "
        "receipt B checks and embeds) or on B (local); the two kinds alternate. Client-side "
        f"time per request, httpx keep-alive; {where}. No witnesses are configured."
    )
