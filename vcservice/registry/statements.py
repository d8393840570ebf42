"""Registrations: a holder's signed request that a credit's home registry charge a debit.

A registration is an IETF SCITT *signed statement*: a COSE_Sign1 whose protected header names
the signer (``kid``, a DID URL; CWT claims ``iss`` the holder's DID, ``sub`` the debiting
credential's registration digest, ``iat``) and whose payload is the JSON (RFC 8785) of a
:class:`Registration`: which registry (the audience), who draws, which credential draws, and
its debits as the ledger reads them (sources, product, kind, milligrams). The home resolves
the ``kid``, checks the signature and that its DID is the drawer's, and posts the debits with
the same rules as a local posting (:func:`vcservice.ledger.rules.post`): holder, balance, and
"draws on a credit homed here".

What binds the registration to the debiting credential is :func:`registration_digest`: the
digest of the credential as it is signed, without its ``proof``, its status entries and the
receipts it will carry (which do not exist until the home answers). A verifier recomputes it
from the credential it holds; a receipt for another credential, or for this one altered,
matches no digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.dids import DIDResolver, did_of, resolve_verification_method
from vcservice.errors import InputError, StatementError, VerificationMethodError
from vcservice.ingress import read_json
from vcservice.jsonld import jcs
from vcservice.keys import Signer
from vcservice.ledger.postings import (
    MAX_AMOUNT_MG,
    MAX_CREDENTIAL_ID,
    MAX_KIND,
    MAX_PRODUCT_ID,
    Charge,
    Source,
)
from vcservice.links import digest_document
from vcservice.registry.cose import (
    CWT_CLAIMS,
    CWT_IAT,
    CWT_ISS,
    CWT_SUB,
    HEADER_CTY,
    CoseError,
    Sign1,
    read_sign1,
    sign1,
)

__all__ = [
    "RECEIPT_PROPERTY",
    "STATEMENT_CTY",
    "STATEMENT_TYPE",
    "Registration",
    "read_registration",
    "registration_digest",
    "sign_registration",
    "verify_registration",
]

#: The payload's media type (the protected ``cty``) and its ``type``.
STATEMENT_CTY = "application/vnd.vcservice.credit-debit+json"
STATEMENT_TYPE = "CreditDebitRegistration"
#: Where a debiting credential carries its receipts: on each event (credentialSubject item).
RECEIPT_PROPERTY = "creditReceipt"
#: Debits per registration: far beyond any real event, small enough to bound a home's work.
MAX_DEBITS = 256
_MAX_SOURCES = 64
_UNBOUND = frozenset({"proof", "credentialStatus"})


@dataclass(frozen=True)
class Registration:
    """``registry``: the home's DID; ``drawer``: the debiting credential's issuer, who must
    hold every account drawn on; ``credential_digest``: :func:`registration_digest` of it."""

    registry: str
    drawer: str
    credential_id: str
    credential_digest: str
    debits: tuple[Charge, ...]

    def payload(self) -> dict[str, Any]:
        return {
            "type": STATEMENT_TYPE,
            "registry": self.registry,
            "issuer": self.drawer,
            "credentialId": self.credential_id,
            "credentialDigest": self.credential_digest,
            "debits": [
                {
                    "sources": [{"url": s.url, "digest": s.digest} for s in charge.sources],
                    "product": charge.product,
                    "propertyKind": charge.kind,
                    "amountMg": str(charge.amount_mg),
                    "pointer": charge.pointer,
                }
                for charge in self.debits
            ],
        }


def registration_digest(document: Mapping[str, Any]) -> str:
    """The digest a registration names: the credential without ``proof``,
    ``credentialStatus`` and the ``creditReceipt`` of its events, as JCS, sha2-256 in ``z``
    form (like a hash link). Status entries are left out because a service allocates them in
    the transaction that stores the credential, after the home has answered; they say nothing
    about what is debited."""
    stripped = {k: v for k, v in document.items() if k not in _UNBOUND}
    subjects = stripped.get("credentialSubject")
    if isinstance(subjects, Mapping):
        stripped["credentialSubject"] = _without_receipts(subjects)
    elif isinstance(subjects, list):
        stripped["credentialSubject"] = [
            _without_receipts(s) if isinstance(s, Mapping) else s for s in subjects
        ]
    return digest_document(stripped)


def _without_receipts(subject: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in subject.items() if k != RECEIPT_PROPERTY}


def sign_registration(registration: Registration, signer: Signer, issued_at: datetime) -> bytes:
    """The signed statement; ``signer`` must be a key of the drawer's DID."""
    if signer.controller != registration.drawer:
        raise StatementError(
            f"the registration is signed by {signer.controller}, not by the drawer "
            f"{registration.drawer}"
        )
    protected = {
        HEADER_CTY: STATEMENT_CTY,
        CWT_CLAIMS: {
            CWT_ISS: registration.drawer,
            CWT_SUB: registration.credential_digest,
            CWT_IAT: int(issued_at.timestamp()),
        },
    }
    return sign1(protected, jcs(registration.payload()), signer)


