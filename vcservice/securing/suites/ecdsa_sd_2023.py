"""``ecdsa-sd-2023`` (W3C vc-di-ecdsa, section 3.4): selective disclosure with P-256.

Three steps, three parties:

* **Base proof** (issuer, :func:`create_base_proof`): the credential's quads are split into
  *mandatory* ones (selected by the issuer's mandatory pointers; always disclosed) and the rest.
  Each non-mandatory quad is signed with a fresh, per-proof P-256 key; the issuer signs
  ``proofHash || ephemeral public key || mandatoryHash`` once. The base proof also carries the
  HMAC key that hides blank-node labels, so it is meant for the holder only.
* **Derived proof** (holder, :func:`derive_proof`): the holder keeps the mandatory quads and the
  ones its selective pointers name, drops the other signatures and the HMAC key, and sends the
  labels the verifier will need for the revealed blank nodes. No issuer key is involved.
* **Verification** (:func:`verify_derived_proof`): only a derived proof verifies. A base proof
  is refused (spec, "Verify Derived Proof": the header must be that of a derived proof), since
  accepting it would mean a verifier received the holder's HMAC key.

Only P-256 is specified for this suite; the per-quad signatures are raw r||s, 64 bytes.
ECDSA is randomized, so the vectors are checked by verification and by reproducing every
deterministic step (labels, groups, hashes, CBOR encoding).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cbor2

from vcservice.errors import InputError, KeyFormatError
from vcservice.jsonld import StaticDocumentLoader
from vcservice.keys import KeyPair, KeyType, PublicKey, Signer, b64url_decode, b64url_encode
from vcservice.securing.suites._families import RdfcSuite, sha256_only
from vcservice.securing.suites._sd_primitives import (
    canonical_labels,
    canonicalize_and_group,
    given_label_factory,
    hmac_label_factory,
    label_replaced,
    select_json_ld,
    to_dataset,
)

NAME = "ecdsa-sd-2023"
KEY_TYPES = frozenset({KeyType.P256})
_BASE_HEADER = bytes([0xD9, 0x5D, 0x00])
_DERIVED_HEADER = bytes([0xD9, 0x5D, 0x01])
_P256_MULTIKEY = b"\x80\x24"
_HMAC_KEY_BYTES = 32


@dataclass(frozen=True)
class BaseProofValue:
    """The parts of a base ``proofValue`` (serializeBaseProofValue)."""

    base_signature: bytes
    public_key: bytes
    hmac_key: bytes
    signatures: list[bytes]
    mandatory_pointers: list[str]


@dataclass(frozen=True)
class DerivedProofValue:
    """The parts of a derived ``proofValue``; ``label_map`` is keyed by ``c14nN``."""

    base_signature: bytes
    public_key: bytes
    signatures: list[bytes]
    label_map: dict[str, str]
    mandatory_indexes: list[int]


# --- proofValue encoding ----------------------------------------------------------------------


def _encode(header: bytes, components: list[Any]) -> str:
    return "u" + b64url_encode(header + cbor2.dumps(components))


def _decode(proof_value: object, header: bytes, what: str) -> list[Any]:
    """The CBOR array of a ``u``-multibase proofValue with ``header``; InputError otherwise."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise InputError("an ecdsa-sd-2023 proofValue is base64url multibase (prefix 'u')")
    try:
        data = b64url_decode(proof_value[1:])
    except KeyFormatError as exc:
        raise InputError(f"proofValue: {exc.detail}") from exc
    if data[:3] != header:
        other = "base" if data[:3] == _BASE_HEADER else "derived"
        if data[:3] not in (_BASE_HEADER, _DERIVED_HEADER):
            raise InputError("the proofValue is not an ecdsa-sd-2023 proof value")
        raise InputError(f"expected a {what} proof value, got a {other} one")
    try:
        components = cbor2.loads(data[3:])
    except (cbor2.CBORDecodeError, ValueError) as exc:
        raise InputError(f"the proofValue is not valid CBOR: {exc}") from exc
    if not isinstance(components, list):
        raise InputError("the proofValue's CBOR is not an array")
    return components


