"""What a credential posts: exact milligrams, refused units, source digests as account keys."""

from __future__ import annotations

import base64
from typing import Any

import base58
import pytest

from vcservice.errors import InputError
from vcservice.ledger import (
    Charge,
    LedgerLimitError,
    NotAMassError,
    Opening,
    UnreadableSourceError,
    postings_of,
)
from vcservice.links import digest_bytes

from .events import CATHODE, CONCENTRATE, certified, claim_event, link, make_event, move_event
from .events import product as lot

UPSTREAM = digest_bytes(b"upstream credential")


def test_make_event_opens_its_outputs_and_charges_its_inputs() -> None:
    source = [link("https://up.example/dpp", UPSTREAM)]
    postings = postings_of(
        make_event([lot(CATHODE, [certified(45.3)])], [lot(CONCENTRATE, [certified(2)], source)])
    )
    assert postings.openings == (Opening(CATHODE, "carbonFootprint", 45_300_000_000),)
    (charge,) = postings.charges
    assert charge.amount_mg == 2_000_000_000
    assert [s.digest for s in charge.sources] == [UPSTREAM]


def test_amounts_are_exact_and_rounding_never_mints() -> None:
    """0.1 lb is 45359.237 mg: a credit rounds down, a debit up."""
    source = [link("https://up.example/a", UPSTREAM)]
    credit = postings_of(make_event([lot(CATHODE, [certified(0.1, unit="LBR")])], []))
    debit = postings_of(move_event(lot(CATHODE, [certified(0.1, unit="LBR", source=source)])))
    assert credit.openings[0].amount_mg == 45359
    assert debit.charges[0].amount_mg == 45360
    assert debit.openings[0].amount_mg == 45359


def test_credits_of_one_product_and_kind_are_summed() -> None:
    postings = postings_of(make_event([lot(CATHODE, [certified(1), certified(2)])], []))
    assert postings.openings == (Opening(CATHODE, "carbonFootprint", 3_000_000_000),)


@pytest.mark.parametrize("unit", ["C62", "LTR", "KWH"])
def test_a_quantity_that_is_not_a_mass_is_refused(unit: str) -> None:
    with pytest.raises(NotAMassError, match=f"'{unit}', not a mass unit"):
        postings_of(make_event([lot(CATHODE, [certified(45, unit=unit)])], []))
    source = [link("https://up.example/a", UPSTREAM)]
    with pytest.raises(NotAMassError, match="retiredCredit/0/creditQuantity"):
        postings_of(claim_event([certified(1, unit=unit)], source))


def test_a_custody_only_move_posts_nothing() -> None:
    source = [link("https://up.example/a", UPSTREAM)]
    assert not postings_of(
        move_event(lot(CATHODE, [certified(1, source=source)]), transfer="custody")
    )


def test_source_digests_are_read_in_the_form_accounts_are_keyed_by() -> None:
    """A base64url spelling of the same SHA-256 multihash, or a list of digests holding it,
    finds the same account (``z`` form)."""
    raw = base58.b58decode(UPSTREAM[1:])
    spelled = "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    sha384 = "z" + base58.b58encode(bytes([0x20, 48]) + bytes(48)).decode()
    sources = [
        link("https://up.example/a", spelled),
        {"linkURL": "https://up.example/b", "digestMultibase": [sha384, UPSTREAM]},
    ]
    (charge,) = postings_of(move_event(lot(CATHODE, [certified(1, source=sources)]))).charges
    assert [(s.url, s.digest) for s in charge.sources] == [
        ("https://up.example/a", UPSTREAM),
        ("https://up.example/b", UPSTREAM),
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"linkURL": "https://up.example/a"}, "carries no digest"),
        (link("https://up.example/a", "not a digest"), "not base58btc"),
        (
            link(
                "https://up.example/a",
                "z" + base58.b58encode(bytes([0x20, 48]) + bytes(48)).decode(),
            ),
            "only sha2-384 digests: the ledger keys accounts by sha2-256",
        ),
        ({"linkURL": "https://up.example/a", "digestMultibase": []}, "empty array"),
        (
            {"linkURL": "https://up.example/a", "digestMultibase": [UPSTREAM, digest_bytes(b"x")]},
            "two different sha2-256 digests",
        ),
    ],
)
def test_a_source_the_ledger_cannot_key_is_refused(source: dict[str, object], message: str) -> None:
    """Never an origin: that would let the debit spend a known credit without a charge."""
    event = move_event(lot(CATHODE, [certified(1, source=[source])]))
    with pytest.raises(UnreadableSourceError, match=message) as raised:
        postings_of(event)
    assert "/sourceCredential/0 (https://up.example/a)" in raised.value.detail


