"""Securing a credential: data-model check, issuer binding, then one securing mechanism.

Both the CLI and the service issue through :func:`issue_credential`, so a credential that the
verifier would reject for its data model is never signed in the first place.

VC 1.1 credentials (first ``@context`` ``https://www.w3.org/2018/credentials/v1``) are checked
against the VC 1.1 rules and accepted for the Data Integrity formats only: VC-JOSE-COSE
(``vc+jwt``, ``vc+sd-jwt``) secures VC 2.0 credentials only, so they are refused there.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from vcservice.dids import StaticResolver
from vcservice.errors import CredentialRejectedError as CredentialRejectedError
from vcservice.errors import InputError, SigningError
from vcservice.ingress import read_json
from vcservice.jsonld import StaticDocumentLoader
from vcservice.keys import Signer
from vcservice.model import is_vc1, jose_refusal, validate_credential, validate_vc1_credential
from vcservice.report import VerificationReport
from vcservice.securing.dataintegrity import add_proof
from vcservice.securing.jose import envelope, issue_vc_jwt
from vcservice.securing.registry import VC_SD_JWT, JoseFormat, issuing_format
from vcservice.securing.sdjwt import MEDIA_TYPE, issue_vc_sd_jwt
from vcservice.securing.suites import ecdsa_sd_2023
from vcservice.status import check_status_entries
from vcservice.verify import Verifier

#: The context that defines ``DataIntegrityProof`` for a VC 1.1 credential (the VC 2.0 base
#: context defines it itself).
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
_DATA_INTEGRITY_CONTEXTS = (DATA_INTEGRITY_CONTEXT, "https://w3id.org/security/data-integrity/v1")


def _now_seconds() -> datetime:
    return datetime.now(UTC)


def bind_issuer(credential: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """Fill in the issuer from the signer, or refuse when the credential names someone else.

    Only an *absent* issuer is filled in. A value that is present but names no URL (``null``,
    a number, an object without a string ``id``) is left for the data-model check to reject:
    ``"issuer": null`` is a non-conforming credential, not a request to pick the issuer.
    """
    if "issuer" not in credential:
        credential["issuer"] = signer.controller
        return credential
    issuer = credential["issuer"]
    named = issuer.get("id") if isinstance(issuer, dict) else issuer
    if isinstance(named, str) and named != signer.controller:
        raise SigningError(
            f"the credential's issuer {named!r} is not the signing key's controller "
            f"{signer.controller!r}"
        )
    return credential


def prepared(
    credential: Any, signer: Signer, fmt: str, *, loader: StaticDocumentLoader
) -> dict[str, Any]:
    """The credential as it will be signed (a copy: issuer bound, a VC 1.1 credential given
    the Data Integrity context), once it passes every check made before signing; the
    refusal otherwise (SigningError, InputError, CredentialRejectedError).

    A caller that must act before signing on what will be signed (register debits at other
    homes, which cannot be undone) checks here first, with the very checks signing makes."""
    chosen = issuing_format(fmt)
    if signer.key.key_type not in chosen.key_types:
        raise SigningError(
            f"format {fmt} cannot be signed with a {signer.key.key_type.value} key "
            f"(needs {', '.join(sorted(k.value for k in chosen.key_types))})"
        )
    if not isinstance(credential, dict):
        raise InputError("a credential must be a JSON object")
    if "proof" in credential:
        raise InputError("the credential already carries a proof; issue an unsecured credential")
    document = bind_issuer(copy.deepcopy(credential), signer)
    legacy = is_vc1(document)
    if legacy and isinstance(chosen, JoseFormat):
        refused = VerificationReport()
        refused.failed("datamodel.context", "Invalid @context", jose_refusal("credential", fmt))
        raise CredentialRejectedError(refused)
    if legacy:
        document = with_data_integrity_context(document)
        report = validate_vc1_credential(document, loader=loader)
    else:
        report = validate_credential(document, loader=loader)
    report.extend(check_status_entries(document))
    if not report.verified:
        raise CredentialRejectedError(report, legacy=legacy)
    return document


def issue_credential(
    credential: Any,
    signer: Signer,
    fmt: str,
    *,
    loader: StaticDocumentLoader,
    clock: Callable[[], datetime] = _now_seconds,
    disclosable: Sequence[str] | None = None,
    mandatory_pointers: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Return the secured credential: a DI-signed document or an EnvelopedVerifiableCredential.

    ``fmt`` is a format of :mod:`vcservice.securing.registry`, read now, so a cryptosuite
    registered after start-up is issued with like the built-in ones. ``disclosable`` (JSON
    pointers) chooses the claims a vc+sd-jwt holder may withhold (None: every member of the
    credentialSubject); InputError for any other format, where it would silently mean nothing.
    ``mandatory_pointers`` (JSON pointers) are what every ecdsa-sd-2023 derived proof must
    disclose (None: the suite's default); SigningError for a format without them.
    """
    document = prepared(credential, signer, fmt, loader=loader)
    chosen = issuing_format(fmt)
    if disclosable is not None and chosen is not VC_SD_JWT:
        raise InputError(f"selectively disclosable claims need format vc+sd-jwt, not {fmt}")
    if isinstance(chosen, JoseFormat) and mandatory_pointers is not None:
        raise SigningError(f"{fmt} takes no mandatory pointers (no selective disclosure)")
    if isinstance(chosen, JoseFormat):
        # A did:webvh issuer's key is looked up as of signing: say when (see issue_vc_jwt).
        issued_at = clock() if signer.controller.startswith("did:webvh:") else None
        if chosen is VC_SD_JWT:
            token = issue_vc_sd_jwt(document, signer, disclosable=disclosable, issued_at=issued_at)
            secured = envelope(token, MEDIA_TYPE)
        else:
            secured = envelope(issue_vc_jwt(document, signer, issued_at=issued_at))
    else:
        created = clock().astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        secured = add_proof(
            document,
            fmt,
            signer,
            loader=loader,
            created=created,
            mandatory_pointers=mandatory_pointers,
        )
    check_signed(secured, signer, loader=loader, clock=clock, validated=document)
    return secured


