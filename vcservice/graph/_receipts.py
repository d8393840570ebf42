"""Registered debits: ``massbalance.unregistered``.

A credit is **homed** when the credential that opens it names its home registry on its event
(``creditRegistry``, :func:`vcservice.registry.home_of`). Every debit of a homed credit must
be registered there, and the debiting credential carries the home's answer, a receipt
(``creditReceipt`` on its events; :mod:`vcservice.registry.receipts`). For each debit the
graph charges to an account whose opening credential is in the graph and names a home, the
debiting credential must carry receipts from that home (``iss`` = the home's DID) that

* verify: signed by a key the home's DID lists for assertions (resolved through the graph's
  resolver: the bundle's DID documents first), with every inclusion proof leading to the
  signed root (:func:`~vcservice.registry.read_receipt` recomputes them);
* were signed (their checkpoint, ``iat``) no later than the verification time;
* when the request asks for ``requiredWitnesses: k`` (with ``trustedWitnesses``), each carry
  cosignatures of their checkpoint (the home's DID, tree size, root) by at least ``k``
  distinct trusted witnesses whose signatures verify;
* prove debit entries of that very account (the opening credential's digest, the product
  unless the debit names none, the account kind: the property kind, with the material code
  when the credit names one) made for this credential (its ``id`` and
  :func:`~vcservice.registry.registration_digest`) by its issuer as the account's holder,
  whose amounts add up to exactly the debit's milligrams (rounded up, as the ledger reads
  it: :func:`vcservice.ledger.postings.postings_of`).

Debits of one credential charged to the same account (two input lines drawing on one
credit, or a retired credit of any product beside named ones) are judged together: the
entries must add up to their sum, since an entry does not say which line of the credential
made it. Anything else fails, naming the debit, the account and why; a receipt whose home
key (or a trusted witness's) could not be resolved is indeterminate when it would otherwise
have shown the debit registered. Debits of credits whose opening credential names no home
(issued before homes existed) need no receipt: they are counted as such in the report's
accounts, not failed. Debits of credentials outside the graph are the other checks' concern.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vcservice import checks
from vcservice.credits import Debit
from vcservice.dids import DIDResolver
from vcservice.errors import InputError, ReceiptError, ResolutionError, UnbalanceableError
from vcservice.graph._index import GraphIndex
from vcservice.graph._model import Node, as_list
from vcservice.ledger.entries import kg_text
from vcservice.ledger.postings import Charge, postings_of
from vcservice.registry import (
    RECEIPT_PROPERTY,
    Proven,
    Receipt,
    decode_receipt_text,
    home_of,
    read_cosignature,
    read_receipt,
    registration_digest,
    verify_cosignature,
    verify_receipt,
)
from vcservice.report import Outcome

__all__ = [
    "MAX_REQUIRED_WITNESSES",
    "MAX_TRUSTED_WITNESSES",
    "NOT_REQUIRED",
    "REQUIRED_WITNESSES",
    "TRUSTED_WITNESSES",
    "Charged",
    "Registries",
    "check_registrations",
    "home_did",
]

#: The graph options (bundle ``options`` or a request's) that ask for witnessed receipts.
REQUIRED_WITNESSES = "requiredWitnesses"
TRUSTED_WITNESSES = "trustedWitnesses"
#: A receipt carries at most 32 cosignatures; a verifier names at most 100 witnesses.
MAX_REQUIRED_WITNESSES = 32
MAX_TRUSTED_WITNESSES = 100
#: The registration outcome of a debit of an unhomed credit (in the report's accounts).
NOT_REQUIRED = "not required"

_VALID, _PENDING, _REJECTED = "valid", "pending", "rejected"
_TITLE = "Debit not registered at the credit's home registry"


@dataclass(frozen=True)
class Registries:
    """What the graph asks of the home registries' receipts: the resolver of their DIDs (and
    of the witnesses'), and how many distinct trusted witnesses must cosign each receipt."""

    resolver: DIDResolver
    required_witnesses: int = 0
    trusted_witnesses: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, options: Mapping[str, Any], resolver: DIDResolver) -> Registries:
        """The witness requirement a request asks for (``requiredWitnesses``, default 0, and
        ``trustedWitnesses``, DIDs); InputError when it is malformed or cannot be met, since
        verifying less than was asked for without saying so would be worse than refusing."""
        required = options.get(REQUIRED_WITNESSES)
        required = 0 if required is None else required
        if (
            isinstance(required, bool)
            or not isinstance(required, int)
            or not 0 <= required <= MAX_REQUIRED_WITNESSES
        ):
            raise InputError(
                f"options.{REQUIRED_WITNESSES} is a whole number from 0 to {MAX_REQUIRED_WITNESSES}"
            )
        trusted = options.get(TRUSTED_WITNESSES)
        trusted = [] if trusted is None else trusted
        if (
            not isinstance(trusted, list)
            or len(trusted) > MAX_TRUSTED_WITNESSES
            or not all(isinstance(did, str) and did.startswith("did:") for did in trusted)
        ):
            raise InputError(
                f"options.{TRUSTED_WITNESSES} is a list of at most {MAX_TRUSTED_WITNESSES} DIDs"
            )
        witnesses = frozenset(trusted)
        if required > len(witnesses):
            raise InputError(
                f"options.{REQUIRED_WITNESSES} asks for cosignatures by {required} distinct "
                f"trusted witnesses, but options.{TRUSTED_WITNESSES} names {len(witnesses)}"
            )
        return cls(resolver, required, witnesses)


