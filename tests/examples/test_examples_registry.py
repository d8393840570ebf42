"""The example chains' credit registries (examples/build.py; issue 15): every credential that
opens credits names its home, the platform registry of its issuer, and the chain spans several;
every debit of a homed credit carries a receipt from that home that verifies, is cosigned by the
chain's witness and proves exactly the debits the ledger reads in the credential; and each
``massbalance.unregistered.<case>`` variant breaks the receipts of one debit, and only of that
one, in the way its name says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from vcservice.dids import StaticResolver, did_web_for
from vcservice.errors import ReceiptError
from vcservice.graph import Bundle, GraphReport, GraphVerifier, load_bundle
from vcservice.ledger.postings import Charge, postings_of
from vcservice.registry import (
    RECEIPT_PROPERTY,
    Receipt,
    decode_receipt_text,
    home_of,
    read_receipt,
    registration_digest,
    verify_cosignature,
    verify_receipt,
)
from vcservice.schema_validation import unwrap_credential

EXAMPLES = REPO / "examples"
CHAINS = ("copper", "steel")
AT = datetime(2026, 6, 1, tzinfo=UTC)
UNREGISTERED = "massbalance.unregistered"
CASES = (
    "no-receipt",
    "forged-receipt",
    "wrong-amount",
    "wrong-holder",
    "second-spend",
    "equivocation",
)
#: Per chain: the credential whose receipts the variants break, and the one before it that
#: drew on the same home (whose receipt the equivocating home contradicts).
TARGET = {"copper": "make-wire", "steel": "make-chassis"}
EARLIER = {"copper": "move-cathode-cu80", "steel": "move-coil-lowcarbon"}
WITNESS = {
    "copper": "did:web:witness.nordicmetals.example",
    "steel": "did:web:witness.steelcert.example",
}


def _bundle(path: Path) -> Bundle:
    return load_bundle(path)


def _documents(bundle: Bundle) -> dict[str, dict[str, Any]]:
    """URL → the credential (unwrapped from its envelope)."""
    return {url: unwrap_credential(served)[0] for url, served in bundle.documents.items()}


def _events(document: dict[str, Any]) -> list[dict[str, Any]]:
    subject = document["credentialSubject"]
    return subject if isinstance(subject, list) else [subject]


def _receipts(document: dict[str, Any]) -> list[Receipt]:
    return [
        read_receipt(decode_receipt_text(text))
        for event in _events(document)
        for text in event.get(RECEIPT_PROPERTY, [])
    ]


def _url(bundle: Bundle, stem: str) -> str:
    (url,) = [u for u in bundle.documents if u.rsplit("/", 1)[1] == stem]
    return url


def _homed(
    documents: dict[str, dict[str, Any]], document: dict[str, Any]
) -> Iterator[tuple[Charge, str, str]]:
    """(charge, home DID, account digest) of each debit of ``document`` that draws on a homed
    credit: charged, like the ledger does, to the first source opening an account of its
    kind (and product)."""
    for charge in postings_of(document).charges:
        for source in charge.sources:
            opener = documents.get(source.url)
            if opener is None or not any(
                o.kind == charge.kind and (charge.product is None or o.product == charge.product)
                for o in postings_of(opener).openings
            ):
                continue
            home = home_of(opener)
            if home is not None:
                yield charge, home.did, source.digest
            break


def _verify(bundle: Bundle, options: dict[str, Any] | None = None) -> GraphReport:
    assert bundle.root is not None
    return GraphVerifier().verify(
        bundle.root, trust_anchors=bundle.trust_anchors, bundle=bundle, options=options
    )


@pytest.mark.parametrize("chain", CHAINS)
def test_every_credential_opening_credits_names_its_issuers_registry(chain: str) -> None:
    bundle = _bundle(EXAMPLES / chain / "bundle.json")
    homes = set()
    for document in _documents(bundle).values():
        home = home_of(document)
        if not postings_of(document).openings:
            assert home is None, document["id"]
            continue
        issuer = document["issuer"]["id"]
        host = issuer.removeprefix("did:web:")
        assert home is not None, document["id"]
        assert home.did == did_web_for(f"registry.{host}")
        assert home.endpoint == f"https://registry.{host}/registry"
        assert home.did in bundle.did_documents
        assert (EXAMPLES / chain / "dids" / f"registry.{host}.json").is_file()
        homes.add(home.did)
    assert len(homes) >= 2


@pytest.mark.parametrize("chain", CHAINS)
def test_every_homed_debit_carries_its_homes_receipt_of_exactly_that_debit(chain: str) -> None:
    bundle = _bundle(EXAMPLES / chain / "bundle.json")
    resolver = StaticResolver(bundle.did_documents)
    documents = _documents(bundle)
    registered = 0
    for document in documents.values():
        receipts = _receipts(document)
        expected = sorted(
            (
                home,
                digest,
                charge.kind,
                charge.amount_mg,
                document["issuer"]["id"],
                document["id"],
                registration_digest(document),
            )
            for charge, home, digest in _homed(documents, document)
        )
        proven = []
        for receipt in receipts:
            verify_receipt(receipt, resolver)
            assert receipt.issued_at <= AT.timestamp()
            (cosignature,) = receipt.cosignatures
            cosigned = verify_cosignature(cosignature, resolver)
            assert cosigned.witness == WITNESS[chain]
            assert (cosigned.log, cosigned.count, cosigned.root_hash) == (
                receipt.registry,
                receipt.tree_size,
                receipt.root.hex(),
            )
            for entry in receipt.entries:
                content = entry.content
                assert content["kind"] == "debit"
                assert content["issuer"] == content["account"]["holder"]
                assert content["createdAt"] == "2026-01-15T00:00:00.000000Z"
                assert "tenant" not in content
                proven.append(
                    (
                        receipt.registry,
                        content["account"]["credentialDigest"],
                        content["account"]["propertyKind"],
                        int(content["amountMg"]),
                        content["account"]["holder"],
                        content["credentialId"],
                        content["credentialDigest"],
                    )
                )
        assert sorted(proven) == expected, document["id"]
        registered += len(expected)
    assert registered >= 5


@pytest.mark.parametrize("chain", CHAINS)
def test_the_chains_verify_when_a_trusted_witness_must_cosign_every_receipt(chain: str) -> None:
    bundle = _bundle(EXAMPLES / chain / "bundle.json")
    options = {"requiredWitnesses": 1, "trustedWitnesses": [WITNESS[chain]]}
    report = _verify(bundle, options)
    assert report.verified, [c.to_dict() for c in report.errors]
    passed = [
        c for c in report.checks.checks if c.id == UNREGISTERED and c.outcome.value == "passed"
    ]
    assert len(passed) >= 5


@pytest.mark.parametrize("chain", CHAINS)
@pytest.mark.parametrize("case", CASES)
def test_an_unregistered_variant_breaks_the_receipts_of_one_debit(chain: str, case: str) -> None:
    path = EXAMPLES / chain / "negative" / f"{UNREGISTERED}.{case}.json"
    bundle = _bundle(path)
    assert bundle.expected_check == UNREGISTERED
    report = _verify(bundle)
    assert report.failed_ids() == {UNREGISTERED}
    target = _url(bundle, TARGET[chain])
    assert all((c.path or "").startswith(f"{target}#") for c in report.errors)

    documents = _documents(bundle)
    drawer = documents[target]
    resolver = StaticResolver(bundle.did_documents)
    ((charge, home, _),) = list(_homed(documents, drawer))
    receipts = _receipts(drawer)
    if case == "no-receipt":
        assert receipts == []
        return
    (receipt,) = receipts
    if case == "second-spend":  # signed by the drawer's own platform, not by the home
        platform = did_web_for(f"registry.{drawer['issuer']['id'].removeprefix('did:web:')}")
        assert receipt.registry == platform != home
        verify_receipt(receipt, resolver)
        return
    assert receipt.registry == home
    if case == "forged-receipt":
        with pytest.raises(ReceiptError):
            verify_receipt(receipt, resolver)
        return
    verify_receipt(receipt, resolver)
    (entry,) = receipt.entries
    if case == "wrong-amount":
        assert int(entry.content["amountMg"]) != charge.amount_mg
    elif case == "wrong-holder":
        assert entry.content["account"]["holder"] != drawer["issuer"]["id"]
    else:  # equivocation: two trees of one size from the home, told apart by the witness
        earlier = [
            r for r in _receipts(documents[_url(bundle, EARLIER[chain])]) if r.registry == home
        ]
        (other,) = earlier
        assert (other.tree_size, receipt.tree_size) == (3, 3)
        assert other.root != receipt.root
        (cosignature,) = receipt.cosignatures
        assert verify_cosignature(cosignature, resolver).root_hash == other.root.hex()
        assert bundle.options == {"requiredWitnesses": 1, "trustedWitnesses": [WITNESS[chain]]}
        # Without a witness requirement one graph cannot tell: each receipt verifies alone.
        assert _verify(bundle, {"requiredWitnesses": 0}).verified


def test_the_variant_names_are_cases_of_their_check() -> None:
    for chain in CHAINS:
        for path in (EXAMPLES / chain / "negative").glob("*.json"):
            expected = json.loads(path.read_text(encoding="utf-8"))["expectedCheck"]
            assert path.stem == expected or path.stem.startswith(f"{expected}.")
        made = {p.stem for p in (EXAMPLES / chain / "negative").glob(f"{UNREGISTERED}.*.json")}
        assert made == {f"{UNREGISTERED}.{case}" for case in CASES}
