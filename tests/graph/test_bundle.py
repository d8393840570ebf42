"""Graph bundles: the JSON form and the chain-directory form, and clear errors for bad ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from vcservice.errors import InputError
from vcservice.graph import Bundle, bundle_from_json, load_bundle

COPPER = REPO / "examples" / "copper"


def test_a_chain_directory_is_a_bundle_of_every_indexed_file() -> None:
    bundle = load_bundle(COPPER)
    index = json.loads((COPPER / "index.json").read_text())
    assert set(bundle.documents) == {e["linkURL"] for e in index["credentials"]}
    assert "did:web:boreal-copper.example" in bundle.did_documents
    assert bundle.trust_anchors == ("did:web:accreditation.example.se",)


def test_the_json_form_reads_every_member() -> None:
    bundle = bundle_from_json(
        {
            "type": "ProvenanceGraphBundle",
            "root": "https://example.org/a",
            "verificationTime": "2026-06-01T00:00:00Z",
            "trustAnchors": ["did:web:ab.example", {"did": "did:web:other.example"}],
            "options": {"maxNodes": 5},
            "documents": {"https://example.org/a": "a.b.c"},
            "didDocuments": {"did:web:ab.example": {"id": "did:web:ab.example"}},
            "expectedCheck": "graph.node-limit",
        }
    )
    assert bundle.root == "https://example.org/a"
    assert bundle.trust_anchors == ("did:web:ab.example", "did:web:other.example")
    assert bundle.at is not None
    assert bundle.at.year == 2026
    assert bundle.options == {"maxNodes": 5}
    assert bundle.expected_check == "graph.node-limit"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "a graph bundle is a JSON object"),
        ({"type": "Other"}, "has type 'ProvenanceGraphBundle'"),
        ({"documents": []}, "documents must be an object"),
        ({"documents": {"ftp://x": {}}}, "is not an http"),
        ({"documents": {"https://x": 5}}, "must be a credential"),
        ({"didDocuments": {"did:x:1": {"id": "did:x:2"}}}, "has id 'did:x:2'"),
        ({"didDocuments": {"nodid": {}}}, "must be a DID"),
        ({"trustAnchors": ["https://not-a-did"]}, "each trust anchor is a DID"),
        ({"verificationTime": "yesterday"}, "verificationTime must be"),
        ({"root": 5}, "root must be"),
        ({"options": []}, "options must be an object"),
    ],
)
def test_bad_bundles_are_refused_with_a_message(value: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        bundle_from_json(value)


def test_a_directory_index_may_not_point_outside_it(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text(
        json.dumps({"credentials": [{"file": "../secret.json", "linkURL": "https://x/a"}]})
    )
    with pytest.raises(InputError, match="leaves"):
        load_bundle(tmp_path)


def test_unreadable_and_non_json_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_bundle(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_bundle(tmp_path / "bad.json")
    (tmp_path / "index.json").write_text("{}")
    with pytest.raises(InputError, match="no 'credentials' list"):
        load_bundle(tmp_path)


def test_merged_keeps_both_and_the_later_bundle_wins() -> None:
    base = Bundle(
        documents={"https://x/a": {"v": 1}, "https://x/b": {"v": 1}},
        did_documents={"did:web:a.example": {"id": "did:web:a.example"}},
        trust_anchors=("did:web:t1.ex", "did:web:t2.ex"),
        by_digest={"uA": {"v": 1}},
        root="https://x/a",
    )
    extra = Bundle(
        documents={"https://x/b": {"v": 2}},
        did_documents={"did:web:b.example": {"id": "did:web:b.example"}},
        trust_anchors=("did:web:t2.ex", "did:web:t3.ex"),
        by_digest={"uB": {"v": 2}},
        root="https://x/b",
    )
    merged = base.merged(extra)
    assert merged.documents == {"https://x/a": {"v": 1}, "https://x/b": {"v": 2}}
    assert set(merged.did_documents) == {"did:web:a.example", "did:web:b.example"}
    assert merged.trust_anchors == ("did:web:t1.ex", "did:web:t2.ex", "did:web:t3.ex")
    assert merged.by_digest == {"uA": {"v": 1}, "uB": {"v": 2}}
    assert merged.root == "https://x/b"
    assert base.documents == {"https://x/a": {"v": 1}, "https://x/b": {"v": 1}}  # not edited