@dataclass(frozen=True)
class Charged:
    """A debit as the graph charged it: ``key`` the node of the credential that draws,
    ``accounts`` the accounts (of one source credential) it draws on."""

    key: str
    debit: Debit
    accounts: tuple[Mapping[str, Any], ...]


def home_did(node: Node) -> str | None:
    """The DID of the home registry ``node`` names for the credits it opens, or None."""
    home = home_of(node.document or {})
    return None if home is None else home.did


def check_registrations(
    index: GraphIndex, registries: Registries, charged: Sequence[Charged]
) -> list[str]:
    """Judge every debit of ``charged`` (records ``massbalance.unregistered`` for those of
    homed credits); their outcomes in order: passed, failed, indeterminate or
    :data:`NOT_REQUIRED`."""
    judge = _Judge(index, registries)
    # Debits judged together: of one credential, charged to one source credential's accounts
    # of one kind, and of one product (of any product, when one of them names none).
    anyone = {_drawn(item) for item in charged if item.debit.product is None}
    groups: dict[tuple[str, str, str, str | None], list[int]] = {}
    homes: list[str | None] = []
    for position, item in enumerate(charged):
        opener = index.report.nodes[str(item.accounts[0]["credential"])]
        home = home_did(opener)
        homes.append(home)
        if home is not None:
            drawn = _drawn(item)
            product = None if drawn in anyone else item.debit.product
            groups.setdefault((*drawn, product), []).append(position)
    outcomes = [NOT_REQUIRED] * len(charged)
    for positions in groups.values():
        members = [charged[p] for p in positions]
        home = homes[positions[0]]
        assert home is not None
        outcome = judge.judge(home, members)
        for position in positions:
            outcomes[position] = outcome.value
    return outcomes


def _drawn(item: Charged) -> tuple[str, str, str]:
    return item.key, str(item.accounts[0]["digest"]), item.debit.account_kind


@dataclass
class _Carried:
    """One ``creditReceipt`` of a credential: read, or why not; then, once asked, whether it
    is usable (valid, or pending a DID that could not be resolved) and why not."""

    receipt: Receipt | None
    problem: str = ""
    status: str = ""
    title: str = ""
    reason: str = ""


