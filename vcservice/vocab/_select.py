"""Which extension profile a credential claims, for ``vcservice validate``'s schema hook.

Only documents that declare our context take part: a plain UNTP credential is judged by the UNTP
base schema alone. Within ours, the credential type and the subject type name the profile; a
DCC or DIA of ours whose subject names none of our attestation kinds still gets every DCC/DIA
profile tried, so a misspelt subject type is reported rather than silently unchecked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from vcservice.vocab._schemas import load_schema
from vcservice.vocab.profiles import CONTEXT_URL

_BY_SUBJECT = {
    "ChainOfCustodyCertificate": "chain-of-custody-certificate",
    "ProductCarbonFootprintAttestation": "product-carbon-footprint",
    "RecycledContentAttestation": "recycled-content",
    "Accreditation": "accreditation",
}
_BY_CREDENTIAL = {
    "DigitalTraceabilityEvent": ("traceability-event",),
    "DigitalProductPassport": ("product-passport",),
    "DigitalConformityCredential": (
        "chain-of-custody-certificate",
        "product-carbon-footprint",
        "recycled-content",
    ),
    "DigitalIdentityAnchor": ("accreditation",),
    "DigitalFacilityRecord": ("facility-record",),
}


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def profiles_for(document: Mapping[str, Any]) -> list[str]:
    contexts = document.get("@context")
    if CONTEXT_URL not in (contexts if isinstance(contexts, list) else [contexts]):
        return []
    candidates: list[str] = []
    for credential_type in _types(document.get("type")):
        candidates.extend(_BY_CREDENTIAL.get(credential_type, ()))
    subjects = document.get("credentialSubject")
    subject_types = {
        t
        for subject in (subjects if isinstance(subjects, list) else [subjects])
        if isinstance(subject, dict)
        for t in _types(subject.get("type"))
    }
    named = [_BY_SUBJECT[t] for t in subject_types if t in _BY_SUBJECT]
    chosen = [p for p in candidates if p in named] or candidates
    return list(dict.fromkeys(chosen))


@cache
def _shared_schema(name: str) -> Mapping[str, Any]:
    """One parsed copy per profile, handed to every caller of the hook, which only reads it:
    the same object each time lets the validator skip re-checking it against the metaschema."""
    return load_schema(name)


def extension_schemas_for(document: Mapping[str, Any]) -> Sequence[tuple[str, Mapping[str, Any]]]:
    """The hook ``vcservice.schema_validation`` calls: (profile name, schema) pairs."""
    return [(name, _shared_schema(name)) for name in profiles_for(document)]
