"""Bulk issuance: many credentials in one request, each issued or refused on its own.

A certification body issues in batches (a smelter's monthly certificates). Issued one request
at a time, each credential pays for its own write transaction and its own commit (on SQLite,
one fsync, under the database's one write lock). Here every credential is signed and checked
first, outside any transaction, then all of them are stored in ONE write transaction with a
SAVEPOINT per credential: one commit for the batch, and still atomic per credential (a
duplicate id, a key rotated meanwhile, rolls back that credential's savepoint only).

A credential that posts to the ledger is signed inside its transaction, after its
registration (the receipt it carries is made there): those are issued one by one, after the
others, through the single-issue path. What fails for the whole request instead of an item:
the database unavailable (503), and the operator's faults (500), as for a single issue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from vcservice.errors import InputError, VCServiceError
from vcservice.service.commands import IssueCommand, IssuedCredential
from vcservice.service.group_commit import store_each
from vcservice.service.issuing import Draft, Issuing, Signed
from vcservice.store import Store, Tenant, Transaction

#: The most credentials one batch may carry (the request body limit applies as well).
MAX_BATCH = 1000

#: One item's outcome: issued and stored, or the refusal that left nothing of it stored.
Outcome = IssuedCredential | VCServiceError


@dataclass(frozen=True)
class _Pending:
    index: int
    issuing: Issuing
    prepared: Signed | Draft


def issue_batch(
    store: Store,
    issuing: Callable[[], Issuing],
    tenant: Tenant,
    commands: Sequence[IssueCommand],
    *,
    fatal: Callable[[VCServiceError], bool],
) -> list[Outcome]:
    """Issue each of ``commands`` for ``tenant``; their outcomes, in order.

    ``issuing`` makes the Issuing of one item (an Issuing is per request: it keeps the served
    credentials its request verified). ``fatal``: the errors that are the whole request's,
    not one item's refusal (the operator's faults): raised while nothing is stored yet, an
    outcome of its item once the batch has committed (it must not hide what was stored).
    """
    if len(commands) > MAX_BATCH:
        raise InputError(f"a batch has at most {MAX_BATCH} items, not {len(commands)}")
    outcomes: dict[int, Outcome] = {}
    pending: list[_Pending] = []
    for index, command in enumerate(commands):
        each = issuing()
        try:
            pending.append(_Pending(index, each, each.sign(tenant, command)))
        except VCServiceError as exc:
            if fatal(exc):
                raise
            outcomes[index] = exc
    signed = [(p, p.prepared) for p in pending if isinstance(p.prepared, Signed)]
    if signed:
        with store.transaction() as tx:
            stored = store_each(
                tx,
                [_storing(item.issuing, credential) for item, credential in signed],
                fatal=lambda exc: not isinstance(exc, VCServiceError) or fatal(exc),
            )
        for (item, _), outcome in zip(signed, stored, strict=True):
            outcomes[item.index] = cast(Outcome, outcome)
    for item in pending:
        if isinstance(item.prepared, Draft):
            try:
                outcomes[item.index] = item.issuing.issue_posting(item.prepared)
            except VCServiceError as exc:
                outcomes[item.index] = exc
    return [outcomes[index] for index in range(len(commands))]


def _storing(issuing: Issuing, signed: Signed) -> Callable[[Transaction], IssuedCredential]:
    """What stores ``signed`` in a transaction (a function of its own: a lambda in the loop
    would bind the loop's last item)."""
    return lambda tx: issuing.store_signed(tx, signed)