def test_a_move_names_its_consignee_as_holder() -> None:
    source = [link("https://up.example/a", UPSTREAM)]
    moved = postings_of(
        move_event(lot(CATHODE, [certified(1, source=source)]), consignee="did:web:mill.example")
    )
    assert moved.openings[0].holder == "did:web:mill.example"
    assert postings_of(make_event([lot(CATHODE, [certified(1)])], [])).openings[0].holder is None


def test_a_claim_charges_without_a_product() -> None:
    source = [link("https://up.example/move", UPSTREAM)]
    (charge,) = postings_of(claim_event([certified(40)], source)).charges
    assert charge == Charge(
        None,
        "carbonFootprint",
        40_000_000_000,
        charge.sources,
        "/credentialSubject/0/retiredCredit/0",
    )


def test_limits() -> None:
    with pytest.raises(LedgerLimitError, match="product id is at most"):
        postings_of(make_event([lot("https://p.example/" + "x" * 2048, [certified(1)])], []))
    with pytest.raises(LedgerLimitError, match="beyond what one posting can hold"):
        postings_of(make_event([lot(CATHODE, [certified(1e300)])], []))
    with pytest.raises(LedgerLimitError, match="propertyKind is 1 to 64 characters"):
        postings_of(make_event([lot(CATHODE, [certified(1, kind="k" * 65)])], []))


def test_summed_credits_beyond_an_account_are_refused() -> None:
    """Each 9e9 t fits a posting; together they overflow a 64-bit balance (was a 500)."""
    with pytest.raises(LedgerLimitError, match="add up to more than one account can hold"):
        postings_of(make_event([lot(CATHODE, [certified(9e9), certified(9e9)])], []))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 10**400])
def test_non_finite_quantities_post_nothing(value: float) -> None:
    """NaN, Infinity and 1e400 (read as infinity) are malformed, not a 500."""
    event = make_event([lot(CATHODE, [certified(1)])], [])
    event["credentialSubject"][0]["outputProduct"][0]["product"]["certifiedProperty"][0][
        "creditQuantity"
    ]["value"] = value
    assert not postings_of(event)
    assert issubclass(LedgerLimitError, InputError)


def test_documents_without_flows_post_nothing() -> None:
    assert not postings_of({"credentialSubject": {"id": "urn:x"}})


def _of(element: str, tonnes: float, **extra: Any) -> dict[str, Any]:
    prop = certified(tonnes, kind="recycledContent", **extra)
    return prop | {"material": {"code": element, "name": element, "schemeId": "https://iupac.org/"}}


def test_a_credit_per_element_is_its_own_account() -> None:
    """The account kind of a credit naming a material is ``<kind>/<material code>``."""
    postings = postings_of(
        make_event([lot(CATHODE, [_of("Co", 2), _of("Li", 1), _of("Co", 1)])], [])
    )
    assert sorted(postings.openings, key=lambda o: o.kind) == [
        Opening(CATHODE, "recycledContent/Co", 3_000_000_000),
        Opening(CATHODE, "recycledContent/Li", 1_000_000_000),
    ]
    source = [link("https://up.example/a", UPSTREAM)]
    (charge,) = postings_of(move_event(lot(CATHODE, [_of("Li", 1, source=source)]))).charges
    assert charge.kind == "recycledContent/Li"


def test_the_kind_limit_applies_with_the_material_code() -> None:
    with pytest.raises(LedgerLimitError):
        postings_of(make_event([lot(CATHODE, [_of("X" * 60, 1)])], []))
