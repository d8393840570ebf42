"""What the buyer handed the page, turned into a root, a bundle and trust anchors."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from vcservice.errors import InputError
from vcservice.graph import BUNDLE_TYPE, Bundle, bundle_from_json
from vcservice.ingress import DEFAULT_LIMITS, Limits, read_json


@dataclass(frozen=True)
class Request:
    root: Any
    bundle: Bundle
    #: Empty when the buyer gave none, the bundle names none and no default is set: the graph
    #: is verified anyway and the page says the certifiers could not be checked.
    anchors: tuple[str, ...]
    #: The address the buyer gave as the input (not a bundle's root), for a link that
    #: verifies again with an anchor chosen.
    url: str | None = None


def _anchor_list(text: str) -> tuple[str, ...]:
    anchors = tuple(a for a in re.split(r"[\s,]+", text.strip()) if a)
    for anchor in anchors:
        if not anchor.startswith("did:"):
            raise InputError(f"a trust anchor is a DID (did:…), not {anchor!r}")
    return anchors


def parse_input(
    text: str,
    url: str,
    anchors_text: str,
    *,
    default_anchors: tuple[str, ...],
    max_depth: int,
    max_items: int,
    max_bytes: int | None = DEFAULT_LIMITS.max_bytes,
) -> Request:
    """InputError with a message meant for the buyer when the input is unusable. JSON is read
    by :func:`vcservice.ingress.read_json`, as on every other surface; a compact JWS or
    ``data:`` URL is left to the verifier, which recognises it through the same module."""
    text, url = text.strip(), url.strip()
    bundle = Bundle()
    root: Any
    if text.startswith(("{", "[")):
        limits = Limits(max_bytes=max_bytes, max_depth=max_depth, max_items=max_items)
        try:
            value = read_json(text, limits)
        except InputError as exc:
            raise type(exc)(f"{exc.title}: {exc.detail}") from None
        if not isinstance(value, dict):
            raise InputError("a credential or a graph bundle is a JSON object, not a list")
        if value.get("type") == BUNDLE_TYPE:
            bundle = bundle_from_json(value)
            root = bundle.start
            if root is None:
                raise InputError("the graph bundle has no root: say which credential to verify")
        else:
            root = value
    elif text.startswith(("https://", "http://")):
        root = text
    elif text:
        root = text  # a compact JWS or data: URL; the verifier says if it is neither
    elif url:
        if not url.startswith(("https://", "http://")):
            raise InputError("the address must start with https:// (or http://)")
        root = url
    else:
        raise InputError("paste a credential, upload a file or give the credential's address")
    given = _anchor_list(anchors_text)
    if given:  # the buyer's anchors replace the bundle's (the verifier would add them up)
        bundle = replace(bundle, trust_anchors=())
    # No anchor at all is not an input error: the field is optional, and everything but the
    # certifiers' accreditation can still be checked (the graph verifier reports those "could
    # not check").
    anchors = given or bundle.trust_anchors or default_anchors
    address = root if isinstance(root, str) and root.startswith(("https://", "http://")) else None
    return Request(root=root, bundle=bundle, anchors=anchors, url=None if bundle.start else address)
