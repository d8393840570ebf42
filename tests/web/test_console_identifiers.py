"""The console registers a published credential as a product's passport and shows the QR
code; the form is CSRF-guarded and says why an identifier is refused."""

from __future__ import annotations

from urllib.parse import quote

from tests.web.test_console import Issuer, acme, example_credential, signed_in
from vcservice.service import IssueCommand

__all__ = ["acme", "signed_in"]  # the console fixtures, used here
IDENTIFIER = "/01/09506000164908/10/LOT1"


def _detail(credential_id: str) -> str:
    return "/console/credential?id=" + quote(credential_id, safe="")


def test_registering_a_published_credential_shows_its_qr_code(signed_in: Issuer) -> None:
    command = IssueCommand(example_credential(1), format="eddsa-rdfc-2022", publish=True)
    published = signed_in.service.issue(signed_in.tenant, command).id
    private = signed_in.service.issue(signed_in.tenant, IssueCommand(example_credential(2))).id
    page = signed_in.client.get(_detail(private)).text
    assert 'action="/console/credential/identifier"' not in page
    assert "Only a published credential can be registered" in page

    form = {"csrf": signed_in.csrf(_detail(published)), "id": published, "identifier": IDENTIFIER}
    forged = signed_in.client.post(
        "/console/credential/identifier", data={**form, "csrf": "0" * 64}
    )
    assert forged.status_code == 403
    wrong = signed_in.client.post(
        "/console/credential/identifier", data={**form, "identifier": "/01/09506000164907"}
    )
    assert wrong.status_code == 400
    assert "wrong check digit" in wrong.text
    done = signed_in.client.post(
        "/console/credential/identifier", data=form, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith("&done=registered")
    page = signed_in.client.get(done.headers["location"]).text
    assert "scanning its QR code now leads to this credential" in page
    svg = f"/resolver/qr.svg?identifier={quote(IDENTIFIER, safe='')}"
    assert f'<img src="{svg}"' in page
    assert f"http://localhost:8000{IDENTIFIER}" in page
    image = signed_in.client.get(svg)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/svg+xml"
    resolved = signed_in.client.get(IDENTIFIER, follow_redirects=False)
    assert resolved.status_code == 307
    assert resolved.headers["location"].endswith(quote(published, safe=""))
