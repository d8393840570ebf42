"""Regressions from the review of the graph verifier: double spends it missed, credits it did
not question, shapes that raised, and inputs that made it work without bound."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.graph.test_walk import AT, BASE, SIGNER, link
from vcservice.errors import ResolutionError
from vcservice.graph import Bundle, GraphLimits, GraphVerifier
from vcservice.graph import _trust as trust
from vcservice.graph import _walk as walk
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.links import served_bytes

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
    "https://w3id.org/critical-minerals/v1",
]


def issue(name: str, subject: dict[str, Any]) -> Any:
    document = {
        "@context": CONTEXT,
        "type": ["VerifiableCredential"],
        "id": f"urn:example:{name}",
        "issuer": SIGNER.verification_method.split("#")[0],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return issue_credential(document, SIGNER, "vc+jwt", loader=bundled_loader(), clock=lambda: AT)


def move(name: str, kg: float, sources: Any = None, *, on: str = "product", **prop: Any) -> Any:
    credit = {"propertyKind": "responsibleSourcing", "creditQuantity": {"value": kg, "unit": "KGM"}}
    credit.update(prop)
    product = {"id": "urn:p:1", "name": "p", "certifiedProperty": [credit]}
    if sources is not None:
        (product if on == "product" else credit)["sourceCredential"] = sources
    subject = {
        "type": ["MoveEvent"],
        "id": f"urn:ev:{name}",
        "transferKind": "credit",
        "movedProduct": [{"product": product}],
    }
    return issue(name, subject)


def root_over(documents: dict[str, Any], *urls: str) -> str:
    links = [link(url, documents[url]) for url in urls]
    documents[BASE + "root"] = issue(
        "root", {"type": ["Product"], "id": "urn:p:root", "name": "r", "sourceCredential": links}
    )
    return BASE + "root"


def verify(documents: dict[str, Any], root: str, **kwargs: Any) -> Any:
    return GraphVerifier(**kwargs).verify(
        root, trust_anchors=["did:example:anchor"], bundle=Bundle(documents), at=AT
    )


def test_one_credential_served_at_two_urls_is_one_account() -> None:
    base = move("m0", 100)
    documents = {BASE + "m0": base, BASE + "m0-mirror": base}
    documents[BASE + "c1"] = move("c1", 100, [link(BASE + "m0", base)])
    documents[BASE + "c2"] = move("c2", 100, [link(BASE + "m0-mirror", base)])
    report = verify(documents, root_over(documents, BASE + "c1", BASE + "c2"))
    assert "massbalance.overallocated" in report.failed_ids()
    (account,) = [a for a in report.accounts if a["spentKg"]]
    assert account["spentKg"] == 200


@pytest.mark.parametrize("on", ["product", "credit"])
def test_a_single_link_object_is_charged_like_a_list_of_one(on: str) -> None:
    base = move("m0", 100)
    documents = {BASE + "m0": base}
    single = link(BASE + "m0", base)
    documents[BASE + "c1"] = move("c1", 100, single, on=on)
    documents[BASE + "c2"] = move("c2", 100, single, on=on)
    report = verify(documents, root_over(documents, BASE + "c1", BASE + "c2"))
    assert "massbalance.overallocated" in report.failed_ids()


@pytest.mark.parametrize(
    "attested_by",
    [
        None,
        [{"linkURL": BASE + "c.pdf", "linkName": "PDF", "mediaType": "application/pdf"}],
        [{"linkURL": BASE + "other", "linkName": "no digest, no media type"}],
    ],
    ids=["absent", "pdf", "not-followed"],
)
def test_a_credit_with_no_attestation_in_the_graph_is_unattested(attested_by: Any) -> None:
    prop = {"pcfExcludingBiogenicUptake": 0.01}
    if attested_by is not None:
        prop["attestedBy"] = attested_by
    credential = issue(
        "m",
        {
            "type": ["MoveEvent"],
            "id": "urn:ev:m",
            "transferKind": "credit",
            "movedProduct": [
                {
                    "product": {
                        "id": "urn:p:1",
                        "name": "p",
                        "certifiedProperty": [
                            {
                                "propertyKind": "carbonFootprint",
                                "creditQuantity": {"value": 100, "unit": "KGM"},
                                **prop,
                            }
                        ],
                    }
                }
            ],
        },
    )
    report = verify({BASE + "m": credential}, BASE + "m")
    assert "claims.unattested" in report.failed_ids()


def test_failed_fetches_count_against_the_node_limit_and_are_not_repeated() -> None:
    calls: list[str] = []

    class Down:
        def fetch(self, url: str) -> Any:
            calls.append(url)
            raise ResolutionError(f"could not fetch {url}: down")

    dead = [{"linkURL": BASE + "dead", "mediaType": "application/vc+jwt"}] * 50
    dead += [{"linkURL": BASE + f"dead{i}", "mediaType": "application/vc+jwt"} for i in range(50)]
    root = issue(
        "root", {"type": ["Product"], "id": "urn:p:r", "name": "r", "sourceCredential": dead}
    )
    report = GraphVerifier(fetcher=Down(), limits=GraphLimits(max_nodes=10)).verify(
        root, trust_anchors=[], at=AT
    )
    assert len(calls) == 10
    assert calls.count(BASE + "dead") == 1
    assert "graph.node-limit" in report.failed_ids()


def test_a_credential_linked_many_times_is_hashed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    base = move("m0", 1)
    documents = {BASE + "m0": base}
    links = [link(BASE + "m0", base)] * 200
    documents[BASE + "root"] = issue(
        "root", {"type": ["Product"], "id": "urn:p:r", "name": "r", "sourceCredential": links}
    )
    hashed: list[Any] = []

    def hashing(value: Any) -> bytes:
        hashed.append(value)
        return served_bytes(value)

    monkeypatch.setattr(walk, "served_bytes", hashing)
    report = verify(documents, BASE + "root")
    assert len(report.edges) == 200
    assert len(hashed) == 2  # the root and m0


def test_bodies_accrediting_each_other_do_not_make_the_trust_search_explode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    real = trust._Anchoring._path

    def counted(self: Any, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(self, *args)

    monkeypatch.setattr(trust._Anchoring, "_path", counted)
    dids = [f"did:example:body{i}" for i in range(30)]
    accreditations = {
        did: [
            trust.Accreditation(
                type("N", (), {"issuer": other, "document": {"validFrom": None}})(),
                {"id": did},
            )
            for other in dids
            if other != did
        ]
        for did in dids
    }
    anchoring = trust._Anchoring(("did:example:anchor",), accreditations)
    assert anchoring.path(dids[0], None) is None
    assert calls <= len(dids) * (trust.MAX_CHAIN + 1)


@pytest.mark.parametrize(
    "subject",
    [
        {"type": {}, "id": "urn:x"},
        {"type": [{}], "id": "urn:x"},
        {"type": ["MakeEvent"], "inputProduct": {"product": {"id": 5}}, "outputProduct": "x"},
        {
            "type": ["MoveEvent"],
            "transferKind": "credit",
            "movedProduct": [
                {
                    "product": {
                        "id": "urn:p",
                        "certifiedProperty": {
                            "propertyKind": "carbonFootprint",
                            "creditQuantity": {"value": 1e303, "unit": "KTN"},
                            "pcfExcludingBiogenicUptake": 1e308,
                        },
                    }
                }
            ],
        },
    ],
    ids=["type-object", "type-list-of-object", "odd-shapes", "out-of-range"],
)
def test_odd_shapes_are_reported_never_raised(subject: dict[str, Any]) -> None:
    document = {
        "@context": CONTEXT,
        "type": ["VerifiableCredential", "DigitalTraceabilityEvent"],
        "issuer": "did:example:x",
        "credentialSubject": subject,
    }
    report = GraphVerifier(schemas=False).verify(document, trust_anchors=[], at=AT)
    json.dumps(report.to_dict(), allow_nan=False)
    assert not report.verified