#: Checks of the signed result that say nothing about how it was signed: the validity window
#: depends on when it is verified (a credential may be issued to become valid later), and the
#: status lists are checked online, by whoever verifies.
_NOT_ABOUT_SIGNING = ("validity.", "status.")


def check_signed(
    secured: dict[str, Any],
    signer: Signer,
    *,
    loader: StaticDocumentLoader,
    clock: Callable[[], datetime] = _now_seconds,
    validated: dict[str, Any] | None = None,
) -> None:
    """Refuse a signed credential the verifier would refuse for a reason the issuer controls.

    It is verified as a recipient gets it: serialized, read back by the strict JSON reader,
    then checked by the verifier's own pipeline (proof or envelope, data model, issuer
    binding), against the one key that signed it, so no DID is resolved. What signing cannot
    be trusted to preserve (a value JSON cannot carry, a term canonicalized differently once
    read back) shows up here, before anything is stored. Raises CredentialRejectedError.

    ``validated``: the document :func:`prepared` passed, the one that was signed. When what a
    recipient reads back out of the envelope is that very JSON (a vc+jwt payload, less its
    JWT claims), the data-model step is not run a second time (``Verifier.verify_credential``
    ``valid``): it depends on the document and the loader only, and both are the same, so
    only the securing checks are new; they all still run. Nothing is skipped for Data
    Integrity: the document read back carries its proof, and its RDFC canonicalization
    round trip is what this check is there to catch.
    """
    report = VerificationReport()
    try:
        received = read_json(json.dumps(secured, ensure_ascii=False).encode("utf-8"))
    except (InputError, ValueError, RecursionError) as exc:
        report.failed(
            "datamodel.document",
            "Not JSON",
            f"the signed credential cannot be sent as JSON and read back: {exc}",
        )
        raise CredentialRejectedError(report) from None
    received = _as_verified(received, loader)
    resolver = StaticResolver({signer.controller: _own_document(signer)})
    verifier = Verifier(resolver=resolver, loader=loader, clock=clock)
    verified = verifier.verify_credential(received, valid=validated)
    for check in verified.errors:
        if not check.id.startswith(_NOT_ABOUT_SIGNING):
            report.checks.append(check)
    if report.errors:
        raise CredentialRejectedError(report)


def _as_verified(received: dict[str, Any], loader: StaticDocumentLoader) -> dict[str, Any]:
    """The credential as a verifier will get it. An ecdsa-sd-2023 base proof is for its holder
    only (it carries the HMAC key), and verifiers refuse it; they get derived proofs, so the
    one that discloses everything is checked, which covers every signature of the base."""
    proof = received.get("proof")
    if isinstance(proof, dict) and proof.get("cryptosuite") == ecdsa_sd_2023.NAME:
        disclose = ecdsa_sd_2023.full_disclosure(received)
        return ecdsa_sd_2023.derive_proof(received, disclose, loader)
    return received


def _own_document(signer: Signer) -> dict[str, Any]:
    """A DID document naming only the signing key, for its controller."""
    controller, method = signer.controller, signer.verification_method
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": controller,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": signer.key.public.multibase,
            }
        ],
        "assertionMethod": [method],
    }


def with_data_integrity_context(document: dict[str, Any]) -> dict[str, Any]:
    """A VC 1.1 credential with the Data Integrity context appended when it has none.

    The VC 1.1 base context does not define ``DataIntegrityProof``, ``cryptosuite`` or
    ``proofValue``; without a context that does, the proof could not be canonicalized (RDFC)
    or understood by a JSON-LD verifier. Adding it is what the Data Integrity specification
    and Digital Bazaar's libraries do for VC 1.1 input; nothing else about the document
    changes, and the added context is signed like any other.
    """
    value = document.get("@context")
    entries = value if isinstance(value, list) else [value]
    if any(entry in _DATA_INTEGRITY_CONTEXTS for entry in entries):
        return document
    return {**document, "@context": [*entries, DATA_INTEGRITY_CONTEXT]}
