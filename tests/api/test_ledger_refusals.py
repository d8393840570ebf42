"""Regression tests of the ledger's refusals, each closing a way to spend one credit twice or
to make the service answer 500 (review of the ledger, items 1 to 4).

The foreign platform's credentials are issued with did:key keys (resolved without a network);
the service's tenants are ``smelter`` (who makes) and ``mill`` (who buys).
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import base58
import pytest
from fastapi.testclient import TestClient

from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.links import digest_document
from vcservice.service import Service

from ..ledger.events import CATHODE, certified, claim_event, link, make_event, move_event, product
from .conftest import auth
from .test_ledger import MAKE_URL, PROBLEMS, _balances, _issue, _rows

#: P-256 order: (r, n - s) is a second valid ECDSA signature of the same message.
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
TONNE = 1_000_000_000
MOVE_URL = "https://credentials.foreign.example/move"


@pytest.fixture
def smelter(service: Service) -> str:
    key: str = service.create_tenant("smelter")["api_key"]
    return key


@pytest.fixture
def mill(service: Service) -> str:
    key: str = service.create_tenant("mill")["api_key"]
    return key


def _vc(response: Any) -> Any:
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def _from(source: Any, tonnes: float = 45, url: str = MAKE_URL, **kwargs: Any) -> dict[str, Any]:
    """A move of ``tonnes`` of the cathode's credit drawn on ``source`` (a credential)."""
    lot = product(CATHODE, [certified(tonnes, source=[link(url, digest_document(source))])])
    return move_event(lot, **kwargs)


def _foreign(key_type: KeyType = KeyType.ED25519) -> Signer:
    return Signer.did_key(KeyPair.generate(key_type))


def _signed(credential: dict[str, Any], signer: Signer, fmt: str = "vc+jwt") -> Any:
    return issue_credential(credential, signer, fmt, loader=bundled_loader())


def _jws(enveloped: Any) -> str:
    text: str = enveloped["id"].split(",", 1)[1]
    return text


def _problem(response: Any, slug: str, status: int = 409) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == PROBLEMS + slug, body
    detail: str = body["detail"]
    return detail


# --- 1A: another serialization of a posted credential ----------------------------------------
def test_a_data_integrity_credential_reserialized_is_not_posted_again(
    client: TestClient, service: Service, smelter: str
) -> None:
    """eddsa-jcs-2022 with ``proof`` wrapped in a list: same credential, new digest, verifies."""
    made = _vc(
        _issue(
            client,
            smelter,
            make_event([product(CATHODE, [certified(45)])]),
            format="eddsa-jcs-2022",
        )
    )
    _vc(_issue(client, smelter, _from(made)))
    copied = copy.deepcopy(made)
    copied["proof"] = [copied["proof"]]
    assert digest_document(copied) != digest_document(made)
    assert service.verify_credential(copied).verified
    detail = _problem(
        _issue(client, smelter, _from(copied), sourceCredentials=[copied]), "ledger.already-posted"
    )
    assert f"accounted under digest {digest_document(made)}" in detail
    assert len(_balances(service)) == 2  # the make's and the first move's: no third account


def test_an_es256_jwt_with_the_other_s_is_not_posted_again(
    client: TestClient, service: Service, smelter: str
) -> None:
    """(r, n - s) verifies too: a foreign move served twice in two forms opens one account."""
    foreign = _foreign(KeyType.P256)
    moved = _signed(
        _from(
            {"foreign make": 1}, consignee=service.tenant_did("smelter"), ident="urn:uuid:move-1"
        ),
        foreign,
    )
    jws = _jws(moved)
    header, payload, signature = jws.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    flipped = raw[:32] + (P256_N - int.from_bytes(raw[32:], "big")).to_bytes(32, "big")
    other = f"{header}.{payload}." + base64.urlsafe_b64encode(flipped).rstrip(b"=").decode()
    assert service.verify_credential(other).verified

    _vc(_issue(client, smelter, _from(jws, 10, MOVE_URL), sourceCredentials=[jws]))
    detail = _problem(
        _issue(client, smelter, _from(other, 45, MOVE_URL), sourceCredentials=[other]),
        "ledger.already-posted",
    )
    assert f"accounted under digest {digest_document(jws)}" in detail
    assert _balances(service)[(digest_document(jws), CATHODE)] == 35 * TONNE


