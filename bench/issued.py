"""What an issue answer holds, read without verifying it: the benchmark checks once, before
timing, that the service issued what the figure claims (a status entry on every credential),
since the load generator only counts HTTP statuses."""

from __future__ import annotations

import base64
import json
from typing import Any

ENVELOPE = "data:application/vc+jwt,"


def has_status_entry(secured: Any) -> bool:
    """Whether an issued vc+jwt (its payload, unverified) carries a credential status entry;
    ``secured`` is the compact JWT or its ``EnvelopedVerifiableCredential`` (the JWT in the
    ``data:`` URL of its id), as the issue endpoint answers."""
    if isinstance(secured, dict) and str(secured.get("id", "")).startswith(ENVELOPE):
        secured = secured["id"][len(ENVELOPE) :]
    if not isinstance(secured, str) or secured.count(".") != 2:
        return False
    payload = secured.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return isinstance(claims, dict) and bool(claims.get("credentialStatus"))