def _bytes_list(value: Any, what: str) -> list[bytes]:
    if not isinstance(value, list) or not all(isinstance(item, bytes) for item in value):
        raise InputError(f"{what} must be an array of byte strings")
    return value


def serialize_base_proof_value(value: BaseProofValue) -> str:
    return _encode(
        _BASE_HEADER,
        [
            value.base_signature,
            value.public_key,
            value.hmac_key,
            value.signatures,
            value.mandatory_pointers,
        ],
    )


def parse_base_proof_value(proof_value: object) -> BaseProofValue:
    parts = _decode(proof_value, _BASE_HEADER, "base")
    if len(parts) != 5:
        raise InputError("a base proof value has five components")
    signature, public_key, hmac_key, signatures, pointers = parts
    if not all(isinstance(item, bytes) for item in (signature, public_key, hmac_key)):
        raise InputError("base signature, public key and HMAC key must be byte strings")
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise InputError("mandatory pointers must be an array of strings")
    return BaseProofValue(
        signature, public_key, hmac_key, _bytes_list(signatures, "signatures"), pointers
    )


def serialize_derived_proof_value(value: DerivedProofValue) -> str:
    """serializeDerivedProofValue, with the label map compressed (``c14nN`` -> N, labels as
    the 32 bytes they encode)."""
    compressed = {
        int(key[len("c14n") :]): b64url_decode(label[1:]) for key, label in value.label_map.items()
    }
    return _encode(
        _DERIVED_HEADER,
        [
            value.base_signature,
            value.public_key,
            value.signatures,
            compressed,
            value.mandatory_indexes,
        ],
    )


def parse_derived_proof_value(proof_value: object) -> DerivedProofValue:
    parts = _decode(proof_value, _DERIVED_HEADER, "derived")
    if len(parts) != 5:
        raise InputError("a derived proof value has five components")
    signature, public_key, signatures, compressed, indexes = parts
    if not isinstance(signature, bytes) or not isinstance(public_key, bytes):
        raise InputError("base signature and public key must be byte strings")
    if not isinstance(compressed, dict) or not all(
        isinstance(k, int) and 0 <= k < 2**32 and isinstance(v, bytes)
        for k, v in compressed.items()
    ):
        raise InputError("the label map must map canonical label numbers to byte strings")
    if len(set(compressed.values())) != len(compressed):
        # Two blank nodes with one HMAC label would let a holder repeat a signed statement
        # (one signature, two entries): the base proof never gives two nodes one label.
        raise InputError("the label map gives two blank nodes the same label")
    if not isinstance(indexes, list) or not all(
        isinstance(i, int) and 0 <= i < 2**32 for i in indexes
    ):
        raise InputError("mandatory indexes must be an array of statement numbers")
    label_map = {f"c14n{k}": "u" + b64url_encode(v) for k, v in compressed.items()}
    return DerivedProofValue(
        signature, public_key, _bytes_list(signatures, "signatures"), label_map, indexes
    )


# --- hashing ---------------------------------------------------------------------------------


def proof_hash(
    document: Mapping[str, Any], proof: Mapping[str, Any], loader: StaticDocumentLoader
) -> bytes:
    """SHA-256 of the canonical proof configuration: the proof without ``proofValue`` under
    the document's ``@context``, canonicalized as by every RDFC suite."""
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    return ECDSA_SD_2023.digest(
        ECDSA_SD_2023.canonicalize_proof_config(document, config, loader), KeyType.P256
    )


def mandatory_hash(mandatory: Sequence[str]) -> bytes:
    return hashlib.sha256("".join(mandatory).encode("utf-8")).digest()


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}


# --- the three steps -------------------------------------------------------------------------


