"""Where a credit is homed: the registry that keeps its account and registers its debits.

A credential that opens credits (a MakeEvent's certified outputs, a crediting MoveEvent) names
its home on the event, in the extension vocabulary's ``creditRegistry``::

    "creditRegistry": {"id": "did:web:registry.example", "serviceEndpoint":
                       "https://registry.example/registry"}

``id`` is the registry's DID (it signs receipts), ``serviceEndpoint`` the base URL of its
registration API (``POST {serviceEndpoint}/entries``). The service names itself on every
credential its tenants issue that opens credits. A credential that names no home (issued
before homes existed, or elsewhere) is homed where it was opened; its credits keep the
single-service ledger's rules, and a verifier reports its debits as unhomed, not failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["HOME_PROPERTY", "Home", "home_of", "name_home"]

HOME_PROPERTY = "creditRegistry"


@dataclass(frozen=True)
class Home:
    did: str
    endpoint: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.did, "serviceEndpoint": self.endpoint}


def _subjects(document: Mapping[str, Any]) -> list[Any]:
    subjects = document.get("credentialSubject")
    return subjects if isinstance(subjects, list) else [subjects]


def home_of(document: Mapping[str, Any]) -> Home | None:
    """The home a credential names on its events (the first well-formed one), or None."""
    for subject in _subjects(document):
        named = subject.get(HOME_PROPERTY) if isinstance(subject, Mapping) else None
        if isinstance(named, Mapping):
            did, endpoint = named.get("id"), named.get("serviceEndpoint")
            if isinstance(did, str) and did.startswith("did:") and isinstance(endpoint, str):
                return Home(did, endpoint)
    return None


def name_home(document: dict[str, Any], home: Home) -> None:
    """Name ``home`` on every event of ``document`` that names none (in place)."""
    for subject in _subjects(document):
        if isinstance(subject, dict) and HOME_PROPERTY not in subject:
            subject[HOME_PROPERTY] = home.to_json()
