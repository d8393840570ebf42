"""did:webvh 1.0: a did:web whose document comes with a verifiable history.

Spec: https://identity.foundation/didwebvh/v1.0/. The DID names a log, ``did.jsonl``, served
where did:web would serve ``did.json``; every line is one version of the DID document, hash
chained to the previous one, signed by a key the log authorised, the first one hashed into the
DID itself (the SCID). Verifying the log therefore tells which key was valid *when*, which a
credential signed before a key rotation needs.

The spec's rules (entry hash, SCID derivation, authorised update keys, pre-rotation, witness
threshold, monotonic ``versionTime``) are applied by the DIF's implementation, PyPI
``did-webvh`` (``did_webvh``), not re-implemented here. This module adds what is ours:

* **Where**: :func:`webvh_urls`, the spec's DID-to-HTTPS transformation, with did:web's host
  and path rules (:func:`~vcservice.dids.did_web_url`), so the two methods refuse the same
  hosts; international domain names are IDNA-encoded first, as the spec's example shows.
* **Fetching**: the log and the witness file come through the shared bounded fetcher
  (:class:`~vcservice._fetch.CachingGetter`); the library never opens a connection. The
  witness file is fetched only when the log requires witnesses.
* **One pass, every version**: the library's resolver verifies the whole log and returns only
  the last state; a recording verifier collects every state it accepted, so one verification
  yields the whole :class:`~vcservice.dids._base.DidHistory`.
* **Errors**: the library's problem types become our :class:`~vcservice.errors.DidLogError`
  subclasses (a broken log is "invalid"); transport failures stay ResolutionError ("could not
  check").
* **Sync**: the library is asyncio-based, our callers are not; :func:`run_sync` runs its
  coroutines on a private event loop (in a short-lived thread when this thread already runs
  one).

A deactivated DID keeps resolving (the spec says it "remains resolvable"), but the document of
the deactivating version, and so the current one, has its verification relationships removed:
no key verifies anything signed after deactivation, while ``history.at(t)`` still gives the
keys in effect before it.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import idna
from did_webvh.core import resolver as _lib_resolver
from did_webvh.core.file_utils import AsyncTextReader, AsyncTextReadError, read_str
from did_webvh.core.problem_details import ProblemDetails
from did_webvh.core.state import DocumentState, InvalidDocumentState, verify_state_proofs
from did_webvh.verify import WebvhVerifier

from vcservice._fetch import DEFAULT_TIMEOUT, CachingGetter, Fetched, short
from vcservice.dids._base import DidHistory, DidVersion
from vcservice.dids._didweb import did_web_url
from vcservice.errors import (
    DidLogError,
    DidLogHashChainError,
    DidLogPreRotationError,
    DidLogScidError,
    DidLogUnauthorizedKeyError,
    DidLogWitnessError,
    InputError,
    ResolutionError,
    VCServiceError,
)
from vcservice.ingress import FETCHED_LIMITS, read_json

__all__ = [
    "DEFAULT_LOG_MAX_BYTES",
    "DidWebvhResolver",
    "log_states",
    "refusal",
    "run_sync",
    "verify_log",
    "webvh_urls",
    "without_relationships",
]

DEFAULT_LOG_MAX_BYTES = 1024 * 1024
USER_AGENT = "vcservice-did-resolver"

_PREFIX = "did:webvh:"
# The ABNF's scid: 46 base58btc characters (a base58 sha2-256 multihash).
_SCID = re.compile(r"[1-9A-HJ-NP-Za-km-z]{46}")
#: ``<version number>-<entry hash>``: the number from 1, the hash a base58btc multihash.
_VERSION_ID = re.compile(r"[1-9][0-9]{0,8}-[1-9A-HJ-NP-Za-km-z]+")
_PORT = re.compile(r"%3[Aa]")
_ACCEPT = "text/jsonl, application/jsonl;q=0.9, application/json;q=0.5, */*;q=0.1"
_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)
# The library's problem types (https://didwebvh.info/main/resolution-errors/) by rule broken.
_BY_TYPE: dict[str, type[DidLogError]] = {
    "hash-chain-broken": DidLogHashChainError,
    "scid-verification-failed": DidLogScidError,
    "proof-verification-failed": DidLogUnauthorizedKeyError,
    "witness-verification-failed": DidLogWitnessError,
}

_T = TypeVar("_T")
WitnessSource = Callable[[], str | None]


# --- where ------------------------------------------------------------------------------------
def webvh_urls(did: str, *, allow_http_loopback: bool = False) -> tuple[str, str]:
    """``(did.jsonl URL, did-witness.json URL)`` of a did:webvh, per the spec's transformation.

    Pure. The SCID is checked for shape and dropped; the rest maps as did:web's does (port
    ``%3A``, ``:`` path separators, ``/.well-known/`` without a path), with did:web's host rules:
    no IP addresses, loopback only with ``allow_http_loopback``. Raises ResolutionError.
    """
    _, rest = split_did(did)
    try:
        url = did_web_url("did:web:" + _ascii(rest), allow_http_loopback=allow_http_loopback)
    except ResolutionError as exc:
        raise ResolutionError(f"refusing {did} (as did:web, its location): {exc.detail}") from exc
    base = url.removesuffix("did.json")
    return base + "did.jsonl", base + "did-witness.json"


def split_did(did: str) -> tuple[str, str]:
    """``(scid, domain and path)`` of a did:webvh; ResolutionError if it is not one."""
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise ResolutionError(f"{did!r} is not a did:webvh")
    scid, _, rest = did[len(_PREFIX) :].partition(":")
    if not _SCID.fullmatch(scid):
        raise ResolutionError(
            f"invalid did:webvh {did}: the SCID {scid!r} is not 46 base58btc characters"
        )
    if not rest:
        raise ResolutionError(f"invalid did:webvh {did}: no domain after the SCID")
    return scid, rest


def _ascii(rest: str) -> str:
    """The domain IDNA-encoded and non-ASCII path characters %-encoded (spec step 3 and 4)."""
    if rest.isascii():
        return rest
    host, *path = rest.split(":")
    name, port_sep, port = _PORT.sub(":", host).partition(":")
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ResolutionError(f"invalid did:webvh domain {name!r}: {exc}") from exc
    host = ascii_name + ("%3A" + port if port_sep else "")
    return ":".join([host, *(quote(segment, safe="%") for segment in path)])


# --- verify -----------------------------------------------------------------------------------
def verify_log(did: str, log: str, witness: str | None = None) -> DidHistory:
    """Verify a whole did:webvh log (and its witness file, if the log needs one).

    Pure apart from the spec's "no ``versionTime`` in the future" rule, which reads the wall
    clock (five minutes' tolerance). Returns every version, oldest first. Raises the
    DidLogError subclass of the rule broken; ResolutionError if ``did`` is not a did:webvh. The
    DID must be the ``id`` of at least one version (spec, Read step 6.1; a portable DID may
    have moved since).

    A log that verified is remembered by its text (and the DID and witness file): it only
    grows, so a new entry is a new text, and the public resolution endpoint and every
    verification of a local tenant's credentials then cost no second verification. Each call
    returns its own copy.
    """
    return copy.deepcopy(_verified(did, log, witness))


@functools.lru_cache(maxsize=256)
def _verified(did: str, log: str, witness: str | None) -> DidHistory:
    return _verify(did, log, lambda: witness)


def _verify(did: str, log: str, witness: WitnessSource) -> DidHistory:
    scid, _ = split_did(did)
    _check_lines(log)
    states = run_sync(lambda: _walk(did, log, witness))
    if not any(state.document_id == did for state in states):
        if states[0].scid != scid:
            raise DidLogScidError(
                f"the did:webvh log is that of SCID {states[0].scid}, not of {did}"
            )
        raise DidLogError(f"no version of the did:webvh log has {did} as its id")
    return DidHistory(did=did, versions=_versions(states))


def _check_lines(log: str) -> None:
    """Every line strict JSON (no duplicate members, no NaN, bounded depth), in JSON Lines
    form; the library's own parser is lenient."""
    lines = log.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise DidLogError("the did:webvh log is empty")
    for number, line in enumerate(lines, 1):
        try:
            entry = read_json(line, FETCHED_LIMITS)
        except InputError as exc:
            raise DidLogError(f"did:webvh log line {number}: {exc.detail}") from exc
        if not isinstance(entry, dict):
            raise DidLogError(f"did:webvh log line {number} is not a JSON object")
        version = entry.get("versionId")
        if not isinstance(version, str) or not _VERSION_ID.fullmatch(version):
            raise DidLogError(
                f"did:webvh log line {number}: versionId {short(version)} is not "
                "<number>-<entry hash>"
            )


class _Recorder(WebvhVerifier):  # type: ignore[misc]
    """The library's verifier, remembering every state it was given, in log order.

    Proofs are verified here, in line, rather than by the library in its thread pool: there a
    malformed proof's bare ValueError (a did:key whose fragment is not its key) escapes as an
    AttributeError of the library's own; here it becomes the proof failure it is. The spec's
    cryptosuite and proof purpose, which the library does not check, are checked too.
    """

    def __init__(self) -> None:
        super().__init__(verify_proofs=False, enforce_future_skew=True)
        self.states: list[DocumentState] = []

    def verify_state(
        self, state: DocumentState, prev_state: DocumentState | None, is_final: bool
    ) -> None:
        self.states.append(state)
        _check_witnesses(state)
        super().verify_state(state, prev_state, is_final)
        try:
            for proof in state.proofs:
                check_suite(proof)
            verify_state_proofs(state, prev_state)
        except InvalidDocumentState:
            raise
        except (ValueError, KeyError) as exc:
            raise InvalidDocumentState(
                ProblemDetails(
                    type="#proof-verification-failed",
                    title="Proof verification failed",
                    detail=str(exc),
                    versionId=state.version_id,
                )
            ) from None


def _check_witnesses(state: DocumentState) -> None:
    """Each witness counts once: the library counts listed entries, so a witness listed twice
    would meet a threshold of two with one approval (test-suite vector duplicate-witness-ids)."""
    rule = state.witness_rule
    ids = [entry.id for entry in rule.witnesses] if rule is not None else []
    if len(set(ids)) != len(ids):
        raise InvalidDocumentState(
            ProblemDetails.invalid_parameter("the 'witness' parameter lists a witness twice")
        )
    if any(not str(witness).startswith("did:key:") for witness in ids):
        raise InvalidDocumentState(  # the spec's rule; the library accepts any DID
            ProblemDetails.invalid_parameter("a witness is not a did:key")
        )


def check_suite(proof: dict[str, Any]) -> None:
    """did:webvh 1.0 allows one cryptosuite and one purpose; the library checks neither."""
    if proof.get("cryptosuite") != "eddsa-jcs-2022":
        raise ValueError(f"cryptosuite {proof.get('cryptosuite')!r} is not eddsa-jcs-2022")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ValueError(f"proof purpose {proof.get('proofPurpose')!r} is not assertionMethod")


class _Source(_lib_resolver.HistoryResolver):  # type: ignore[misc]
    """The library's log source over text we already hold (fetched by us, or stored)."""

    def __init__(self, log: str, witness: WitnessSource) -> None:
        self._log = log
        self._witness = witness

    def resolve_entry_log(
        self, document_id: str | None
    ) -> AbstractAsyncContextManager[AsyncTextReader]:
        return read_str(self._log)  # type: ignore[no-any-return]

    def resolve_witness_log(
        self, document_id: str | None
    ) -> AbstractAsyncContextManager[AsyncTextReader]:
        return _witness_text(self._witness)


@asynccontextmanager
async def _witness_text(source: WitnessSource) -> AsyncIterator[AsyncTextReader]:
    text = source()
    if text is None:
        raise AsyncTextReadError("no did-witness.json")
    try:
        proofs = read_json(text, FETCHED_LIMITS)
    except InputError as exc:
        raise DidLogWitnessError(f"did-witness.json: {exc.detail}") from exc
    if not isinstance(proofs, list):
        raise DidLogWitnessError("did-witness.json is not a JSON array")
    async with read_str(text) as reader:
        yield reader


async def _walk(did: str, log: str, witness: WitnessSource) -> list[DocumentState]:
    recorder = _Recorder()
    try:
        await _lib_resolver.DidResolver(recorder).resolve_state(did, _Source(log, witness))
    except VCServiceError:
        raise
    except _lib_resolver.ResolutionError as exc:
        raise refusal(exc.problem_details) from None
    except AsyncTextReadError as exc:
        raise DidLogWitnessError(
            "the did:webvh log requires witness approval but there is no did-witness.json"
        ) from exc
    except (ValueError, LookupError, TypeError) as exc:
        # The library lets some malformed input escape as a bare exception (an unknown hash
        # code, a versionId without its "-", a witness file of the wrong shape); it is still a
        # log that does not verify.
        raise DidLogError(f"malformed did:webvh log: {exc}") from exc
    return recorder.states


def refusal(problem: ProblemDetails | list[ProblemDetails] | None) -> DidLogError:
    """Our error for the library's problem details: the class names the rule broken.

    Pre-rotation has no problem type of its own in the library: it is an "invalid parameter"
    about ``nextKeyHashes`` (a new update key not committed, or no ``updateKeys`` while
    committed), so that word decides.
    """
    if isinstance(problem, list):
        problem = problem[0] if problem else None
    if problem is None:
        return DidLogError("the did:webvh log does not verify")
    kind = problem.type.rsplit("#", 1)[-1]
    detail = problem.detail or problem.title or kind
    if kind == "invalid-parameter" and "nextKeyHashes" in detail:
        error: type[DidLogError] = DidLogPreRotationError
    else:
        error = _BY_TYPE.get(kind, DidLogError)
    version = (problem.exts or {}).get("versionId")
    where = f" (version {version})" if isinstance(version, str) else ""
    title = f"{problem.title}: " if problem.title and problem.detail else ""
    return error(f"invalid did:webvh log, {kind}{where}: {title}{detail}")


def log_states(log: str) -> list[DocumentState]:
    """The states of a log we wrote, hash chain and parameters checked, proofs not (sync).

    For authoring: the next entry builds on the last state. Raises the DidLogError of the
    rule broken.
    """
    _check_lines(log)
    states: list[DocumentState] = []
    try:
        for line in log.splitlines():
            state = DocumentState.load_history_json(line, states[-1] if states else None)
            state.check_version_id()
            states.append(state)
    except InvalidDocumentState as exc:
        raise refusal(exc.problem_details) from None
    except (ValueError, LookupError, TypeError) as exc:
        raise DidLogError(f"malformed did:webvh log: {exc}") from exc
    return states


def _versions(states: list[DocumentState]) -> tuple[DidVersion, ...]:
    versions = []
    for index, state in enumerate(states):
        following = states[index + 1] if index + 1 < len(states) else None
        document = copy.deepcopy(state.document)
        versions.append(
            DidVersion(
                version_id=state.version_id,
                version_number=state.version_number,
                version_time=state.timestamp,
                document=without_relationships(document) if state.deactivated else document,
                valid_until=following.timestamp if following else None,
                deactivated=state.deactivated,
            )
        )
    return tuple(versions)


def without_relationships(document: dict[str, Any]) -> dict[str, Any]:
    """The document with no verification relationships: what a deactivated DID resolves to."""
    return {k: v for k, v in document.items() if k not in _RELATIONSHIPS}


# --- sync over the library's asyncio ------------------------------------------------------------
def run_sync(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from sync code, whether or not this thread runs a loop.

    ``make`` builds the coroutine where it runs. With no loop running here, a fresh loop
    (``asyncio.run``); under a running loop (a FastAPI handler calling sync code), a
    short-lived thread with its own loop, so the caller's loop is never re-entered.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="webvh") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


# --- resolve ----------------------------------------------------------------------------------
class DidWebvhResolver:
    """Resolves did:webvh DIDs over an injected ``httpx.Client``; safe to share between threads.

    Implements :class:`~vcservice.dids._base.HistoryResolver`. The log and witness file come
    through the bounded fetcher (cached ``cache_ttl`` seconds; failures are never cached).
    Verified histories are remembered by (DID, log text): a log that verified once stays
    verified (witness proofs only accumulate), so a cache hit costs no second verification.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_http_loopback: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_LOG_MAX_BYTES,
        cache_size: int = 1024,
        cache_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._allow_http_loopback = allow_http_loopback
        self._fetch = CachingGetter(
            client,
            accept=_ACCEPT,
            user_agent=USER_AGENT,
            timeout=timeout,
            max_bytes=max_bytes,
            cache_size=cache_size,
            cache_ttl=cache_ttl,
            clock=clock,
            allow_loopback=allow_http_loopback,
        )
        self._verified: OrderedDict[bytes, DidHistory] = OrderedDict()
        self._verified_size = cache_size
        self._lock = threading.Lock()

    def resolve(self, did: str) -> dict[str, Any]:
        """The current document (a fresh copy); a deactivated DID's has no relationships."""
        return self.history(did).current.document

    def history(self, did: str) -> DidHistory:
        """Every verified version of ``did`` (a fresh copy, callers may mutate it)."""
        log_url, witness_url = webvh_urls(did, allow_http_loopback=self._allow_http_loopback)
        log = self._text(did, log_url, "no DID log there")
        key = hashlib.sha256(f"{did}\n{log}".encode()).digest()
        with self._lock:
            known = self._verified.get(key)
            if known is not None:
                self._verified.move_to_end(key)
        if known is None:
            known = _verify(did, log, lambda: self._text(did, witness_url, "no witness file"))
            with self._lock:
                self._verified[key] = known
                while len(self._verified) > self._verified_size:
                    self._verified.popitem(last=False)
        return copy.deepcopy(known)

    def _text(self, did: str, url: str, absent: str) -> str:
        return self._fetch.get(
            url,
            url,
            lambda fetched: _utf8(did, url, fetched),
            failure=f"could not resolve {did}",
            absent=absent,
        )


def _utf8(did: str, url: str, fetched: Fetched) -> str:
    try:
        return fetched.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResolutionError(f"could not resolve {did}: {url} did not return UTF-8 text") from exc
