"""The signed example chains in examples/: valid, verifiable offline, hash-linked, tamper-evident,
documented in the vocabulary page, and reproducible byte for byte by examples/build.py."""

from __future__ import annotations

import base64
import copy
import json
import runpy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from vcservice.cli import app
from vcservice.dids import StaticResolver
from vcservice.jsonld import bundled_loader, expand
from vcservice.links import check_link
from vcservice.schema_validation import validate_document
from vcservice.verify import Verifier

EXAMPLES = REPO / "examples"
CHAINS = sorted(p.parent for p in EXAMPLES.glob("*/index.json"))
AT = datetime(2026, 6, 1, tzinfo=UTC)
NAMESPACE = "https://w3id.org/critical-minerals/"


def _entries() -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for chain in CHAINS:
        for entry in json.loads((chain / "index.json").read_text())["credentials"]:
            out.append((chain, entry))
    return out


ENTRIES = _entries()
IDS = [f"{c.name}/{e['file']}" for c, e in ENTRIES]


def _load(chain: Path, entry: dict[str, Any]) -> dict[str, Any]:
    return json.loads((chain / entry["file"]).read_text(encoding="utf-8"))


def _jws(secured: dict[str, Any]) -> str:
    return str(secured["id"]).partition(",")[2]


def _payload(secured: dict[str, Any]) -> dict[str, Any]:
    if secured.get("type") == "EnvelopedVerifiableCredential":
        part = _jws(secured).split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return secured


def _verifier(chain: Path) -> Verifier:
    docs = [json.loads(p.read_text()) for p in sorted((chain / "dids").glob("*.json"))]
    return Verifier(resolver=StaticResolver({d["id"]: d for d in docs}), clock=lambda: AT)


def _links(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "linkURL" in value and "digestMultibase" in value:
            yield value
        for item in value.values():
            yield from _links(item)
    elif isinstance(value, list):
        for item in value:
            yield from _links(item)


def _targets(chain: Path) -> dict[str, dict[str, Any]]:
    index = json.loads((chain / "index.json").read_text())["credentials"]
    return {e["linkURL"]: _load(chain, e) for e in index}


def test_the_chains_exist() -> None:
    assert [c.name for c in CHAINS] == ["copper", "steel"]
    assert len(ENTRIES) >= 30
    for chain in CHAINS:
        anchors = json.loads((chain / "trust-anchors.json").read_text())["trustAnchors"]
        index = json.loads((chain / "index.json").read_text())["credentials"]
        accreditation = next(e for e in index if e["type"] == "DigitalIdentityAnchor")
        assert [a["did"] for a in anchors] == [accreditation["issuer"]]
        formats = {e["format"] for e in index}
        assert formats == {"vc+jwt", "eddsa-rdfc-2022"}


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_links_carry_the_cli_digest_of_their_target(chain: Path, entry: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["digest", str(chain / entry["file"])])
    assert result.exit_code == 0, result.output
    digests = {
        link["digestMultibase"]
        for other in _targets(chain).values()
        for link in _links(_payload(other))
        if link["linkURL"] == entry["linkURL"]
    }
    assert digests <= {result.output.strip()}


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_example_validates(chain: Path, entry: dict[str, Any]) -> None:
    report = validate_document(_load(chain, entry), loader=bundled_loader())
    assert report.verified, [c.problem for c in report.errors]


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_example_verifies_offline(chain: Path, entry: dict[str, Any]) -> None:
    report = _verifier(chain).verify_credential(_load(chain, entry), at=AT)
    assert report.verified, [c.problem for c in report.errors]


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_every_link_digest_matches_its_target(chain: Path, entry: dict[str, Any]) -> None:
    targets = _targets(chain)
    for link in _links(_payload(_load(chain, entry))):
        if link["linkURL"] in targets:
            assert check_link(targets[link["linkURL"]], link), link["linkURL"]


def test_every_digest_link_points_at_an_example() -> None:
    for chain in CHAINS:
        targets = _targets(chain)
        count = 0
        for secured in targets.values():
            for link in _links(_payload(secured)):
                assert link["linkURL"] in targets, link["linkURL"]
                count += 1
        assert count >= len(targets)


def _tamper_value(value: Any) -> bool:
    """Change the first claim value (a string or number under credentialSubject)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("type", "id", "@context"):
                continue
            if isinstance(item, str):
                value[key] = item + " (altered)"
                return True
            if isinstance(item, int | float) and not isinstance(item, bool):
                value[key] = item + 1
                return True
            if _tamper_value(item):
                return True
    elif isinstance(value, list):
        return any(_tamper_value(item) for item in value)
    return False


def _with_altered_claim(secured: dict[str, Any]) -> dict[str, Any]:
    """The credential with one claim value changed and the original proof/signature kept."""
    payload = copy.deepcopy(_payload(secured))
    assert _tamper_value(payload["credentialSubject"])
    if secured.get("type") != "EnvelopedVerifiableCredential":
        return payload
    header, _, signature = _jws(secured).split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return dict(secured, id=f"data:application/vc+jwt,{header}.{body}.{signature}")


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_changing_a_claim_breaks_the_signature(chain: Path, entry: dict[str, Any]) -> None:
    tampered = _with_altered_claim(_load(chain, entry))
    assert not _verifier(chain).verify_credential(tampered, at=AT).verified


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_changing_a_linked_credential_breaks_the_link(chain: Path, entry: dict[str, Any]) -> None:
    target = _load(chain, entry)
    url = entry["linkURL"]
    pointing = [
        link
        for other in _targets(chain).values()
        for link in _links(_payload(other))
        if link["linkURL"] == url
    ]
    altered = _with_altered_claim(target)
    for link in pointing:
        assert check_link(target, link)
        assert not check_link(altered, link)


def _iris(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(key)
            _iris(item, out)
    elif isinstance(value, list):
        for item in value:
            _iris(item, out)
    elif isinstance(value, str):
        out.add(value)


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_every_extension_term_is_on_the_vocabulary_page(chain: Path, entry: dict[str, Any]) -> None:
    page = (REPO / "vocab" / "index.html").read_text(encoding="utf-8")
    found: set[str] = set()
    _iris(expand(_payload(_load(chain, entry)), bundled_loader()), found)
    ours = {i for i in found if i.startswith(NAMESPACE)}
    assert ours, "the example uses none of our terms"
    for iri in ours:
        local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        assert f'id="{local}"' in page, iri


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    build = runpy.run_path(str(EXAMPLES / "build.py"), run_name="examples_build")
    assert build["main"](["build.py", str(tmp_path)]) == 0
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(EXAMPLES) for c in CHAINS for p in c.rglob("*") if p.is_file())
    assert made == committed
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (EXAMPLES / rel).read_bytes(), rel
