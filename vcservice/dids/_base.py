"""The resolver protocol and verification-method dereferencing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl

from vcservice.errors import InputError, KeyFormatError, ResolutionError, VerificationMethodError
from vcservice.keys import KeyType, PublicKey, multibase_decode

_RELATIONSHIPS = frozenset(
    {
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "keyAgreement",
    }
)


class DIDResolver(Protocol):
    """Resolves a DID (no fragment) to its DID document, or raises ResolutionError."""

    def resolve(self, did: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class DidVersion:
    """One verified version of a DID document with history (a did:webvh log entry).

    ``valid_until`` is the ``versionTime`` of the next version (None: this is the current one);
    ``deactivated`` marks the entry that deactivated the DID.
    """

    version_id: str
    version_number: int
    version_time: datetime
    document: dict[str, Any]
    valid_until: datetime | None = None
    deactivated: bool = False


@dataclass(frozen=True)
class DidHistory:
    """Every version of a DID, verified, oldest first (never empty)."""

    did: str
    versions: tuple[DidVersion, ...]

    @property
    def current(self) -> DidVersion:
        return self.versions[-1]

    def at(self, moment: datetime) -> DidVersion | None:
        """The version in effect at ``moment``; None before the DID existed."""
        found = None
        for version in self.versions:
            if version.version_time > moment:
                break
            found = version
        return found

    def by_id(self, version_id: str) -> DidVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    def by_number(self, number: int) -> DidVersion | None:
        return next((v for v in self.versions if v.version_number == number), None)


class HistoryResolver(Protocol):
    """A resolver that can also give a DID's verified history (did:webvh).

    ``history`` returns None for a DID whose method keeps no history (did:key, did:web): its
    current document is all there is. It raises like ``resolve`` otherwise.
    """

    def resolve(self, did: str) -> dict[str, Any]: ...

    def history(self, did: str) -> DidHistory | None: ...


@dataclass(frozen=True)
class VerificationMethod:
    """A dereferenced verification method.

    ``note`` is set when the method was found only in an earlier version of its DID (a key
    rotated out, or a DID deactivated since): it says in plain words which version listed the
    key and what happened to it, so a verifier can pass it on as a warning.
    """

    id: str
    type: str
    controller: str
    public_key: PublicKey
    note: str | None = None


def did_of(did_url: str) -> str:
    """The DID part of a DID URL (drops fragment, query and path)."""
    for sep in ("#", "?"):
        did_url = did_url.split(sep, 1)[0]
    return did_url


def history_of(resolver: DIDResolver, did: str) -> DidHistory | None:
    """``resolver``'s verified history of ``did``; None when the resolver keeps no history
    (it has no ``history`` method) or the DID's method keeps none (did:key, did:web).

    Duck-typed on purpose: resolvers are composed (static, local, multi), and each passes on
    history only if what it wraps has one, so nothing that keeps none must pretend to.
    """
    history = getattr(resolver, "history", None)
    if not callable(history):
        return None
    found = history(did)
    return found if isinstance(found, DidHistory) else None


class StaticResolver:
    """Resolves from fixed maps of documents and did:webvh logs (bundles, the CLI's files,
    tests), then ``fallback``.

    ``logs`` maps a did:webvh DID to its ``did.jsonl`` text and its ``did-witness.json`` text
    (or None). A log is verified when the DID is first asked for, not when the resolver is
    built, so a broken log fails the proofs that name its DID (``DidLogError``, "invalid")
    rather than everything else handed over with it.
    """

    def __init__(
        self,
        documents: Mapping[str, dict[str, Any]],
        fallback: DIDResolver | None = None,
        *,
        logs: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> None:
        self._documents = dict(documents)
        self._fallback = fallback
        self._logs = dict(logs or {})
        self._histories: dict[str, DidHistory] = {}

    def resolve(self, did: str) -> dict[str, Any]:
        if did in self._logs:
            # The deactivating version's document authorises nothing (verify_log sees to it).
            return self._history(did).current.document
        if did in self._documents:
            return self._documents[did]
        if self._fallback is not None:
            return self._fallback.resolve(did)
        raise ResolutionError(f"no DID document known for {did}")

    def history(self, did: str) -> DidHistory | None:
        if did in self._logs:
            return self._history(did)
        if did in self._documents or self._fallback is None:
            return None
        return history_of(self._fallback, did)

    def _history(self, did: str) -> DidHistory:
        if did not in self._histories:
            # Imported here: the did:webvh module builds on this one (DidHistory, the errors).
            from vcservice.dids._didwebvh import verify_log

            log, witness = self._logs[did]
            self._histories[did] = verify_log(did, log, witness)
        return self._histories[did]


def _absolute(ref: str, did: str) -> str:
    return did + ref if ref.startswith("#") else ref


def public_key_of(method: Mapping[str, Any]) -> PublicKey:
    """Key material of a verification method: Multikey, JsonWebKey(2020) or Ed25519 2020."""
    if "publicKeyMultibase" in method:
        return PublicKey.from_multibase(method["publicKeyMultibase"])
    if "publicKeyJwk" in method:
        jwk = method["publicKeyJwk"]
        if isinstance(jwk, dict) and "d" in jwk:
            raise KeyFormatError("a verification method must never carry a private key")
        return PublicKey.from_jwk(jwk)
    if "publicKeyBase58" in method and method.get("type") == "Ed25519VerificationKey2018":
        raw = multibase_decode("z" + str(method["publicKeyBase58"]))
        return PublicKey.from_raw(KeyType.ED25519, raw)
    raise KeyFormatError("verification method has no supported public key encoding")


@dataclass(frozen=True)
class _VersionQuery:
    """The DID URL parameters that select a version (DID Core §3.2.1, did:webvh 1.0)."""

    version_id: str | None = None
    version_number: int | None = None
    version_time: datetime | None = None


def _version_query(method_id: str) -> tuple[str, _VersionQuery | None]:
    """``method_id`` without its query, and the version the query selects (None: no query).

    Only the version parameters are understood; any other parameter (or a repeated one) is
    refused rather than ignored, since ignoring it could verify against the wrong document.
    """
    base, hash_mark, fragment = method_id.partition("#")
    path, question, query = base.partition("?")
    if not question:
        return method_id, None
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise VerificationMethodError(f"{method_id}: malformed DID URL query") from None
    names = [name for name, _ in pairs]
    unknown = sorted(set(names) - {"versionId", "versionNumber", "versionTime"})
    if unknown or len(names) != len(set(names)) or len(names) != 1:
        raise VerificationMethodError(
            f"{method_id}: a verification method's DID URL may carry exactly one of versionId, "
            "versionNumber or versionTime"
        )
    name, value = pairs[0]
    stripped = path + hash_mark + fragment
    if name == "versionId":
        return stripped, _VersionQuery(version_id=value)
    if name == "versionNumber":
        if not value.isdigit() or value.startswith("0"):
            raise VerificationMethodError(f"{method_id}: versionNumber must be a positive integer")
        return stripped, _VersionQuery(version_number=int(value))
    moment = _parse_time(value)
    if moment is None:
        raise VerificationMethodError(f"{method_id}: versionTime {value!r} is not a date-time")
    return stripped, _VersionQuery(version_time=moment)


# RFC 3339 with a zone, as DID Core's versionTime ("normalized to UTC") and did:webvh write it.
# Not vcservice.model's parser: the model package imports the securing code, which imports this.
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)


def _parse_time(value: str) -> datetime | None:
    if not _TIME.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _select(history: DidHistory, query: _VersionQuery, method_id: str) -> DidVersion:
    if query.version_id is not None:
        found = history.by_id(query.version_id)
        wanted = f"versionId {query.version_id}"
    elif query.version_number is not None:
        found = history.by_number(query.version_number)
        wanted = f"versionNumber {query.version_number}"
    else:
        assert query.version_time is not None
        found = history.at(query.version_time)
        wanted = f"a version at {_when(query.version_time)}"
    if found is None:
        raise VerificationMethodError(f"{method_id}: {history.did} has no {wanted}")
    return found


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _version_name(version: DidVersion) -> str:
    return f"version {version.version_number} ({version.version_id})"


def verification_method_in(
    document: Mapping[str, Any], did: str, method_id: str, purpose: str
) -> VerificationMethod:
    """``method_id`` as ``document`` (of ``did``) lists it, if authorised for ``purpose``.

    Raises VerificationMethodError when the method is absent, malformed or not authorised.
    """
    methods: dict[str, Mapping[str, Any]] = {}
    for entry in document.get("verificationMethod", []) or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            methods[_absolute(entry["id"], did)] = entry
    authorized: set[str] = set()
    for entry in document.get(purpose, []) or []:
        if isinstance(entry, str):
            authorized.add(_absolute(entry, did))
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            methods.setdefault(_absolute(entry["id"], did), entry)
            authorized.add(_absolute(entry["id"], did))

    method = methods.get(method_id)
    if method is None:
        raise VerificationMethodError(f"verification method {method_id} not found in {did}")
    if method_id not in authorized:
        raise VerificationMethodError(
            f"verification method {method_id} is not authorized for {purpose} by {did}"
        )
    controller = method.get("controller", did)
    if not isinstance(controller, str):
        raise VerificationMethodError(f"verification method {method_id} has no valid controller")
    # Controlled Identifiers 1.0, "Retrieve Verification Method": the method's controller MUST
    # be the document it was found in. Callers bind issuers to ``controller``, so without this
    # a document could list its own key with someone else's DID as controller and sign as them.
    if controller != did:
        raise VerificationMethodError(
            f"verification method {method_id} names {controller} as its controller, not {did}"
        )
    try:
        key = public_key_of(method)
    except KeyFormatError as exc:
        raise VerificationMethodError(f"verification method {method_id}: {exc.detail}") from exc
    return VerificationMethod(
        id=method_id, type=str(method.get("type", "")), controller=controller, public_key=key
    )


def _in_version(version: DidVersion, did: str, method_id: str, purpose: str) -> VerificationMethod:
    """The method as ``version`` lists it; the error names the version consulted."""
    if version.deactivated:
        raise VerificationMethodError(
            f"{did} was deactivated by {_version_name(version)} on {_when(version.version_time)}"
        )
    if version.document.get("id") != did:
        raise VerificationMethodError(f"{_version_name(version)} of {did} is another DID's")
    try:
        return verification_method_in(version.document, did, method_id, purpose)
    except VerificationMethodError as exc:
        raise VerificationMethodError(
            f"{exc.detail} (consulted {_version_name(version)}, in effect from "
            f"{_when(version.version_time)})"
        ) from exc


def _listed(version: DidVersion, did: str, method_id: str, purpose: str) -> bool:
    try:
        _in_version(version, did, method_id, purpose)
    except VerificationMethodError:
        return False
    return True


def _history_note(
    history: DidHistory, version: DidVersion, method_id: str, purpose: str
) -> str | None:
    """Plain words on a key found in ``version``: which version listed it, and when it was
    rotated out or the DID deactivated. None if every later version still authorises it."""
    later = history.versions[history.versions.index(version) + 1 :]
    gone = next((v for v in later if not _listed(v, history.did, method_id, purpose)), None)
    if gone is None:
        return None
    listed = (
        f"{method_id} was authorised for {purpose} by {_version_name(version)} of "
        f"{history.did}, in effect from {_when(version.version_time)}"
    )
    if gone.deactivated:
        return f"{listed}; the DID was deactivated since, on {_when(gone.version_time)}"
    return f"{listed}; it was rotated out by {_version_name(gone)} on {_when(gone.version_time)}"


def resolve_verification_method(
    resolver: DIDResolver, method_id: str, purpose: str, *, at: datetime | None = None
) -> VerificationMethod:
    """Dereference ``method_id`` and check that its controller authorizes it for ``purpose``.

    A DID URL with ``versionId``, ``versionNumber`` or ``versionTime`` is looked up in that
    version of the DID's verified history. Otherwise the current document decides; when it
    does not list the method (any more) and ``at`` (aware: when the proof says it was made)
    is given, the version in effect at ``at`` decides instead: a credential signed before its
    key was rotated out (or its DID deactivated) still verifies, and the method returned
    carries a ``note`` saying so. With a version query and ``at``, the version in effect at
    ``at`` must authorise the method too, so pinning an old version cannot let a key sign
    after it was rotated out.

    Raises ResolutionError when the DID (or the history a query needs) cannot be resolved
    (could not check) and VerificationMethodError when the method is absent, malformed or not
    authorized (invalid), naming the version consulted when history was.
    """
    if purpose not in _RELATIONSHIPS:
        raise VerificationMethodError(f"unknown proof purpose {purpose!r}")
    if not isinstance(method_id, str) or not method_id.startswith("did:"):
        raise VerificationMethodError(
            f"verification method {method_id!r} is not a DID URL; only DID-based methods are "
            "supported"
        )
    if at is not None and at.tzinfo is None:
        raise ValueError("at must be a timezone-aware datetime")
    did = did_of(method_id)
    lookup_id, query = _version_query(method_id)
    if query is not None:
        return _pinned(resolver, did, lookup_id, method_id, query, purpose, at)
    document = resolver.resolve(did)
    if document.get("id") != did:
        raise ResolutionError(f"DID document id {document.get('id')!r} does not match {did}")
    try:
        return verification_method_in(document, did, method_id, purpose)
    except VerificationMethodError:
        history = history_of(resolver, did) if at is not None else None
        if history is None or at is None:
            raise
    return _at(history, did, method_id, purpose, at)


def _at(
    history: DidHistory, did: str, method_id: str, purpose: str, at: datetime
) -> VerificationMethod:
    version = history.at(at)
    if version is None:
        raise VerificationMethodError(
            f"verification method {method_id}: the proof time {_when(at)} is before {did} "
            f"existed (created {_when(history.versions[0].version_time)})"
        )
    try:
        method = _in_version(version, did, method_id, purpose)
    except VerificationMethodError:
        # Times here are whole seconds (versionTime, a proof's created, a JWT's iat), so a
        # signature made in the second a rotation happened carries that same second: the
        # version that ended then is in force at that instant too (not when the new version
        # deactivated the DID: nothing is in force after that).
        earlier = history.by_number(version.version_number - 1)
        if (
            earlier is None
            or version.deactivated
            or version.version_time != at
            or not _listed(earlier, did, method_id, purpose)
        ):
            raise
        version = earlier
        method = _in_version(version, did, method_id, purpose)
    return replace(method, note=_history_note(history, version, method_id, purpose))


def _pinned(
    resolver: DIDResolver,
    did: str,
    lookup_id: str,
    method_id: str,
    query: _VersionQuery,
    purpose: str,
    at: datetime | None,
) -> VerificationMethod:
    history = history_of(resolver, did)
    if history is None:
        raise ResolutionError(
            f"{method_id} names a version of {did}, but no verified history of it is available "
            "(its DID method keeps none, or this resolver cannot read it)"
        )
    version = _select(history, query, method_id)
    method = _in_version(version, did, lookup_id, purpose)
    # Pinning an old version must not let a key rotated out since sign anything new: the key
    # must also be in force when the proof says it was made (the same rule as unpinned), or,
    # when the proof does not say, now.
    if at is not None:
        _at(history, did, lookup_id, purpose, at)
    else:
        _in_version(history.current, did, lookup_id, purpose)
    note = _history_note(history, version, lookup_id, purpose)
    return replace(method, id=method_id, note=note)


# DID Core §3.1 (ABNF): did:<method-name>:<method-specific-id>, the last segment non-empty.
_ID_CHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID = re.compile(rf"did:[a-z0-9]+:(?:{_ID_CHAR}*:)*{_ID_CHAR}+")


def resolution_result(
    resolver: DIDResolver,
    did: str,
    *,
    version_id: str | None = None,
    version_time: str | None = None,
) -> dict[str, Any]:
    """The DID Resolution result for ``did`` (W3C DID Resolution §"DID Resolution Result"):
    ``didDocument``, ``didResolutionMetadata`` and ``didDocumentMetadata``.

    For a DID with history (did:webvh) the metadata gives the version resolved (``versionId``,
    ``versionTime``, ``created``, ``updated``, ``deactivated``, and ``nextVersionId`` for an
    earlier one), and ``version_id`` / ``version_time`` select a version. Raises InputError for
    a malformed DID, an unusable or unknown version, or a version asked of a DID without
    history; DidLogError for a broken log; ResolutionError when the DID cannot be resolved.
    """
    if not _DID.fullmatch(did):
        raise InputError(f"{did[:120]!r} is not a DID (did:<method>:<method-specific-id>)")
    if version_id is not None and version_time is not None:
        raise InputError("ask for a versionId or a versionTime, not both")
    history = history_of(resolver, did)
    if history is None:
        if version_id is not None or version_time is not None:
            raise InputError(f"{did} keeps no version history: versionId/versionTime do not apply")
        return _result(resolver.resolve(did), {})
    version = history.current
    if version_id is not None:
        found = history.by_id(version_id)
        if found is None:
            raise InputError(f"{did} has no version {version_id}")
        version = found
    elif version_time is not None:
        moment = _parse_time(version_time)
        if moment is None:
            raise InputError(f"versionTime {version_time!r} is not an RFC 3339 date-time")
        at = history.at(moment)
        if at is None:
            raise InputError(f"{did} did not exist at {version_time}")
        version = at
    metadata: dict[str, Any] = {
        "versionId": version.version_id,
        "versionTime": _when(version.version_time),
        "created": _when(history.versions[0].version_time),
        "updated": _when(version.version_time),
        "deactivated": history.current.deactivated,
    }
    if version is not history.current:
        following = history.versions[history.versions.index(version) + 1]
        metadata["nextVersionId"] = following.version_id
        metadata["nextUpdate"] = _when(following.version_time)
    return _result(version.document, metadata)


def _result(document: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "didDocument": document,
        "didResolutionMetadata": {"contentType": "application/did+ld+json"},
        "didDocumentMetadata": metadata,
    }
