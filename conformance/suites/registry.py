"""``registry``: a platform's federated credit registry, black-box over HTTP.

The contract is docs/ledger.md, "Federation: homes, registrations, receipts and witnesses". The
harness judges with vcservice's pure code as the reference implementation:
:mod:`vcservice.registry` makes the signed statements and reads receipts and cosignatures,
:mod:`vcservice.ledger` reads checkpoints and checks consistency proofs. Configure the
platform's base URL (``registry = { endpoint = "https://platform.example" }``); the rest is
discovered from ``/.well-known/transparency-configuration`` (SCITT SCRAPI), and the log is
read at ``/ledger/checkpoint`` and ``/ledger/consistency``.

Checks (``registry.<name>``), in order:

* ``configuration``, ``did-document``, ``checkpoint``: discovery, the registry's DID and the
  signed checkpoint of its log;
* ``statement.*``: registrations the home must refuse whatever it keeps: not a COSE_Sign1
  (400), a signature that does not verify (400), signed by another than the drawer (400),
  addressed to another registry (400), a drawer whose DID cannot be resolved (502), a debit of
  a credit not homed there (409 ``registry.not-home``), the statement labelled
  ``application/json`` or ``application/octet-stream`` (415), a body of 4 MiB (413);
  ``entries.unknown``: no receipt for a digest never registered (404);
* ``credit.open`` then ``register.*`` and ``receipt.in-log``: a credit homed at the registry is
  opened through the implementation's **issuer** endpoint (a MakeEvent of 100 t held by the
  issuing tenant, then a crediting MoveEvent of 45 t of it to a did:key the harness holds),
  and the harness, as that holder, registers debits: a valid one (201, a COSE Receipt that
  verifies with the registry's DID, proving a debit entry of the statement's credential, at
  the ``Location`` it names), the same statement again (200, the same entries), other debits
  for the same credential (409 ``ledger.already-posted``), more than the balance (409
  ``ledger.insufficient-credit``), a credit the harness does not hold (409
  ``ledger.not-holder``); the receipt's tree is then shown a prefix of the signed log. Skipped
  without an issuer endpoint, or for a VC 1.1-only implementation (the events are VC 2.0);
* ``witness.*``: the harness acts as a log of its own (a fresh did:key signing checkpoints of
  a Merkle tree it builds): a malformed checkpoint (400 ``ledger.checkpoint``), a wrong
  signature (400), a log DID that cannot be resolved (502), a first checkpoint (200, a
  cosignature by the witness's DID), a stale ``old`` (409 ``registry.witness-stale`` naming
  ``knownSize``), an extension with a valid consistency proof (200), a fork and a split view
  (409 ``registry.equivocation``), and ``GET`` of the witness listing the log and the evidence;
* ``consistency``: every checkpoint read along the way (at the start, after the credits were
  opened) is a prefix of the log's last one, by the log's own consistency proofs.

Each check that needs an earlier one's result is skipped, with the reason, when that one left
nothing to work on. The checks write to the registry under test: a MakeEvent and a MoveEvent
issued with the configured tenant key, registered debits of the harness's own credit, and the
witness's state about logs the harness made up; run them against a test deployment.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin

import cbor2
import httpx

from conformance.client import ImplementationError
from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites._common import (
    Check,
    Verdict,
    document_of,
    excerpt,
    failed,
    issuer_format,
    judge,
    passed,
    skip_all,
    skipped,
)
from vcservice import verifiers
from vcservice.dids import DIDResolver, did_of, resolve_verification_method
from vcservice.errors import (
    PROBLEM_BASE,
    CheckpointError,
    ConsistencyError,
    InputError,
    ReceiptError,
    ResolutionError,
    VerificationMethodError,
)
from vcservice.ingress import FETCHED_LIMITS, read_json
from vcservice.jsonld import jcs
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import Checkpoint, check_consistency, merkle, read_checkpoint, sign_checkpoint
from vcservice.ledger.entries import entry_leaf
from vcservice.ledger.postings import postings_of
from vcservice.links import digest_bytes, digest_document
from vcservice.registry import (
    STATEMENT_CTY,
    Receipt,
    Registration,
    home_of,
    read_receipt,
    registration_digest,
    sign_registration,
    verify_cosignature,
    verify_receipt,
)
from vcservice.registry.cose import (
    CWT_CLAIMS,
    CWT_IAT,
    CWT_ISS,
    CWT_SUB,
    HEADER_CTY,
    MAX_MESSAGE,
    sign1,
)

TAGS = ("registry",)
COSE = "application/cose"
PROBLEM_JSON = "application/problem+json"
CONFIGURATION_PATH = "/.well-known/transparency-configuration"
VERIFIABLE_DATA_STRUCTURE = "RFC9162_SHA256"
#: A did:web no resolver reaches: RFC 2606 reserves ``.invalid``.
UNRESOLVABLE = "did:web:unresolvable.conformance.invalid"
#: The most any answer here may hold (a receipt is a few kilobytes).
MAX_BYTES = 1 << 20
#: A registration body no registry takes: 16 times vcservice's cap on a COSE message.
TOO_LARGE_BYTES = 16 * MAX_MESSAGE
#: Media types a signed statement is not sent as (the statement's bytes, wrongly labelled).
WRONG_TYPES = ("application/json", "application/octet-stream")
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
    "https://w3id.org/critical-minerals/v1",
]
KIND = "carbonFootprint"
MADE_TONNES, MOVED_TONNES, DRAWN_TONNES = 100, 45, 10
MG_PER_TONNE = 1_000_000_000


def _check(name: str, title: str, *tags: str) -> Check:
    return Check(f"registry.{name}", title, (*TAGS, *tags))


CONFIGURATION = _check("configuration", "The transparency configuration names the registry")
DID_DOCUMENT = _check("did-document", "The registry's DID resolves, with assertion keys")
CHECKPOINT = _check("checkpoint", "The log's checkpoint is a JWS by the registry's DID")
MALFORMED = _check(
    "statement.malformed", "A body that is not a COSE_Sign1: 400 registry.statement", "negative"
)
BAD_SIGNATURE = _check(
    "statement.bad-signature", "A statement whose signature does not verify: 400", "negative"
)
NOT_DRAWER = _check(
    "statement.not-drawer", "A statement signed by another than its drawer: 400", "negative"
)
OTHER_REGISTRY = _check(
    "statement.other-registry", "A statement addressed to another registry: 400", "negative"
)
UNRESOLVABLE_DRAWER = _check(
    "statement.unresolvable-drawer", "A drawer whose DID cannot be resolved: 502", "negative"
)
NOT_HOME = _check(
    "statement.not-home", "A debit of a credit not homed there: 409 registry.not-home", "negative"
)
CONTENT_TYPE = _check(
    "statement.content-type", "A registration that is not application/cose: 415", "negative"
)
TOO_LARGE = _check("statement.too-large", "A registration beyond the size limit: 413", "negative")
UNKNOWN_ENTRY = _check("entries.unknown", "No receipt for a digest never registered: 404")
CREDIT = _check("credit.open", "Credits opened through the issuer name the registry as home")
REGISTER = _check("register.valid", "A holder's registration: 201 and a receipt that verifies")
LOOKUP = _check("register.lookup", "The receipt is served at the Location named")
IDEMPOTENT = _check("register.idempotent", "The same statement again: 200, the same receipt")
ALREADY_POSTED = _check(
    "register.already-posted", "Other debits of a registered credential: 409", "negative"
)
INSUFFICIENT = _check("register.insufficient-credit", "A debit beyond the balance: 409", "negative")
NOT_HOLDER = _check("register.not-holder", "A debit of a credit held by another: 409", "negative")
IN_LOG = _check("receipt.in-log", "The receipt's tree is a prefix of the signed log")
WITNESS_MALFORMED = _check(
    "witness.malformed", "A checkpoint that is not one: 400 ledger.checkpoint", "negative"
)
WITNESS_SIGNATURE = _check(
    "witness.bad-signature", "A checkpoint whose signature does not verify: 400", "negative"
)
WITNESS_UNRESOLVABLE = _check(
    "witness.unresolvable-log", "A checkpoint of a log whose DID cannot be resolved: 502",
    "negative",
)  # fmt: skip
WITNESS_COSIGN = _check("witness.cosign", "A log's first checkpoint is cosigned")
WITNESS_STALE = _check(
    "witness.stale", "A stale old size: 409 registry.witness-stale with knownSize", "negative"
)
WITNESS_EXTEND = _check("witness.extend", "A checkpoint proven consistent is cosigned")
WITNESS_FORK = _check(
    "witness.fork", "A checkpoint no proof joins: 409 registry.equivocation", "negative"
)
WITNESS_SPLIT = _check(
    "witness.split", "Two roots for one size: 409 registry.equivocation", "negative"
)
WITNESS_STATE = _check("witness.state", "The witness shows the log and the evidence it holds")
CONSISTENCY = _check("consistency", "The log's later checkpoint extends the earlier one")

CHECKS = [
    CONFIGURATION, DID_DOCUMENT, CHECKPOINT, MALFORMED, BAD_SIGNATURE, NOT_DRAWER, OTHER_REGISTRY,
    UNRESOLVABLE_DRAWER, NOT_HOME, CONTENT_TYPE, TOO_LARGE, UNKNOWN_ENTRY, CREDIT, REGISTER,
    LOOKUP, IDEMPOTENT, ALREADY_POSTED, INSUFFICIENT, NOT_HOLDER, IN_LOG, WITNESS_MALFORMED,
    WITNESS_SIGNATURE, WITNESS_UNRESOLVABLE, WITNESS_COSIGN, WITNESS_STALE, WITNESS_EXTEND,
    WITNESS_FORK, WITNESS_SPLIT, WITNESS_STATE, CONSISTENCY,
]  # fmt: skip


def run(context: SuiteContext) -> Iterator[Result]:
    for implementation in context.implementations:
        if implementation.registry is None:
            yield from skip_all(CHECKS, implementation, "no registry endpoint")
            continue
        yield from _Session(context, implementation).run()


# --- HTTP ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    """An answer as received: status, headers and the body's bytes."""

    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def media_type(self) -> str:
        value: str = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON; ValueError saying why not."""
        try:
            return read_json(self.body, FETCHED_LIMITS)
        except InputError as exc:
            raise ValueError(f"the body is not JSON ({exc.detail})") from None

    def text(self, limit: int = 300) -> str:
        return self.body[:limit].decode("utf-8", "replace")


def request(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    expect_5xx: bool = False,
) -> Reply:
    """One bounded request (:data:`MAX_BYTES`, a deadline of twice the client's timeout). A
    transport failure, or a 5xx nobody asked for, is ImplementationError: the check could not
    run, which says nothing about conformance."""
    sent = dict(headers or {})
    if json_body is not None:
        content = json.dumps(json_body).encode()
        sent.setdefault("Content-Type", "application/json")
    timeout = http.timeout.read or 30.0
    deadline = time.monotonic() + 2 * timeout
    try:
        with http.stream(method, url, content=content, headers=sent) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ImplementationError(f"{url} sent more than {MAX_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise ImplementationError(f"{url} took longer than {2 * timeout:g} s")
                chunks.append(chunk)
            reply = Reply(response.status_code, response.headers, b"".join(chunks))
    except httpx.HTTPError as exc:
        raise ImplementationError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
    if reply.status >= 500 and not expect_5xx:
        raise ImplementationError(f"{method} {url} answered HTTP {reply.status}: {reply.text()}")
    return reply


def problem(reply: Reply, status: int, slug: str | None) -> Verdict:
    """That ``reply`` is the RFC 9457 problem ``status`` of type ``…/problems/<slug>``."""
    evidence = {"status": reply.status, "body": excerpt(reply.text(600))}
    if reply.status != status:
        expected = f"{status}" + (f" {slug}" if slug else "")
        return failed(f"HTTP {reply.status}, expected {expected}: {reply.text()}", **evidence)
    if slug is None:
        return passed(f"HTTP {status}")
    if reply.media_type != PROBLEM_JSON:
        return failed(f"HTTP {status} as {reply.media_type or 'no type'}, not {PROBLEM_JSON}")
    try:
        body = reply.json()
    except ValueError as exc:
        return failed(f"HTTP {status}: {exc}", **evidence)
    found = body.get("type") if isinstance(body, dict) else None
    if found != PROBLEM_BASE + slug:
        return failed(f"HTTP {status} of type {found!r}, not {PROBLEM_BASE + slug}", **evidence)
    return passed(f"HTTP {status} {slug}", **evidence)


# --- what the harness makes -------------------------------------------------------------------
def _tonnes_certified(tonnes: int, source: list[dict[str, Any]] | None) -> dict[str, Any]:
    prop: dict[str, Any] = {
        "propertyKind": KIND,
        "creditQuantity": {"value": tonnes, "unit": "TNE"},
        "chainOfCustodyModel": "massBalance",
        "massBalanceLevel": "site",
        "massBalanceMethod": "creditMethod",
        "attestedBy": [
            {
                "linkURL": "https://credentials.certifier.example/conformance-attestation",
                "linkName": "Verified footprint",
                "digestMultibase": digest_bytes(b"a conformance attestation"),
            }
        ],
    }
    if source:
        prop["sourceCredential"] = source
    return prop


def _lot(ident: str, props: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    lot: dict[str, Any] = {"type": ["Product"], "id": ident, "name": "Copper cathode lot"}
    if props:
        lot["certifiedProperty"] = props
    return lot


def _facility(code: str) -> dict[str, Any]:
    return {"type": ["Facility"], "id": f"https://facilities.example.org/{code}", "name": code}


def _event(subject: dict[str, Any], issuer: str | None) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": CONTEXT,
        "type": ["DigitalTraceabilityEvent", "VerifiableCredential"],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "validFrom": "2026-01-15T00:00:00Z",
        "credentialSubject": [subject],
    }
    if issuer is not None:
        credential["issuer"] = issuer
    return credential


def make_event(
    product: str,
    tonnes: int,
    issuer: str | None,
    *,
    source: list[dict[str, Any]] | None = None,
    certified: bool = True,
) -> dict[str, Any]:
    """A MakeEvent of ``tonnes`` of ``product``: crediting them (``certified``), or drawing
    them from ``source`` into an uncertified output (how a debiting credential looks)."""
    concentrate = f"https://id.conformance.example/concentrate/{uuid.uuid4()}"
    inputs = [_lot(concentrate)]
    outputs = [_lot(product, [_tonnes_certified(tonnes, None)] if certified else None)]
    if source is not None:
        inputs = [_lot(product, [_tonnes_certified(tonnes, source)])]
        outputs = [_lot(f"https://id.conformance.example/rod/{uuid.uuid4()}")]
    return _event(
        {
            "type": ["MakeEvent", "LifecycleEvent"],
            "id": f"https://conformance.example/events/{uuid.uuid4()}",
            "name": "Smelting",
            "eventDate": "2026-01-12T06:00:00Z",
            "inputProduct": [
                {"product": p, "quantity": {"value": 2 * tonnes, "unit": "TNE"}} for p in inputs
            ],
            "outputProduct": [
                {"product": p, "quantity": {"value": tonnes, "unit": "TNE"}} for p in outputs
            ],
            "madeAtFacility": _facility("smelter"),
        },
        issuer,
    )


def move_event(
    product: str, tonnes: int, source: list[dict[str, Any]], consignee: str, issuer: str | None
) -> dict[str, Any]:
    """A crediting MoveEvent of ``tonnes`` of ``product`` drawn from ``source`` to
    ``consignee``, who then holds them."""
    return _event(
        {
            "type": ["MoveEvent", "LifecycleEvent"],
            "id": f"https://conformance.example/events/{uuid.uuid4()}",
            "name": "Shipping",
            "eventDate": "2026-01-14T06:00:00Z",
            "movedProduct": [
                {
                    "product": _lot(product, [_tonnes_certified(tonnes, source)]),
                    "quantity": {"value": tonnes, "unit": "TNE"},
                }
            ],
            "fromFacility": _facility("smelter"),
            "toFacility": _facility("mill"),
            "transferKind": "custodyAndCredit",
            "relatedParty": [
                {
                    "role": "consignor",
                    "party": {"type": ["Party"], "id": "https://smelter.example", "name": "s"},
                },
                {"role": "consignee", "party": {"type": ["Party"], "id": consignee, "name": "m"}},
            ],
        },
        issuer,
    )


def link(url: str, digest: str) -> list[dict[str, Any]]:
    return [{"linkURL": url, "linkName": "Upstream credential (DTE)", "digestMultibase": digest}]


def flip_signature(message: bytes) -> bytes:
    """A COSE_Sign1 with one bit of its signature changed: the signature is the message's
    last item, so its last byte is the message's."""
    return message[:-1] + bytes([message[-1] ^ 1])


def flip_jws(jws: str) -> str:
    head, payload, signature = jws.split(".")
    first = "B" if signature[0] != "B" else "C"
    return f"{head}.{payload}.{first}{signature[1:]}"


@dataclass
class HarnessLog:
    """A log the harness makes up, to act as one toward a witness: a did:key signing
    checkpoints of a Merkle tree of random entry hashes."""

    signer: Signer = field(default_factory=lambda: Signer.did_key(KeyPair.generate("ed25519")))
    hashes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.hashes:
            self.hashes = [secrets.token_hex(32) for _ in range(8)]

    @property
    def did(self) -> str:
        return self.signer.controller

    def leaves(self, size: int) -> list[bytes]:
        return [entry_leaf(h) for h in self.hashes[:size]]

    def checkpoint(self, size: int) -> Checkpoint:
        return Checkpoint(
            issuer=self.did,
            count=size,
            head_hash=self.hashes[size - 1],
            root_hash=merkle.root(self.leaves(size)).hex(),
            issued_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    def signed(self, size: int) -> str:
        return sign_checkpoint(self.checkpoint(size), self.signer)

    def proof(self, old: int, new: int) -> list[str]:
        return [h.hex() for h in merkle.consistency_proof(self.leaves(new), old, new)]


# --- one implementation's run ------------------------------------------------------------------
@dataclass
class _Opened:
    """The credits the harness opened through the issuer: the MakeEvent's account (held by
    the issuing tenant) and the MoveEvent's (held by the harness's drawer)."""

    product: str
    made_url: str
    made_digest: str
    moved_url: str
    moved_digest: str


class _Session:
    def __init__(self, context: SuiteContext, implementation: Implementation) -> None:
        assert implementation.registry is not None
        self.context = context
        self.implementation = implementation
        self.http = context.http
        self.origin = implementation.registry.url.rstrip("/")
        self.auth = implementation.registry.headers()
        wiring = verifiers.online(context.http, allow_http_loopback=True)
        self.resolver: DIDResolver = wiring.resolver
        self.drawer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
        self.did: str | None = None
        self.entries: str | None = None
        self.witness: str | None = None
        #: Checkpoints read along the way (at the start, after credits were opened), each
        #: proven a prefix of the log's last one at the end.
        self.kept: list[Checkpoint] = []
        self.opened: _Opened | None = None
        self.statement: bytes | None = None
        self.registered: Registration | None = None
        self.receipt: Receipt | None = None
        self.location: str | None = None
        self.log = HarnessLog()
        self.cosigned = 0

    def run(self) -> Iterator[Result]:
        steps: list[tuple[Check, Callable[[], Verdict]]] = [
            (CONFIGURATION, self.configuration),
            (DID_DOCUMENT, self.did_document),
            (CHECKPOINT, self.checkpoint),
            (MALFORMED, self.malformed),
            (BAD_SIGNATURE, self.bad_signature),
            (NOT_DRAWER, self.not_drawer),
            (OTHER_REGISTRY, self.other_registry),
            (UNRESOLVABLE_DRAWER, self.unresolvable_drawer),
            (NOT_HOME, self.not_home),
            (CONTENT_TYPE, self.content_type),
            (TOO_LARGE, self.too_large),
            (UNKNOWN_ENTRY, self.unknown_entry),
            (CREDIT, self.open_credit),
            (REGISTER, self.register),
            (LOOKUP, self.lookup),
            (IDEMPOTENT, self.idempotent),
            (ALREADY_POSTED, self.already_posted),
            (INSUFFICIENT, self.insufficient),
            (NOT_HOLDER, self.not_holder),
            (IN_LOG, self.in_log),
            (WITNESS_MALFORMED, self.witness_malformed),
            (WITNESS_SIGNATURE, self.witness_bad_signature),
            (WITNESS_UNRESOLVABLE, self.witness_unresolvable),
            (WITNESS_COSIGN, self.witness_cosign),
            (WITNESS_STALE, self.witness_stale),
            (WITNESS_EXTEND, self.witness_extend),
            (WITNESS_FORK, self.witness_fork),
            (WITNESS_SPLIT, self.witness_split),
            (WITNESS_STATE, self.witness_state),
            (CONSISTENCY, self.consistency),
        ]
        for check, step in steps:
            yield judge(check, self.implementation.name, step)

    # --- discovery ------------------------------------------------------------------------
    def get(self, url: str, accept: str | None = None) -> Reply:
        headers = {**self.auth, **({"Accept": accept} if accept else {})}
        return request(self.http, "GET", url, headers=headers)

    def configuration(self) -> Verdict:
        url = self.origin + CONFIGURATION_PATH
        reply = self.get(url, "application/json")
        if reply.status != 200:
            return failed(f"GET {url}: HTTP {reply.status}: {reply.text()}")
        try:
            body = reply.json()
        except ValueError as exc:
            return failed(f"GET {url}: {exc}")
        if not isinstance(body, dict):
            return failed("the transparency configuration is not a JSON object")
        wrong = []
        issuer = body.get("issuer")
        if not isinstance(issuer, str) or not issuer.startswith("did:"):
            wrong.append(f"issuer {issuer!r} is not a DID")
        for name in ("registrationEndpoint", "witnessEndpoint"):
            value = body.get(name)
            if not isinstance(value, str) or not value.startswith(("http://", "https://")):
                wrong.append(f"{name} {value!r} is not an http(s) URL")
        if body.get("verifiableDataStructure") != VERIFIABLE_DATA_STRUCTURE:
            wrong.append(f"verifiableDataStructure is not {VERIFIABLE_DATA_STRUCTURE}")
        if body.get("statementContentType") != STATEMENT_CTY:
            wrong.append(f"statementContentType is not {STATEMENT_CTY}")
        witnesses = body.get("witnessEndpoints")
        if not isinstance(witnesses, list) or not all(
            isinstance(w, str) and w.startswith(("http://", "https://")) for w in witnesses
        ):
            wrong.append("witnessEndpoints is not a list of http(s) URLs")
        if wrong:
            return failed("; ".join(wrong), configuration=excerpt(body))
        self.did = issuer
        self.entries = str(body["registrationEndpoint"]).rstrip("/")
        self.witness = str(body["witnessEndpoint"]).rstrip("/")
        count = len(witnesses) if isinstance(witnesses, list) else 0
        return passed(f"registry {issuer}, {count} witnesses", configuration=body)

    def _discovered(self) -> Verdict | None:
        if self.did is None:
            return skipped("no usable transparency configuration (see registry.configuration)")
        return None

    def did_document(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        assert self.did is not None
        try:
            document = self.resolver.resolve(self.did)
        except ResolutionError as exc:
            return failed(f"{self.did} does not resolve: {exc.detail}")
        methods = document.get("assertionMethod")
        if document.get("id") != self.did or not isinstance(methods, list) or not methods:
            return failed(
                f"the DID document of {self.did} is not its own or lists no assertionMethod",
                document=excerpt(document),
            )
        return passed(f"{len(methods)} assertion methods")

    def signed_checkpoint(self) -> Checkpoint:
        """The log's current checkpoint, its signature checked with the registry's DID;
        CheckpointError says what is wrong."""
        assert self.did is not None
        url = f"{self.origin}/ledger/checkpoint"
        reply = self.get(url, "application/json")
        if reply.status != 200:
            raise CheckpointError(f"GET {url}: HTTP {reply.status}: {reply.text()}")
        try:
            body = reply.json()
        except ValueError as exc:
            raise CheckpointError(f"GET {url}: {exc}") from None
        jws = body.get("jws") if isinstance(body, dict) else None
        signed = read_checkpoint(jws)
        if did_of(signed.kid) != self.did or signed.checkpoint.issuer != self.did:
            raise CheckpointError(
                f"the checkpoint is signed by {signed.kid} for {signed.checkpoint.issuer}, "
                f"not by the registry {self.did}"
            )
        try:
            method = resolve_verification_method(self.resolver, signed.kid, "assertionMethod")
        except VerificationMethodError as exc:
            raise CheckpointError(f"the checkpoint's key: {exc.detail}") from None
        checkpoint = signed.verify(method.public_key)
        shown = {k: body.get(k) for k in ("count", "rootHash", "headHash")}
        said = {k: checkpoint.payload()[k] for k in shown}
        if shown != said:
            raise CheckpointError(f"the JSON says {shown}, the signed checkpoint {said}")
        return checkpoint

    def checkpoint(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        try:
            first = self.signed_checkpoint()
        except (CheckpointError, ResolutionError) as exc:
            return failed(exc.detail)
        self.kept.append(first)
        return passed(f"{first.count} entries, root {first.root_hash[:16]}…")

    # --- statements every home refuses ----------------------------------------------------
    def post_statement(self, body: bytes, content_type: str = COSE, **kw: Any) -> Reply:
        assert self.entries is not None
        headers = {**self.auth, "Content-Type": content_type, "Accept": COSE}
        return request(self.http, "POST", self.entries, content=body, headers=headers, **kw)

    def registration(
        self,
        source_url: str,
        source_digest: str,
        tonnes: int,
        *,
        drawer: str | None = None,
        registry: str | None = None,
        product: str | None = None,
    ) -> Registration:
        """The registration of a credential of ``drawer`` (default: the harness's) drawing
        ``tonnes`` from the credential at ``source_url``, as an issuing platform makes it."""
        assert self.did is not None
        drawer = drawer or self.drawer.controller
        product = product or f"https://id.conformance.example/cathode/{uuid.uuid4()}"
        document = make_event(
            product, tonnes, drawer, source=link(source_url, source_digest), certified=False
        )
        return Registration(
            registry=registry or self.did,
            drawer=drawer,
            credential_id=document["id"],
            credential_digest=registration_digest(document),
            debits=postings_of(document).charges,
        )

    def unknown_source(self, tonnes: int = 1, **kw: Any) -> Registration:
        """A registration drawing on a credential no registry has seen."""
        digest = digest_bytes(secrets.token_bytes(32))
        return self.registration(f"https://nowhere.example/{uuid.uuid4()}", digest, tonnes, **kw)

    def sign(self, registration: Registration, signer: Signer | None = None) -> bytes:
        return sign_registration(registration, signer or self.drawer, datetime.now(UTC))

    def malformed(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        body = cbor2.dumps(["not", "a", "COSE_Sign1"])
        return problem(self.post_statement(body), 400, "registry.statement")

    def bad_signature(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        statement = flip_signature(self.sign(self.unknown_source()))
        return problem(self.post_statement(statement), 400, "registry.statement")

    def not_drawer(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        other = Signer.did_key(KeyPair.generate(KeyType.ED25519))
        statement = _signed_by_another(self.unknown_source(drawer=other.controller), self.drawer)
        return problem(self.post_statement(statement), 400, "registry.statement")

    def other_registry(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        statement = self.sign(self.unknown_source(registry=UNRESOLVABLE))
        return problem(self.post_statement(statement), 400, "registry.statement")

    def unresolvable_drawer(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        signer = Signer(KeyPair.generate(KeyType.ED25519), f"{UNRESOLVABLE}#key-1")
        registration = self.unknown_source(drawer=signer.controller)
        reply = self.post_statement(self.sign(registration, signer), expect_5xx=True)
        return problem(reply, 502, None)

    def not_home(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        statement = self.sign(self.unknown_source())
        return problem(self.post_statement(statement), 409, "registry.not-home")

    def content_type(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        statement = self.sign(self.unknown_source())
        for media_type in WRONG_TYPES:
            verdict = problem(self.post_statement(statement, media_type), 415, None)
            if verdict.outcome is not Outcome.PASSED:
                return replace(verdict, detail=f"as {media_type}: {verdict.detail}")
        return passed(f"HTTP 415 for {', '.join(WRONG_TYPES)}")

    def too_large(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        return problem(self.post_statement(b"\0" * TOO_LARGE_BYTES), 413, None)

    def unknown_entry(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        assert self.entries is not None
        digest = digest_bytes(secrets.token_bytes(32))
        reply = self.get(f"{self.entries}/{quote(digest, safe='')}", COSE)
        return problem(reply, 404, None)

    # --- a credit homed there, and its holder's registrations -----------------------------
    def open_credit(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        issuer = self.implementation.issuer
        if issuer is None:
            return skipped("no issuer endpoint to open a credit homed at the registry with")
        if self.implementation.data_model != "2.0":
            return skipped("the events that open credits are VC 2.0; this implementation is 1.1")
        client = self.context.client(self.implementation)
        fmt = issuer_format(self.implementation)
        product = f"https://id.conformance.example/cathode/{uuid.uuid4()}"
        made = client.issued(make_event(product, MADE_TONNES, issuer.did), fmt=fmt)
        made_document = document_of(made)
        made_url = str(made_document.get("id"))
        made_digest = digest_document(made)
        moved = client.issued(
            move_event(
                product,
                MOVED_TONNES,
                link(made_url, made_digest),
                self.drawer.controller,
                issuer.did,
            ),
            fmt=fmt,
        )
        moved_document = document_of(moved)
        # The log grew: one more tree to prove a prefix of the last (registry.consistency;
        # without it, that check judges the first checkpoint alone).
        with contextlib.suppress(CheckpointError, ResolutionError):
            if self.kept:
                self.kept.append(self.signed_checkpoint())
        self.opened = _Opened(
            product, made_url, made_digest, str(moved_document.get("id")), digest_document(moved)
        )
        homes = [home_of(made_document), home_of(moved_document)]
        wrong = [h for h in homes if h is None or h.did != self.did]
        if wrong:
            named = ", ".join("none" if h is None else h.did for h in homes)
            return failed(
                f"issued, but the events name as their home {named}, not {self.did}",
                make=excerpt(made_document),
            )
        endpoints = {h.endpoint.rstrip("/") + "/entries" for h in homes if h is not None}
        if endpoints != {self.entries}:
            return failed(
                f"the events name the registration API {sorted(endpoints)}, but the "
                f"transparency configuration {self.entries}"
            )
        return passed(f"{MADE_TONNES} t made, {MOVED_TONNES} t moved to {self.drawer.controller}")

    def _credit(self) -> Verdict | None:
        if self.opened is None:
            return skipped("no credit was opened at the registry (see registry.credit.open)")
        return None

    def read(self, reply: Reply, status: int) -> Receipt:
        """The receipt of a ``status`` answer, its signature checked with the registry's
        DID; ReceiptError says what is wrong."""
        if reply.status != status:
            raise ReceiptError(f"HTTP {reply.status}, expected {status}: {reply.text()}")
        if reply.media_type != COSE:
            raise ReceiptError(f"the receipt is {reply.media_type or 'untyped'}, not {COSE}")
        receipt = read_receipt(reply.body)
        if receipt.registry != self.did:
            raise ReceiptError(f"the receipt is issued by {receipt.registry}, not {self.did}")
        verify_receipt(receipt, self.resolver)
        return receipt

    def register(self) -> Verdict:
        if (missing := self._credit()) is not None:
            return missing
        assert self.opened is not None
        assert self.entries is not None
        registration = self.registration(
            self.opened.moved_url,
            self.opened.moved_digest,
            DRAWN_TONNES,
            product=self.opened.product,
        )
        statement = self.sign(registration)
        reply = self.post_statement(statement)
        try:
            receipt = self.read(reply, 201)
        except (ReceiptError, ResolutionError) as exc:
            return failed(exc.detail, status=reply.status)
        wrong = _proves(receipt, registration, self.opened.moved_digest, DRAWN_TONNES)
        location = reply.headers.get("location")
        expected = f"{self.entries}/{registration.credential_digest}"
        if location is None or urljoin(self.entries, location) != expected:
            wrong.append(f"Location is {location!r}, not {expected}")
        if wrong:
            return failed("; ".join(wrong))
        self.statement, self.registered, self.receipt = statement, registration, receipt
        self.location = expected
        return passed(
            f"receipt of entries {[e.seq for e in receipt.entries]} in a tree of "
            f"{receipt.tree_size}, {len(receipt.cosignatures)} cosignatures"
        )

    def _registered(self) -> Verdict | None:
        if self.receipt is None:
            return skipped("nothing was registered (see registry.register.valid)")
        return None

    def lookup(self) -> Verdict:
        if (missing := self._registered()) is not None:
            return missing
        assert self.location is not None
        assert self.receipt is not None
        reply = self.get(self.location, COSE)
        try:
            receipt = self.read(reply, 200)
        except (ReceiptError, ResolutionError) as exc:
            return failed(f"GET {self.location}: {exc.detail}")
        return _same(receipt, self.receipt)

    def idempotent(self) -> Verdict:
        if (missing := self._registered()) is not None:
            return missing
        assert self.statement is not None
        assert self.receipt is not None
        reply = self.post_statement(self.statement)
        try:
            receipt = self.read(reply, 200)
        except (ReceiptError, ResolutionError) as exc:
            return failed(exc.detail)
        return _same(receipt, self.receipt)

    def already_posted(self) -> Verdict:
        if (missing := self._registered()) is not None:
            return missing
        assert self.registered is not None
        first = self.registered.debits[0]
        other = replace(self.registered, debits=(replace(first, amount_mg=first.amount_mg + 1),))
        return problem(self.post_statement(self.sign(other)), 409, "ledger.already-posted")

    def insufficient(self) -> Verdict:
        if (missing := self._credit()) is not None:
            return missing
        assert self.opened is not None
        registration = self.registration(
            self.opened.moved_url,
            self.opened.moved_digest,
            MOVED_TONNES,  # more than is left once register.valid drew its share
            product=self.opened.product,
        )
        reply = self.post_statement(self.sign(registration))
        return problem(reply, 409, "ledger.insufficient-credit")

    def not_holder(self) -> Verdict:
        if (missing := self._credit()) is not None:
            return missing
        assert self.opened is not None
        registration = self.registration(
            self.opened.made_url, self.opened.made_digest, 1, product=self.opened.product
        )
        reply = self.post_statement(self.sign(registration))
        return problem(reply, 409, "ledger.not-holder")

    def in_log(self) -> Verdict:
        if (missing := self._registered()) is not None:
            return missing
        assert self.receipt is not None
        try:
            latest = self.signed_checkpoint()
            self.prove(self.receipt.tree_size, self.receipt.root.hex(), latest)
        except (CheckpointError, ConsistencyError, ResolutionError) as exc:
            return failed(exc.detail)
        return passed(f"tree of {self.receipt.tree_size} within the log of {latest.count}")

    def prove(self, size: int, root: str, later: Checkpoint) -> None:
        """That the tree of ``size`` entries with ``root`` is a prefix of ``later``, by the
        log's own consistency proof; ConsistencyError otherwise."""
        if size > later.count:
            raise ConsistencyError(f"a tree of {size} entries after one of {later.count}")
        if size == 0 or size == later.count:
            earlier = Checkpoint(later.issuer, size, "", root, "")
            check_consistency(earlier, later, [])
            return
        url = f"{self.origin}/ledger/consistency?from={size}&to={later.count}"
        reply = self.get(url, "application/json")
        if reply.status != 200:
            raise ConsistencyError(f"GET {url}: HTTP {reply.status}: {reply.text()}")
        try:
            body = reply.json()
            path = [bytes.fromhex(h) for h in body["proof"]]
        except (ValueError, TypeError, KeyError):
            raise ConsistencyError(f"GET {url}: no proof (a list of hex hashes)") from None
        merkle.verify_consistency(
            size, later.count, bytes.fromhex(root), bytes.fromhex(later.root_hash), path
        )

    # --- witnessing -----------------------------------------------------------------------
    def ask(self, old: int, consistency: list[str], checkpoint: str, **kw: Any) -> Reply:
        assert self.witness is not None
        body = {"old": old, "consistency": consistency, "checkpoint": checkpoint}
        headers = {**self.auth, "Accept": "application/json"}
        return request(self.http, "POST", self.witness, json_body=body, headers=headers, **kw)

    def witness_malformed(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        return problem(self.ask(0, [], "not.a.checkpoint"), 400, "ledger.checkpoint")

    def witness_bad_signature(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        forged = flip_jws(HarnessLog().signed(1))
        return problem(self.ask(0, [], forged), 400, "ledger.checkpoint")

    def witness_unresolvable(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        log = HarnessLog(Signer(KeyPair.generate(KeyType.ED25519), f"{UNRESOLVABLE}#key-1"))
        return problem(self.ask(0, [], log.signed(1), expect_5xx=True), 502, None)

    def cosigned_by_witness(self, reply: Reply, size: int) -> Verdict:
        if reply.status != 200:
            return failed(f"HTTP {reply.status}, expected 200: {reply.text()}")
        try:
            body = reply.json()
        except ValueError as exc:
            return failed(str(exc))
        jws = body.get("cosignature") if isinstance(body, dict) else None
        try:
            cosignature = verify_cosignature(jws, self.resolver)
        except (ReceiptError, ResolutionError) as exc:
            return failed(f"the cosignature: {exc.detail}", answer=excerpt(body))
        expected = self.log.checkpoint(size)
        said = (cosignature.log, cosignature.count, cosignature.root_hash)
        if said != (expected.issuer, expected.count, expected.root_hash):
            return failed(f"the cosignature is of {said}, not of the checkpoint sent")
        self.cosigned = size
        return passed(f"cosigned by {cosignature.witness} at {cosignature.time}")

    def witness_cosign(self) -> Verdict:
        if (missing := self._discovered()) is not None:
            return missing
        return self.cosigned_by_witness(self.ask(0, [], self.log.signed(1)), 1)

    def _witnessed(self) -> Verdict | None:
        if not self.cosigned:
            return skipped("the witness cosigned nothing (see registry.witness.cosign)")
        return None

    def witness_stale(self) -> Verdict:
        if (missing := self._witnessed()) is not None:
            return missing
        reply = self.ask(0, [], self.log.signed(2))
        verdict = problem(reply, 409, "registry.witness-stale")
        if verdict.outcome is not Outcome.PASSED:
            return verdict
        known = reply.json().get("knownSize")
        if known != self.cosigned:
            return failed(f"knownSize is {known!r}, not {self.cosigned}")
        return passed(f"HTTP 409, knownSize {known}")

    def witness_extend(self) -> Verdict:
        if (missing := self._witnessed()) is not None:
            return missing
        old = self.cosigned
        reply = self.ask(old, self.log.proof(old, 3), self.log.signed(3))
        return self.cosigned_by_witness(reply, 3)

    def witness_fork(self) -> Verdict:
        if (missing := self._witnessed()) is not None:
            return missing
        fork = HarnessLog(self.log.signer)  # another history, signed by the same log
        old = self.cosigned
        reply = self.ask(old, fork.proof(old, old + 1), fork.signed(old + 1))
        return problem(reply, 409, "registry.equivocation")

    def witness_split(self) -> Verdict:
        if (missing := self._witnessed()) is not None:
            return missing
        split = HarnessLog(self.log.signer)
        old = self.cosigned
        return problem(self.ask(old, [], split.signed(old)), 409, "registry.equivocation")

    def witness_state(self) -> Verdict:
        if (missing := self._witnessed()) is not None:
            return missing
        assert self.witness is not None
        reply = self.get(self.witness, "application/json")
        if reply.status != 200:
            return failed(f"GET {self.witness}: HTTP {reply.status}: {reply.text()}")
        try:
            body = reply.json()
        except ValueError as exc:
            return failed(str(exc))
        if not isinstance(body, dict) or not isinstance(body.get("witness"), str):
            return failed("the witness's state names no witness DID", state=excerpt(body))
        logs = body.get("logs")
        evidence = body.get("equivocations")
        if not isinstance(logs, list) or not isinstance(evidence, list):
            return failed("the witness's state has no logs and equivocations lists")
        expected = self.log.checkpoint(self.cosigned)
        mine = [e for e in logs if isinstance(e, dict) and e.get("log") == self.log.did]
        if [(e.get("count"), e.get("rootHash")) for e in mine] != [
            (expected.count, expected.root_hash)
        ]:
            return failed(
                f"the witness shows {self.log.did} as {excerpt(mine)}, not at "
                f"{expected.count} entries with root {expected.root_hash}"
            )
        caught = [e for e in evidence if isinstance(e, dict) and e.get("log") == self.log.did]
        if not caught:
            return failed(f"the witness holds no equivocation evidence for {self.log.did}")
        return passed(f"{len(logs)} logs, {len(caught)} equivocations of the harness's log")

    # --- the log grew ---------------------------------------------------------------------
    def consistency(self) -> Verdict:
        if not self.kept:
            return skipped("no first checkpoint (see registry.checkpoint)")
        try:
            later = self.signed_checkpoint()
            for earlier in self.kept:
                self.prove(earlier.count, earlier.root_hash, later)
        except (CheckpointError, ConsistencyError, ResolutionError) as exc:
            return failed(exc.detail)
        sizes = ", ".join(str(c.count) for c in self.kept)
        return passed(f"the trees of {sizes} entries are prefixes of the log of {later.count}")


def _signed_by_another(registration: Registration, signer: Signer) -> bytes:
    """A statement of ``registration`` whose payload and ``iss`` name its drawer, signed by
    ``signer`` (whose ``kid`` it carries), who is not the drawer."""
    protected = {
        HEADER_CTY: STATEMENT_CTY,
        CWT_CLAIMS: {
            CWT_ISS: registration.drawer,
            CWT_SUB: registration.credential_digest,
            CWT_IAT: int(time.time()),
        },
    }
    return sign1(protected, jcs(registration.payload()), signer)


def _proves(receipt: Receipt, registration: Registration, source: str, tonnes: int) -> list[str]:
    """What is wrong with ``receipt`` as the proof of ``registration``'s debit of ``tonnes``
    from the credential of digest ``source``."""
    entries = [e.content for e in receipt.entries]
    debits = [
        e
        for e in entries
        if e.get("kind") == "debit" and e.get("credentialDigest") == registration.credential_digest
    ]
    if not debits:
        return [f"the receipt proves no debit of {registration.credential_digest}: {entries}"]
    wrong = []
    drawn = 0
    for entry in debits:
        account = entry.get("account")
        if not isinstance(account, dict) or account.get("credentialDigest") != source:
            wrong.append(f"a debit of another account: {excerpt(account)}")
        elif account.get("holder") != registration.drawer:
            wrong.append(f"a debit of an account held by {account.get('holder')!r}")
        amount = entry.get("amountMg")
        drawn += int(amount) if isinstance(amount, str) and amount.isdigit() else 0
    if drawn != tonnes * MG_PER_TONNE:
        wrong.append(f"the debits add up to {drawn} mg, not {tonnes * MG_PER_TONNE}")
    return wrong


def _same(receipt: Receipt, first: Receipt) -> Verdict:
    proven = [(e.seq, e.entry_hash) for e in receipt.entries]
    expected = [(e.seq, e.entry_hash) for e in first.entries]
    if proven != expected:
        return failed(f"the receipt proves entries {proven}, the first one {expected}")
    same = receipt.message.encode() == first.message.encode()
    return passed("the same receipt" + ("" if same else f" (re-signed at {receipt.tree_size})"))
