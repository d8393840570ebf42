"""The resolver's registrations: which tenant answers for an identifier, and its links.

An identifier belongs to the tenant that registered it first: another tenant's registration
of the same path is a conflict, so one linkset never mixes two issuers' claims about a
product. The claim is the identifier row's primary key, so two tenants registering one path
at once cannot both win. Links are only added (a link registered twice is one row); the
newest of a type is the current one (:mod:`vcservice.resolver`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from vcservice.store._errors import ConflictError
from vcservice.store._ops import OpsBase
from vcservice.store._schema import ResolverIdentifierRow, ResolverLinkRow

#: The most links one identifier keeps: a linkset is read whole on every scan.
MAX_LINKS = 100
#: The most identifiers one page of a tenant's list holds.
MAX_IDENTIFIERS = 1000


@dataclass(frozen=True)
class NewLink:
    """A link to register for the identifier at ``path`` (a canonical path)."""

    path: str
    link_type: str
    href: str
    title: str
    media_type: str
    credential_id: str | None


@dataclass(frozen=True)
class StoredLink(NewLink):
    """A registered link, and when it was registered."""

    created_at: datetime


def _link_id(path: str, link_type: str, href: str) -> str:
    return hashlib.sha256("\n".join((path, link_type, href)).encode()).hexdigest()


def _stored(row: ResolverLinkRow) -> StoredLink:
    return StoredLink(
        row.path,
        row.link_type,
        row.href,
        row.title,
        row.media_type,
        row.credential_id,
        row.created_at,
    )


class IdentifierOps(OpsBase):
    def identifier_owner(self, path: str) -> str | None:
        """The id of the tenant that registered ``path``, or None."""
        return self._session.scalar(
            select(ResolverIdentifierRow.tenant_id).where(ResolverIdentifierRow.path == path)
        )

    def identifier_owners(self, paths: Sequence[str]) -> dict[str, str]:
        """The tenant id that registered each of ``paths`` that is registered."""
        rows = self._session.execute(
            select(ResolverIdentifierRow.path, ResolverIdentifierRow.tenant_id).where(
                ResolverIdentifierRow.path.in_(list(paths))
            )
        )
        return {str(path): str(tenant) for path, tenant in rows}

    def register_link(self, tenant_id: str, link: NewLink) -> StoredLink:
        """Add ``link``, claiming its identifier for
        the tenant if nobody has; ConflictError when another tenant has, or when the
        identifier already has :data:`MAX_LINKS` links. The same link again is the one
        stored."""
        self._tenant_row(tenant_id)
        now = self._now()
        claim = ResolverIdentifierRow(path=link.path, tenant_id=tenant_id, created_at=now)
        if not self._insert(claim) and self.identifier_owner(link.path) != tenant_id:
            raise ConflictError(
                f"the identifier {link.path} is registered by another tenant of this resolver"
            )
        key = _link_id(link.path, link.link_type, link.href)
        existing = self._session.get(ResolverLinkRow, key)
        if existing is not None:
            return _stored(existing)
        if len(self.identifier_links([link.path]).get(link.path, [])) >= MAX_LINKS:
            raise ConflictError(f"the identifier {link.path} has {MAX_LINKS} links already")
        row = ResolverLinkRow(
            id=key,
            path=link.path,
            link_type=link.link_type,
            href=link.href,
            title=link.title,
            media_type=link.media_type,
            credential_id=link.credential_id,
            created_at=now,
        )
        if not self._insert(row):  # registered at the same moment by another request
            stored = self._session.get(ResolverLinkRow, key)
            if stored is not None:
                return _stored(stored)
        return _stored(row)

    def identifier_links(self, paths: Sequence[str]) -> dict[str, list[StoredLink]]:
        """The links of each of ``paths`` that has any, newest first."""
        rows = self._session.scalars(
            select(ResolverLinkRow)
            .where(ResolverLinkRow.path.in_(list(paths)))
            .order_by(ResolverLinkRow.created_at.desc(), ResolverLinkRow.id)
        )
        found: dict[str, list[StoredLink]] = {}
        for row in rows:
            found.setdefault(row.path, []).append(_stored(row))
        return found

    def tenant_identifiers(self, tenant_id: str) -> dict[str, list[StoredLink]]:
        """The tenant's identifiers (newest first, at most :data:`MAX_IDENTIFIERS`) and their
        links."""
        paths = list(
            self._session.scalars(
                select(ResolverIdentifierRow.path)
                .where(ResolverIdentifierRow.tenant_id == tenant_id)
                .order_by(ResolverIdentifierRow.created_at.desc(), ResolverIdentifierRow.path)
                .limit(MAX_IDENTIFIERS)
            )
        )
        links = self.identifier_links(paths)
        return {path: links.get(path, []) for path in paths}

    def credential_identifiers(self, tenant_id: str, credential_id: str) -> list[str]:
        """The paths of the tenant's identifiers that link to its credential ``credential_id``."""
        return list(
            self._session.scalars(
                select(ResolverLinkRow.path)
                .join(ResolverIdentifierRow, ResolverIdentifierRow.path == ResolverLinkRow.path)
                .where(
                    ResolverIdentifierRow.tenant_id == tenant_id,
                    ResolverLinkRow.credential_id == credential_id,
                )
                .distinct()
                .order_by(ResolverLinkRow.path)
            )
        )
