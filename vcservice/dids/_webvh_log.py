"""Writing did:webvh logs: create, update (key rotation, pre-rotation), deactivate, witness.

Pure functions over log text: each takes the log so far and returns the text to append (one
JSON line ending in ``\\n``, two for a deactivation under pre-rotation), so the service stores
and serves the concatenation. Signing goes through our :class:`~vcservice.keys.SigningKey`
(vault or PKCS#11), wrapped as the library's signer; ``now`` is injected.

The DIF library (``did_webvh``) builds the entries (SCID, entry hash, Data Integrity proof,
eddsa-jcs-2022). Its ``update_did`` helper does not check that the signer may sign (a FIXME
there), so every new entry is checked here the way a resolver will check it: loaded back after
the previous state, hash, parameters, pre-rotation and proof verified by the library. A key
that may not sign is refused with the same error a resolver would raise, before anything is
published.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from did_webvh.core import types as _lib_types
from did_webvh.core.hash_utils import DEFAULT_HASH, HashInfo
from did_webvh.core.proof import di_jcs_sign, di_jcs_verify
from did_webvh.core.state import DocumentState, InvalidDocumentState, verify_state_proofs
from did_webvh.domain_path import DomainPath
from did_webvh.provision import provision_did
from did_webvh.resolver import extend_document_services

from vcservice.dids._didwebvh import (
    check_suite,
    log_states,
    refusal,
    split_did,
    webvh_urls,
    without_relationships,
)
from vcservice.errors import DidLogWitnessError, InputError, KeyFormatError, ResolutionError
from vcservice.keys import KeyType, PublicKey, SigningKey

__all__ = [
    "WitnessRule",
    "check_witness_proof",
    "create_did",
    "deactivate_entry",
    "next_entry",
    "next_key_hash",
    "parallel_did_web",
    "witness_file",
    "witness_proof",
]

_PLACEHOLDER = "{SCID}"
# A well-formed SCID standing in for the one not yet computed: the document builder gets a DID
# that passes every DID syntax check, and this string then becomes the spec's placeholder.
_STAND_IN = "Q" * 46


@dataclass(frozen=True)
class WitnessRule:
    """The ``witness`` parameter: ``threshold`` approvals among ``witnesses`` (did:key DIDs).

    ``WitnessRule(0, ())`` turns witnessing off (the spec's ``{}``).
    """

    threshold: int
    witnesses: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.witnesses and self.threshold == 0:
            return
        if len(set(self.witnesses)) != len(self.witnesses):
            raise InputError("witness DIDs must be unique")
        for witness in self.witnesses:
            if not isinstance(witness, str) or not witness.startswith("did:key:z"):
                raise InputError(
                    f"witness {witness!r} is not a did:key DID (the spec requires one)"
                )
        if not 1 <= self.threshold <= len(self.witnesses):
            raise InputError(
                f"witness threshold {self.threshold} must be between 1 and the number of "
                f"witnesses ({len(self.witnesses)})"
            )

    def parameter(self) -> dict[str, Any]:
        if not self.witnesses:
            return {}
        return {"threshold": self.threshold, "witnesses": [{"id": w} for w in self.witnesses]}


class _LibKey(_lib_types.SigningKey):  # type: ignore[misc]
    """Our signing key as the library's: Ed25519 only (did:webvh 1.0 allows eddsa-jcs-2022)."""

    def __init__(self, key: SigningKey) -> None:
        if key.key_type is not KeyType.ED25519:
            raise KeyFormatError(
                f"did:webvh 1.0 update and witness keys are Ed25519, not {key.key_type.value}"
            )
        self._key = key

    @property
    def kid(self) -> str:
        return str(self._key.public.multibase)

    @property
    def algorithm(self) -> str:
        return "ed25519"

    @property
    def multicodec_name(self) -> str:
        return "ed25519-pub"

    @property
    def public_key_bytes(self) -> bytes:
        return self._key.public.raw

    def sign_message(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def verify_signature(self, message: bytes, signature: bytes) -> None:
        _Verifying(self._key.public).verify_signature(message, signature)


def next_key_hash(public: PublicKey) -> str:
    """The pre-rotation commitment to ``public`` (a ``nextKeyHashes`` entry)."""
    return str(HashInfo.from_name(DEFAULT_HASH).formatted_hash(public.multibase.encode("utf-8")))


def create_did(
    domain_path: str,
    document: Callable[[str], dict[str, Any]],
    update_key: SigningKey,
    *,
    next_key_hashes: Sequence[str] = (),
    witnesses: WitnessRule | None = None,
    now: datetime,
) -> tuple[str, str]:
    """A new DID and its first log line.

    ``domain_path`` is the DID after the SCID, e.g. ``example.com%3A8443:tenants:acme``;
    ``document(did)`` builds the DID document for a DID whose SCID is a stand-in, which is then
    replaced by the ``{SCID}`` placeholder and, by the library, by the SCID everywhere. With
    witnesses, the line must be witnessed (:func:`witness_proof`) before it is published.
    """
    stand_in = f"did:webvh:{_STAND_IN}:{domain_path}"
    try:
        webvh_urls(stand_in, allow_http_loopback=True)
        # The library's own rule, which every resolver built on it applies: a domain name of
        # two or more labels (so not ``localhost``); refused here, not after publishing.
        DomainPath.parse_identifier(f"{_STAND_IN}:{domain_path}")
    except ResolutionError as exc:
        raise InputError(f"cannot make a did:webvh at {domain_path!r}: {exc.detail}") from exc
    except ValueError as exc:
        raise InputError(
            f"cannot make a did:webvh at {domain_path!r}: {exc} (did:webvh needs a fully "
            "qualified domain name; set VCSERVICE_PUBLIC_URL to the service's public origin)"
        ) from exc
    genesis = json.loads(json.dumps(document(stand_in)).replace(_STAND_IN, _PLACEHOLDER))
    signer = _LibKey(update_key)
    params: dict[str, Any] = {"updateKeys": [update_key.public.multibase]}
    if next_key_hashes:
        params["nextKeyHashes"] = list(next_key_hashes)
    if witnesses is not None and witnesses.witnesses:
        params["witness"] = witnesses.parameter()
    try:
        state = provision_did(genesis, params=params, timestamp=now)
    except (ValueError, TypeError) as exc:
        raise InputError(f"cannot create the did:webvh: {exc}") from exc
    state.sign(signer, timestamp=state.timestamp)
    return str(state.document_id), _checked_line(state, None)


def next_entry(
    log: str,
    document: dict[str, Any],
    update_key: SigningKey,
    *,
    new_update_keys: Sequence[PublicKey] | None = None,
    next_key_hashes: Sequence[str] | None = None,
    witnesses: WitnessRule | None = None,
    now: datetime,
) -> str:
    """The next log line: ``document`` as the new version, signed by ``update_key``.

    Without pre-rotation, ``update_key`` must be a current update key and ``new_update_keys``
    (if given) replace them from the next entry on. Under pre-rotation (the last entry has
    ``nextKeyHashes``) the spec wants ``updateKeys`` and ``nextKeyHashes`` in every entry:
    ``new_update_keys`` defaults to ``[update_key]``, which must have been committed, and
    ``next_key_hashes`` must be given (empty turns pre-rotation off). Raises InputError for
    unusable arguments, the DidLogError a resolver would raise for an entry it would refuse.
    """
    last = _last(log)
    params: dict[str, Any] = {}
    pre_rotation = bool(last.next_key_hashes)
    if new_update_keys is None and pre_rotation:
        new_update_keys = [update_key.public]
    if new_update_keys is not None:
        params["updateKeys"] = [key.multibase for key in new_update_keys]
    if next_key_hashes is not None:
        params["nextKeyHashes"] = list(next_key_hashes)
    elif pre_rotation:
        raise InputError(
            "pre-rotation is active: give next_key_hashes for the next rotation (empty to end "
            "pre-rotation)"
        )
    if witnesses is not None:
        params["witness"] = witnesses.parameter()
    return _append(last, document, params, update_key, now)


def deactivate_entry(log: str, update_key: SigningKey, *, now: datetime) -> str:
    """The line(s) deactivating the DID: ``deactivated`` set, ``updateKeys`` emptied (so no
    further version can be signed), the document without verification relationships.

    Under pre-rotation the spec needs two entries: one ending pre-rotation (``update_key``
    must be the committed key), then the deactivation, one second later.
    """
    last = _last(log)
    document = without_relationships(last.document_copy())
    text = ""
    if last.next_key_hashes:
        ending: dict[str, Any] = {"updateKeys": [update_key.public.multibase], "nextKeyHashes": []}
        text = _append(last, document, ending, update_key, now)
        last = log_states(log + text)[-1]
        now = now + timedelta(seconds=1)
    final: dict[str, Any] = {"deactivated": True, "updateKeys": []}
    return text + _append(last, document, final, update_key, now)


def witness_proof(
    log: str, version_id: str, witness_key: SigningKey, *, now: datetime | None = None
) -> dict[str, Any]:
    """A witness's approval of ``version_id`` (which must be in ``log``): a Data Integrity
    proof over ``{"versionId": ...}`` by the witness's did:key, dated ``now`` (default: the
    entry's ``versionTime``)."""
    entry = next((s for s in log_states(log) if s.version_id == version_id), None)
    if entry is None:
        raise InputError(f"version {version_id} is not in the log")
    proof: dict[str, Any] = di_jcs_sign(
        {"versionId": version_id}, _LibKey(witness_key), timestamp=now or entry.timestamp
    )
    return proof


def check_witness_proof(log: str, version_id: str, proof: Any, witnesses: Sequence[str]) -> str:
    """The witness DID whose valid approval of ``version_id`` (an entry of ``log``) ``proof``
    is; DidLogWitnessError if it is not one: by a DID not in ``witnesses``, over another
    version, with another suite or purpose, or a signature that does not verify.

    Checked alone, not by verifying the log with it: a log whose threshold is two needs one
    approval stored before the second can make it verify.
    """
    if version_id not in {state.version_id for state in log_states(log)}:
        raise DidLogWitnessError(f"version {version_id} is not in the log")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or "#" not in method:
        raise DidLogWitnessError("a witness proof names its witness's did:key verificationMethod")
    witness, _, fragment = method.partition("#")
    if witness not in witnesses:
        raise DidLogWitnessError(f"{witness} is not one of this DID's witnesses")
    try:
        public = PublicKey.from_multibase(witness.removeprefix("did:key:"))
        if fragment != public.multibase:
            raise ValueError(f"{method} is not the key of {witness}")
        check_suite(proof)
        di_jcs_verify({"versionId": version_id}, proof, _Verifying(public))
    except (KeyFormatError, ValueError) as exc:
        raise DidLogWitnessError(f"the witness proof of {witness} does not verify: {exc}") from exc
    return witness


@dataclass(frozen=True)
class _Verifying:
    """A witness's public key as the library's verifying key (its two members it uses)."""

    public: PublicKey

    @property
    def multicodec_name(self) -> str:
        return "ed25519-pub" if self.public.key_type is KeyType.ED25519 else "unsupported"

    def verify_signature(self, message: bytes, signature: bytes) -> None:
        if not self.public.verify(signature, message):
            raise ValueError("signature verification failed")


def witness_file(proofs: Mapping[str, Sequence[dict[str, Any]]]) -> str:
    """``did-witness.json`` from witness proofs by ``versionId``."""
    return json.dumps(
        [{"versionId": version, "proof": list(found)} for version, found in proofs.items()],
        separators=(",", ":"),
    )


def parallel_did_web(log: str) -> dict[str, Any]:
    """The did:web document to serve as ``did.json`` beside the log (spec, "Publishing a
    Parallel did:web DID"): the current version with the implicit ``#files`` and ``#whois``
    services, ``did:webvh:<SCID>:`` rewritten to ``did:web:``, the did:webvh DID in
    ``alsoKnownAs`` (the did:webvh document should list the did:web one: see
    :func:`did_web_alias`). A deactivated DID's has no verification relationships.
    """
    last = log_states(log)[-1]
    document = last.document_copy()
    if last.deactivated:
        document = without_relationships(document)
    extend_document_services(document, _files_url(last.document_id))
    web: dict[str, Any] = replace(last, document=document).to_did_web()
    web_did = web["id"]
    aliases: list[str] = []
    for alias in web.get("alsoKnownAs", []):
        if alias != web_did and alias not in aliases:
            aliases.append(alias)
    web["alsoKnownAs"] = aliases
    return web


def _files_url(did: str) -> str:
    """The ``#files`` service's base: the log's directory, or the host's root for a DID whose
    log is under ``/.well-known/``. Our mapping (:func:`webvh_urls`), not the library's, which
    refuses host names without a dot (``localhost``, a deployment's internal name)."""
    log_url, _ = webvh_urls(did, allow_http_loopback=True)
    base = log_url.rsplit("/", 1)[0] + "/"
    return base.removesuffix(".well-known/")


def did_web_alias(did: str) -> str:
    """The parallel did:web DID of a did:webvh (for the did:webvh document's ``alsoKnownAs``)."""
    _, rest = split_did(did)
    return "did:web:" + rest


def _last(log: str) -> DocumentState:
    last = log_states(log)[-1]
    if last.deactivated:
        raise InputError("the DID is deactivated; its log takes no further entries")
    return last


def _append(
    last: DocumentState,
    document: dict[str, Any],
    params: dict[str, Any],
    update_key: SigningKey,
    now: datetime,
) -> str:
    signer = _LibKey(update_key)
    try:
        state = last.create_next(document=document, params_update=params, timestamp=now)
    except (ValueError, TypeError) as exc:
        raise InputError(f"cannot make the next did:webvh entry: {exc}") from exc
    state.sign(signer, timestamp=state.timestamp)
    return _checked_line(state, last)


def _checked_line(state: DocumentState, previous: DocumentState | None) -> str:
    """The entry as a JSON line, after loading it back as a resolver would (see module doc)."""
    line = json.dumps(state.history_line(), separators=(",", ":"))
    try:
        loaded = DocumentState.load_history_json(line, previous)
        loaded.check_version_id()
        verify_state_proofs(loaded, previous)
    except InvalidDocumentState as exc:
        raise refusal(exc.problem_details) from None
    return line + "\n"
