"""The issuer console in a real browser (Debian's chromium driven by Playwright).

A certifier signs in, sees its credentials, issues a product carbon footprint attestation
through the generated form (first with a required field left empty: the message appears next
to it; then complete), and revokes it. Every page is checked for contrast, keyboard access,
labels and sideways scrolling at desktop and phone width; any request outside the service
fails the test. Screenshots go to ``test-artifacts/web/console-*.png``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web._a11y import assert_accessible
from tests.web._live import ARTIFACTS, VIEWPORTS, RequestLog, browser, origin, require_browser
from tests.web.conftest import COPPER
from vcservice.schema_validation import unwrap_credential
from vcservice.service import IssueCommand, Service
from vcservice.web import schema_form

pytestmark = pytest.mark.network
require_browser()
__all__ = ["browser", "origin"]  # fixtures, used by name

PROFILE = "product-carbon-footprint"
LEFT_EMPTY = "/credentialSubject/name"


def _example_draft() -> Any:
    document, _ = unwrap_credential(json.loads((COPPER / "pcf-cathode-cu80.json").read_text()))
    return schema_form.form_for(PROFILE).from_document(document)


def _fill_form(page: Any, skip: str | None = None) -> None:
    """Fill every field of the blank form that the example attestation fills, each found
    through its label (the label must name the field), as a certifier would."""
    form = page.locator(f"form[action='/console/issue/{PROFILE}']")
    for widget in _example_draft().widgets().walk():
        if widget.pointer == skip or widget.kind in ("object", "item", "array"):
            continue
        label = form.locator(f'label[for="{widget.id}"]')
        if widget.kind == "choices":
            for i, option in enumerate(widget.options):
                box = page.get_by_label(option, exact=True).and_(
                    form.locator(f'[id="{widget.option_id(i)}"]')
                )
                if box.count():
                    _open_sections(box)
                    box.set_checked(option in widget.values)
            continue
        if not widget.value or label.count() == 0:
            continue  # optional fields the blank form does not show
        _open_sections(form.locator(f'[id="{widget.id}"]'))
        assert label.inner_text().startswith(widget.label), (widget.pointer, label.inner_text())
        control = page.get_by_label(label.inner_text(), exact=True).and_(
            form.locator(f'[id="{widget.id}"]')
        )
        if widget.kind in ("enum", "boolean"):
            control.select_option(widget.value)
        elif widget.kind == "datetime":
            control.fill(widget.value[:19])
        else:
            control.fill(widget.value)


def _open_sections(control: Any) -> None:
    """Open the collapsed optional sections around ``control`` by their summaries."""
    while True:
        closed = control.locator("xpath=ancestor::details[not(@open)]")
        if closed.count() == 0:
            return
        closed.first.locator("xpath=./summary").click()


def _issue_with_keyboard(page: Any) -> None:
    page.get_by_role("button", name="Issue the credential").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _shot(page: Any, name: str, label: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"console-{name}-{label}.png"), full_page=True)


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_sign_in_issue_and_revoke(
    origin: str, browser: Any, service: Service, viewport: tuple[int, int], label: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    api_key = service.create_tenant("nordic-metals")["api_key"]
    tenant = service.store.tenant_by_name("nordic-metals")
    assert tenant is not None
    earlier, _ = unwrap_credential(json.loads((COPPER / "coc-certificate-wire.json").read_text()))
    earlier = {k: v for k, v in earlier.items() if k not in ("id", "credentialStatus", "issuer")}
    service.issue(tenant, IssueCommand(earlier, status_purposes=("revocation",)))

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    requests = RequestLog(page)

    # sign in (a wrong key first)
    page.goto(f"{origin}/console")
    assert page.url == f"{origin}/console/login"
    assert_accessible(page)
    page.get_by_label("API key").fill("vcs_wrong")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "That API key is not valid" in page.get_by_test_id("error").inner_text()
    assert_accessible(page)
    _shot(page, "login-error", label)
    page.get_by_label("API key").fill(api_key)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{origin}/console")

    # the list
    assert page.get_by_test_id("credential-row").count() == 1
    assert "DigitalConformityCredential" in page.get_by_test_id("credentials").inner_text()
    assert_accessible(page)
    _shot(page, "list", label)

    # the form: choose the profile, submit with a required field empty
    page.get_by_role("link", name="Issue a credential").first.click()
    page.get_by_role("link", name=schema_form.PROFILES[PROFILE]).click()
    page.wait_for_url(f"{origin}/console/issue/{PROFILE}")
    assert_accessible(page)
    _shot(page, "issue-blank", label)
    _fill_form(page, skip=LEFT_EMPTY)
    page.get_by_label("Securing format").select_option("eddsa-rdfc-2022")
    assert page.get_by_label("Can be revoked").is_checked()
    _issue_with_keyboard(page)
    field = page.locator(f'[name="{LEFT_EMPTY}"]')
    assert field.get_attribute("aria-invalid") == "true"
    message = page.locator(f'[id="{schema_form.element_id(LEFT_EMPTY)}--error"]')
    assert "This field is required." in message.inner_text()
    summary = page.get_by_test_id("error-summary")
    assert "This field is required." in summary.inner_text()
    summary.get_by_role("link").first.click()  # the summary leads to the field
    assert page.evaluate("document.activeElement.name") == LEFT_EMPTY
    assert_accessible(page)
    _shot(page, "issue-errors", label)

    # complete it: issued, and shown
    field.fill("Product carbon footprint verification, copper cathode Cu 8.0 MIX")
    _issue_with_keyboard(page)
    issued = f"{origin}/console/credential?id=urn%3Auuid%3A"
    assert page.url.startswith(issued), page.locator("[role=alert]").all_inner_texts()
    assert "The credential was issued." in page.get_by_test_id("notice").inner_text()
    assert page.get_by_test_id("state").inner_text() == "active"
    assert_accessible(page)
    _shot(page, "detail", label)
    (record, _) = service.store.credentials(tenant.id)
    assert record.format == "eddsa-rdfc-2022"
    assert service.verify_credential(record.document).verified

    # revoke it
    page.get_by_label("I understand revocation is permanent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke").click()
    assert "The credential is revoked" in page.get_by_test_id("notice").inner_text()
    assert page.get_by_test_id("state").inner_text() == "revoked"
    assert_accessible(page)
    _shot(page, "revoked", label)
    assert not service.verify_credential(record.document).verified

    page.get_by_role("link", name="Credentials", exact=True).click()
    assert page.get_by_test_id("state").first.inner_text() == "revoked"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{origin}/console/login?done=signed-out")
    context.close()
    requests.assert_only(origin)
