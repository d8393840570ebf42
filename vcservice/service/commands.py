"""What the surfaces ask of the service and what it answers, as typed values.

Each surface (the API's request models, the console's forms, the CLI) checks its own input
and builds one of these; the service then trusts their types instead of checking a dict
again. What a type cannot say (a purpose asked for twice) is refused where the command is
built, so every surface refuses it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypedDict, get_args

from vcservice.dids import TenantDidMethod
from vcservice.errors import InputError

#: The purposes of a Bitstring Status List entry the service hosts lists for.
StatusPurpose = Literal["revocation", "suspension"]
STATUS_PURPOSES: tuple[StatusPurpose, ...] = get_args(StatusPurpose)
#: How a tenant is identified (web, webvh, key: see :mod:`vcservice.service.tenants`): the
#: one list, kept with the DID resolvers.
DidMethod = TenantDidMethod
DID_METHODS: tuple[DidMethod, ...] = get_args(DidMethod)


@dataclass(frozen=True)
class IssueCommand:
    """Issue ``credential`` (unsecured) as the signed-in tenant.

    ``format`` None is the tenant's default format. ``status_purposes`` are the status
    entries to add (each at most once). ``publish`` serves it to anyone at its id.
    ``source_credentials`` are upstream credentials issued elsewhere, as served, that this
    one draws certified credit from (see :mod:`vcservice.service.issuing`). ``encrypt``
    publishes it as AES-256-GCM ciphertext under a fresh key, returned once and never stored
    (:mod:`vcservice.confidential`); it needs ``publish``, there being nothing else to encrypt.
    """

    credential: dict[str, Any]
    format: str | None = None
    status_purposes: tuple[StatusPurpose, ...] = ()
    publish: bool = False
    source_credentials: tuple[dict[str, Any] | str, ...] = ()
    encrypt: bool = False
    #: Identifiers (resolver URLs or paths) to register with the credential as their passport
    #: (``dpp``) link in the identity resolver (:mod:`vcservice.service.identifiers`).
    register_identifiers: tuple[str, ...] = ()
    #: ecdsa-sd-2023: JSON pointers to what every derived proof discloses (None: the default).
    mandatory_pointers: tuple[str, ...] | None = None
    #: vc+sd-jwt: JSON pointers to the claims a holder may withhold (None: the default).
    disclosable: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.register_identifiers and (self.encrypt or not self.publish):
            raise InputError(
                "registerIdentifiers links the published credential from a public linkset: "
                "ask for publish, and not encrypt (an encrypted credential's key travels only "
                "in the link given to authorised parties)"
            )
        if self.encrypt and not self.publish:
            raise InputError(
                "encrypt publishes the credential encrypted: ask for publish as well (the "
                "issuer's own copy is never encrypted)"
            )
        seen: set[str] = set()
        for purpose in self.status_purposes:
            if purpose in seen:
                raise InputError(f"statusPurpose {purpose} requested twice")
            seen.add(purpose)


@dataclass(frozen=True)
class IssuedCredential:
    """A credential as issued and stored: its id, its format and its secured form (a Data
    Integrity document or an EnvelopedVerifiableCredential). ``decryption_key``: the key (hex)
    of a credential published encrypted, here the one time it is ever shown."""

    id: str
    format: str
    secured: dict[str, Any]
    decryption_key: str | None = None


@dataclass(frozen=True)
class StatusChange:
    """Set (``status`` true) or clear one status bit of a credential."""

    purpose: StatusPurpose
    status: bool


class NewTenant(TypedDict):
    """A created tenant; ``api_key`` is shown this once and stored only as a hash."""

    tenant: str
    did: str
    api_key: str
