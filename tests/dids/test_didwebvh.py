"""did:webvh 1.0: authoring, full-log verification, the resolver over the bounded fetcher.

Logs are written by our authoring functions (the DIF library underneath) with fixed times; the
negative cases break one rule each and expect that rule's error class and problem type.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.fakes import Host
from vcservice.dids import (
    DidWebvhResolver,
    WitnessRule,
    _webvh_log,
    create_did,
    deactivate_entry,
    did_document,
    did_web_alias,
    next_entry,
    next_key_hash,
    parallel_did_web,
    verify_log,
    webvh_urls,
    witness_file,
    witness_proof,
)
from vcservice.errors import (
    DidLogError,
    DidLogHashChainError,
    DidLogPreRotationError,
    DidLogScidError,
    DidLogUnauthorizedKeyError,
    DidLogWitnessError,
    InputError,
    ResolutionError,
)
from vcservice.keys import KeyPair

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DOMAIN = "acme.localhost%3A8443:dids:acme"


def doc(did: str, key: KeyPair, name: str) -> dict[str, Any]:
    document = did_document(did, [(name, key.public)])
    document["alsoKnownAs"] = [did_web_alias(did)]
    return document


@dataclass(frozen=True)
class Chain:
    did: str
    log: str
    keys: tuple[KeyPair, ...]


@pytest.fixture(scope="module")
def chain() -> Chain:
    """Created with k1; rotated to k2 without pre-rotation (committing to k3); rotated to k3
    under pre-rotation (ending it)."""
    k1, k2, k3 = (KeyPair.generate("ed25519") for _ in range(3))
    did, log = create_did(DOMAIN, lambda d: doc(d, k1, "key-1"), k1, now=T0)
    log += next_entry(
        log,
        doc(did, k2, "key-2"),
        k1,
        new_update_keys=[k2.public],
        next_key_hashes=[next_key_hash(k3.public)],
        now=T0 + DAY,
    )
    log += next_entry(log, doc(did, k3, "key-3"), k3, next_key_hashes=[], now=T0 + 2 * DAY)
    return Chain(did, log, (k1, k2, k3))


def key_of(document: dict[str, Any]) -> str:
    return str(document["verificationMethod"][0]["publicKeyMultibase"])


def test_history_has_every_version_with_its_key_and_time(chain: Chain) -> None:
    history = verify_log(chain.did, chain.log)
    assert [v.version_number for v in history.versions] == [1, 2, 3]
    assert [key_of(v.document) for v in history.versions] == [
        k.public.multibase for k in chain.keys
    ]
    assert [v.version_time for v in history.versions] == [T0, T0 + DAY, T0 + 2 * DAY]
    assert history.versions[0].valid_until == T0 + DAY
    assert history.current.valid_until is None
    assert history.at(T0 - DAY) is None
    assert history.at(T0 + DAY / 2) == history.versions[0]
    assert history.at(T0 + DAY) == history.versions[1]
    assert history.at(T0 + 30 * DAY) == history.current
    assert history.by_id(history.versions[1].version_id) == history.versions[1]


def test_deactivation_keeps_history_but_no_key_verifies_now(chain: Chain) -> None:
    k3 = chain.keys[2]
    log = chain.log + deactivate_entry(chain.log, k3, now=T0 + 3 * DAY)
    history = verify_log(chain.did, log)
    assert history.current.deactivated
    assert "assertionMethod" not in history.current.document
    assert "assertionMethod" in history.at(T0 + 2 * DAY + DAY / 2).document  # type: ignore[union-attr]
    with pytest.raises(InputError, match="deactivated"):
        next_entry(log, doc(chain.did, k3, "key-3"), k3, now=T0 + 4 * DAY)


def test_deactivation_under_pre_rotation_takes_two_entries() -> None:
    k1, k2 = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    did, log = create_did(
        DOMAIN,
        lambda d: doc(d, k1, "key-1"),
        k1,
        next_key_hashes=[next_key_hash(k2.public)],
        now=T0,
    )
    added = deactivate_entry(log, k2, now=T0 + DAY)
    assert added.count("\n") == 2
    history = verify_log(did, log + added)
    assert [v.deactivated for v in history.versions] == [False, False, True]


def test_parallel_did_web_names_each_other(chain: Chain) -> None:
    web = parallel_did_web(chain.log)
    web_did = "did:web:acme.localhost%3A8443:dids:acme"
    assert web["id"] == web_did
    assert web["alsoKnownAs"] == [chain.did]
    assert web["assertionMethod"] == [f"{web_did}#key-3"]
    assert {s["id"] for s in web["service"]} == {f"{web_did}#files", f"{web_did}#whois"}
    assert verify_log(chain.did, chain.log).current.document["alsoKnownAs"] == [web_did]


# --- refusals: one rule each --------------------------------------------------------------------
def lines(log: str) -> list[str]:
    return log.splitlines(keepends=True)


def refused(error: type[DidLogError], slug: str, did: str, log: str, **kw: Any) -> None:
    with pytest.raises(DidLogError) as caught:
        verify_log(did, log, **kw)
    assert type(caught.value) is error, caught.value
    assert caught.value.problem_type.endswith("/" + slug)


def test_broken_hash_chain(chain: Chain) -> None:
    entries = lines(chain.log)
    entries[1] = entries[1].replace('"key-2"', '"key-x"').replace("#key-2", "#key-x")
    refused(DidLogHashChainError, "did-log-hash-chain", chain.did, "".join(entries))


@pytest.mark.parametrize("version_id", ["1", "x-y", 7])
def test_a_malformed_version_id_is_an_invalid_log_not_a_crash(
    chain: Chain, version_id: object
) -> None:
    first, *rest = lines(chain.log)
    entry = json.loads(first)
    entry["versionId"] = version_id
    log = "".join([json.dumps(entry) + "\n", *rest])
    with pytest.raises(DidLogError, match="versionId"):
        verify_log(chain.did, log)


def test_wrong_scid(chain: Chain) -> None:
    other_scid = "QmWiBGP7tLGrHtpusKKwv9xSu2NHt4ibZp1bwD5aBjzL5R"
    other = chain.did.replace(chain.did.split(":")[2], other_scid)
    refused(DidLogScidError, "did-log-scid", other, chain.log)
    entries = lines(chain.log)
    entries[0] = entries[0].replace("#key-1", "#key-9")  # the genesis no longer hashes to the SCID
    refused(DidLogScidError, "did-log-scid", chain.did, "".join(entries))


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Authoring without its own resolver-side check, to write entries a resolver must refuse."""

    def line(state: Any, _previous: Any) -> str:
        return json.dumps(state.history_line()) + "\n"

    monkeypatch.setattr(_webvh_log, "_checked_line", line)