# --- 1B: an upstream credential's own debits ---------------------------------------------------
def test_an_upstream_credentials_debits_are_charged(
    client: TestClient, service: Service, smelter: str
) -> None:
    """A foreign platform moves its 45 t twice to the smelter: the second move's debit is
    charged to the foreign make's account (known here) and refused."""
    foreign = _foreign()
    made = _signed(make_event([product(CATHODE, [certified(45)])]), foreign)
    smelter_did = service.tenant_did("smelter")
    first = _signed(_from(made, consignee=smelter_did, ident="urn:uuid:first"), foreign)
    second = _signed(_from(made, consignee=smelter_did, ident="urn:uuid:second"), foreign)
    _vc(_issue(client, smelter, _from(first, url=MOVE_URL), sourceCredentials=[first, made]))
    assert _balances(service)[(digest_document(made), CATHODE)] == 0

    entries = _rows(service, "ledger_entries")
    refused = _issue(client, smelter, _from(second, url=MOVE_URL), sourceCredentials=[second])
    detail = _problem(refused, "ledger.insufficient-credit")
    assert digest_document(made) in detail
    assert "kg left" not in detail  # the foreign make's balance is not the smelter's to see
    assert _rows(service, "ledger_entries") == entries
    assert (digest_document(second), CATHODE) not in _balances(service)


def test_an_upstream_drawing_on_a_local_account_it_does_not_hold_is_refused(
    client: TestClient, service: Service, smelter: str
) -> None:
    """The reviewer's r6: an off-service move drawing on the smelter's make, served with the
    smelter's own spend, would have duplicated the credit."""
    made = _vc(_issue(client, smelter, make_event([product(CATHODE, [certified(45)])])))
    off_service = _signed(_from(made, consignee=service.tenant_did("smelter")), _foreign())
    refused = _issue(
        client, smelter, _from(off_service, url=MOVE_URL), sourceCredentials=[off_service]
    )
    detail = _problem(refused, "ledger.not-holder")
    assert " kg" not in detail
    _vc(_issue(client, smelter, _from(made)))  # the make's credit is still whole


# --- 1C: source links the ledger cannot read -------------------------------------------------
def test_every_spelling_of_a_sha256_digest_finds_the_account(
    client: TestClient, service: Service, smelter: str
) -> None:
    made = _vc(_issue(client, smelter, make_event([product(CATHODE, [certified(45)])])))
    digest = digest_document(made)
    spelled = "u" + base64.urlsafe_b64encode(base58.b58decode(digest[1:])).rstrip(b"=").decode()

    def spend(tonnes: float, source: dict[str, Any]) -> Any:
        lot = product(CATHODE, [certified(tonnes, source=[source])])
        return _issue(client, smelter, move_event(lot))

    _vc(spend(20, {"linkURL": MAKE_URL, "digestMultibase": [digest]}))
    _vc(spend(20, link(MAKE_URL, spelled)))
    assert _balances(service)[(digest, CATHODE)] == 5 * TONNE
    _problem(spend(20, link(MAKE_URL, digest)), "ledger.insufficient-credit")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"linkURL": MAKE_URL}, "carries no digest"),
        (link(MAKE_URL, "zNotAMultihash"), "digestMultibase"),
        (
            link(MAKE_URL, "z" + base58.b58encode(bytes([0x20, 48]) + bytes(48)).decode()),
            "the ledger keys accounts by sha2-256; link with a sha2-256 digestMultibase",
        ),
    ],
)
def test_a_source_link_without_a_usable_sha256_digest_is_refused(
    client: TestClient, service: Service, smelter: str, source: dict[str, Any], message: str
) -> None:
    _vc(_issue(client, smelter, make_event([product(CATHODE, [certified(45)])])))
    lot = product(CATHODE, [certified(45, source=[source])])
    detail = _problem(
        _issue(client, smelter, move_event(lot)), "ledger.unreadable-source", status=422
    )
    assert message in detail
    assert _rows(service, "credentials") == 1


def test_a_known_source_without_the_debits_product_is_refused(
    client: TestClient, service: Service, smelter: str
) -> None:
    made = _vc(_issue(client, smelter, make_event([product(CATHODE, [certified(45)])])))
    other = move_event(
        product(CATHODE + "/", [certified(45, source=[link(MAKE_URL, digest_document(made))])])
    )
    detail = _problem(_issue(client, smelter, other), "ledger.no-matching-account")
    assert digest_document(made) in detail
    claim = claim_event(
        [certified(1, kind="recycledContent")], [link(MAKE_URL, digest_document(made))]
    )
    _problem(_issue(client, smelter, claim), "ledger.no-matching-account")


# --- 1D: origins are remembered ------------------------------------------------------------
def test_a_credit_spent_as_origin_opens_already_charged(
    client: TestClient, service: Service, smelter: str
) -> None:
    """Spend a foreign move's credit without serving it (an origin), then serve it: its
    account opens with the origin already debited."""
    moved = _signed(_from({"foreign make": 1}, consignee=service.tenant_did("smelter")), _foreign())
    _vc(_issue(client, smelter, _from(moved, 30, MOVE_URL)))
    assert (digest_document(moved), CATHODE) not in _balances(service)

    _vc(_issue(client, smelter, _from(moved, 15, MOVE_URL), sourceCredentials=[moved]))
    assert _balances(service)[(digest_document(moved), CATHODE)] == 0
    detail = _problem(
        _issue(client, smelter, _from(moved, 1, MOVE_URL)), "ledger.insufficient-credit"
    )
    assert "0 kg left" in detail


