"""Issuing from the console: templates, upstream pickers, computed digests, preview, signing.

Over HTTP with the TestClient and an offline service (tests/web/conftest.py). What matters to a
certifier: every kind of credential has a form that starts filled in; links are picked and
their digests are the service's (equal to :mod:`vcservice.links` of the linked credential);
the preview issues nothing; only "Sign and issue" does, and only with the form's CSRF token.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import COPPER
from vcservice.errors import ResolutionError
from vcservice.jsonld import bundled_loader
from vcservice.links import digest_bytes, digest_document
from vcservice.schema_validation import unwrap_credential, validate_document
from vcservice.service import IssueCommand, Service
from vcservice.store import Tenant
from vcservice.web import issue_start, schema_form
from vcservice.web.issue_links import credential_url
from vcservice.web.schema_form import KINDS, PROFILES, Draft, findings, form_for

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
ISSUER = {"type": ["CredentialIssuer"], "id": "did:web:cb.example", "name": "CB"}
ACCREDITATION_URL = "https://credentials.accreditation.example.se/accreditation"
TODAY = date(2026, 12, 6)


def utc_today() -> date:
    """The day the service dates its forms (its clock is UTC)."""
    return datetime.now(UTC).date()


#: The copper example each form's template is taken from (the packaged copies must not drift).
TEMPLATE_SOURCES = {
    "chain-of-custody-certificate": "copper/coc-certificate-smelter.json",
    "product-carbon-footprint": "copper/pcf-cathode-cu80.json",
    "recycled-content": "copper/recycled-content-cathode-re.json",
    "accreditation": "copper/accreditation.json",
    "product-passport": "copper/dpp-cathode-cu80.json",
    "make-event": "copper/make-cathode.json",
    "move-event": "copper/move-cathode-cu80.json",
    "claim-event": "copper/claim-computers.json",
    "stocktake-event": "battery/stocktake-cam-2026-01-01.json",
    "facility-record": "battery/dfr-cam-2026-01.json",
}


def example_payload(name: str) -> dict[str, Any]:
    document, _ = unwrap_credential(json.loads((COPPER.parent / name).read_text()))
    return document


class Certifier:
    """A tenant signed in to the console."""

    def __init__(self, service: Service, client: TestClient, name: str = "nordic-metals") -> None:
        self.service = service
        self.client = client
        api_key = service.create_tenant(name)["api_key"]
        tenant = service.store.tenant_by_name(name)
        assert tenant is not None
        self.tenant: Tenant = tenant
        response = client.post("/console/login", data={"api_key": api_key}, follow_redirects=False)
        assert response.status_code == 303

    def csrf(self, path: str = "/console/issue") -> str:
        match = CSRF.search(self.client.get(path).text)
        assert match is not None
        return match[1]

    def issue_example(self, name: str, fmt: str = "vc+jwt") -> Any:
        """Issues a copper example as this tenant (service-side, as an API client would)."""
        document = issue_start.unsigned(example_payload(name))
        for subject in (
            document["credentialSubject"]
            if isinstance(document["credentialSubject"], list)
            else [document["credentialSubject"]]
        ):
            subject.pop("creditRegistry", None)
            subject.pop("creditReceipt", None)
        command = IssueCommand(document, format=fmt, status_purposes=("revocation",))
        return self.service.issue(self.tenant, command)

    def stored(self) -> list[Any]:
        return self.service.store.credentials(self.tenant.id)


@pytest.fixture
def certifier(service: Service, client: TestClient) -> Certifier:
    return Certifier(service, client)


def link_pointers(draft: Draft) -> list[str]:
    return [w.pointer for w in draft.widgets().walk() if w.kind == "link"]


def completed(draft: Draft, url: str = "https://credentials.example/upstream") -> Draft:
    """``draft`` with every link picked and completed as the service would (a stand-in
    target), so that what remains is the template's own content."""
    form = form_for(draft.name)
    values = form.values(draft)
    for pointer in link_pointers(draft):
        values[pointer] = url
    picked = form.read(values)
    link = {"linkURL": url, "linkName": "Upstream", "digestMultibase": digest_bytes(b"x")}
    return picked.with_links({p: link for p, _ in picked.links()})


