"""The walk on small synthetic graphs: links followed once, digests checked per link, cycles,
limits and unreachable links reported with their own check ids, bundles and presentations."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from vcservice.dids import did_key_for
from vcservice.errors import ResolutionError
from vcservice.graph import Bundle, GraphLimits, GraphVerifier, bundle_from_presentation
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.links import digest_document

AT = datetime(2026, 6, 1, tzinfo=UTC)
BASE = "https://credentials.example.org/"


def _signer(label: str = "walk") -> Signer:
    key = KeyPair.from_secret(KeyType.ED25519, hashlib.sha256(label.encode()).digest())
    did = did_key_for(key.public)
    return Signer(key, f"{did}#{key.public.multibase}")


SIGNER = _signer()


def link(url: str, served: Any | None = None, digest: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "linkURL": url,
        "linkName": "upstream",
        "mediaType": "application/vc+jwt",
    }
    if served is not None:
        out["digestMultibase"] = digest_document(served)
    if digest is not None:
        out["digestMultibase"] = digest
    return out


def credential(name: str, links: list[dict[str, Any]], fmt: str = "vc+jwt") -> Any:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://vocabulary.uncefact.org/untp/0.7.0/context/",
            "https://w3id.org/critical-minerals/v1",
        ],
        "type": ["VerifiableCredential"],
        "id": f"urn:example:{name}",
        "issuer": SIGNER.verification_method.split("#")[0],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["Product"],
            "id": f"https://example.org/products/{name}",
            "name": name,
            "sourceCredential": links,
        },
    }
    return issue_credential(
        document,
        SIGNER,
        fmt,
        loader=bundled_loader(),
        clock=lambda: datetime(2026, 1, 1, tzinfo=UTC),
    )


def chain(length: int) -> dict[str, Any]:
    """URL → served credential for a straight chain c0 ← c1 ← ... (c{length-1} is the root)."""
    documents: dict[str, Any] = {}
    previous: Any = None
    for index in range(length):
        links = [] if previous is None else [link(BASE + f"c{index - 1}", previous)]
        previous = documents[BASE + f"c{index}"] = credential(f"c{index}", links)
    return documents


def verify(documents: dict[str, Any], root: str, **kwargs: Any) -> Any:
    verifier = GraphVerifier(**kwargs)
    return verifier.verify(
        root, trust_anchors=["did:example:anchor"], bundle=Bundle(documents), at=AT
    )


def ids(report: Any, outcome: str = "failed") -> set[str]:
    return {c.id for c in report.all_checks() if c.outcome.value == outcome}


def test_a_chain_is_walked_once_per_credential_with_every_digest_checked() -> None:
    documents = chain(5)
    report = verify(documents, BASE + "c4")
    assert set(report.nodes) == set(documents)
    assert [e.digest for e in report.edges] == ["passed"] * 4
    assert {n.depth for n in report.nodes.values()} == {0, 1, 2, 3, 4}
    assert report.verified, [c.to_dict() for c in report.errors]


def test_a_shared_upstream_is_verified_once_and_each_link_to_it_checked() -> None:
    documents = chain(1)
    base = documents[BASE + "c0"]
    documents[BASE + "a"] = credential("a", [link(BASE + "c0", base)])
    documents[BASE + "b"] = credential("b", [link(BASE + "c0", base)])
    documents[BASE + "top"] = credential(
        "top", [link(BASE + "a", documents[BASE + "a"]), link(BASE + "b", documents[BASE + "b"])]
    )
    report = verify(documents, BASE + "top")
    assert len(report.nodes) == 4
    assert len(report.edges) == 4
    assert "graph.cycle" not in ids(report)
    assert report.verified


def test_a_tampered_upstream_fails_the_link_digest_where_it_is_linked() -> None:
    documents = chain(3)
    documents[BASE + "c0"] = credential("c0-reissued", [])
    report = verify(documents, BASE + "c2")
    failed = [c for c in report.errors if c.id == "links.digest"]
    assert len(failed) == 1
    assert failed[0].path == BASE + "c1#/credentialSubject/sourceCredential/0"
    assert "changed after the link was made" in failed[0].problem.detail
    assert not report.verified


def test_a_malformed_digest_fails_the_link_rather_than_being_skipped() -> None:
    documents = chain(1)
    documents[BASE + "top"] = credential("top", [link(BASE + "c0", digest="zNotAMultihash")])
    report = verify(documents, BASE + "top")
    assert "links.digest" in ids(report)


def test_a_link_without_digest_is_followed_with_a_warning() -> None:
    documents = chain(1)
    documents[BASE + "top"] = credential("top", [link(BASE + "c0")])
    report = verify(documents, BASE + "top")
    assert "links.unpinned" in ids(report, "warning")
    assert len(report.nodes) == 2
    assert report.verified


def test_a_link_back_to_an_ancestor_is_a_cycle_and_is_not_followed() -> None:
    draft = credential("a-draft", [])
    documents = {BASE + "b": credential("b", [link(BASE + "a", draft)])}
    documents[BASE + "a"] = credential("a", [link(BASE + "b", documents[BASE + "b"])])
    report = verify(documents, BASE + "a")
    assert ids(report) == {"graph.cycle"}
    cycle = next(c for c in report.errors if c.id == "graph.cycle")
    assert cycle.path == BASE + "b#/credentialSubject/sourceCredential/0"
    assert [e.digest for e in report.edges] == ["passed", "cycle"]


def test_the_node_limit_stops_the_walk_and_is_reported_once() -> None:
    documents = chain(10)
    fetched: list[str] = []

    class Recorder:
        def fetch(self, url: str) -> Any:
            fetched.append(url)
            raise ResolutionError("offline")

    report = verify(documents, BASE + "c9", limits=GraphLimits(max_nodes=4), fetcher=Recorder())
    assert len(report.nodes) == 4
    assert [c.id for c in report.errors] == ["graph.node-limit"]
    assert fetched == []


def test_a_request_can_narrow_the_limits_but_never_widen_them() -> None:
    documents = chain(6)
    verifier = GraphVerifier(limits=GraphLimits(max_nodes=5))
    wide = verifier.verify(
        BASE + "c5", trust_anchors=[], bundle=Bundle(documents), at=AT, options={"maxNodes": 99}
    )
    assert "graph.node-limit" in ids(wide)
    narrow = verifier.verify(
        BASE + "c5", trust_anchors=[], bundle=Bundle(documents), at=AT, options={"maxDepth": 2}
    )
    assert ids(narrow) == {"graph.depth-limit"}
    assert max(n.depth for n in narrow.nodes.values()) == 2


def test_a_link_outside_the_bundle_is_unreachable_when_offline() -> None:
    documents = chain(1)
    documents[BASE + "top"] = credential(
        "top", [link("https://credentials.gone.example/x", documents[BASE + "c0"])]
    )
    report = verify(documents, BASE + "top")
    unreachable = [c for c in report.errors if c.id == "links.unreachable"]
    assert len(unreachable) == 1
    assert unreachable[0].outcome.value == "indeterminate"
    assert "over the network is off" in unreachable[0].problem.detail
    assert not report.verified


def test_links_outside_the_bundle_go_to_the_fetcher() -> None:
    documents = chain(2)
    remote = {BASE + "c0": documents.pop(BASE + "c0")}

    class Remote:
        def fetch(self, url: str) -> Any:
            return remote[url]

    report = verify(documents, BASE + "c1", fetcher=Remote())
    assert report.verified
    assert len(report.nodes) == 2


def test_an_unreachable_root_is_reported_not_raised() -> None:
    report = verify({}, BASE + "nowhere")
    assert [c.id for c in report.errors] == ["links.unreachable"]
    assert not report.verified


def test_a_root_given_inline_takes_its_url_from_the_bundle() -> None:
    documents = chain(2)
    report = GraphVerifier().verify(
        documents[BASE + "c1"], trust_anchors=[], bundle=Bundle(documents), at=AT
    )
    assert report.root == BASE + "c1"
    inline = GraphVerifier().verify(documents[BASE + "c0"], trust_anchors=[], at=AT)
    assert inline.root == "root"


def test_a_presentation_supplies_upstream_credentials_by_digest() -> None:
    documents = chain(3)
    presentation = {
        "verifiableCredential": [documents[BASE + "c0"], documents[BASE + "c1"]],
    }
    report = GraphVerifier().verify(
        documents[BASE + "c2"],
        trust_anchors=[],
        bundle=bundle_from_presentation(presentation),
        at=AT,
    )
    assert len(report.nodes) == 3
    assert report.verified


def test_a_link_to_a_pdf_is_not_followed() -> None:
    documents = chain(1)
    pdf = {
        "linkURL": "https://example.org/c.pdf",
        "linkName": "PDF",
        "mediaType": "application/pdf",
    }
    documents[BASE + "top"] = credential("top", [pdf, link(BASE + "c0", documents[BASE + "c0"])])
    report = verify(documents, BASE + "top")
    assert [e.target for e in report.edges] == [BASE + "c0"]


@pytest.mark.parametrize("fmt", ["vc+jwt", "eddsa-rdfc-2022"])
def test_report_json_names_nodes_edges_and_outcomes(fmt: str) -> None:
    base = credential("c0", [], fmt)
    documents = {BASE + "c0": base, BASE + "top": credential("top", [link(BASE + "c0", base)])}
    body = verify(documents, BASE + "top").to_dict()
    assert body["verified"] is True
    assert body["summary"]["nodes"] == 2
    assert [n["outcome"] for n in body["nodes"]] == ["passed", "passed"]
    assert body["edges"][0]["from"] == BASE + "top"
    assert body["edges"][0]["digest"] == "passed"
