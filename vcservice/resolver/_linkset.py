"""RFC 9264 linksets with UNTP link types, and the ISO/IEC 18975 resolver description.

A linkset answers "what is known about this identifier": one context per anchor (the
identifier, then the less granular identifiers it refines), each holding its targets by link
relation type. The link types are UNTP's (Identity Resolver, "Link Relations": ``dpp``,
``dcc``, ``dfr``; and ``dte``, ``dia`` for the traceability events and identity anchors the
same specification's examples and credential types name) and ``pip`` for a human-readable
page, as the UNTP IDR examples use it. Keys are lower-case, as the UNTP linkset schema
requires.

Versions (UNTP IDR-10): when an anchor has several targets of one type, the newest comes
first and is the default; each older one carries ``"rel": ["predecessor-version"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.resolver._identifier import GS1_PRIMARY_KEYS, ID_PREFIX, Identifier

#: The media type of a linkset in JSON (RFC 9264 §4.2).
LINKSET_JSON = "application/linkset+json"


@dataclass(frozen=True)
class LinkType:
    """A link relation type the resolver offers: its name and the default title of a link."""

    name: str
    title: str
    description: str


LINK_TYPES: dict[str, LinkType] = {
    t.name: t
    for t in (
        LinkType("dpp", "Digital Product Passport", "the product's digital product passport"),
        LinkType("dcc", "Digital Conformity Credential", "a conformity credential about it"),
        LinkType("dfr", "Digital Facility Record", "a facility's digital facility record"),
        LinkType("dte", "Digital Traceability Event", "a traceability event about it"),
        LinkType("dia", "Digital Identity Anchor", "an identity anchor of its identifier"),
        LinkType("pip", "Product information page", "a human-readable page about it"),
    )
}
#: Where a resolver without a requested type sends a client, in order of preference.
DEFAULT_ORDER = ("dpp", "dfr", "dcc", "dte", "dia", "pip")
#: The link type of the buyer page the resolver adds to every anchor with a passport.
PAGE_TYPE = "pip"


@dataclass(frozen=True)
class Link:
    """One target: where it is, its type, its title and media type."""

    link_type: str
    href: str
    title: str
    media_type: str


def _targets(links: Sequence[Link]) -> dict[str, list[dict[str, Any]]]:
    """Targets by link type; ``links`` newest first, so the first of a type is current."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        targets = by_type.setdefault(link.link_type, [])
        target: dict[str, Any] = {"href": link.href, "title": link.title, "type": link.media_type}
        if targets:
            target["rel"] = ["predecessor-version"]
        targets.append(target)
    return by_type


def linkset(
    identifier: Identifier,
    links: Mapping[Identifier, Sequence[Link]],
    *,
    root: str,
    page: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """The linkset of ``identifier``: a context for it and for each less granular identifier
    with links (``links``: each identifier's links, newest first). ``page``: the buyer page's
    address for an identifier's URL, linked as ``pip`` from each anchor
    that has a passport, so a person is offered the verification, not only machines."""
    contexts: list[dict[str, Any]] = []
    for anchor in (identifier, *identifier.less_granular()):
        found = links.get(anchor, ())
        if not found:
            continue
        by_type = _targets(found)
        if page is not None and "dpp" in by_type:
            by_type.setdefault(PAGE_TYPE, []).append(
                {
                    "href": page(anchor.url(root)),
                    "title": "Verify this product's passport and its evidence",
                    "type": "text/html",
                }
            )
        contexts.append({"anchor": anchor.url(root), **by_type})
    return {"linkset": contexts}


def default_link(document: Mapping[str, Any], link_type: str | None = None) -> str | None:
    """The target a client without a linkset reader is sent to: the newest link of
    ``link_type`` (or of the first type of :data:`DEFAULT_ORDER` present), the most
    specific anchor first; None when there is none."""
    wanted = (link_type,) if link_type else DEFAULT_ORDER
    for name in wanted:
        for context in document["linkset"]:
            targets = context.get(name)
            if targets:
                href: str = targets[0]["href"]
                return href
    return None


#: The GS1 Web Vocabulary's names (as GS1 resolvers key their linksets) of link types known
#: here: UNTP's ``dpp`` is GS1's ``dpp``, and ``pip`` is GS1's product information page.
GS1_ALIASES = {
    f"{vocabulary}{name}": name
    for vocabulary in ("https://gs1.org/voc/", "https://ref.gs1.org/voc/")
    for name in ("dpp", "pip")
}


def read_linkset(document: Any) -> dict[str, Any] | None:
    """A linkset read from another resolver, reduced to the link types known here (GS1's
    full names read as their short ones; targets: objects with a string ``href``); None
    when ``document`` is not an RFC 9264 linkset in JSON. What its targets hold is checked
    where they are fetched."""
    contexts = document.get("linkset") if isinstance(document, dict) else None
    if not isinstance(contexts, list):
        return None
    kept: list[dict[str, Any]] = []
    for context in contexts:
        if not isinstance(context, dict):
            return None
        known: dict[str, Any] = {}
        for key, targets in context.items():
            name = GS1_ALIASES.get(key, key)
            if name not in LINK_TYPES:
                continue
            if not isinstance(targets, list) or not all(
                isinstance(target, dict) and isinstance(target.get("href"), str)
                for target in targets
            ):
                return None
            known.setdefault(name, []).extend(targets)
        kept.append({"anchor": context.get("anchor"), **known})
    return {"linkset": kept}


def resolver_description(root: str, name: str) -> dict[str, Any]:
    """The ``/.well-known/resolver`` document (ISO/IEC 18975, in the shape GS1 resolvers
    publish): where the resolver is, which keys it answers for and which link types."""
    return {
        "name": name,
        "resolverRoot": root,
        "supportedPrimaryKeys": [*GS1_PRIMARY_KEYS, ID_PREFIX],
        "linkTypeDefaultCanBeLinkset": True,
        "supportedLinkType": [
            {"linkType": t.name, "title": t.title, "description": t.description}
            for t in LINK_TYPES.values()
        ],
        "linksetMediaType": LINKSET_JSON,
    }