def issued(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "issuer": ISSUER, "id": "urn:uuid:8f2d1c50-0000-4000-8000-000000000001"}


# --- templates --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PROFILES))
def test_every_form_has_a_template_that_passes_its_schema(name: str) -> None:
    template = issue_start.example(name, TODAY)
    assert template.errors == {}
    assert template.document["validFrom"].startswith("2026-12-06")
    assert template.links() == []  # the example's upstream links are the certifier's to pick
    filled = completed(template)
    found = findings(validate_document(issued(filled.document), loader=bundled_loader()))
    assert found == []


@pytest.mark.parametrize(("name", "source"), sorted(TEMPLATE_SOURCES.items()))
def test_the_packaged_templates_are_the_examples(name: str, source: str) -> None:
    packaged = json.loads(issue_start._packaged(name))
    assert packaged == issue_start.unsigned(example_payload(source))
    assert issue_start.form_of(example_payload(source)) == name


def test_dates_move_to_today_keeping_their_distances() -> None:
    document = {
        "validFrom": "2026-01-15T00:00:00Z",
        "validUntil": "2029-01-14T23:59:59Z",
        "period": {"startDate": "2026-01-01", "endDate": "2026-03-31"},
        "ids": ["NMC-2026-01-15", "2026-02-30"],
    }
    moved = issue_start.shifted(document, date(2026, 12, 6))
    assert moved == {
        "validFrom": "2026-12-06T00:00:00Z",
        "validUntil": "2029-12-05T23:59:59Z",
        "period": {"startDate": "2026-11-22", "endDate": "2027-02-19"},
        "ids": ["NMC-2026-01-15", "2026-02-30"],  # not a date, or no such day: as it was
    }


def test_the_choice_lists_every_kind_in_plain_words(certifier: Certifier) -> None:
    page = certifier.client.get("/console/issue")
    assert page.status_code == 200
    for name, kind in KINDS.items():
        assert f'<a href="/console/issue/{name}">{kind.title}</a>' in page.text
        assert kind.description in page.text
        assert f"<small>{kind.technical}</small>" in page.text
    assert "System exit" not in page.text
    assert "urn:uuid" not in page.text


@pytest.mark.parametrize("name", list(PROFILES))
def test_every_form_renders_from_its_example_and_empty(certifier: Certifier, name: str) -> None:
    page = certifier.client.get(f"/console/issue/{name}")
    assert page.status_code == 200
    assert 'aria-current="true">an example</a>' in page.text
    assert "digestMultibase" not in re.findall(r'name="([^"]+)"', page.text).__str__()
    template = issue_start.example(name, utc_today())
    first = next(w for w in template.widgets().walk() if w.kind == "text" and w.value)
    assert f'value="{first.value}"'.replace("&", "&amp;") in page.text.replace("&#39;", "'")
    blank = certifier.client.get(f"/console/issue/{name}?start=blank")
    assert blank.status_code == 200
    assert 'aria-current="true">an empty form</a>' in blank.text


def test_a_form_starts_from_the_tenants_last_one_of_its_kind(certifier: Certifier) -> None:
    certifier.issue_example("copper/accreditation.json")
    first = certifier.issue_example("copper/coc-certificate-smelter.json")
    certifier.issue_example("copper/pcf-cathode-cu80.json")  # newer, another kind
    page = certifier.client.get("/console/issue/chain-of-custody-certificate")
    assert 'aria-current="true">your last chain-of-custody certificate</a>' in page.text
    # The last certificate's values, dated today; its id is not in the form (a new one comes).
    today = utc_today().isoformat()
    assert 'name="/validFrom" data-pointer="/validFrom"' in page.text
    assert re.search(rf'id="f-validFrom"[^>]*value="{today}T00:00:00"', page.text)
    assert first.id not in page.text.replace("%3A", ":").split("<select")[0]
    assert "NMC-COC-2026-0042" in page.text
    # ...and its link to the accreditation still points at what it linked.
    assert ACCREDITATION_URL in page.text
    example = certifier.client.get("/console/issue/chain-of-custody-certificate?start=example")
    assert 'aria-current="true">an example</a>' in example.text
    # No last one of a kind never issued: the example, and no "your last" offered.
    page = certifier.client.get("/console/issue/recycled-content?start=last")
    assert 'aria-current="true">an example</a>' in page.text
    assert "your last" not in page.text


