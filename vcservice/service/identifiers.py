"""The identity resolver: registering identifiers, answering them with linksets, QR codes.

A tenant registers an identifier (a GS1 Digital Link or ISO/IEC 18975 path, see
:mod:`vcservice.resolver`) with typed links: to a credential it issued and published here, or
to a target elsewhere (its passport on its own site, a certifier's credential). Anyone may
resolve a registered identifier: a linkset is as public as the passport it points to, and
answers only what the tenant chose to publish. Registration is refused for a credential that
is not published: a resolver that pointed at something nobody may read would only leak that
it exists.

Links are only added, never replaced: a newer passport of one product becomes its current
link and the older ones stay as predecessor versions (UNTP IDR-10), so a QR code printed
years ago still leads to the whole history.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx
import segno

from vcservice._fetch import BoundedGetter, check_url, short
from vcservice.errors import InputError, ResolutionError
from vcservice.ingress import FETCHED_LIMITS, read_json
from vcservice.resolver import (
    LINK_TYPES,
    LINKSET_JSON,
    Identifier,
    Link,
    default_link,
    linkset,
    parse_identifier,
    parse_path,
    read_linkset,
    resolver_description,
)
from vcservice.settings import Settings
from vcservice.store import ConflictError, NotFoundError, Store, Tenant, Transaction
from vcservice.store._identifiers import NewLink, StoredLink
from vcservice.store._schema import CREDENTIAL_ID_LENGTH

#: The longest title and media type a link may carry (the store's columns).
MAX_TITLE = 256
MAX_MEDIA_TYPE = 128
USER_AGENT = "vcservice-resolver/1"
QrKind = Literal["svg", "png"]
#: Media types of the QR code images.
QR_MEDIA_TYPES: dict[QrKind, str] = {"svg": "image/svg+xml", "png": "image/png"}


@dataclass(frozen=True)
class Registration:
    """Link ``identifier`` (a resolver URL or path) to a target of type ``link_type``: the
    tenant's published credential ``credential_id``, or ``href`` elsewhere (exactly one).
    ``title`` and ``media_type`` default from the link type and the credential."""

    identifier: str
    link_type: str = "dpp"
    credential_id: str | None = None
    href: str | None = None
    title: str | None = None
    media_type: str | None = None

    def __post_init__(self) -> None:
        if self.link_type not in LINK_TYPES:
            raise InputError(f"linkType {self.link_type!r} is not one of {', '.join(LINK_TYPES)}")
        if (self.credential_id is None) == (self.href is None):
            raise InputError("a link names either credentialId or href, and only one")
        if self.title is not None and not 0 < len(self.title) <= MAX_TITLE:
            raise InputError(f"a link's title is 1 to {MAX_TITLE} characters")
        media = self.media_type
        if media is not None and (
            len(media) > MAX_MEDIA_TYPE or media.count("/") != 1 or not media.isascii()
        ):
            raise InputError(f"{media[:40]!r} is not a media type (such as application/vc)")


@dataclass(frozen=True)
class Resolved:
    """An identifier as resolved: itself, in canonical form, its linkset, and the buyer page
    that verifies what it links to."""

    identifier: Identifier
    linkset: dict[str, Any]
    page: str


def media_type_of(document: Any) -> str:
    """What a stored credential is served as: a compact JWT, or a JSON-LD credential."""
    return "application/vc+jwt" if isinstance(document, str) else "application/vc"


def qr_text(url: str) -> str:
    """``url`` with its scheme and host in capitals: they are case-insensitive (RFC 3986
    §3.1, RFC 4343), and a QR code of capitals, digits and ``/:.`` can use the denser
    alphanumeric mode (UNTP IDR, "QR Code Size Optimization")."""
    parts = urlsplit(url)
    head = f"{parts.scheme}://{parts.netloc}".upper()
    return head + url[len(parts.scheme) + 3 + len(parts.netloc) :]


@dataclass(frozen=True)
class Identifiers:
    store: Store
    settings: Settings
    #: The service's bounded outbound client (another resolver's linkset is fetched with it).
    http: httpx.Client

    @property
    def root(self) -> str:
        """The resolver's root: the service's public origin."""
        return self.settings.public_url

    def page(self, url: str) -> str:
        """The buyer page that resolves and verifies the identifier at ``url``."""
        return f"{self.root}/verify?url={quote(url, safe='')}"

    def description(self) -> dict[str, Any]:
        return resolver_description(self.root, "vcservice identity resolver")

    def identifier(self, text: str) -> Identifier:
        return parse_identifier(text, root=self.root)

    def credential_url(self, tenant: Tenant, credential_id: str) -> str:
        """Where the tenant's published credential is served, by a URL naming the tenant
        (a credential id is unique per tenant only)."""
        name, cid = quote(tenant.name, safe=""), quote(credential_id, safe="")
        return f"{self.root}/tenants/{name}/credentials/{cid}"

    def _href(self, href: str) -> str:
        parts = urlsplit(href)
        own = href.startswith(self.root + "/")
        plain_ok = own or self.settings.allow_http_loopback
        if not (
            (parts.scheme == "https" or (parts.scheme == "http" and plain_ok))
            and parts.netloc
            and len(href) <= CREDENTIAL_ID_LENGTH
        ):
            raise InputError(
                f"a link's href is an https URL of at most 2048 characters, not {href[:120]!r}"
            )
        return href

    def _link(
        self, tenant: Tenant, registration: Registration, identifier: Identifier, document: Any
    ) -> NewLink:
        """The link to store: ``document`` is the credential when it names one."""
        kind = LINK_TYPES[registration.link_type]
        if registration.credential_id is not None:
            href = self.credential_url(tenant, registration.credential_id)
            media = registration.media_type or media_type_of(document)
        else:
            href = self._href(str(registration.href))
            media = registration.media_type or (
                "text/html" if kind.name == "pip" else "application/vc"
            )
        return NewLink(
            identifier.path,
            kind.name,
            href,
            registration.title or kind.title,
            media,
            registration.credential_id,
        )

    def register(self, tenant: Tenant, registration: Registration) -> StoredLink:
        """Register one link; NotFoundError for a credential the tenant has not issued,
        InputError for one it has not published, ConflictError for another tenant's
        identifier."""
        identifier = self.identifier(registration.identifier)
        self._refuse_others(tenant, identifier)
        document = None
        if registration.credential_id is not None:
            record = self.store.credential(tenant.id, registration.credential_id)
            if record is None:
                raise NotFoundError(f"no credential {registration.credential_id} of this tenant")
            if not record.published:
                raise InputError(
                    "only a published credential can be linked: a resolver's links are public"
                )
            if record.sealed is not None:
                raise InputError(
                    "an encrypted credential is not linked from the public resolver: its key "
                    "travels only in the link given to those it is meant for"
                )
            document = record.document
        return self.store.register_link(
            tenant.id, self._link(tenant, registration, identifier, document)
        )

    def _refuse_others(self, tenant: Tenant, identifier: Identifier) -> None:
        """ConflictError when a less specific form of ``identifier`` (its GTIN, its lot) is
        another tenant's: a lot or serial of someone else's product is not ours to claim."""
        broader = [a.path for a in identifier.less_granular()]
        for path, owner in self.store.identifier_owners(broader).items():
            if owner != tenant.id:
                raise ConflictError(
                    f"{path} is registered by another tenant of this resolver, so its more "
                    f"specific identifier {identifier.path} is theirs to register"
                )

    def register_issued(
        self,
        tx: Transaction,
        tenant: Tenant,
        credential_id: str,
        document: Any,
        identifiers: tuple[Identifier, ...],
    ) -> None:
        """Link each of ``identifiers`` to a credential being issued (published), as its
        passport, in the issuing transaction: the credential and its links commit together."""
        for identifier in identifiers:
            self._refuse_others(tenant, identifier)
            registration = Registration(identifier.path, "dpp", credential_id=credential_id)
            tx.register_link(tenant.id, self._link(tenant, registration, identifier, document))

    def registered(self, tenant: Tenant) -> list[tuple[Identifier, list[StoredLink]]]:
        """The tenant's identifiers, newest first, with their links."""
        found = self.store.tenant_identifiers(tenant.id)
        return [(parse_path(path), links) for path, links in found.items()]

    def of_credential(self, tenant: Tenant, credential_id: str) -> list[Identifier]:
        """The tenant's identifiers that link to one of its credentials."""
        paths = self.store.credential_identifiers(tenant.id, credential_id)
        return [parse_path(path) for path in paths]

    def resolve(self, identifier: Identifier) -> Resolved:
        """The linkset of ``identifier`` (with its less granular identifiers' links);
        NotFoundError when none of them is registered."""
        anchors = (identifier, *identifier.less_granular())
        paths = [a.path for a in anchors]
        stored = self.store.identifier_links(paths)
        owners = self.store.identifier_owners(paths)
        # One linkset never mixes two issuers' claims: only the anchors of the tenant that
        # registered the most specific one count (another tenant's lot of a GTIN is its own).
        owner = next((owners.get(a.path) for a in anchors if a.path in stored), None)
        links = {
            anchor: [Link(s.link_type, s.href, s.title, s.media_type) for s in stored[anchor.path]]
            for anchor in anchors
            if anchor.path in stored and owners.get(anchor.path) == owner
        }
        if not links:
            raise NotFoundError(f"no identifier {identifier.path} is registered here")
        document = linkset(identifier, links, root=self.root, page=self.page)
        return Resolved(identifier, document, self.page(identifier.url(self.root)))

    def qr_code(self, identifier: Identifier, kind: QrKind) -> bytes:
        """The QR code of a registered identifier's URL, as an SVG or PNG image; NotFoundError
        for an identifier nobody registered (the resolver is not a QR code generator)."""
        if not self.store.identifier_links([identifier.path]):
            raise NotFoundError(f"no identifier {identifier.path} is registered here")
        code = segno.make(qr_text(identifier.url(self.root)), error="m", micro=False)
        buffer = io.BytesIO()
        if kind == "svg":
            code.save(buffer, kind="svg", scale=4, border=4, xmldecl=False, title=identifier.path)
        else:
            code.save(buffer, kind="png", scale=8, border=4)
        return buffer.getvalue()

    def passport_of(self, url: str) -> tuple[Identifier, str] | None:
        """What the buyer page verifies for a scanned ``url``: its identifier and the newest
        passport (``dpp``) its linkset names; None when ``url`` is not an identifier (a
        credential's own address, verified as before).

        An identifier of this resolver is resolved here, without a request to itself
        (NotFoundError when nobody registered it). A GS1 Digital Link URI of another host is
        asked for its linkset through the bounded fetcher (``Accept:
        application/linkset+json``, redirects not followed); whatever else it answers, or when
        it cannot be reached, the address is verified as given: a path that looks like a GS1
        key proves nothing about what the host serves (UNTP IDR-14), and the graph verifier
        then fetches it and says what it found. ResolutionError when a linkset names no
        passport.
        """
        try:
            identifier = self.identifier(url)
        except InputError:
            return None
        if url.lower().startswith(self.root.lower() + "/"):
            document: dict[str, Any] | None = self.resolve(identifier).linkset
        else:
            document = self._fetch_linkset(url)
        if document is None:
            return None
        passport = default_link(document, "dpp")
        if passport is None:
            raise ResolutionError(f"the identifier {short(url)} links to no product passport")
        return identifier, passport

    def _fetch_linkset(self, url: str) -> dict[str, Any] | None:
        """The linkset at ``url``, or None when it answers anything else or nothing."""
        try:
            checked = check_url(url, allow_http_loopback=self.settings.allow_http_loopback)
        except ValueError:
            return None
        getter = BoundedGetter(
            self.http,
            accept=LINKSET_JSON,
            user_agent=USER_AGENT,
            timeout=self.settings.graph_fetch_timeout,
            max_bytes=self.settings.graph_fetch_max_bytes,
            allow_loopback=self.settings.allow_http_loopback,
        )
        failure = f"could not resolve the identifier {short(url)}"
        try:
            fetched = getter.get(checked, failure=failure, absent="no such identifier there")
        except ResolutionError:
            return None
        if fetched.media_type not in (LINKSET_JSON, "application/json"):
            return None
        try:
            return read_linkset(read_json(fetched.body, FETCHED_LIMITS))
        except InputError:
            return None