@dataclass
class _Judge:
    index: GraphIndex
    registries: Registries
    _carried: dict[str, list[_Carried]] = field(default_factory=dict)
    _charges: dict[str, dict[str, Charge] | str] = field(default_factory=dict)

    # --- what the debiting credential carries ---------------------------------------------
    def carried(self, node: Node) -> list[_Carried]:
        found = self._carried.get(node.key)
        if found is None:
            found = self._carried[node.key] = [_read(text) for text in _receipt_texts(node)]
        return found

    def charges(self, node: Node) -> dict[str, Charge] | str:
        """The ledger's reading of ``node``'s debits by pointer, or why it has none."""
        found = self._charges.get(node.key)
        if found is None:
            try:
                postings = postings_of(node.document or {})
            except UnbalanceableError as exc:
                found = exc.detail
            else:
                found = {charge.pointer: charge for charge in postings.charges}
            self._charges[node.key] = found
        return found

    # --- one receipt ---------------------------------------------------------------------
    def judged(self, carried: _Carried) -> _Carried:
        if carried.status or carried.receipt is None:
            return carried
        receipt = carried.receipt
        at = self.index.report.at
        if receipt.issued_at > at.timestamp():
            carried.status, carried.title = _REJECTED, "Receipt signed after the verification time"
            carried.reason = (
                f"was signed (its checkpoint) at {_when(receipt.issued_at)}, after the "
                f"verification time {_iso(at)}: a receipt cannot prove a registration that had "
                "not happened yet"
            )
            return carried
        try:
            verify_receipt(receipt, self.registries.resolver)
        except ResolutionError as exc:
            signed = (_PENDING, "Home registry's key could not be resolved", exc.detail)
        except ReceiptError as exc:
            carried.status, carried.title = _REJECTED, "Receipt does not verify"
            carried.reason = f"does not verify: {exc.detail}"
            return carried
        else:
            signed = (_VALID, "", "")
        witnessed = self.witnessed(receipt)
        carried.status, carried.title, carried.reason = (
            witnessed if witnessed[0] == _REJECTED or signed[0] == _VALID else signed
        )
        return carried

    def witnessed(self, receipt: Receipt) -> tuple[str, str, str]:
        """Whether enough distinct trusted witnesses cosigned the receipt's checkpoint."""
        required = self.registries.required_witnesses
        if required == 0:
            return _VALID, "", ""
        trusted = self.registries.trusted_witnesses
        checkpoint = (receipt.registry, receipt.tree_size, receipt.root.hex())
        good: set[str] = set()
        unresolved: dict[str, str] = {}
        problems: list[str] = []
        for jws in receipt.cosignatures:
            try:
                claimed = read_cosignature(jws)[0]
            except ReceiptError as exc:
                problems.append(exc.detail)
                continue
            if claimed.witness not in trusted:
                continue
            if (claimed.log, claimed.count, claimed.root_hash) != checkpoint:
                problems.append(
                    f"{claimed.witness} cosigned another checkpoint ({claimed.log} at "
                    f"{claimed.count} entries, root {claimed.root_hash})"
                )
                continue
            try:
                verify_cosignature(jws, self.registries.resolver)
            except ResolutionError as exc:
                unresolved[claimed.witness] = exc.detail
                continue
            except ReceiptError as exc:
                problems.append(exc.detail)
                continue
            good.add(claimed.witness)
        if len(good) >= required:
            return _VALID, "", ""
        if len(good | unresolved.keys()) >= required:
            return (
                _PENDING,
                "Witness key could not be resolved",
                "; ".join(f"witness {did}: {detail}" for did, detail in unresolved.items()),
            )
        named = f" ({', '.join(sorted(good))})" if good else ""
        why = f"; {'; '.join(problems)}" if problems else ""
        return (
            _REJECTED,
            "Receipt not cosigned by enough trusted witnesses",
            f"is cosigned by {len(good)} of the trusted witnesses{named}, where {required} are "
            f"required (its checkpoint: {receipt.tree_size} entries, root "
            f"{receipt.root.hex()}){why}",
        )

    # --- a group of debits ---------------------------------------------------------------
    def judge(self, home: str, members: list[Charged]) -> Outcome:
        first = members[0]
        report = self.index.report
        drawer = report.nodes[first.key]
        account = first.accounts[0]
        together = (
            f" (judged with the {len(members) - 1} other debit(s) of this account in the same "
            "credential: an entry does not say which line made it)"
            if len(members) > 1
            else ""
        )
        outcome, title, reason = self._verdict(home, members, drawer, account)
        for member in members:
            where = f"{member.key}#{member.debit.pointer}"
            if outcome is Outcome.PASSED:
                report.checks.record(checks.MASSBALANCE_UNREGISTERED, outcome, path=where)
                continue
            prefix = _prefix(member, drawer, account, home)
            report.checks.record(
                checks.MASSBALANCE_UNREGISTERED,
                outcome,
                title,
                f"{prefix}{together}: {reason}",
                path=where,
            )
        return outcome

    def _verdict(
        self, home: str, members: list[Charged], drawer: Node, account: Mapping[str, Any]
    ) -> tuple[Outcome, str, str]:
        charges = self.charges(drawer)
        if isinstance(charges, str):
            return (
                Outcome.FAILED,
                _TITLE,
                f"the ledger cannot read the credential's debits ({charges}), so no registry "
                "can have registered them",
            )
        expected = sum(
            charges[m.debit.pointer].amount_mg for m in members if m.debit.pointer in charges
        )
        carried = self.carried(drawer)
        from_home = [c for c in carried if c.receipt is not None and c.receipt.registry == home]
        if not from_home:
            return Outcome.FAILED, _TITLE, _absent(carried)
        for item in from_home:
            self.judged(item)
        valid = [c.receipt for c in from_home if c.status == _VALID and c.receipt is not None]
        usable = [c.receipt for c in from_home if c.status != _REJECTED and c.receipt is not None]
        rejected = [c for c in from_home if c.status == _REJECTED]
        want = _Wanted(
            digest=str(account["digest"]),
            kind=members[0].debit.account_kind,
            product=_product(members),
            credential_id=_credential_id(drawer),
            credential_digest=registration_digest(drawer.document or {}),
            holder=drawer.issuer,
            amount_mg=expected,
        )
        if valid and want.mismatch(_entries(valid)) is None:
            return Outcome.PASSED, "", ""
        if usable and want.mismatch(_entries(usable)) is None:
            pending = [c for c in from_home if c.status == _PENDING]
            return (
                Outcome.INDETERMINATE,
                pending[0].title,
                "its receipt shows the debit registered, but could not be checked: "
                + "; ".join(c.reason for c in pending),
            )
        if not usable:
            reasons = "; ".join(f"the home's receipt {c.reason}" for c in rejected)
            return Outcome.FAILED, rejected[0].title, reasons
        mismatch = want.mismatch(_entries(usable))
        assert mismatch is not None
        others = "".join(f"; another receipt of the home {c.reason}" for c in rejected)
        return Outcome.FAILED, "Receipt does not match the debit", f"{mismatch}{others}"


