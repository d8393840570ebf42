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
    one draws certified credit from (see :mod:`vcservice.service.issuing`).
    """

    credential: dict[str, Any]
    format: str | None = None
    status_purposes: tuple[StatusPurpose, ...] = ()
    publish: bool = False
    source_credentials: tuple[dict[str, Any] | str, ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for purpose in self.status_purposes:
            if purpose in seen:
                raise InputError(f"statusPurpose {purpose} requested twice")
            seen.add(purpose)


@dataclass(frozen=True)
class IssuedCredential:
    """A credential as issued and stored: its id, its format and its secured form (a Data
    Integrity document or an EnvelopedVerifiableCredential)."""

    id: str
    format: str
    secured: dict[str, Any]


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