def read_registration(data: bytes) -> tuple[Sign1, Registration]:
    """Decode a signed statement and its payload (not yet its signature: see
    :func:`verify_registration`). StatementError says what is wrong."""
    try:
        message = read_sign1(data)
    except CoseError as exc:
        raise StatementError(f"the registration is not a COSE_Sign1: {exc}") from None
    if message.protected.get(HEADER_CTY) != STATEMENT_CTY:
        raise StatementError(f"the registration's content type is not {STATEMENT_CTY}")
    try:
        payload = read_json(message.payload or b"")
    except InputError as exc:
        raise StatementError(f"the registration payload is not JSON: {exc.detail}") from None
    registration = _registration(payload)
    claims = message.claims
    if claims.get(CWT_ISS) != registration.drawer or did_of(message.kid) != registration.drawer:
        raise StatementError(
            f"the registration's iss, kid and issuer must all name the drawer {registration.drawer}"
        )
    if claims.get(CWT_SUB) != registration.credential_digest:
        raise StatementError("the registration's sub is not its credentialDigest")
    return message, registration


def verify_registration(message: Sign1, resolver: DIDResolver) -> None:
    """That the drawer's DID signed the statement with a key it lists for assertions.
    ResolutionError (could not check) passes through; a bad key or signature is
    StatementError."""
    try:
        method = resolve_verification_method(resolver, message.kid, "assertionMethod")
    except VerificationMethodError as exc:
        raise StatementError(f"the registration's key: {exc.detail}") from None
    if not message.verify(method.public_key):
        raise StatementError(f"the registration's signature does not verify with {message.kid}")


def _text(payload: Mapping[str, Any], name: str, limit: int) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value or len(value.encode()) > limit:
        raise StatementError(f"the registration's {name} is text of 1 to {limit} bytes")
    return value


def _registration(payload: Any) -> Registration:
    if not isinstance(payload, dict) or payload.get("type") != STATEMENT_TYPE:
        raise StatementError(f"the registration payload is a {STATEMENT_TYPE} object")
    debits = payload.get("debits")
    if not isinstance(debits, list) or not 0 < len(debits) <= MAX_DEBITS:
        raise StatementError(f"the registration names 1 to {MAX_DEBITS} debits")
    return Registration(
        registry=_text(payload, "registry", MAX_CREDENTIAL_ID),
        drawer=_text(payload, "issuer", MAX_CREDENTIAL_ID),
        credential_id=_text(payload, "credentialId", MAX_CREDENTIAL_ID),
        credential_digest=_text(payload, "credentialDigest", 256),
        debits=tuple(_charge(d, i) for i, d in enumerate(debits)),
    )


def _charge(debit: Any, index: int) -> Charge:
    where = f"debits[{index}]"
    if not isinstance(debit, dict):
        raise StatementError(f"the registration's {where} is an object")
    sources = debit.get("sources")
    if not isinstance(sources, list) or not 0 < len(sources) <= _MAX_SOURCES:
        raise StatementError(f"{where}.sources lists 1 to {_MAX_SOURCES} sources")
    read = []
    for source in sources:
        if not isinstance(source, dict):
            raise StatementError(f"{where}.sources holds {{url, digest}} objects")
        read.append(Source(_text(source, "url", MAX_CREDENTIAL_ID), _text(source, "digest", 256)))
    product = debit.get("product")
    if product is not None and (
        not isinstance(product, str) or not product or len(product) > MAX_PRODUCT_ID
    ):
        raise StatementError(f"{where}.product is null or text of 1 to {MAX_PRODUCT_ID}")
    amount = debit.get("amountMg")
    if not isinstance(amount, str) or not amount.isascii() or not amount.isdigit():
        raise StatementError(f"{where}.amountMg is a decimal integer as text")
    if len(amount) > 19 or not 0 < int(amount) <= MAX_AMOUNT_MG:
        raise StatementError(f"{where}.amountMg is 1 to {MAX_AMOUNT_MG}")
    pointer = debit.get("pointer", "")
    if not isinstance(pointer, str) or len(pointer) > MAX_CREDENTIAL_ID:
        raise StatementError(f"{where}.pointer is text")
    return Charge(
        product=product,
        kind=_text(debit, "propertyKind", MAX_KIND),
        amount_mg=int(amount),
        sources=tuple(read),
        pointer=pointer,
    )
