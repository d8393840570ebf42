"""The posting rules without a database: credits, debits, holders, refusals, origins and their
settlement, moves to a consignee; and the one function the store and the audit share."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from vcservice.errors import (
    AlreadyPostedError,
    ConflictError,
    InsufficientCreditError,
    NoMatchingAccountError,
    NotHolderError,
)
from vcservice.ledger import Charge, Entry, Opening, Postings, Source, Upstream, rules
from vcservice.ledger.rules import (
    Account,
    AccountKey,
    Book,
    Credential,
    Origin,
    Posting,
    apply,
    post,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
CATHODE = "https://p.example/cathode"
ORE = "https://p.example/ore"
KIND = "carbonFootprint"
MINE, SMELTER, MILL = "did:web:mine.example", "did:web:smelter.example", "did:web:mill.example"
T = 1_000_000_000  # one tonne, in milligrams


def _credential(issuer: str, name: str) -> Credential:
    return Credential(f"urn:uuid:{name}", issuer, f"z{name}")


def _charge(amount_mg: int, *digests: str, product: str | None = ORE) -> Charge:
    sources = tuple(Source(f"https://up.example/{d}", d) for d in digests)
    return Charge(product, KIND, amount_mg, sources, "/credentialSubject/input/0")


def _post(
    book: Book,
    credential: Credential,
    charges: Sequence[Charge] = (),
    openings: Sequence[Opening] = (),
    upstream: Sequence[Upstream] = (),
    first_seq: int = 1,
) -> Posting:
    return post(
        book,
        credential,
        Postings(tuple(charges), tuple(openings)),
        upstream=upstream,
        tenant_id="tenant-1",
        now=NOW,
        first_seq=first_seq,
    )


def _account(digest: str, holder: str, balance_mg: int, product: str = ORE) -> Account:
    return Account(digest, product, KIND, holder, 45 * T, balance_mg)


def _replay(
    entries: Sequence[Entry], book: Book | None = None, first_seq: int = 1
) -> dict[AccountKey, Account]:
    accounts = {account.key: account for account in (book or Book()).accounts}
    for seq, entry in enumerate(entries, start=first_seq):
        account = rules.apply(accounts, seq, entry)
        if account is not None:
            accounts[account.key] = account
    return accounts


def test_a_credit_opens_an_account_held_by_its_issuer() -> None:
    mine = _credential(MINE, "ore")
    posting = _post(Book(), mine, openings=[Opening(ORE, KIND, 45 * T)])
    (entry,) = posting.entries
    assert (entry.kind, entry.digest, entry.holder, entry.amount_mg) == (
        "credit",
        "zore",
        MINE,
        45 * T,
    )
    assert (entry.issuer, entry.tenant_id, entry.created_at) == (MINE, "tenant-1", NOW)
    assert posting.credentials == (mine,)
    assert _replay(posting.entries)[("zore", ORE, KIND)].balance_mg == 45 * T


def test_a_debit_draws_on_the_first_source_with_a_fitting_account() -> None:
    book = Book(accounts=[_account("zore", SMELTER, 45 * T)], posted={"x": "zore"})
    smelter = _credential(SMELTER, "cathode")
    posting = _post(
        book, smelter, [_charge(10 * T, "zunknown", "zore")], [Opening(CATHODE, KIND, 9 * T)]
    )
    debit, credit = posting.entries
    assert (debit.kind, debit.digest, debit.amount_mg, debit.holder) == (
        "debit",
        "zore",
        10 * T,
        SMELTER,
    )
    assert (credit.kind, credit.digest) == ("credit", "zcathode")
    assert _replay(posting.entries, book)[("zore", ORE, KIND)].balance_mg == 35 * T


def test_a_charge_without_a_product_draws_across_products_in_order() -> None:
    other = "https://p.example/a-first"
    book = Book(
        accounts=[_account("zore", SMELTER, 3 * T), _account("zore", SMELTER, 5 * T, other)]
    )
    posting = _post(book, _credential(SMELTER, "claim"), [_charge(4 * T, "zore", product=None)])
    assert [(e.product, e.amount_mg) for e in posting.entries] == [(other, 4 * T)]
    posting = _post(book, _credential(SMELTER, "claim"), [_charge(7 * T, "zore", product=None)])
    assert [(e.product, e.amount_mg) for e in posting.entries] == [(other, 5 * T), (ORE, 2 * T)]


def test_an_over_spend_is_refused_and_the_balance_named_only_to_the_holder() -> None:
    book = Book(accounts=[_account("zore", SMELTER, 5 * T)])
    with pytest.raises(
        InsufficientCreditError, match=r"asks for 6000 kg .* which has 5000 kg left"
    ):
        _post(book, _credential(SMELTER, "cathode"), [_charge(6 * T, "zore")])
    upstream = Upstream("urn:uuid:up", SMELTER, "zup", Postings((_charge(6 * T, "zore"),), ()))
    with pytest.raises(InsufficientCreditError, match="which holds less than that"):
        _post(book, _credential(MILL, "rod"), upstream=[upstream])  # the mill is not shown it


def test_a_debit_by_someone_other_than_the_holder_is_refused() -> None:
    book = Book(accounts=[_account("zore", MINE, 45 * T)])
    with pytest.raises(NotHolderError, match=f"which {SMELTER} does not hold") as raised:
        _post(book, _credential(SMELTER, "cathode"), [_charge(T, "zore")])
    assert "45000" not in raised.value.detail


def test_a_known_source_without_a_fitting_account_is_no_origin() -> None:
    book = Book(accounts=[_account("zore", SMELTER, 45 * T, CATHODE)])
    with pytest.raises(NoMatchingAccountError, match="a credential the ledger knows"):
        _post(book, _credential(SMELTER, "x"), [_charge(T, "zore")])
    posted = Book(posted={"identity": "zore"})  # posted, crediting nothing
    with pytest.raises(NoMatchingAccountError):
        _post(posted, _credential(SMELTER, "x"), [_charge(T, "zore")])


def test_an_origin_is_remembered_and_settled_when_its_source_is_posted() -> None:
    smelter = _credential(SMELTER, "cathode")
    posting = _post(Book(), smelter, [_charge(2 * T, "zore", "zother")], first_seq=7)
    (origin,) = posting.entries
    assert (origin.kind, origin.digest, origin.sources, origin.holder) == (
        "origin",
        "zore",
        ("zore", "zother"),
        SMELTER,
    )
    assert _replay(posting.entries) == {}
    pending = [
        Origin(7, d, ORE, KIND, 2 * T, SMELTER, smelter.credential_id, smelter.digest, "tenant-2")
        for d in ("zore", "zother")
    ]
    served = Upstream(
        "urn:uuid:ore", MINE, "zore", Postings((), (Opening(ORE, KIND, 45 * T, SMELTER),))
    )
    posting = _post(
        Book(origins=pending), _credential(SMELTER, "rod"), upstream=[served], first_seq=8
    )
    credit, settle, posted = posting.entries
    assert (credit.kind, credit.holder, credit.issuer) == ("credit", SMELTER, MINE)
    assert (settle.kind, settle.settles, settle.amount_mg, settle.credential_digest) == (
        "debit",
        7,
        2 * T,
        "zcathode",
    )
    assert (settle.issuer, settle.tenant_id) == (SMELTER, "tenant-2")
    assert posted.kind == "posted"
    assert posting.settled == (7,)
    assert _replay(posting.entries, first_seq=8)[("zore", ORE, KIND)].balance_mg == 43 * T


def test_origins_of_another_party_or_beyond_the_credit() -> None:
    origin = Origin(1, "zore", None, KIND, 50 * T, SMELTER, "urn:uuid:c", "zc", "tenant-1")
    opening = (Opening(ORE, KIND, 45 * T),)
    posting = _post(Book(origins=[origin]), _credential(MINE, "ore"), openings=opening)
    assert [e.kind for e in posting.entries] == ["credit"]  # the mine holds it: not settled
    assert posting.settled == ()
    mine_origin = Origin(1, "zore", None, KIND, 50 * T, MINE, "urn:uuid:c", "zc", "tenant-1")
    with pytest.raises(InsufficientCreditError, match="was drawn on before it was posted"):
        _post(Book(origins=[mine_origin]), _credential(MINE, "ore"), openings=opening)


def test_a_move_credits_its_consignee_who_alone_can_pass_it_on() -> None:
    smelter = _credential(SMELTER, "move")
    posting = _post(Book(), smelter, openings=[Opening(CATHODE, KIND, 45 * T, MILL)])
    (credit,) = posting.entries
    assert (credit.holder, credit.issuer) == (MILL, SMELTER)
    book = Book(accounts=list(_replay(posting.entries).values()))
    with pytest.raises(NotHolderError):
        _post(book, _credential(SMELTER, "again"), [_charge(T, "zmove", product=CATHODE)])
    drawn = _post(book, _credential(MILL, "rod"), [_charge(T, "zmove", product=CATHODE)])
    assert [(e.kind, e.holder) for e in drawn.entries] == [("debit", MILL)]


def test_a_credential_is_posted_once_under_one_digest() -> None:
    served = Upstream("urn:uuid:ore", MINE, "zore", Postings((), (Opening(ORE, KIND, T),)))
    known = Credential("urn:uuid:ore", MINE, "zore").identity
    skipped = _post(Book(posted={known: "zore"}), _credential(SMELTER, "c"), upstream=[served])
    assert [e.credential_digest for e in skipped.entries] == ["zc"]
    with pytest.raises(AlreadyPostedError, match="accounted under digest zelse"):
        _post(Book(posted={known: "zelse"}), _credential(SMELTER, "c"), upstream=[served])
    with pytest.raises(AlreadyPostedError, match="was issued here"):
        _post(Book(issued_here={known: "zelse"}), _credential(SMELTER, "c"), upstream=[served])
    with pytest.raises(AlreadyPostedError, match="is already posted to the ledger under digest"):
        _post(Book(posted={known: "zore"}), Credential("urn:uuid:ore", MINE, "zore2"))


def test_apply_refuses_what_contradicts_the_accounts() -> None:
    debit = Entry("debit", "zore", ORE, KIND, 5 * T, "urn:uuid:c", "zc", "t", NOW, SMELTER)
    with pytest.raises(NoMatchingAccountError, match="no earlier entry credits"):
        rules.apply({}, 1, debit)
    held = {("zore", ORE, KIND): Account("zore", ORE, KIND, MINE, 9 * T, 4 * T, 3)}
    with pytest.raises(NotHolderError, match=f"a debit by {SMELTER} of the account entry 3 opened"):
        rules.apply(held, 4, debit)
    mine = {("zore", ORE, KIND): Account("zore", ORE, KIND, SMELTER, 9 * T, 4 * T, 3)}
    with pytest.raises(InsufficientCreditError, match="which had 4000 kg left"):
        rules.apply(mine, 4, debit)
    credit = Entry("credit", "zore", ORE, KIND, T, "urn:uuid:c", "zc", "t", NOW, SMELTER)
    with pytest.raises(ConflictError, match="a second credit of the account entry 3 opened"):
        rules.apply(mine, 4, credit)


def test_the_store_and_ledger_verify_use_the_same_posting_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 14's acceptance: one copy of the rules, imported by the store and the audit.
    (``vcservice.ledger.audit`` as an attribute is the audit function: import the modules.)"""
    store = importlib.import_module("vcservice.store._ledger")
    audit = importlib.import_module("vcservice.ledger.audit")
    assert store.post is rules.post
    assert audit.apply is rules.apply
    applied: list[int] = []
    original = apply

    def spy(accounts: dict[AccountKey, Account], seq: int, entry: Entry) -> Account | None:
        applied.append(seq)
        return original(accounts, seq, entry)

    monkeypatch.setattr(rules, "apply", spy)
    _post(Book(), _credential(MINE, "ore"), openings=[Opening(ORE, KIND, T)], first_seq=5)
    assert applied == [5]  # every entry post makes goes through apply
