"""status_entry and status_list_credential have the shapes of the spec's examples."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.errors import InputError
from vcservice.jsonld import bundled_loader
from vcservice.model import validate_credential
from vcservice.status import MIN_LIST_LENGTH, decode_list, get_status, status_entry
from vcservice.status import status_list_credential as make_list

from ..conftest import W3C, load_json
from .conftest import bits_with

EXAMPLES = W3C / "bitstring-status-list" / "examples"


def _shape(value: Any) -> Any:
    """The structure of a JSON value: member names and value types, recursively."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


# --- entries -------------------------------------------------------------------------------
def test_entry_matches_the_spec_example() -> None:
    example = load_json(EXAMPLES / "04-a-revocable-verifiable-credential.json")["credentialStatus"]
    entry = status_entry("https://example.com/credentials/status/3", 94567, "revocation")
    assert entry == example


@pytest.mark.parametrize("position", [0, 1])
def test_entries_match_the_multi_purpose_example(position: int) -> None:
    example = load_json(EXAMPLES / "01-example-statuslistcredential-using-simple-entries.json")[
        "credentialStatus"
    ][position]
    entry = status_entry(
        example["statusListCredential"], int(example["statusListIndex"]), example["statusPurpose"]
    )
    assert entry == example


def test_entry_id_is_not_the_list_url_and_index_is_a_string() -> None:
    entry = status_entry("https://status.example/l/1", 0, "suspension")
    assert entry["id"] == "https://status.example/l/1#0" != entry["statusListCredential"]
    assert entry["statusListIndex"] == "0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("https://s.example/1", -1, "revocation"), "non-negative"),
        (("https://s.example/1", True, "revocation"), "non-negative"),
        (("https://s.example/1", "7", "revocation"), "non-negative"),
        (("", 1, "revocation"), "URL"),
        (("https://s.example/1", 1, ""), "statusPurpose"),
    ],
)
def test_bad_entry_arguments_are_refused(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(InputError, match=message):
        status_entry(*args)


# --- list credentials -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "03-example-bitstringstatuslistcredential.json",
        "05-a-status-list-verifiable-credential.json",
    ],
)
def test_list_credential_has_the_shape_of_the_spec_example(name: str) -> None:
    example = load_json(EXAMPLES / name)
    ours = make_list(
        "https://example.com/credentials/status/3",
        "did:example:12345",
        "revocation",
        bytes(16384),
        valid_from="2021-04-05T14:27:40Z",
    )
    assert _shape(ours) == {**_shape(example), "@context": ["str"]}
    assert ours["id"] == example["id"]
    assert ours["type"] == example["type"]
    assert ours["issuer"] == example["issuer"]
    assert ours["validFrom"] == example["validFrom"]
    subject, theirs = ours["credentialSubject"], example["credentialSubject"]
    assert {k: subject[k] for k in ("type", "statusPurpose")} == {
        k: theirs[k] for k in ("type", "statusPurpose")
    }
    # The example's subject id sits under /status/3, ours under the list URL itself.
    assert subject["id"] == "https://example.com/credentials/status/3#list"
    assert decode_list(subject["encodedList"]) == decode_list(theirs["encodedList"])


def test_list_credential_carries_the_bits_and_optional_members() -> None:
    url = "https://status.example/lists/7"
    credential = make_list(url, "did:example:i", "suspension", bits_with(3, 131071), ttl_ms=60_000)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert "validFrom" not in credential
    subject = credential["credentialSubject"]
    assert subject["ttl"] == 60_000
    assert subject["statusPurpose"] == "suspension"
    bits = decode_list(subject["encodedList"])
    assert [i for i in range(MIN_LIST_LENGTH) if get_status(bits, i)] == [3, 131071]


def test_list_credential_is_a_valid_vc_2_0_document() -> None:
    """Every term is in the VC 2.0 context: the data-model check finds nothing to complain of."""
    credential = make_list(
        "https://status.example/lists/7",
        "did:example:i",
        "revocation",
        bytes(16384),
        valid_from="2024-01-01T00:00:00Z",
        ttl_ms=300_000,
    )
    report = validate_credential(credential, loader=bundled_loader())
    assert report.errors == []
    assert report.warnings == []


@pytest.mark.parametrize(
    ("bits", "options", "message"),
    [
        (bytes(16383), {}, "at least 131072"),
        (b"", {}, "at least 131072"),
        (bytes(16384), {"ttl_ms": 0}, "ttl"),
        (bytes(16384), {"ttl_ms": -5}, "ttl"),
        (bytes(16384), {"ttl_ms": 1.5}, "ttl"),
        (bytes(16384), {"valid_from": ""}, "validFrom"),
    ],
)
def test_bad_list_arguments_are_refused(bits: bytes, options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        make_list("https://status.example/l", "did:example:i", "revocation", bits, **options)