def create_base_proof(
    document: Mapping[str, Any],
    signer: Signer,
    proof: Mapping[str, Any],
    *,
    mandatory_pointers: Sequence[str],
    loader: StaticDocumentLoader,
    hmac_key: bytes | None = None,
    proof_key: KeyPair | None = None,
) -> dict[str, Any]:
    """The base proof (``proof`` plus its ``proofValue``) for ``document``.

    ``proof`` holds the proof options (type, cryptosuite, created, verificationMethod,
    proofPurpose, ...). ``hmac_key`` and ``proof_key`` are fresh per proof unless given (the
    W3C vectors fix them). InputError when a mandatory pointer names nothing in the document.
    """
    if signer.key.key_type not in KEY_TYPES:
        raise InputError(f"{NAME} signs with P-256 keys only")
    hmac_key = secrets.token_bytes(_HMAC_KEY_BYTES) if hmac_key is None else hmac_key
    proof_key = KeyPair.generate(KeyType.P256) if proof_key is None else proof_key
    unsecured = _unsecured(document)
    pointers = list(mandatory_pointers)
    grouped = canonicalize_and_group(
        unsecured, hmac_label_factory(hmac_key), {"mandatory": pointers}, loader
    )
    mandatory = grouped.groups["mandatory"]
    public_key = _P256_MULTIKEY + proof_key.public.raw
    to_sign = (
        proof_hash(unsecured, proof, loader)
        + public_key
        + mandatory_hash(list(mandatory.matching.values()))
    )
    value = BaseProofValue(
        base_signature=signer.sign(to_sign),
        public_key=public_key,
        hmac_key=hmac_key,
        signatures=[proof_key.sign(q.encode("utf-8")) for q in mandatory.non_matching.values()],
        mandatory_pointers=pointers,
    )
    return {**copy.deepcopy(dict(proof)), "proofValue": serialize_base_proof_value(value)}


@dataclass(frozen=True)
class Disclosure:
    """createDisclosureData's result: what the derived proof carries, and what it reveals."""

    value: DerivedProofValue
    reveal_document: dict[str, Any]


def disclosure_data(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    selective_pointers: Sequence[str],
    loader: StaticDocumentLoader,
) -> Disclosure:
    """createDisclosureData: the signatures and labels a derived proof keeps for the reveal."""
    base = parse_base_proof_value(proof.get("proofValue"))
    unsecured = _unsecured(document)
    combined = [*base.mandatory_pointers, *selective_pointers]
    grouped = canonicalize_and_group(
        unsecured,
        hmac_label_factory(base.hmac_key),
        {
            "mandatory": base.mandatory_pointers,
            "selective": selective_pointers,
            "combined": combined,
        },
        loader,
    )
    mandatory = grouped.groups["mandatory"].matching
    selective = grouped.groups["selective"].matching
    combined_group = grouped.groups["combined"]
    indexes = [i for i, absolute in enumerate(combined_group.matching) if absolute in mandatory]
    non_mandatory = [i for i in range(len(grouped.quads)) if i not in mandatory]
    if len(non_mandatory) != len(base.signatures):
        raise InputError("the base proof's signatures do not match the document's quads")
    signatures = [
        signature
        for index, signature in zip(non_mandatory, base.signatures, strict=True)
        if index in selective
    ]
    reveal = select_json_ld(combined, unsecured)
    if reveal is None:
        raise InputError("nothing to disclose: no mandatory or selective pointers")
    verifier_labels = canonical_labels(combined_group.dataset)
    label_map = {c14n: grouped.labels[source] for source, c14n in verifier_labels.items()}
    value = DerivedProofValue(base.base_signature, base.public_key, signatures, label_map, indexes)
    return Disclosure(value, reveal)


def derive_proof(
    document: Mapping[str, Any],
    selective_pointers: Sequence[str],
    loader: StaticDocumentLoader,
) -> dict[str, Any]:
    """The revealed document with its derived proof (``document`` carries one base proof).

    InputError when the document does not carry exactly one ecdsa-sd-2023 base proof, or a
    pointer names nothing in it.
    """
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != NAME:
        raise InputError(f"the credential must carry one {NAME} base proof")
    disclosure = disclosure_data(document, proof, selective_pointers, loader)
    derived = {
        **copy.deepcopy(proof),
        "proofValue": serialize_derived_proof_value(disclosure.value),
    }
    return {**disclosure.reveal_document, "proof": derived}


