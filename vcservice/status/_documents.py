"""What an issuer writes: the ``BitstringStatusListEntry`` in a credential and the (unsigned)
``BitstringStatusListCredential`` that publishes the list.

Both terms are defined by the VC 2.0 context (``https://www.w3.org/ns/credentials/v2``), so the
list credential needs no other context and canonicalizes with the bundled loader.
"""

from __future__ import annotations

from typing import Any

from vcservice.errors import InputError
from vcservice.status._bitstring import MIN_LIST_LENGTH, encode_list

VC_V2 = "https://www.w3.org/ns/credentials/v2"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"


def _check_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{name} must be a non-empty string")
    return value


def status_entry(list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """The ``credentialStatus`` entry pointing at bit ``index`` of the list at ``list_url``.

    ``id`` is ``<list_url>#<index>``: the spec only asks that it not be the list's own URL, and
    this form names the entry without revealing anything the index does not already reveal.
    ``statusListIndex`` is a base-10 string, as the spec requires (an integer would not be).
    """
    _check_text(list_url, "the status list URL")
    _check_text(purpose, "statusPurpose")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InputError(f"statusListIndex must be a non-negative integer, not {index!r}")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    issuer: str,
    purpose: str,
    bits: bytes | bytearray,
    *,
    valid_from: str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """The unsigned list credential for ``bits``; the caller secures and publishes it.

    Its ``id`` is the list URL (so a verifier can tell it was handed the list it asked for) and
    its subject ``<list_url>#list``. Refuses (InputError) a bitstring shorter than
    :data:`MIN_LIST_LENGTH` bits, which verifiers reject for herd privacy, and a ``ttl_ms``
    that is not a positive integer. ``valid_from`` is copied as given; the data-model check at
    signing time validates it.
    """
    _check_text(list_url, "the status list URL")
    _check_text(issuer, "the issuer")
    _check_text(purpose, "statusPurpose")
    if len(bits) * 8 < MIN_LIST_LENGTH:
        raise InputError(
            f"the bitstring has {len(bits) * 8} bits; a status list needs at least "
            f"{MIN_LIST_LENGTH} ({MIN_LIST_LENGTH // 8} bytes)"
        )
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": encode_list(bits),
    }
    if ttl_ms is not None:
        if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int) or ttl_ms <= 0:
            raise InputError(f"ttl must be a positive number of milliseconds, not {ttl_ms!r}")
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
    }
    if valid_from is not None:
        credential["validFrom"] = _check_text(valid_from, "validFrom")
    credential["credentialSubject"] = subject
    return credential