@dataclass(frozen=True)
class _Wanted:
    """What the home's entries must say for a group of debits to be registered."""

    digest: str
    kind: str
    product: str | None
    credential_id: str | None
    credential_digest: str
    holder: str | None
    amount_mg: int

    def of_account(self, content: Mapping[str, Any]) -> bool:
        account = content.get("account")
        return (
            content.get("kind") == "debit"
            and isinstance(account, Mapping)
            and account.get("credentialDigest") == self.digest
            and account.get("propertyKind") == self.kind
            and (self.product is None or account.get("product") == self.product)
        )

    def mismatch(self, entries: Iterable[Proven]) -> str | None:
        """None when ``entries`` register the debits; else what they say instead."""
        of_account = [e.content for e in entries if self.of_account(e.content)]
        product = "any product" if self.product is None else self.product
        if not of_account:
            return (
                f"the home's receipts prove no debit of this account ({self.kind} credit of "
                f"{product} opened by the credential of digest {self.digest})"
            )
        mine = [
            c
            for c in of_account
            if c.get("credentialId") == self.credential_id
            and c.get("credentialDigest") == self.credential_digest
        ]
        if not mine:
            other = of_account[0]
            return (
                "the home's receipts prove debits of this account by another credential "
                f"(credentialId {other.get('credentialId')}, credentialDigest "
                f"{other.get('credentialDigest')}), not by this one ({self.credential_id}, "
                f"registration digest {self.credential_digest}): a receipt is bound to the "
                "credential it was issued for"
            )
        held = [c for c in mine if c["account"].get("holder") == self.holder]
        if not held:
            return (
                f"the home's receipts prove the debit drawn by {mine[0]['account'].get('holder')}, "
                f"not by the credential's issuer {self.holder}"
            )
        amounts = [_amount(c.get("amountMg")) for c in held]
        total = sum(a for a in amounts if a is not None)
        if None in amounts or total != self.amount_mg:
            return (
                f"the home's receipts prove {kg_text(total)} ({total} mg) debited for this "
                f"credential, but it debits {kg_text(self.amount_mg)} ({self.amount_mg} mg)"
            )
        return None


