"""Builders for the DID documents the service hosts for its tenants (did:web).

**Forms.** Each key can be listed as a ``Multikey`` (``publicKeyMultibase``, what Data Integrity
suites expect) and/or a ``JsonWebKey`` (``publicKeyJwk``, what JOSE verifiers expect). ``forms``
picks which, in order. The *first* form gets the bare id ``<did>#<fragment>``; each further form
gets ``<did>#<fragment>-<suffix>`` (``-multikey`` or ``-jwk``). So appending a second form later
never renames a method that credentials already point at. :func:`verification_method_id` is the one
place that rule lives; whatever chooses the id a signer signs with should call it.

**Retired keys.** Active keys are listed in ``assertionMethod`` and ``authentication``. Retired keys
stay in ``verificationMethod`` and ``assertionMethod``, so credentials they signed keep verifying,
but leave ``authentication``: that absence *is* the mark, and :func:`active_method_ids` reads it
back (active = in both relationships) so an issuer never signs with a retired key. We deliberately
do not mark retirement with the Controlled Identifiers ``revoked`` or ``expires`` properties:
widely deployed verifiers (Digital Bazaar's jsonld-signatures and its descendants) reject *every*
proof made with a method that carries ``revoked``, which would make old credentials fail, the very
thing retirement is meant to avoid. A compromised key is a different case: remove it from the
document, so nothing it signed verifies any more (our own verifier does not read ``revoked``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

from vcservice.dids._didjwk import JWK_V1
from vcservice.dids._didkey import DID_V1, MULTIKEY_V1
from vcservice.dids._didweb import check_path_segment, parse_host
from vcservice.errors import InputError
from vcservice.keys import PublicKey

MethodForm = Literal["Multikey", "JsonWebKey"]
#: The DID methods a tenant's DID can use, the one list the service and the CLI take. ``web``:
#: did:web:<host>:tenants:<name>, hosted here, so its keys can rotate. ``webvh``: the same with
#: a verifiable history of its keys (did:webvh:<SCID>:<host>:tenants:<name>). ``key``: the
#: did:key of the tenant's one key, resolved by anyone without us; that key can never change.
TenantDidMethod = Literal["web", "webvh", "key"]

_SUFFIX: dict[str, str] = {"Multikey": "multikey", "JsonWebKey": "jwk"}
_CONTEXT: dict[str, str] = {"Multikey": MULTIKEY_V1, "JsonWebKey": JWK_V1}
_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID = re.compile(rf"did:[a-z0-9]+:(?:{_IDCHAR}|:)*{_IDCHAR}")
_FRAGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def did_web_for(host: str, path: Sequence[str] = ()) -> str:
    """The did:web for a document served at ``https://<host>/<path...>/did.json``.

    ``host`` may carry a port (``example.com:8443``), which is written ``%3A`` as the spec
    requires. The host name is lower-cased (DNS ignores case, DID comparison does not, so one
    spelling avoids two DIDs for one tenant). Path segments are %-escaped where the DID syntax
    needs it. Raises InputError for anything :class:`DidWebResolver` would refuse to resolve,
    except loopback hosts, which are allowed so tests and demos can build local DIDs.
    """
    if not isinstance(host, str):
        raise InputError("the did:web host must be a string")
    try:
        parsed = parse_host(host.lower())
        segments = [check_path_segment(_escape(segment)) for segment in path]
    except ValueError as exc:
        raise InputError(f"cannot build a did:web for {host!r}: {exc}") from exc
    return "did:web:" + parsed.netloc.replace(":", "%3A") + "".join(":" + s for s in segments)


def verification_method_id(
    did: str, fragment: str, form: MethodForm, *, forms: Sequence[MethodForm] = ("Multikey",)
) -> str:
    """The id :func:`did_document` gives key ``fragment`` in ``form`` when listing ``forms``."""
    forms = _check_forms(forms)
    if form not in forms:
        raise InputError(f"{form!r} is not one of the forms listed ({', '.join(forms)})")
    name = _fragment(fragment)
    return f"{did}#{name}" if form == forms[0] else f"{did}#{name}-{_SUFFIX[form]}"


def did_document(
    did: str,
    keys: Sequence[tuple[str, PublicKey]],
    *,
    retired: Sequence[tuple[str, PublicKey]] = (),
    forms: Sequence[MethodForm] = ("Multikey",),
) -> dict[str, Any]:
    """A DID document listing ``keys`` (active) and ``retired`` keys, each in every ``forms``.

    ``keys`` and ``retired`` are ``(fragment, public key)`` pairs; the fragment may be written with
    or without its ``#``. See the module docstring for ids, forms and what "retired" means.
    Raises InputError for a malformed DID or fragment, a repeated id, or a key that is both
    active and retired. Relationships with no members are left out, as Controlled Identifiers
    requires a listed relationship to have at least one.
    """
    if not isinstance(did, str) or not _DID.fullmatch(did):
        raise InputError(f"{did!r} is not a DID without fragment, query or path")
    forms = _check_forms(forms)
    active_keys = {(key.key_type, key.raw) for _, key in keys}
    for fragment, key in retired:
        if (key.key_type, key.raw) in active_keys:
            raise InputError(f"key {fragment!r} is listed both as active and as retired")

    methods: list[dict[str, Any]] = []
    authentication: list[str] = []
    assertion: list[str] = []
    seen: set[str] = set()
    for entries, active in ((keys, True), (retired, False)):
        for fragment, key in entries:
            for form in forms:
                method_id = verification_method_id(did, fragment, form, forms=forms)
                if method_id in seen:
                    raise InputError(f"verification method id {method_id} is used twice")
                seen.add(method_id)
                methods.append(_method(method_id, did, form, key))
                assertion.append(method_id)
                if active:
                    authentication.append(method_id)

    document: dict[str, Any] = {
        "@context": [DID_V1, *(_CONTEXT[form] for form in _SUFFIX if form in forms)],
        "id": did,
    }
    for name, value in (
        ("verificationMethod", methods),
        ("authentication", authentication),
        ("assertionMethod", assertion),
    ):
        if value:
            document[name] = value
    return document


def active_method_ids(document: Mapping[str, Any]) -> list[str]:
    """Methods of a :func:`did_document` an issuer may sign *new* credentials with.

    Those in both ``assertionMethod`` and ``authentication``, in ``assertionMethod`` order, as
    absolute ids. Retired keys are in ``assertionMethod`` only, so they are left out.
    """
    did = str(document.get("id", ""))
    authentication = set(_references(document.get("authentication"), did))
    assertion = _references(document.get("assertionMethod"), did)
    return [ref for ref in assertion if ref in authentication]


def _method(method_id: str, did: str, form: str, key: PublicKey) -> dict[str, Any]:
    method: dict[str, Any] = {"id": method_id, "type": form, "controller": did}
    if form == "Multikey":
        method["publicKeyMultibase"] = key.multibase
    else:
        method["publicKeyJwk"] = key.to_jwk()
    return method


def _check_forms(forms: Sequence[MethodForm]) -> tuple[MethodForm, ...]:
    result = tuple(forms)
    if not result:
        raise InputError("list keys in at least one form (Multikey, JsonWebKey)")
    unknown = [form for form in result if form not in _SUFFIX]
    if unknown:
        raise InputError(f"unknown verification method form(s) {unknown}; use Multikey, JsonWebKey")
    if len(set(result)) != len(result):
        raise InputError(f"verification method forms repeat: {list(result)}")
    return result


def _fragment(fragment: str) -> str:
    name = fragment[1:] if isinstance(fragment, str) and fragment.startswith("#") else fragment
    if not isinstance(name, str) or not _FRAGMENT.fullmatch(name):
        raise InputError(
            f"fragment {fragment!r} must be letters, digits, '.', '_', '~' or '-' (like key-1)"
        )
    return name


def _escape(segment: str) -> str:
    if not isinstance(segment, str) or not segment:
        raise ValueError(f"path segment {segment!r} is empty or not a string")
    # quote() leaves '~' alone, but '~' is not a DID idchar.
    return quote(segment, safe="").replace("~", "%7E")


def _references(value: Any, did: str) -> list[str]:
    if not isinstance(value, list):
        return []
    refs: list[str] = []
    for entry in value:
        ref = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(ref, str):
            refs.append(did + ref if ref.startswith("#") else ref)
    return refs