def test_update_signed_by_an_unauthorised_key(chain: Chain) -> None:
    intruder = KeyPair.generate("ed25519")
    with pytest.raises(DidLogUnauthorizedKeyError):  # authoring refuses it first
        next_entry(chain.log, doc(chain.did, intruder, "k"), intruder, now=T0 + 9 * DAY)


@pytest.mark.usefixtures("unchecked")
def test_update_signed_by_an_unauthorised_key_is_refused(chain: Chain) -> None:
    intruder = KeyPair.generate("ed25519")
    log = chain.log + next_entry(
        chain.log, doc(chain.did, intruder, "k"), intruder, now=T0 + 9 * DAY
    )
    refused(DidLogUnauthorizedKeyError, "did-log-unauthorized-key", chain.did, log)


@pytest.mark.usefixtures("unchecked")
def test_pre_rotation_violation(chain: Chain) -> None:
    k2 = chain.keys[1]
    committed = lines(chain.log)[:2]  # version 2 committed to k3
    log = "".join(committed)
    log += next_entry(log, doc(chain.did, k2, "key-2"), k2, next_key_hashes=[], now=T0 + 5 * DAY)
    refused(DidLogPreRotationError, "did-log-pre-rotation", chain.did, log)


def test_witness_threshold() -> None:
    key = KeyPair.generate("ed25519")
    w1, w2 = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    rule = WitnessRule(2, tuple(f"did:key:{w.public.multibase}" for w in (w1, w2)))
    did, log = create_did(DOMAIN, lambda d: doc(d, key, "key-1"), key, witnesses=rule, now=T0)
    version = json.loads(log)["versionId"]
    one = witness_file({version: [witness_proof(log, version, w1)]})
    both = witness_file({version: [witness_proof(log, version, w) for w in (w1, w2)]})
    refused(DidLogWitnessError, "did-log-witness", did, log, witness=one)
    refused(DidLogWitnessError, "did-log-witness", did, log)  # no did-witness.json at all
    assert verify_log(did, log, both).current.version_id == version