# --- pickers, digests, preview, signing -----------------------------------------------------
def form_values(certifier: Certifier, name: str, pick: str | None) -> dict[str, str]:
    """What a browser posts for the example template with every link picked as ``pick``."""
    draft = issue_start.example(name, utc_today())
    values = form_for(name).values(draft)
    if pick is not None:
        for pointer in link_pointers(draft):
            values[pointer] = pick
    return {**values, "csrf": certifier.csrf(), "format": "eddsa-rdfc-2022", "revocable": "yes"}


def test_picking_an_own_credential_links_it_with_the_services_digest(
    certifier: Certifier,
) -> None:
    accreditation = certifier.issue_example("copper/accreditation.json")
    url = credential_url("http://localhost:8000", "nordic-metals", accreditation.id)
    page = certifier.client.get("/console/issue/product-carbon-footprint")
    assert f'<option value="{url}">' in page.text  # offered by its name, not its id
    assert "Accreditation of Nordic Metals Certification AB (Accreditation" in page.text
    values = form_values(certifier, "product-carbon-footprint", url)
    # The preview: the link by name with the digest the service computed; nothing issued.
    preview = certifier.client.post("/console/issue/product-carbon-footprint", data=values)
    assert preview.status_code == 200, re.findall(r'class="field-error"[^>]*>(.*?)</', preview.text)
    expected = digest_document(accreditation.secured)
    assert f'data-testid="digest">{expected}<' in preview.text
    assert "Accreditation of Nordic Metals Certification AB" in preview.text
    assert "Sign and issue" in preview.text
    assert "Back to edit" in preview.text
    assert len(certifier.stored()) == 1
    # Signing posts the preview's own fields (hidden inputs) with confirm=sign.
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', preview.text)
    hidden = {html.unescape(k): html.unescape(v) for k, v in fields}
    signed = certifier.client.post(
        "/console/issue/product-carbon-footprint",
        data={**hidden, "confirm": "sign"},
        follow_redirects=False,
    )
    assert signed.status_code == 303, re.findall(r'class="field-error"[^>]*>(.*?)</', signed.text)
    assert signed.headers["location"].endswith("&done=issued")
    (record,) = [r for r in certifier.stored() if r.id != accreditation.id]
    document = record.document
    assert record.format == "eddsa-rdfc-2022"
    link = document["credentialSubject"]["authorisation"][0]["endorsementEvidence"]
    assert link == {
        "linkURL": url,
        "linkName": "Accreditation of Nordic Metals Certification AB",
        "linkType": "https://test.uncefact.org/vocabulary/linkTypes/dia",
        "mediaType": "application/vc+jwt",
        "digestMultibase": expected,
    }
    assert certifier.service.verify_credential(document).verified