def verify_derived_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    issuer_key: PublicKey,
    loader: StaticDocumentLoader,
) -> str:
    """Empty when the derived ``proof`` verifies for ``document`` with ``issuer_key``; else why
    not. InputError for a proof value that is malformed or a base proof value."""
    value = parse_derived_proof_value(proof.get("proofValue"))
    if issuer_key.key_type not in KEY_TYPES:
        return f"{NAME} verifies with P-256 keys only"
    unsecured = _unsecured(document)
    quads, _ = label_replaced(to_dataset(unsecured, loader), given_label_factory(value.label_map))
    return verify_quads(quads, value, proof_hash(unsecured, proof, loader), issuer_key)


def verify_quads(
    quads: Sequence[str], value: DerivedProofValue, config_hash: bytes, issuer_key: PublicKey
) -> str:
    """The signature checks of a derived proof over the verifier's relabelled, sorted quads."""
    if any(not 0 <= i < len(quads) for i in value.mandatory_indexes):
        return "a mandatory index is outside the revealed quads"
    if len(set(quads)) != len(quads):
        return "a revealed statement appears twice (one signature cannot cover two)"
    chosen = set(value.mandatory_indexes)
    mandatory = [quad for i, quad in enumerate(quads) if i in chosen]
    non_mandatory = [quad for i, quad in enumerate(quads) if i not in chosen]
    if len(non_mandatory) != len(value.signatures):
        return (
            f"{len(value.signatures)} signatures for {len(non_mandatory)} non-mandatory statements"
        )
    if not value.public_key.startswith(_P256_MULTIKEY):
        return "the proof's ephemeral key is not a P-256 Multikey"
    try:
        proof_key = PublicKey.from_raw(KeyType.P256, value.public_key[len(_P256_MULTIKEY) :])
    except KeyFormatError as exc:
        return f"the proof's ephemeral key: {exc.detail}"
    to_verify = config_hash + value.public_key + mandatory_hash(mandatory)
    if not issuer_key.verify(value.base_signature, to_verify):
        return "the base signature does not verify with the issuer's key"
    for index, (quad, signature) in enumerate(zip(non_mandatory, value.signatures, strict=True)):
        if not proof_key.verify(signature, quad.encode("utf-8")):
            return f"the signature of disclosed statement {index} does not verify"
    return ""


#: What stays disclosed when the issuer names no mandatory pointers: who issued the credential,
#: when it is valid and where its status is. A holder who could withhold ``validUntil`` or the
#: status entry could present an expired or revoked credential as current.
DEFAULT_MANDATORY = (
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/issuanceDate",
    "/expirationDate",
    "/credentialStatus",
)


def default_mandatory_pointers(document: Mapping[str, Any]) -> list[str]:
    """The :data:`DEFAULT_MANDATORY` pointers that name a member of ``document``."""
    return [pointer for pointer in DEFAULT_MANDATORY if pointer[1:] in document]


def full_disclosure(document: Mapping[str, Any]) -> list[str]:
    """Pointers to every top-level member: a derived proof that reveals all of the base."""
    return [
        "/" + key.replace("~", "~0").replace("/", "~1")
        for key in document
        if key not in ("@context", "proof")
    ]


@dataclass(frozen=True)
class EcdsaSd2023(RdfcSuite):
    """The suite as the Data Integrity engine uses it (see :class:`ProofSuite
    <vcservice.securing.suites.ProofSuite>`): its proof configuration is canonicalized like
    every RDFC suite's, but its ``proofValue`` is made and checked here, whole."""

    def create_proof(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        signer: Signer,
        loader: StaticDocumentLoader,
        *,
        mandatory_pointers: Sequence[str] | None,
    ) -> dict[str, Any]:
        # The issuer's pointers add to the defaults, never replace them: without the status
        # entry and the validity dates a holder could present a revoked or expired credential
        # as current.
        pointers = list(
            dict.fromkeys([*default_mandatory_pointers(document), *(mandatory_pointers or ())])
        )
        return create_base_proof(
            document, signer, proof, mandatory_pointers=pointers, loader=loader
        )

    def verify_proof(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        key: PublicKey,
        loader: StaticDocumentLoader,
    ) -> str:
        if "previousProof" in proof:
            return f"{NAME} proofs cannot be chained (previousProof)"
        return verify_derived_proof(document, proof, key, loader)


ECDSA_SD_2023 = EcdsaSd2023(name=NAME, key_types=KEY_TYPES, hash_name=sha256_only)