# --- where and how it is fetched ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("rest", "expected"),
    [  # the spec's examples (The DID to HTTPS Transformation)
        ("example.com", "https://example.com/.well-known/did.jsonl"),
        ("issuer.example.com", "https://issuer.example.com/.well-known/did.jsonl"),
        ("example.com:dids:issuer", "https://example.com/dids/issuer/did.jsonl"),
        ("example.com%3A3000:dids:issuer", "https://example.com:3000/dids/issuer/did.jsonl"),
        (
            "jp納豆.例.jp:用户",
            "https://xn--jp-cd2fp15c.xn--fsq.jp/%E7%94%A8%E6%88%B7/did.jsonl",
        ),
    ],
)
def test_webvh_urls_match_the_spec(rest: str, expected: str) -> None:
    scid = "QmWiBGP7tLGrHtpusKKwv9xSu2NHt4ibZp1bwD5aBjzL5R"
    log_url, witness_url = webvh_urls(f"did:webvh:{scid}:{rest}")
    assert log_url == expected
    assert witness_url == expected.removesuffix("did.jsonl") + "did-witness.json"


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com",
        "did:webvh:example.com",  # no SCID
        "did:webvh:QmWiBGP7tLGrHtpusKKwv9xSu2NHt4ibZp1bwD5aBjzL5R:10.0.0.1",
        "did:webvh:QmWiBGP7tLGrHtpusKKwv9xSu2NHt4ibZp1bwD5aBjzL5R:acme.localhost",  # loopback
        "did:webvh:QmWiBGP7tLGrHtpusKKwv9xSu2NHt4ibZp1bwD5aBjzL5R:example.com:..",
    ],
)
def test_webvh_urls_refuse(did: str) -> None:
    with pytest.raises(ResolutionError):
        webvh_urls(did)


def test_resolver_fetches_through_the_bounded_fetcher(chain: Chain) -> None:
    log_url = "http://acme.localhost:8443/dids/acme/did.jsonl"

    def serve(request: httpx.Request) -> httpx.Response:
        if str(request.url) == log_url:
            return httpx.Response(200, text=chain.log, headers={"Content-Type": "text/jsonl"})
        return httpx.Response(404)

    host = Host(serve)
    with httpx.Client(transport=httpx.MockTransport(host)) as client:
        resolver = DidWebvhResolver(client, allow_http_loopback=True)
        assert webvh_urls(chain.did, allow_http_loopback=True)[0] == log_url
        history = resolver.history(chain.did)
        assert len(history.versions) == 3
        document = resolver.resolve(chain.did)
        assert key_of(document) == chain.keys[2].public.multibase
        document["id"] = "mutated"
        assert resolver.resolve(chain.did)["id"] == chain.did
        assert [str(r.url) for r in host.requests] == [log_url]  # cached; no witness needed
        broken = DidWebvhResolver(client, allow_http_loopback=True, max_bytes=100)
        with pytest.raises(ResolutionError, match="larger than"):
            broken.history(chain.did)


def test_sync_api_under_a_running_event_loop(chain: Chain) -> None:
    async def inside() -> int:
        return len(verify_log(chain.did, chain.log).versions)

    assert asyncio.run(inside()) == 3