def test_a_typed_digest_is_ignored(certifier: Certifier) -> None:
    accreditation = certifier.issue_example("copper/accreditation.json")
    url = credential_url("http://localhost:8000", "nordic-metals", accreditation.id)
    values = form_values(certifier, "recycled-content", url)
    pointer = "/credentialSubject/authorisation/0/endorsementEvidence"
    values[pointer + "/digestMultibase"] = "zQm" + "1" * 44
    response = certifier.client.post(
        "/console/issue/recycled-content",
        data={**values, "confirm": "sign"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    (record,) = [r for r in certifier.stored() if r.id != accreditation.id]
    link = record.document["credentialSubject"]["authorisation"][0]["endorsementEvidence"]
    assert link["digestMultibase"] == digest_document(accreditation.secured)


class Served:
    """Stands in for the bounded link fetcher: serves the copper accreditation at its URL."""

    def __init__(self) -> None:
        self.body = json.loads((COPPER / "accreditation.json").read_text())["id"].split(",", 1)[1]
        self.asked: list[str] = []

    def fetch(self, url: str) -> Any:
        self.asked.append(url)
        if url != ACCREDITATION_URL:
            raise ResolutionError(f"could not fetch linked credential {url}: not found")
        return self.body


def test_a_received_credential_is_fetched_verified_and_digested(
    certifier: Certifier, service: Service
) -> None:
    served = Served()
    service.network_links = served
    values = form_values(certifier, "chain-of-custody-certificate", None)
    pointer = "/credentialSubject/authorisation/0/endorsementEvidence"
    values[pointer] = ""
    values[pointer + "/linkURL"] = ACCREDITATION_URL
    preview = certifier.client.post("/console/issue/chain-of-custody-certificate", data=values)
    assert preview.status_code == 200, re.findall(r'class="field-error"[^>]*>(.*?)</', preview.text)
    assert served.asked == [ACCREDITATION_URL]
    # The digest is the one the copper chain carries for it (and vcservice.links computes).
    expected = digest_document(served.body)
    smelter = example_payload("copper/coc-certificate-smelter.json")
    carried = smelter["credentialSubject"]["authorisation"][0]["endorsementEvidence"]
    assert expected == carried["digestMultibase"]
    assert f'data-testid="digest">{expected}<' in preview.text
    assert "received" in preview.text
    # Offline, its issuer's DID cannot be resolved: linked, with the reason shown.
    assert 'data-testid="link-warning">This credential did not verify' in preview.text
    assert certifier.stored() == []
    seen = f'name="seen:{pointer}" value="{expected}"'
    assert seen in preview.text
    values[f"seen:{pointer}"] = expected
    # Replaced at its address after the preview: nothing is signed, the form says why.
    replaced = certifier.client.post(
        "/console/issue/chain-of-custody-certificate",
        data={**values, f"seen:{pointer}": digest_bytes(b"before"), "confirm": "sign"},
    )
    assert replaced.status_code == 409
    assert "changed after the preview" in replaced.text
    assert certifier.stored() == []
    signed = certifier.client.post(
        "/console/issue/chain-of-custody-certificate",
        data={**values, "confirm": "sign"},
        follow_redirects=False,
    )
    assert signed.status_code == 303, re.findall(r'class="field-error"[^>]*>(.*?)</', signed.text)
    (record,) = certifier.stored()
    document, _ = unwrap_credential(record.document)
    link = document["credentialSubject"]["authorisation"][0]["endorsementEvidence"]
    # The link the certifier would have had to write by hand, as the copper chain carries it.
    assert {k: link[k] for k in ("linkURL", "linkType", "mediaType", "digestMultibase")} == {
        k: carried[k] for k in ("linkURL", "linkType", "mediaType", "digestMultibase")
    }


def test_a_credential_that_cannot_be_fetched_cannot_be_linked(certifier: Certifier) -> None:
    values = form_values(certifier, "chain-of-custody-certificate", None)
    pointer = "/credentialSubject/authorisation/0/endorsementEvidence"
    values[pointer] = ""
    values[pointer + "/linkURL"] = "https://credentials.example/nothing-here"
    for confirm in ("", "sign"):
        response = certifier.client.post(
            "/console/issue/chain-of-custody-certificate", data={**values, "confirm": confirm}
        )
        assert response.status_code == 422
        field = schema_form.element_id(pointer)
        error = re.search(rf'id="{field}--error"[^>]*>(.*?)</p>', response.text, re.S)
        assert error is not None
        assert "could not be read" in error[1]
    values[pointer + "/linkURL"] = "file:///etc/passwd"
    response = certifier.client.post("/console/issue/chain-of-custody-certificate", data=values)
    assert response.status_code == 422
    assert "starting with https://" in response.text
    assert certifier.stored() == []


def test_the_preview_issues_nothing_and_back_to_edit_refills_the_form(
    certifier: Certifier,
) -> None:
    values = form_values(certifier, "accreditation", None)
    values["/name"] = "Accreditation of Lapland Assay AB"
    preview = certifier.client.post("/console/issue/accreditation", data=values)
    assert preview.status_code == 200
    assert "<h1>Accreditation of Lapland Assay AB</h1>" in preview.text
    assert "Preview: nothing is signed yet" in preview.text
    assert certifier.stored() == []
    back = certifier.client.post("/console/issue/accreditation", data={**values, "confirm": "edit"})
    assert back.status_code == 200
    assert 'value="Accreditation of Lapland Assay AB"' in back.text
    assert "Preview the credential" in back.text
    assert certifier.stored() == []


def test_the_preview_reads_in_plain_words(certifier: Certifier) -> None:
    values = form_values(certifier, "move-event", None)
    for pointer in [k for k, v in values.items() if v.startswith("https://") and "Credential" in k]:
        values[pointer] = ""
    preview = certifier.client.post("/console/issue/move-event", data=values)
    # Upstream links left unpicked: the form comes back saying what is missing.
    assert preview.status_code == 422
    values = form_values(certifier, "stocktake-event", None)
    response = certifier.client.post("/console/issue/stocktake-event", data=values)
    assert response.status_code == 422  # its credit is attested by a certificate to pick
    accreditation = certifier.issue_example("copper/accreditation.json")
    url = credential_url("http://localhost:8000", "nordic-metals", accreditation.id)
    values = form_values(certifier, "stocktake-event", url)
    preview = certifier.client.post("/console/issue/stocktake-event", data=values)
    assert preview.status_code == 200, re.findall(r'class="field-error"[^>]*>(.*?)</', preview.text)
    text = re.sub(r"<[^>]+>", " ", preview.text)
    assert re.search(r"Quantity\s+\d[\d.]* t\b", text)  # units by name, not "TNE"
    assert " TNE" not in text.split("The credential as JSON")[0]
    assert "Mass balance" in text or "Stocktake" in text


def test_csrf_is_enforced_on_the_preview_and_on_signing(certifier: Certifier) -> None:
    values = form_values(certifier, "accreditation", None)
    for confirm in ("", "sign"):
        for token in ("", "0" * 64):
            data = {**values, "csrf": token, "confirm": confirm}
            response = certifier.client.post("/console/issue/accreditation", data=data)
            assert response.status_code == 403
    assert certifier.stored() == []
    signed = certifier.client.post(
        "/console/issue/accreditation", data={**values, "confirm": "sign"}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert len(certifier.stored()) == 1


def test_bad_input_is_a_clear_page_never_a_500(certifier: Certifier) -> None:
    csrf = certifier.csrf()
    for data in (
        {"csrf": csrf, "confirm": "sign"},
        {"csrf": csrf, "confirm": "sign", "/credentialSubject/accreditedScheme/-": "9999999"},
        {"csrf": csrf, "/credentialSubject/accreditedScheme/0/id": "x", "_action": "remove:/"},
        {"csrf": csrf, "confirm": "nonsense", "format": "none"},
    ):
        response = certifier.client.post("/console/issue/accreditation", data=data)
        assert 400 <= response.status_code < 500 or response.status_code == 200, data
    assert certifier.client.get("/console/issue/traceability-event").status_code == 404
    assert certifier.client.get("/console/issue/accreditation?start=%00").status_code == 200
    assert certifier.stored() == []


class Refusing:
    """A fetcher that finds nothing and counts what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def fetch(self, url: str) -> Any:
        self.asked.append(url)
        raise ResolutionError(f"could not fetch linked credential {url}: not found")


def test_received_links_are_fetched_once_each_and_at_most_max_received(
    certifier: Certifier, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every received link is fetched and verified on each check of the form: the same
    address once, and beyond MAX_RECEIVED addresses none, the field saying why."""
    from vcservice.web import console_issue

    monkeypatch.setattr(console_issue, "MAX_RECEIVED", 2)
    served = Refusing()
    service.network_links = served
    name = "make-event"
    values = form_values(certifier, name, None)
    pointers = link_pointers(issue_start.example(name, utc_today()))
    addresses = ["https://a.example/1", "https://a.example/1", "https://a.example/2"]
    addresses += ["https://a.example/3"] * (len(pointers) - 3)
    for pointer, url in zip(pointers, addresses, strict=True):
        values[pointer] = ""
        values[pointer + "/linkURL"] = url
    response = certifier.client.post(f"/console/issue/{name}", data=values)
    assert response.status_code == 422
    assert served.asked == ["https://a.example/1", "https://a.example/2"]
    field = schema_form.element_id(pointers[3])
    error = re.search(rf'id="{field}--error"[^>]*>(.*?)</p>', response.text, re.S)
    assert error is not None
    assert "credentials from other addresses can be linked" in html.unescape(error[1])
    assert certifier.stored() == []
