"""``/verify``: the form, the result page, and bad input answered with a page, never a 500."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.conftest import REPO
from tests.web.conftest import PASSPORT, passport_bundle, verified_page


def test_the_form_has_labelled_inputs(client: TestClient) -> None:
    response = client.get("/verify")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    for field in ("credential", "file", "url", "anchors"):
        assert f'<label for="{field}"' in html
        assert f'id="{field}" name="{field}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert not re.search(r"(src|href)=\"https?://", html)  # no external assets


def test_a_pasted_bundle_is_verified_in_plain_language(client: TestClient) -> None:
    html = verified_page(client, passport_bundle())
    assert 'data-verified="true"' in html
    assert "✓ Verified" in html
    assert "Nordic Metals Certification AB → accredited by Nordic Accreditation Authority" in html
    assert "(trust anchor: named by the bundle you verified" in html
    assert "Carbon footprint: 8 kg CO2e per kg" in html
    assert "mass balance" in html
    assert "45 t of the copper delivered" in html
    assert html.count('data-testid="graph-node"') == 16
    assert 'data-digest="failed"' not in html


def test_an_uploaded_tampered_chain_marks_the_broken_link(client: TestClient) -> None:
    body = json.dumps(passport_bundle("negative/links.digest.json")).encode()
    response = client.post("/verify", files={"file": ("chain.json", body, "application/json")})
    assert response.status_code == 200
    html = response.text
    assert 'data-verified="false"' in html
    assert "Not verified" in html
    assert "Link digest mismatch" in html
    assert 'data-digest="failed"' in html
    assert "broken link" in html


def test_anchors_given_by_the_buyer_replace_the_bundle_s(client: TestClient) -> None:
    data = {"credential": json.dumps(passport_bundle()), "anchors": "did:web:other.example"}
    response = client.post("/verify", data=data)
    assert response.status_code == 200
    assert 'data-verified="false"' in response.text


def test_malformed_input_is_a_400_page(client: TestClient) -> None:
    for data in (
        {"credential": "{not json"},
        {"credential": ""},
        {"credential": "[1, 2]"},
        {"credential": json.dumps({"type": "ProvenanceGraphBundle", "documents": []})},
        {"url": "ftp://example.org/x"},
        {"credential": json.dumps(passport_bundle()), "anchors": "not-a-did"},
    ):
        response = client.post("/verify", data=data)
        assert response.status_code == 400, data
        assert 'data-testid="error"' in response.text
        assert "could not be verified" in response.text


def test_a_file_that_is_not_text_is_a_400_page(client: TestClient) -> None:
    files = {"file": ("x.bin", b"\xff\xfe\x00", "application/octet-stream")}
    response = client.post("/verify", files=files)
    assert response.status_code == 400
    assert "not UTF-8" in response.text


def test_a_too_large_upload_is_refused(client: TestClient) -> None:
    files = {"file": ("big.json", b"x" * (2 << 20), "application/json")}
    response = client.post("/verify", files=files)
    assert response.status_code == 413


def test_forms_elsewhere_are_still_refused(client: TestClient) -> None:
    response = client.post("/graphs/verify", data={"root": "x"})
    assert response.status_code == 415


def test_a_qr_url_that_cannot_be_fetched_could_not_be_checked(client: TestClient) -> None:
    """Out of reach is not forged: the page says it could not check, and shows no empty graph."""
    response = client.get("/verify", params={"url": PASSPORT, "anchors": "did:web:a.example"})
    assert response.status_code == 200
    assert 'data-state="indeterminate"' in response.text
    assert "Could not check" in response.text
    assert "could not be read" in response.text
    assert 'data-testid="graph"' not in response.text


def test_a_qr_url_without_anchors_is_verified_anyway(client: TestClient) -> None:
    """The anchors field is optional: no anchor is no reason to refuse; what cannot be reached
    offline reads "could not check", not a 400."""
    response = client.get("/verify", params={"url": PASSPORT})
    assert response.status_code == 200
    assert 'data-state="indeterminate"' in response.text
    assert 'data-testid="error"' not in response.text


def test_markup_in_input_is_escaped(client: TestClient) -> None:
    bundle = passport_bundle()
    bundle["root"] = {"name": "<script>alert(1)</script>", "type": ["VerifiableCredential"]}
    response = client.post("/verify", data={"credential": json.dumps(bundle)})
    assert response.status_code in (200, 400)
    assert "<script>" not in response.text


def test_the_battery_pack_passport_shows_its_footprint_per_kwh(client: TestClient) -> None:
    bundle = json.loads((REPO / "examples" / "battery" / "bundle.json").read_text())
    bundle["root"] = "https://credentials.nordcell.example/dpp-pack"
    html = verified_page(client, bundle)
    assert 'data-verified="true"' in html
    assert "Carbon footprint: 8.81 kg CO2e per kWh" in html
    assert "Recomputed from the chain: 8.81 kg CO2e per kWh" in html
    for text in ("Recycled cobalt: 20 %", "Recycled nickel: 10 %", "Recycled lithium: 10 %"):
        assert text in html


def test_what_a_recycled_element_claim_means_names_that_element(client: TestClient) -> None:
    """The battery pack's recycled-cobalt claim is about its 2.4 t of recycled-cobalt credits in
    12 t of cobalt, not the 50 t of footprint credits nor "nickel" (the first material)."""
    bundle = json.loads((REPO / "examples" / "battery" / "bundle.json").read_text())
    claims = re.findall(r'<li data-testid="claim">(.*?)</li>', verified_page(client, bundle), re.S)
    cobalt = next(c for c in claims if "Recycled cobalt" in c)
    assert "2.4 t of the 12 t of cobalt in this product is booked as recycled" in cobalt
    assert "50 t" not in cobalt
    assert "nickel" not in cobalt