def test_origins_beyond_the_credit_refuse_its_opening(
    client: TestClient, service: Service, smelter: str, mill: str
) -> None:
    moved = _signed(_from({"foreign make": 1}, consignee=service.tenant_did("smelter")), _foreign())
    _vc(_issue(client, smelter, _from(moved, 30, MOVE_URL)))
    _vc(_issue(client, smelter, _from(moved, 30, MOVE_URL)))
    # Someone who does not hold it drew on it too: that never charges the holder's account.
    _vc(_issue(client, mill, _from(moved, 45, MOVE_URL)))
    entries = _rows(service, "ledger_entries")
    detail = _problem(
        _issue(client, mill, _from(moved, 1, MOVE_URL), sourceCredentials=[moved]),
        "ledger.insufficient-credit",
    )
    assert "drawn on before it was posted here" in detail
    assert "left" not in detail  # the mill does not hold it
    assert _rows(service, "ledger_entries") == entries


def test_a_claim_retired_as_origin_is_charged_to_any_product_of_its_source(
    client: TestClient, service: Service, mill: str
) -> None:
    moved = _signed(_from({"foreign make": 1}, consignee=service.tenant_did("mill")), _foreign())
    bought = [link(MOVE_URL, digest_document(moved))]
    _vc(_issue(client, mill, claim_event([certified(40)], bought)))
    _vc(_issue(client, mill, claim_event([certified(5)], bought), sourceCredentials=[moved]))
    assert _balances(service)[(digest_document(moved), CATHODE)] == 0
    _problem(
        _issue(client, mill, claim_event([certified(1)], bought)), "ledger.insufficient-credit"
    )


# --- 1E: holders --------------------------------------------------------------------------------
def test_only_the_holder_draws_on_an_account(
    client: TestClient, service: Service, smelter: str, mill: str
) -> None:
    rival = service.create_tenant("rival")["api_key"]
    made = _vc(_issue(client, smelter, make_event([product(CATHODE, [certified(45)])])))
    detail = _problem(_issue(client, rival, _from(made, 1)), "ledger.not-holder")
    assert service.tenant_did("rival") in detail
    assert " kg" not in detail  # nothing about the balance

    moved = _vc(_issue(client, smelter, _from(made, 45, consignee=service.tenant_did("mill"))))
    claim = claim_event([certified(45)], [link(MAKE_URL, digest_document(moved))])
    _problem(_issue(client, smelter, claim), "ledger.not-holder")  # the smelter sold it
    _vc(_issue(client, mill, claim))


def test_a_move_without_a_consignee_stays_with_its_issuer(
    client: TestClient, service: Service, smelter: str
) -> None:
    made = _vc(_issue(client, smelter, make_event([product(CATHODE, [certified(45)])])))
    move = _from(made)
    move["credentialSubject"][0]["relatedParty"] = move["credentialSubject"][0]["relatedParty"][:1]
    moved = _vc(_issue(client, smelter, move))
    claim = claim_event([certified(45)], [link(MAKE_URL, digest_document(moved))])
    _vc(_issue(client, smelter, claim))


# --- 2: 500s ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_quantity_is_not_a_500(client: TestClient, smelter: str, value: str) -> None:
    body = json.dumps({"credential": make_event([product(CATHODE, [certified(45)])])})
    body = body.replace('"value": 45,', f'"value": {value},', 1)
    response = client.post(
        "/credentials/issue",
        content=body,
        headers={**auth(smelter), "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text


def test_credits_summing_beyond_an_account_are_422(client: TestClient, smelter: str) -> None:
    response = _issue(
        client, smelter, make_event([product(CATHODE, [certified(9e9), certified(9e9)])])
    )
    _problem(response, "ledger.limit", status=422)


def test_a_credential_id_too_long_is_refused_before_posting(
    client: TestClient, service: Service, smelter: str
) -> None:
    """On PostgreSQL the long id used to reach the ledger's 2048-character columns (a 500)."""
    for fmt in ("vc+jwt", "eddsa-jcs-2022"):
        credential = make_event([product(CATHODE, [certified(45)])]) | {"id": "urn:x:" + "a" * 3000}
        response = _issue(client, smelter, credential, format=fmt)
        assert response.status_code == 400, response.text
        assert "1 to 2048 bytes" in response.json()["detail"]
    assert _rows(service, "ledger_entries") == 0


def test_an_upstream_id_too_long_is_refused(
    client: TestClient, service: Service, smelter: str
) -> None:
    moved = _signed(
        _from(
            {"foreign make": 1},
            consignee=service.tenant_did("smelter"),
            ident="urn:x:" + "a" * 3000,
        ),
        _foreign(),
    )
    detail = _problem(
        _issue(client, smelter, _from(moved, 1, MOVE_URL), sourceCredentials=[moved]),
        "ledger.limit",
        status=422,
    )
    assert "sourceCredentials[0]" in detail
    assert _rows(service, "ledger_entries") == 0
