"""Telling a derived credential from the base credential a hash link pins.

Selective disclosure lets a holder serve, at a link, a credential *derived* from the one the
linker saw: an SD-JWT with some disclosures dropped, or an ecdsa-sd-2023 credential with a
derived proof. Its bytes differ from the base's, so it can never match the link's digest, and
a verifier cannot tell a faithful derivation from a different credential by the same issuer
(docs/hash-links.md, "Derived credentials"). The graph therefore reports such a link as
``links.derived`` (indeterminate) instead of a digest mismatch, and never as a pass.

Detection reads only the shape of what is served, never trusts it: a signature is the
single-credential pipeline's business, on the same node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcservice.errors import DigestError, InputError
from vcservice.links import served_bytes
from vcservice.securing.sdjwt import undisclosed_count

#: Multibase base64url of the ecdsa-sd-2023 derived-proof header bytes 0xd9 0x5d 0x01
#: (W3C VC-DI-ECDSA §3.5.7; a base proof starts 0xd9 0x5d 0x00, ``u2V0A``).
_ECDSA_SD_DERIVED = "u2V0B"


def derived_form(served: Any) -> str | None:
    """How ``served`` is a derived credential, in words; None if it is not one."""
    token = _sd_jwt(served)
    if token is not None:
        try:
            withheld = undisclosed_count(token)
        except InputError:
            return None  # not an SD-JWT after all: the digest mismatch stands
        return f"an SD-JWT with {withheld} digest(s) left undisclosed" if withheld else None
    if isinstance(served, Mapping):
        proofs = served.get("proof")
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            if (
                isinstance(proof, Mapping)
                and proof.get("cryptosuite") == "ecdsa-sd-2023"
                and str(proof.get("proofValue", "")).startswith(_ECDSA_SD_DERIVED)
            ):
                return "an ecdsa-sd-2023 credential with a derived proof"
    return None


def _sd_jwt(served: Any) -> str | None:
    """The SD-JWT ``served`` is (bare, a ``data:`` URL or an envelope), if it is one."""
    if isinstance(served, Mapping) and "proof" in served:
        return None
    if not isinstance(served, str | Mapping):
        return None
    try:
        text = served_bytes(served).decode("ascii")
    except (DigestError, InputError, UnicodeDecodeError):
        return None
    return text if "~" in text and not text.startswith("{") else None
