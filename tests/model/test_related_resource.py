"""``relatedResource`` (VC-DM 2.0 §5.3): ids, uniqueness, and well-formed digests.

Digests are computed here with hashlib rather than pasted, so each test shows what a valid
value is made of. Whether a digest matches the fetched resource is the link checker's job.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import base58
import pytest

from vcservice.jsonld import bundled_loader
from vcservice.model import validate_credential

from .helpers import credential, failures

RESOURCE = b'{"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}'
URL = "https://www.w3.org/ns/credentials/examples/v2"


def sri(algorithm: str, data: bytes = RESOURCE) -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def multihash(code: int, digest: bytes) -> bytes:
    return bytes([code, len(digest)]) + digest


def base58btc(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode()


def base64url(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode().rstrip("=")


SHA256_MULTIHASH = multihash(0x12, hashlib.sha256(RESOURCE).digest())


def related(value: Any) -> dict[str, list[str]]:
    report = validate_credential(credential(relatedResource=value), loader=bundled_loader())
    return failures(report)


@pytest.mark.parametrize(
    "value",
    [
        {"id": URL, "digestSRI": sri("sha384")},
        {"id": URL, "digestSRI": sri("sha256")},
        {"id": URL, "digestSRI": sri("sha512")},
        {"id": URL, "digestSRI": f"{sri('sha256')} {sri('sha384')}?ct=application/ld+json"},
        {"id": URL, "digestSRI": sri("sha384").replace("+", "-").replace("/", "_")},
        {"id": URL, "digestMultibase": base58btc(SHA256_MULTIHASH)},
        {"id": URL, "digestMultibase": base64url(SHA256_MULTIHASH)},
        {
            "id": URL,
            "digestMultibase": [
                base64url(multihash(0x20, hashlib.sha384(RESOURCE).digest())),
                base64url(multihash(0x13, hashlib.sha512(RESOURCE).digest())),
                base64url(multihash(0x16, hashlib.sha3_256(RESOURCE).digest())),
            ],
        },
        [
            {"id": URL, "mediaType": "application/ld+json", "digestSRI": sri("sha384")},
            {"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": sri("sha384")},
        ],
    ],
)
def test_valid_related_resources(value: Any) -> None:
    assert related(value) == {}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ([URL], "must be an object"),
        ([], "must not be an empty array"),
        ({"digestSRI": sri("sha384")}, "id is required"),
        ({"id": "not a url", "digestSRI": sri("sha384")}, "id must be a URL"),
        (
            [{"id": URL, "digestSRI": sri("sha384")}, {"id": URL, "digestSRI": sri("sha256")}],
            "appears more than once",
        ),
        ({"id": URL}, "at least one of digestSRI or digestMultibase"),
        ({"id": URL, "digestSRI": sri("sha1")}, "is not <sha256|sha384|sha512>-<base64>"),
        ({"id": URL, "digestSRI": "sha384-" + sri("sha256")[7:]}, "decodes to 32 bytes"),
        ({"id": URL, "digestSRI": "sha384-abc*def"}, "is not <sha256|sha384|sha512>"),
        ({"id": URL, "digestSRI": sri("sha384")[:-2] + "-/"}, "not valid base64"),
        ({"id": URL, "digestSRI": ""}, "digestSRI is empty"),
        ({"id": URL, "digestSRI": 384}, "must be a string"),
        # A raw digest without a multihash header (the W3C suite's inline example value).
        (
            {"id": URL, "digestMultibase": "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"},
            "without the multihash header",
        ),
        ({"id": URL, "digestMultibase": "m" + "A" * 40}, "is not base58btc"),
        ({"id": URL, "digestMultibase": "z0OIl"}, "is not base58btc"),
        ({"id": URL, "digestMultibase": "u" + "A" * 43 + "="}, "is not base58btc"),
        ({"id": URL, "digestMultibase": base58btc(SHA256_MULTIHASH[:-1])}, "declares 32"),
        ({"id": URL, "digestMultibase": base58btc(multihash(0x11, b"x" * 20))}, "code 0x11"),
        ({"id": URL, "digestMultibase": "z"}, "is not base58btc"),
        ({"id": URL, "digestMultibase": base58btc(b"\x12")}, "too short to be a multihash"),
        ({"id": URL, "digestSRI": "sha256-" + "A" * 45}, "not valid base64"),
        ({"id": URL, "digestMultibase": []}, "must not be an empty array"),
        ({"id": URL, "digestMultibase": [None]}, "must be a string"),
        (
            {"id": URL, "mediaType": "json", "digestSRI": sri("sha384")},
            "is not a media type",
        ),
    ],
)
def test_invalid_related_resources(value: Any, fragment: str) -> None:
    failed = related(value)
    assert set(failed) == {"datamodel.related-resource"}
    assert any(fragment in detail for detail in failed["datamodel.related-resource"]), failed
