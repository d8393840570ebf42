"""One credential, one verdict, whatever way it enters (issue 13, deliverable 10).

A generated corpus of valid, tampered and malformed credentials goes through the API, the CLI,
the buyer page and a one-node graph (:mod:`tests.surfaces`); every surface must give the same
verdict and the same sets of failed and indeterminate check ids. The corpus starts from real
credentials issued by the service (vc+jwt envelopes, eddsa-rdfc-2022 and eddsa-jcs-2022 Data
Integrity; valid, revoked, suspended, expired) and applies one generated change to each: none,
a value changed after signing, a forged member placed before the real one, a non-finite or
out-of-range number, a lone surrogate, nesting past the limit, junk, an envelope with an
upper-case ``DATA:`` scheme or a broken outer object. The run is derandomized (the same corpus
in CI and locally) and counts what it checked: at least 500 documents per run.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.surfaces import Raw, Seen, Surfaces, open_surfaces

DOCUMENTS = 500
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2",  # @vocab: any subject member is defined
]
FORMATS = ("vc+jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022")
#: (format, kind) of every base credential: kind is how it was issued or changed in the store.
BASES = [(fmt, kind) for fmt in FORMATS for kind in ("valid", "revoked", "expired", "suspended")]

names = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda n: n not in {"id", "type"}
)
scalars = st.one_of(
    st.text(max_size=20),
    st.integers(-(2**53), 2**53),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _with_payload(envelope: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    """The envelope with its JWS payload's JSON text changed (the signature kept)."""
    prefix, _, jws = envelope["id"].partition(",")
    header, payload, signature = jws.split(".")
    text = change(_b64url_decode(payload).decode("utf-8"))
    return {**envelope, "id": f"{prefix},{header}.{_b64url(text.encode())}.{signature}"}


def _first_member(text: str, member: str) -> str:
    """JSON object text with ``member`` inserted before every other member."""
    assert text.startswith("{")
    return "{" + member + "," + text[1:]


# --- the changes ----------------------------------------------------------------------------
def unchanged(document: Any, data: st.DataObject) -> Any:
    return document


def changed_after_signing(document: Any, data: st.DataObject) -> Any:
    value = data.draw(values, label="new value")
    name = data.draw(names, label="member")
    if "proof" in document:
        changed = copy.deepcopy(document)
        changed["credentialSubject"][name] = value
        return changed

    def change(text: str) -> str:
        payload = json.loads(text)
        payload["credentialSubject"][name] = value
        return json.dumps(payload)

    return _with_payload(document, change)


def forged_member_first(document: Any, data: st.DataObject) -> Any:
    member = data.draw(st.sampled_from(["credentialSubject", "issuer", "validUntil"]))
    forged = json.dumps(member) + ": " + json.dumps(data.draw(values, label="forged"))
    if "proof" in document:
        return Raw(_first_member(json.dumps(document), forged))
    return _with_payload(document, lambda text: _first_member(text, forged))


def hostile_number(document: Any, data: st.DataObject) -> Raw:
    number = data.draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e400"]))
    return Raw(_first_member(json.dumps(document), f'"amount": {number}'))


def lone_surrogate(document: Any, data: st.DataObject) -> Raw:
    escape = data.draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud83d"]))
    return Raw(_first_member(json.dumps(document), f'"note": "x{escape}y"'))


def too_deep(document: Any, data: st.DataObject) -> Raw:
    depth = data.draw(st.integers(65, 400), label="depth")
    return Raw(_first_member(json.dumps(document), '"deep": ' + "[" * depth + "]" * depth))


def junk(document: Any, data: st.DataObject) -> Raw:
    text = json.dumps(document)
    cut = data.draw(st.integers(1, len(text) - 1), label="cut")
    return Raw(text[:cut])


def upper_case_scheme(document: Any, data: st.DataObject) -> Any:
    if "proof" in document:
        return document
    scheme = data.draw(st.sampled_from(["DATA:", "Data:", "dAtA:"]))
    return {**document, "id": scheme + document["id"][5:]}


def broken_envelope(document: Any, data: st.DataObject) -> Any:
    if "proof" in document:
        return document
    broken = copy.deepcopy(document)
    how = data.draw(st.sampled_from(["no context", "empty context", "other context", "type"]))
    if how == "no context":
        del broken["@context"]
    elif how == "empty context":
        broken["@context"] = []
    elif how == "other context":
        broken["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    else:
        broken["type"] = ["VerifiableCredential"]
    return broken


CHANGES = [
    unchanged,
    changed_after_signing,
    forged_member_first,
    hostile_number,
    lone_surrogate,
    too_deep,
    junk,
    upper_case_scheme,
    broken_envelope,
]


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Surfaces]:
    with open_surfaces(tmp_path_factory.mktemp("differential"), did_method="key") as opened:
        yield opened


@pytest.fixture(scope="module")
def bases(surfaces: Surfaces) -> dict[tuple[str, str], Any]:
    """One credential per format and kind, issued by the service."""
    issued: dict[tuple[str, str], Any] = {}
    for fmt, kind in BASES:
        cid = f"urn:example:differential:{fmt}:{kind}"
        credential: dict[str, Any] = {
            "@context": CONTEXT,
            "id": cid,
            "type": ["VerifiableCredential"],
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "urn:example:cathode-lot-7", "grade": "Cu 8.0 MIX"},
        }
        if kind == "expired":
            credential["validUntil"] = "2026-02-01T00:00:00Z"
        purpose = "suspension" if kind == "suspended" else "revocation"
        options = {"format": fmt, "credentialStatus": {"statusPurpose": purpose}}
        issued[fmt, kind] = surfaces.issue(credential, options)
        if kind in ("revoked", "suspended"):
            surfaces.set_status(cid, purpose, True)
    return issued


def test_every_surface_gives_the_same_verdict(
    surfaces: Surfaces, bases: dict[tuple[str, str], Any]
) -> None:
    seen_verdicts: dict[str, int] = {}

    @settings(
        max_examples=DOCUMENTS,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        base=st.sampled_from(BASES),
        change=st.sampled_from(CHANGES),
        data=st.data(),
    )
    def one_document(
        base: tuple[str, str], change: Callable[[Any, st.DataObject], Any], data: st.DataObject
    ) -> None:
        document = change(bases[base], data)
        seen = surfaces.verdicts(document)
        first = seen["api"]
        assert all(s == first for s in seen.values()), (base, change.__name__, seen)
        assert first.verdict in ("verified", "failed", "indeterminate", "refused"), seen
        seen_verdicts[first.verdict] = seen_verdicts.get(first.verdict, 0) + 1

    one_document()
    assert sum(seen_verdicts.values()) >= DOCUMENTS, seen_verdicts
    # the corpus exercises every kind of answer, so agreement is not agreement on one answer
    assert {"verified", "failed", "refused"} <= set(seen_verdicts), seen_verdicts


def _agreed(seen: dict[str, Seen]) -> Seen:
    first = seen["api"]
    assert all(s == first for s in seen.values()), seen
    return first


def test_the_bases_are_what_they_say(surfaces: Surfaces, bases: dict[tuple[str, str], Any]) -> None:
    for (fmt, kind), document in bases.items():
        seen = _agreed(surfaces.verdicts(document))
        expected = {
            "valid": Seen("verified"),
            "revoked": Seen("failed", frozenset({"status.revocation"})),
            "suspended": Seen("failed", frozenset({"status.suspension"})),
            "expired": Seen("failed", frozenset({"validity.expired"})),
        }[kind]
        assert seen == expected, (fmt, kind, seen)