def _amount(value: Any) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


def _entries(receipts: Iterable[Receipt]) -> list[Proven]:
    """The entries the receipts prove, each once (two receipts may prove the same entry, and
    a receipt may list one leaf twice: counted twice, it would double the amount)."""
    seen: dict[tuple[int, str], Proven] = {}
    for receipt in receipts:
        for entry in receipt.entries:
            seen.setdefault((entry.seq, entry.entry_hash), entry)
    return list(seen.values())


def _receipt_texts(node: Node) -> list[Any]:
    return [text for s in node.subjects() for text in as_list(s.get(RECEIPT_PROPERTY))]


def _read(text: Any) -> _Carried:
    try:
        return _Carried(read_receipt(decode_receipt_text(text)))
    except ReceiptError as exc:
        return _Carried(None, exc.detail)


def _absent(carried: list[_Carried]) -> str:
    """Why no receipt of the home is among what the credential carries."""
    if not carried:
        return (
            "the credential carries no receipt (creditReceipt): a debit of a homed credit is "
            "registered at its home, which answers with a receipt the credential carries"
        )
    others = sorted({c.receipt.registry for c in carried if c.receipt is not None})
    broken = [c.problem for c in carried if c.receipt is None]
    parts = []
    if others:
        parts.append(f"receipts from {', '.join(others)}, another registry than the home")
    if broken:
        parts.append(f"{len(broken)} unusable creditReceipt(s) ({'; '.join(broken)})")
    return f"the credential carries no receipt from the home, only {' and '.join(parts)}"


def _prefix(item: Charged, drawer: Node, account: Mapping[str, Any], home: str) -> str:
    debit = item.debit
    product = "" if debit.product is None else f" of {debit.product}"
    return (
        f"{item.key}, issued by {drawer.issuer}, spends {(debit.kg or 0.0) / 1000:g} t of "
        f"{debit.account_kind} credit{product} from the account opened by "
        f"{account['credential']} (digest {account['digest']}), whose home registry is {home}"
    )


def _product(members: Sequence[Charged]) -> str | None:
    products = {m.debit.product for m in members}
    return None if None in products or len(products) != 1 else products.pop()


def _credential_id(node: Node) -> str | None:
    ident = (node.document or {}).get("id")
    return ident if isinstance(ident, str) else None


def _when(seconds: int) -> str:
    try:
        return _iso(datetime.fromtimestamp(seconds, UTC))
    except (OverflowError, OSError, ValueError):
        return f"{seconds} s after the epoch"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
