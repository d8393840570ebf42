"""The federated credit registry as this service runs it: home, spender and witness.

* **As a home** (:meth:`Registry.register`): a holder on any platform registers debits of
  credits whose accounts this ledger keeps; the debits are posted under the ledger lock by
  the ledger's own rules, and the answer is a receipt (:mod:`vcservice.registry.receipts`)
  proving the entries in a checkpoint the service signs (and its witnesses cosign).
* **As a spender** (:meth:`Registry.obtain`): a tenant's credential draws on credits homed
  elsewhere; the service signs the registration for its tenant and posts it to the home
  through the one bounded client, and reads the answer: a receipt, a refusal (409 with the
  home's problem detail) or nothing usable (503, nothing written).
* **As a witness** (:meth:`Registry.witness`): another registry shows a new checkpoint and a
  consistency proof from the last one cosigned here; see :mod:`vcservice.registry.witness`.

Receipts for local debits are made by the same code, in the transaction that stores the
credential carrying them (:meth:`Registry.spend`), so a credential issued here carries
receipts from its service as a credential issued elsewhere carries its home's. Concurrent
registrations of one process are integrated in batches (:mod:`vcservice.service.sequencer`):
one ledger lock, one head-row write and one signed checkpoint per batch.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy.exc import OperationalError

from vcservice._fetch import BoundedGetter, check_url
from vcservice.dids import DIDResolver, did_of, resolve_verification_method
from vcservice.errors import (
    CheckpointError,
    EquivocationError,
    HomeRefusedError,
    HomeUnavailableError,
    InputError,
    NotFoundError,
    ReceiptError,
    ResolutionError,
    StatementError,
    VCServiceError,
    VerificationMethodError,
)
from vcservice.ingress import read_json
from vcservice.jsonld import jcs
from vcservice.keys import Signer
from vcservice.ledger import (
    Checkpoint,
    entry_leaf,
    merkle,
    read_checkpoint,
    sign_checkpoint,
)
from vcservice.ledger.postings import Charge
from vcservice.ledger.rules import Credential
from vcservice.registry import (
    STATEMENT_CTY,
    Home,
    Registration,
    judge,
    make_receipt,
    read_receipt,
    read_registration,
    sign_cosignature,
    sign_registration,
    verify_cosignature,
    verify_receipt,
    verify_registration,
)
from vcservice.service.ledger import Ledger
from vcservice.service.sequencer import Batched, sequencer_of
from vcservice.settings import Settings
from vcservice.store import LedgerCheckpoint, Store
from vcservice.store._ledger import LedgerPosition
from vcservice.store._registry import Equivocation, Registered, WitnessedLog
from vcservice.store._tx import Transaction

__all__ = ["COSE", "Registry"]

log = logging.getLogger("vcservice.registry")
COSE = "application/cose"
_MAX_ANSWER = 256 * 1024
_USER_AGENT = "vcservice-registry"
T = TypeVar("T")


@dataclass(frozen=True)
class Registry:
    store: Store
    ledger: Ledger
    settings: Settings
    resolver: DIDResolver
    http: httpx.Client
    clock: Callable[[], datetime]

    @property
    def home(self) -> Home:
        """This service as a home registry: its DID and registration API base URL."""
        return Home(self.ledger.service_did, self.settings.public_url.rstrip("/") + "/registry")

    def configuration(self) -> dict[str, Any]:
        """``/.well-known/transparency-configuration`` (SCRAPI's discovery document)."""
        home = self.home
        return {
            "issuer": home.did,
            "registrationEndpoint": home.endpoint + "/entries",
            "witnessEndpoint": home.endpoint + "/witness",
            "verifiableDataStructure": "RFC9162_SHA256",
            "statementContentType": STATEMENT_CTY,
            "receiptContentType": COSE,
            "witnessEndpoints": list(self.settings.witnesses),
        }

    # --- as a home -------------------------------------------------------------------------
    def register(self, statement: bytes) -> tuple[bytes, bool]:
        """Register a signed statement here: ``(receipt, created)``; ``created`` is False when
        the same registration was made before (its receipt is returned again)."""
        message, registration = read_registration(statement)
        if registration.registry != self.home.did:
            raise StatementError(
                f"the registration is addressed to {registration.registry}, not to this "
                f"registry ({self.home.did})"
            )
        verify_registration(message, self.resolver)
        signer = self.ledger.service_signer()  # before the transaction: it may write the key
        receipt, created, _ = self.spend(registration, signer, _nothing)
        return receipt, created

    def spend(
        self,
        registration: Registration,
        signer: Signer,
        finish: Callable[[Transaction, bytes], T],
    ) -> tuple[bytes, bool, T]:
        """Register ``registration`` here and run ``finish`` (what commits with it: the
        credential carrying its receipt) in the same transaction: ``(receipt, created,
        finish's value)``; ``created`` is False when the same registration was made before.

        Concurrent spends of this process are integrated in batches (see :class:`_Spend`); a
        refusal, of the registration or by ``finish``, writes nothing and is raised here."""
        credential = Credential(
            registration.credential_id, registration.drawer, registration.credential_digest
        )
        payload_hash = hashlib.sha256(jcs(registration.payload())).hexdigest()
        registering = _Registering(credential, registration.debits, payload_hash, signer)
        item: _Spend[T] = _Spend(credential.identity, registering, finish)
        sequencer_of(self.store).run(item, self._integrate)
        receipt, created, value = item.outcome()
        if receipt is None:  # pragma: no cover - a registration's outcome has its receipt
            raise RuntimeError("the registration was integrated without a receipt")
        return receipt, created, value

    def post(self, finish: Callable[[Transaction, None], T]) -> T:
        """Run ``finish`` (an issue that posts to the ledger without registering here: its
        openings, origins and served upstream credentials, :meth:`Transaction.post_ledger`)
        in the next batch, which holds the ledger lock already and commits once for all."""
        item: _Spend[T] = _Spend(object(), None, finish)
        sequencer_of(self.store).run(item, self._integrate)
        return item.outcome()[2]

    def receipt(self, credential_digest: str) -> bytes | None:
        with self.store.transaction() as tx:
            return tx.registration_by_digest(credential_digest)

    def _integrate(self, batch: list[_Spend[Any]]) -> None:
        """Integrate ``batch`` in one transaction, under one lock of the ledger, giving every
        item its outcome. An item whose ``finish`` fails after the batch's checkpoint was
        signed cannot be undone alone (its entries are in the checkpoint's tree): the batch
        is rolled back to its savepoint and done again without it, the lock kept."""
        pending = list(batch)
        outcomes: list[tuple[_Spend[Any], _Outcome]] = []
        try:
            with self.store.transaction() as tx:
                start = tx.lock_ledger()
                while True:
                    outcomes = []
                    with tx.savepoint() as undo:
                        failed = self._integrate_in(tx, start, pending, outcomes)
                        if failed is not None:
                            undo()
                    if failed is None:
                        break
                    failed[0].fail(failed[1])
                    pending.remove(failed[0])
        except Exception as exc:  # noqa: BLE001 - raised again in each submitting thread
            for item in batch:
                if not item.done:
                    item.fail(exc)
            return
        for item, outcome in outcomes:
            if isinstance(outcome, BaseException):
                item.fail(outcome)
            else:
                item.succeed(outcome)

    def _integrate_in(
        self,
        tx: Transaction,
        start: LedgerPosition,
        items: list[_Spend[Any]],
        outcomes: list[tuple[_Spend[Any], _Outcome]],
    ) -> tuple[_Spend[Any], Exception] | None:
        """Each item's debits from ``start`` (a refused one rolled back to its savepoint),
        one head-row write, one signed checkpoint, then each item's receipt and ``finish``;
        the outcomes in ``outcomes``, or the item whose ``finish`` failed once its entries
        were in the checkpoint (see :meth:`_integrate`)."""
        position = start
        registered: list[tuple[_Spend[Any], Registered | bytes | None]] = []
        for item in items:
            asked = item.registering
            if asked is None:  # posts only, in its finish
                registered.append((item, None))
                continue
            try:
                with tx.savepoint():
                    result = tx.register_debits(
                        asked.credential, asked.debits, asked.payload_hash, position
                    )
            except OperationalError:
                raise
            except Exception as exc:  # noqa: BLE001 - a refusal, raised in its own thread
                outcomes.append((item, exc))
                continue
            if isinstance(result, Registered):
                position = result.after
            registered.append((item, result))
        receipts: dict[int, bytes] = {}
        if any(isinstance(done, Registered) for _, done in registered):
            tx.advance_ledger(position)
            receipts = self._receipts(tx, start, position, registered)
        for item, done in registered:
            created = isinstance(done, Registered)
            receipt = receipts.get(id(item)) if isinstance(done, Registered) else done
            try:
                with tx.savepoint():
                    if isinstance(done, Registered) and item.registering is not None:
                        asked = item.registering
                        tx.save_registration(
                            asked.credential, asked.payload_hash, done, receipts[id(item)]
                        )
                    value = item.finish(tx, receipt)
            except OperationalError:
                raise
            except Exception as exc:  # noqa: BLE001 - raised in its own thread
                if created:
                    return item, exc
                outcomes.append((item, exc))
                continue
            outcomes.append((item, (receipt, created, value)))
        return None

    def _receipts(
        self,
        tx: Transaction,
        start: LedgerPosition,
        end: LedgerPosition,
        registered: Sequence[tuple[_Spend[Any], Registered | bytes | None]],
    ) -> dict[int, bytes]:
        """One checkpoint of the log at ``end`` (signed, kept, shown to the witnesses) and
        each new registration's receipt: the inclusion of its entries in that checkpoint's
        tree, computed from the frontier at ``start``: O(k log n) for a batch of k entries,
        whatever the size of the log (only witnesses need more, see _cosign)."""
        new = [(item, r) for item, r in registered if isinstance(r, Registered)]
        signer = next(item.registering.signer for item, _ in new if item.registering is not None)
        leaves = [entry_leaf(h) for _, r in new for h in r.entry_hashes]
        root = merkle.frontier_root(end.frontier)
        now = self.clock().astimezone(UTC).replace(microsecond=0)
        checkpoint = Checkpoint(
            issuer=self.home.did,
            count=end.count,
            head_hash=end.head_hash,
            root_hash=root.hex(),
            issued_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        jws = sign_checkpoint(checkpoint, signer)
        tx.save_checkpoint(LedgerCheckpoint(end.count, end.head_hash, root.hex(), now, jws))
        cosignatures = self._cosign(tx, jws, checkpoint) if self.settings.witnesses else []
        proofs = iter(merkle.tail_proofs(start.frontier, leaves))
        receipts = {}
        for item, result in new:
            prevs = [result.before.head_hash, *result.entry_hashes[:-1]]
            proven = [
                (result.first_seq + offset, prev, jcs(entry.content()), next(proofs))
                for offset, (entry, prev) in enumerate(zip(result.entries, prevs, strict=True))
            ]
            receipts[id(item)] = make_receipt(signer, now, end.count, root, proven, cosignatures)
        return receipts

    # --- asking witnesses ----------------------------------------------------------------------
    def _cosign(self, tx: Transaction, jws: str, checkpoint: Checkpoint) -> list[str]:
        """Cosignatures of ``checkpoint`` by the configured witnesses that give one. Asked
        under the ledger lock, so each sees this log's checkpoints in order; a witness that
        cannot be reached or refuses is logged and left out (the receipt is valid without
        it; a verifier requiring it will say so).

        The consistency proofs are computed from every entry hash of the log (O(n) per
        registration): witnessing is the one part of a registration whose cost grows with
        the log, until the perfect subtrees are stored (C2SP tlog-tiles)."""
        hashes = tx.ledger_hashes(checkpoint.count)
        if len(hashes) != checkpoint.count:
            raise RuntimeError("the ledger's entries do not match its head record")
        leaves = [entry_leaf(h) for h in hashes]
        cosignatures = []
        for endpoint in self.settings.witnesses:
            old = tx.witness_size(endpoint)
            for _ in range(2):  # once more with the size the witness says it knows
                answer = self._ask_witness(endpoint, old, jws, checkpoint, leaves)
                if isinstance(answer, int) and answer != old and answer <= checkpoint.count:
                    old = answer
                    continue
                if isinstance(answer, str):
                    cosignatures.append(answer)
                    tx.save_witness_size(endpoint, checkpoint.count)
                break
        return cosignatures

    def _ask_witness(
        self,
        endpoint: str,
        old: int,
        jws: str,
        checkpoint: Checkpoint,
        leaves: Sequence[bytes],
    ) -> str | int | None:
        """The cosignature, the size the witness knows (a 409), or None."""
        if 0 < old < checkpoint.count:
            proof = merkle.consistency_proof(leaves, old, checkpoint.count)
        else:
            proof = []
        body = jcs({"old": old, "consistency": [h.hex() for h in proof], "checkpoint": jws})
        try:
            url = check_url(
                endpoint.rstrip("/") + "/witness",
                allow_http_loopback=self.settings.allow_http_loopback,
            )
            answer = self._getter("application/json").post(
                url, body, content_type="application/json", failure=f"asking witness {endpoint}"
            )
        except (ResolutionError, InputError) as exc:
            log.warning("witness unavailable", extra={"witness": endpoint, "reason": str(exc)})
            return None
        try:
            parsed = read_json(answer.body)
        except InputError:
            parsed = None
        if answer.status == 409 and isinstance(parsed, dict):
            known = parsed.get("knownSize")
            if isinstance(known, int) and not isinstance(known, bool):
                return known
        if answer.status == 200 and isinstance(parsed, dict):
            cosignature = parsed.get("cosignature")
            try:
                checked = verify_cosignature(cosignature, self.resolver)
            except (ReceiptError, ResolutionError) as exc:
                log.warning("witness cosignature unusable", extra={"reason": str(exc)})
                return None
            if (checked.log, checked.count, checked.root_hash) == (
                checkpoint.issuer,
                checkpoint.count,
                checkpoint.root_hash,
            ):
                return str(cosignature)
        log.warning("witness refused", extra={"witness": endpoint, "status": answer.status})
        return None

    # --- as a witness --------------------------------------------------------------------------
    def witness(self, old: int, proof: Sequence[bytes], checkpoint_jws: str) -> str:
        """Cosign another log's checkpoint if it extends the last one cosigned here (C2SP
        tlog-witness add-checkpoint); StaleWitnessError, EquivocationError (recorded as
        evidence first) or CheckpointError otherwise."""
        signed = read_checkpoint(checkpoint_jws)
        log_did = signed.checkpoint.issuer
        if did_of(signed.kid) != log_did:
            raise CheckpointError("the checkpoint's kid is not a key of its iss")
        allowed = self.settings.witnessed_logs
        if allowed and log_did not in allowed:
            raise NotFoundError(f"this witness does not witness {log_did}")
        try:
            method = resolve_verification_method(self.resolver, signed.kid, "assertionMethod")
        except VerificationMethodError as exc:
            raise CheckpointError(f"the checkpoint's key: {exc.detail}") from None
        checkpoint = signed.verify(method.public_key)
        signer = self.ledger.service_signer()
        caught: EquivocationError | None = None
        with self.store.transaction() as tx:
            seen_row = tx.witnessed_log(checkpoint.issuer, lock=True)
            seen = None if seen_row is None else read_checkpoint(seen_row.checkpoint).checkpoint
            try:
                judge(seen, old, checkpoint, proof)
            except EquivocationError as exc:
                assert seen_row is not None  # judge finds none without an earlier checkpoint
                tx.save_equivocation(
                    checkpoint.issuer, seen_row.checkpoint, checkpoint_jws, exc.detail
                )
                caught = exc
            else:
                if seen is None or checkpoint.count >= seen.count:
                    tx.save_witnessed(
                        checkpoint.issuer, checkpoint.count, checkpoint.root_hash, checkpoint_jws
                    )
        if caught is not None:
            log.error("equivocation", extra={"log": checkpoint.issuer, "detail": caught.detail})
            raise caught
        return sign_cosignature(checkpoint, signer, self.clock())

    def witnessed(self) -> tuple[list[WitnessedLog], list[Equivocation]]:
        with self.store.transaction() as tx:
            return tx.witnessed_logs(), tx.equivocations()

    # --- as a spender --------------------------------------------------------------------------
    def obtain(self, home: Home, registration: Registration, signer: Signer) -> bytes:
        """Register at another ``home`` for a tenant (``signer``, the drawer's key): the
        receipt, checked. HomeRefusedError carries the home's refusal; HomeUnavailableError
        is anything else (unreachable, a 5xx, an unusable answer)."""
        statement = sign_registration(registration, signer, self.clock())
        try:
            url = check_url(
                home.endpoint.rstrip("/") + "/entries",
                allow_http_loopback=self.settings.allow_http_loopback,
            )
        except InputError as exc:
            raise HomeUnavailableError(
                f"the home registry {home.did} names an endpoint that is never called: {exc.detail}"
            ) from None
        try:
            answer = self._getter(f"{COSE}, application/problem+json").post(
                url, statement, content_type=COSE, failure=f"registering at {home.did}"
            )
        except ResolutionError as exc:
            raise HomeUnavailableError(exc.detail) from None
        if answer.status in (200, 201):
            return self._checked(answer.body, home, registration)
        if 400 <= answer.status < 500:
            try:
                problem = read_json(answer.body)
            except InputError:
                problem = None
            body = problem if isinstance(problem, dict) else {}
            detail = body.get("detail")
            raise HomeRefusedError(
                f"the home registry {home.did} refused the debit (HTTP {answer.status}): "
                + (detail if isinstance(detail, str) else "no problem details"),
                {k: v for k, v in body.items() if isinstance(k, str)},
            )
        raise HomeUnavailableError(
            f"the home registry {home.did} answered HTTP {answer.status}; nothing was registered "
            "here, try again"
        )

    def _checked(self, data: bytes, home: Home, registration: Registration) -> bytes:
        """The receipt if it is the home's and proves this registration's debits."""
        try:
            receipt = read_receipt(data)
            if receipt.registry != home.did:
                raise ReceiptError(f"the receipt is signed by {receipt.registry}")
            verify_receipt(receipt, self.resolver)
        except (ReceiptError, ResolutionError) as exc:
            detail = exc.detail if isinstance(exc, VCServiceError) else str(exc)
            raise HomeUnavailableError(
                f"the home registry {home.did} answered with an unusable receipt: {detail}"
            ) from None
        drawn = sum(
            int(entry.content.get("amountMg", "0"))
            for entry in receipt.entries
            if entry.content.get("credentialDigest") == registration.credential_digest
        )
        if drawn != sum(charge.amount_mg for charge in registration.debits):
            raise HomeUnavailableError(
                f"the home registry {home.did} answered with a receipt for other debits"
            )
        return data

    def _getter(self, accept: str) -> BoundedGetter:
        return BoundedGetter(
            self.http,
            accept=accept,
            user_agent=_USER_AGENT,
            timeout=self.settings.registry_timeout,
            max_bytes=_MAX_ANSWER,
            allow_loopback=self.settings.allow_http_loopback,
        )


_Outcome = tuple[bytes | None, bool, Any] | BaseException


@dataclass(frozen=True)
class _Registering:
    """What a registration needs under the ledger lock, read and computed before it: the
    credential, its debits, the payload's hash and the service's signer."""

    credential: Credential
    debits: Sequence[Charge]
    payload_hash: str
    signer: Signer


class _Spend(Batched[tuple[bytes | None, bool, T]]):
    """An item waiting for its batch: a registration (or None: an issue that only posts)
    and ``finish``, what commits with it, given its receipt."""

    def __init__(
        self,
        key: Hashable,
        registering: _Registering | None,
        finish: Callable[[Transaction, Any], T],
    ) -> None:
        super().__init__(key)
        self.registering = registering
        self.finish = finish


def _nothing(tx: Transaction, receipt: bytes) -> None:
    """What commits with a registration made for another platform: nothing else."""
