"""Several files at once on ``/verify``: a buyer's passport and the upstream credentials it
links to, as separate files with no bundle, give the verdict the bundle gives.

The copper chain's own files (``examples/copper/*.json`` but the bundle and index, its DID
documents under ``dids/`` and ``trust-anchors.json``) are uploaded together; links are mapped
to files by digest, never by name. A file left out, a root chosen among several and every bad
file are said on the page in plain words; nothing is a 500.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import COPPER
from vcservice.errors import InputError
from vcservice.ingress import Limits
from vcservice.web.inputs import MAX_FILES, Upload, assemble_uploads

Files = list[tuple[str, tuple[str, bytes, str]]]
_NOT_FILES = {"bundle.json", "index.json"}


def _chain_paths(*, without: tuple[str, ...] = ()) -> list[Path]:
    """The copper chain as a buyer would hold it: credentials, DID documents, anchors."""
    credentials = [
        p for p in sorted(COPPER.glob("*.json")) if p.name not in _NOT_FILES | set(without)
    ]
    return credentials + sorted((COPPER / "dids").glob("*.json"))


def _files(paths: list[Path], *extra: tuple[str, bytes]) -> Files:
    """The multipart ``file`` parts for ``paths`` (then ``extra`` as (name, bytes))."""
    named = [(p.name, p.read_bytes()) for p in paths] + list(extra)
    return [("file", (name, data, "application/json")) for name, data in named]


def _uploads(paths: list[Path]) -> list[Upload]:
    return [Upload(p.name, p.read_bytes()) for p in paths]


def _verdict(html: str) -> tuple[str, str, str, int]:
    """What the page judged: state, verified, failed checks, number of graph nodes."""
    found = [
        re.search(rf'{name}="([^"]*)"', html)
        for name in ("data-state", "data-verified", "data-failed-checks")
    ]
    assert all(found), html[:500]
    state, verified, failed = (m.group(1) for m in found if m)
    return state, verified, failed, html.count('data-testid="graph-node"')


def _bundle_without_time() -> dict[str, Any]:
    """``bundle.json`` verified at the time uploads are (now), not at its fixed time."""
    bundle: dict[str, Any] = json.loads((COPPER / "bundle.json").read_text())
    del bundle["verificationTime"]
    return bundle


def _time_only() -> tuple[str, bytes]:
    """A bundle file naming nothing but bundle.json's verification time: uploaded with the
    files, the result is judged at the same moment as bundle.json."""
    at = json.loads((COPPER / "bundle.json").read_text())["verificationTime"]
    value = {"type": "ProvenanceGraphBundle", "verificationTime": at}
    return "time.json", json.dumps(value).encode()


# --- the pure function -------------------------------------------------------------------------
def test_links_are_mapped_to_files_by_content() -> None:
    reference = json.loads((COPPER / "bundle.json").read_text())
    assembled = assemble_uploads(_uploads(_chain_paths()), Limits())
    bundle = json.loads(assembled.text)
    assert assembled.notes == ()
    assert bundle["type"] == "ProvenanceGraphBundle"
    # every document but the root (which nothing links to, so no URL is known) is found,
    # under the URL of the link to it, byte for byte the file that was uploaded
    root_url = reference["root"]
    assert set(bundle["documents"]) == set(reference["documents"]) - {root_url}
    for url, served in bundle["documents"].items():
        assert served == reference["documents"][url], url
    assert bundle["root"] == reference["documents"][root_url]
    assert bundle["didDocuments"] == reference["didDocuments"]
    assert bundle["trustAnchors"] == reference["trustAnchors"]


def test_file_names_and_order_do_not_matter() -> None:
    uploads = _uploads(_chain_paths())
    renamed = [Upload(f"file-{i}.json", u.data) for i, u in enumerate(reversed(uploads))]
    first = json.loads(assemble_uploads(uploads, Limits()).text)
    second = json.loads(assemble_uploads(renamed, Limits()).text)
    assert first == second


def test_the_same_file_twice_counts_once() -> None:
    uploads = _uploads(_chain_paths())
    twice = assemble_uploads([*uploads, uploads[0]], Limits())
    assert twice.text == assemble_uploads(uploads, Limits()).text
    assert twice.notes == ()


def test_an_uploaded_bundle_is_merged() -> None:
    """A bundle among the files adds its members; alone with DID documents it is verified as
    if pasted (its root, time and anchors)."""
    bundle = (COPPER / "bundle.json").read_bytes()
    dids = _uploads(sorted((COPPER / "dids").glob("*.json")))
    assembled = json.loads(assemble_uploads([Upload("b.json", bundle), *dids], Limits()).text)
    reference = json.loads(bundle)
    assert assembled["root"] == reference["root"]
    assert assembled["documents"] == reference["documents"]
    assert assembled["verificationTime"] == reference["verificationTime"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "a JSON list"),
        (b'{"hello": "world"}', "neither a credential"),
        (b"not json at all", "neither JSON"),
        (b'{"type": "ProvenanceGraphBundle", "documents": []}', "documents must be"),
    ],
)
def test_a_bad_file_is_refused_by_name(data: bytes, words: str) -> None:
    uploads = [*_uploads(_chain_paths())[:2], Upload("C:\\buyer\\odd-one.json", data)]
    with pytest.raises(InputError) as caught:
        assemble_uploads(uploads, Limits())
    assert "“odd-one.json”" in caught.value.detail
    assert words in caught.value.detail


def test_did_documents_alone_are_no_credential() -> None:
    with pytest.raises(InputError, match="none of the files is a credential"):
        assemble_uploads(_uploads(sorted((COPPER / "dids").glob("*.json"))), Limits())


def test_more_files_than_the_limit_are_refused() -> None:
    uploads = _uploads(_chain_paths())
    with pytest.raises(InputError, match=f"at most {MAX_FILES}"):
        assemble_uploads(uploads * (MAX_FILES // len(uploads) + 1), Limits())


# --- the page ----------------------------------------------------------------------------------
def test_the_copper_files_give_the_bundle_s_verdict(client: TestClient) -> None:
    bundle = _bundle_without_time()
    pasted = client.post("/verify", data={"credential": json.dumps(bundle)})
    uploaded = client.post("/verify", files=_files(_chain_paths()))
    assert pasted.status_code == uploaded.status_code == 200
    assert _verdict(uploaded.text) == _verdict(pasted.text)
    assert 'data-testid="upload-note"' not in uploaded.text


def test_at_the_bundle_s_time_the_copper_files_are_verified(client: TestClient) -> None:
    """With bundle.json's verification time (a small bundle file among the uploads) the
    files give exactly bundle.json's verdict: verified, footprint 8 kg CO2e per kg."""
    pasted = client.post("/verify", data={"credential": (COPPER / "bundle.json").read_text()})
    uploaded = client.post("/verify", files=_files(_chain_paths(), _time_only()))
    assert uploaded.status_code == 200
    assert _verdict(uploaded.text) == _verdict(pasted.text)
    assert 'data-verified="true"' in uploaded.text
    assert "8 kg CO2e per kg" in uploaded.text


def test_the_result_link_re_runs_the_assembled_bundle(client: TestClient) -> None:
    first = client.post("/verify", files=_files(_chain_paths(), _time_only()))
    ids = re.findall(r"/verify/r/([0-9a-f]{64})", first.text)
    assert ids, "no result link"
    again = client.get(f"/verify/r/{ids[0]}")
    assert again.status_code == 200
    assert _verdict(again.text) == _verdict(first.text)
    report = client.get(f"/verify/r/{ids[0]}/report.json")
    assert report.status_code == 200


def test_a_file_nothing_links_to_is_named_and_not_checked(client: TestClient) -> None:
    stray = (COPPER.parent / "battery" / "bundle.json").read_text()
    battery = json.loads(stray)
    loose = json.dumps(next(iter(battery["documents"].values()))).encode()
    with_stray = client.post(
        "/verify", files=_files(_chain_paths(), _time_only(), ("stray.json", loose))
    )
    without = client.post("/verify", files=_files(_chain_paths(), _time_only()))
    assert with_stray.status_code == 200
    assert _verdict(with_stray.text) == _verdict(without.text)
    assert 'data-testid="upload-note"' in with_stray.text
    assert "“stray.json”" in with_stray.text
    assert "not checked" in with_stray.text


def test_among_several_tops_the_longest_chain_is_verified_and_said(client: TestClient) -> None:
    """Without the move of the wire, the claim event no longer leads to the passport: both
    are linked from no other file. The passport, which leads to all the rest, is verified;
    the page names it and the claim event it left out."""
    paths = _chain_paths(without=("move-wire-cu80.json",))
    response = client.post("/verify", files=_files(paths, _time_only()))
    assert response.status_code == 200
    assert 'data-testid="upload-note"' in response.text
    assert "Several files are linked from no other file" in response.text
    assert "“dpp-wire-cu80.json” (a product passport)" in response.text
    assert "“claim-computers.json” is not linked from “dpp-wire-cu80.json”" in response.text
    assert 'data-verified="true"' in response.text


def test_a_tampered_file_is_not_silently_verified(client: TestClient) -> None:
    """An upstream file changed after it was linked matches no link: the chain above it is
    not verified, and the page names the file it could not place."""
    path = COPPER / "pcf-cathode-cu80.json"
    others = [p for p in _chain_paths() if p != path]
    value = json.loads(path.read_text())
    value["id"] = value["id"][:-4] + ("AAAA" if not value["id"].endswith("AAAA") else "BBBB")
    response = client.post(
        "/verify", files=_files(others, _time_only(), (path.name, json.dumps(value).encode()))
    )
    assert response.status_code == 200
    assert _verdict(response.text)[:2] == ("failed", "false")
    assert f"“{path.name}” is not linked" in response.text


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'{"hello": "world"}', "neither a credential"),
    ],
)
def test_a_bad_file_is_a_400_page_naming_it(client: TestClient, data: bytes, words: str) -> None:
    response = client.post("/verify", files=_files(_chain_paths()[:2], ("odd.bin", data)))
    assert response.status_code == 400
    assert 'data-testid="error"' in response.text
    assert "odd.bin" in response.text
    assert words in response.text
    assert "Traceback" not in response.text


def test_too_many_files_is_a_400_page(client: TestClient) -> None:
    files = [("file", (f"f{i}.json", b"{}", "application/json")) for i in range(MAX_FILES + 1)]
    response = client.post("/verify", files=files)
    assert response.status_code == 400
    assert "Too many files" in response.text
    assert f"at most {MAX_FILES}" in response.text


def test_files_larger_than_the_request_limit_are_a_413_page(client: TestClient) -> None:
    files = _files(_chain_paths(), *[(f"big{i}.json", b" " * (300 << 10)) for i in range(3)])
    response = client.post("/verify", files=files)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")  # a page, not JSON
    assert "Too large: the files (or the pasted text) may hold at most 1 MB" in response.text
    assert 'name="file"' in response.text  # the form again, to try with fewer


def test_the_form_takes_several_files(client: TestClient) -> None:
    html = client.get("/verify").text
    tag = re.search(r'<input id="file"[^>]*>', html, re.DOTALL)
    assert tag
    assert " multiple" in tag.group(0)
    assert 'aria-describedby="file-hint"' in tag.group(0)
    assert "several at once" in html
