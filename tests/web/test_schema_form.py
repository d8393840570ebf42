"""Forms generated from the profile schemas: examples survive a round trip through the form and
still validate, findings land on the field they are about, and the HTML is accessible."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, PackageLoader, select_autoescape

from tests.conftest import REPO
from vcservice.jsonld import bundled_loader
from vcservice.schema_validation import unwrap_credential, validate_document
from vcservice.vocab.profiles import PROFILES as MODEL_PROFILES
from vcservice.web.schema_form import (
    KINDS,
    PROFILES,
    SERVICE_MEMBERS,
    Draft,
    SchemaForm,
    Widget,
    element_id,
    findings,
    form_for,
    humanize,
)

ISSUER = {"type": ["CredentialIssuer"], "id": "did:web:cb.example", "name": "CB"}
CS = "/credentialSubject"
COC = REPO / "examples" / "copper" / "coc-certificate-smelter.json"
CA = CS + "/conformityAssessment/0"
CF = CA + "/carbonFootprint"

_PREFIXES = {
    "pcf-": "product-carbon-footprint",
    "recycled-content-": "recycled-content",
    "coc-certificate-": "chain-of-custody-certificate",
    "accreditation": "accreditation",
    "dpp-": "product-passport",
    "make-": "make-event",
    "move-": "move-event",
    "claim-": "claim-event",
    "stocktake-": "stocktake-event",
    "dfr-": "facility-record",
}
EXAMPLES = sorted(
    (path, profile)
    for chain in ("battery", "copper", "steel")
    for path in (REPO / "examples" / chain).glob("*.json")
    for prefix, profile in _PREFIXES.items()
    if path.name.startswith(prefix)
)
#: What the examples carry that the schemas do not describe (open UNTP nodes): not in the form.
UNDESCRIBED = {
    "characteristics",
    "idScheme",
    "registeredId",
    "countryOfOperation",
    "conformityTopic",
    "idGranularity",
    "productCategory",
    "countryOfProduction",
}

_env = Environment(
    loader=PackageLoader("vcservice.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_page = _env.from_string(
    '{% from "_schema_fields.html" import schema_fields %}'
    '<form method="post" novalidate>{{ schema_fields(draft) }}'
    '<button type="submit">Issue</button></form>'
)


def render(draft: Draft) -> str:
    return _page.render(draft=draft)


def payload(path: Path) -> dict[str, Any]:
    document, _ = unwrap_credential(json.loads(path.read_text()))
    return document


def unsigned(document: dict[str, Any]) -> dict[str, Any]:
    """What a console prefills from: no id, issuer, status or proof."""
    keep = {"@context", "type"}
    return {k: v for k, v in document.items() if k not in SERVICE_MEMBERS or k in keep}


def without(document: dict[str, Any], pointers: list[str]) -> dict[str, Any]:
    out = copy.deepcopy(document)
    for pointer in sorted(pointers, reverse=True):  # later array indexes first
        *parents, last = pointer.split("/")[1:]
        node: Any = out
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            del node[int(last)]
        else:
            del node[last]
    return out


def issued(document: dict[str, Any], example: dict[str, Any] | None = None) -> dict[str, Any]:
    """The credential as the console and service complete it (issuer and id), unsigned."""
    example = example or {"issuer": ISSUER, "id": "urn:uuid:8f2d1c50-0000-4000-8000-000000000001"}
    return {**document, "issuer": example["issuer"], "id": example["id"]}


def validation_errors(document: dict[str, Any]) -> list[tuple[str, str]]:
    return findings(validate_document(document, loader=bundled_loader()))


def submitted(form: SchemaForm, draft: Draft, **changes: str) -> dict[str, str]:
    """The values a browser posts for ``draft``, with some fields retyped, plus a csrf token."""
    return {**form.values(draft), "csrf": "token", "format": "vc+jwt", **changes}


def test_every_profile_of_the_vocabulary_is_offered() -> None:
    assert list(PROFILES) == [
        "chain-of-custody-certificate",
        "product-carbon-footprint",
        "recycled-content",
        "accreditation",
        "product-passport",
        "make-event",
        "move-event",
        "claim-event",
        "stocktake-event",
        "facility-record",
    ]
    assert {kind.profile for kind in KINDS.values()} == set(MODEL_PROFILES)
    for name, title in PROFILES.items():
        form = form_for(name)
        assert form is form_for(name)  # cached
        assert (form.name, form.title) == (name, title)
        kind = KINDS[name]
        # Plain words for a certifier: no UNTP type names in the title or the description.
        for text in (kind.title, kind.description):
            assert not any(term in text for term in ("UNTP", "Event", "Digital", "Credential"))
        assert kind.description.endswith(".")
        assert "UNTP" in kind.technical
    with pytest.raises(KeyError, match="no form for profile"):
        form_for("traceability-event")  # a profile of several kinds: one form per event kind


def _links_of(document: Any, draft: Draft) -> dict[str, Any]:
    """The links of ``document`` at the draft's link pointers (as the service completes them)."""
    out = {}
    for pointer, _ in draft.links():
        node = document
        for part in pointer.split("/")[1:]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        out[pointer] = node
    return out


@pytest.mark.parametrize(("path", "profile"), EXAMPLES, ids=lambda v: getattr(v, "name", v))
def test_an_example_round_trips_through_the_form_and_still_validates(
    path: Path, profile: str
) -> None:
    example = payload(path)
    form = form_for(profile)
    prefilled = form.from_document(unsigned(example))
    assert prefilled.errors == {}
    assert {p.rsplit("/", 1)[1] for p in prefilled.dropped} <= UNDESCRIBED | {"digestMultibase"}
    # Links to credentials are kept by address only: the service writes the rest.
    expected = without(unsigned(example), prefilled.dropped)
    links = _links_of(expected, prefilled)
    # An attestation links its accreditation, an event or passport its upstream credentials.
    assert bool(links) == (profile != "accreditation")
    assert (
        prefilled.document
        == prefilled.with_links(
            {p: {"linkURL": link["linkURL"]} for p, link in links.items()}
        ).document
    )
    again = form.read(submitted(form, prefilled))
    assert again.errors == {}
    assert again.valid
    assert again.action is None
    assert again.links() == [(p, link["linkURL"]) for p, link in links.items()]
    # Everything else comes back exactly as it was (values typed as in the JSON)...
    completed = again.with_links(links).document
    assert json.dumps(completed, sort_keys=True) == json.dumps(expected, sort_keys=True)
    # ...and, once the console adds the issuer and the service the id, it is a valid credential.
    assert validation_errors(issued(completed, example)) == []


@pytest.mark.parametrize("profile", list(PROFILES))
def test_a_blank_form_gets_required_messages_on_its_fields(profile: str) -> None:
    form = form_for(profile)
    blank = form.blank()
    draft = form.read(submitted(form, blank))
    assert draft.document == blank.document
    assert "issuer" not in draft.document
    assert "id" not in draft.document
    assert draft.document["@context"][-1] == "https://w3id.org/critical-minerals/v1"
    found = validation_errors(issued(draft.document))
    assert found
    checked = draft.with_findings(found)
    assert checked.general == []  # every finding is about a field of the form
    assert not checked.valid
    assert checked.errors["/validFrom"] == ["This field is required."]
    assert checked.errors["/name"] == ["This field is required."]
    subject = CS + "/0" if KINDS[profile].event else CS  # an event credential lists events
    assert checked.errors[subject + "/id"] == ["This field is required."]
    rendered = checked.field_pointers()
    assert set(checked.errors) <= rendered
    html = render(checked)
    assert 'data-testid="error-summary"' in html
    if KINDS[profile].event:
        where = '<a href="#f-credentialSubject-0-id">Credential subject 1 › ID: This field'
    else:
        where = '<a href="#f-credentialSubject-id">Credential subject › ID: This field'
    assert where in html


def test_the_profile_specific_fields_get_their_messages() -> None:
    form = form_for("product-carbon-footprint")
    draft = form.blank()
    checked = draft.with_findings(validation_errors(issued(draft.document)))
    assert checked.errors[CF + "/pcfExcludingBiogenicUptake"] == ["This field is required."]
    assert checked.errors[CF + "/referencePeriod/startDate"] == ["This field is required."]
    assert checked.errors[CF + "/crossSectoralStandard"] == ["Add at least one."]


def test_a_rule_between_fields_points_at_the_offending_field() -> None:
    form = form_for("chain-of-custody-certificate")
    example = payload(REPO / "examples" / "copper" / "coc-certificate-smelter.json")
    draft = form.from_document(unsigned(example))
    changed = form.read(submitted(form, draft, **{CS + "/chainOfCustodyModel": "segregated"}))
    changed = changed.with_links(_links_of(unsigned(example), changed))
    checked = changed.with_findings(validation_errors(issued(changed.document, example)))
    assert checked.general == []
    assert set(checked.errors) == {CS + "/massBalanceLevel", CS + "/massBalanceMethod"}


def test_a_number_that_is_not_one_is_an_inline_error() -> None:
    form = form_for("product-carbon-footprint")
    example = payload(REPO / "examples" / "copper" / "pcf-cathode-cu80.json")
    draft = form.from_document(unsigned(example))
    values = submitted(
        form,
        draft,
        **{CF + "/declaredUnitAmount": "one kilo", CF + "/primaryDataShare": " 0,82 "},
    )
    read = form.read(values)
    assert read.errors == {CF + "/declaredUnitAmount": ["Enter a number, for example 12 or 0.5."]}
    assert not read.valid
    footprint = read.document["credentialSubject"]["conformityAssessment"][0]["carbonFootprint"]
    assert "declaredUnitAmount" not in footprint
    assert footprint["primaryDataShare"] == 0.82  # a decimal comma is a decimal mark
    # The schema's "required" for the same field adds nothing: the conversion message is precise.
    checked = read.with_findings(validation_errors(issued(read.document, example)))
    assert checked.errors[CF + "/declaredUnitAmount"] == read.errors[CF + "/declaredUnitAmount"]
    html = render(checked)
    field = element_id(CF + "/declaredUnitAmount")
    assert f'<p class="field-error" id="{field}--error">' in html
    tag = html[html.index(f'<input type="text" id="{field}"') :].split(">", 1)[0]
    assert 'aria-invalid="true"' in tag
    assert f"{field}--error" in tag
    assert 'inputmode="decimal"' in tag
    assert 'value="one kilo"' in tag  # what was typed is shown again, not lost


@pytest.mark.parametrize(
    ("typed", "value"),
    [("12", 12), ("-1.5", -1.5), ("1 000,5", 1000.5), ("2e-3", 0.002), (".5", 0.5)],
)
def test_numbers_are_read_as_typed(typed: str, value: float) -> None:
    form = form_for("product-carbon-footprint")
    read = form.read({CF + "/pcfIncludingBiogenicUptake": typed})
    footprint = read.document["credentialSubject"]["conformityAssessment"][0]["carbonFootprint"]
    assert footprint["pcfIncludingBiogenicUptake"] == value
    assert read.errors == {}


@pytest.mark.parametrize("typed", ["nan", "inf", "1.2.3", "12 kg", "0x10"])
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    read = form_for("product-carbon-footprint").read({CF + "/pcfIncludingBiogenicUptake": typed})
    assert list(read.errors) == [CF + "/pcfIncludingBiogenicUptake"]


def test_dates_and_times() -> None:
    form = form_for("accreditation")
    read = form.read(
        {
            "/validFrom": "2026-01-15T09:30",
            "/validUntil": "2027-01-15T09:30:00+02:00",
            CS + "/registeredDate": "15.01.2026",
        }
    )
    assert read.document["validFrom"] == "2026-01-15T09:30:00Z"
    assert read.document["validUntil"] == "2027-01-15T09:30:00+02:00"
    assert read.errors == {
        CS + "/registeredDate": ["Enter a date as YYYY-MM-DD, for example 2026-01-15."]
    }
    shown = form.from_document({"validFrom": "2026-01-15T09:30:00+02:00"})
    assert form.values(shown)["/validFrom"] == "2026-01-15T07:30:00"  # datetime-local, in UTC
    html = render(shown)
    assert 'type="datetime-local" step="1" id="f-validFrom"' in html
    assert 'type="date" id="f-credentialSubject-registeredDate"' in html


def test_arrays_grow_and_shrink_without_scripts() -> None:
    form = form_for("accreditation")
    draft = form.read({CS + "/accreditedCountry/0": "SE"})
    assert draft.document["credentialSubject"]["accreditedCountry"] == ["SE"]
    grown = form.read(submitted(form, draft, _action=f"add:{CS}/accreditedCountry"))
    assert grown.action == f"add:{CS}/accreditedCountry"
    assert form.values(grown)[CS + "/accreditedCountry/-"] == "2"
    grown = form.read(submitted(form, grown, **{CS + "/accreditedCountry/1": "NO"}))
    assert grown.document["credentialSubject"]["accreditedCountry"] == ["SE", "NO"]
    shrunk = form.read(submitted(form, grown, _action=f"remove:{CS}/accreditedCountry/0"))
    assert shrunk.document["credentialSubject"]["accreditedCountry"] == ["NO"]
    # Items of objects keep their own values when an earlier one is removed.
    schemes = CS + "/accreditedScheme"
    two = form.read(
        {
            f"{schemes}/0/id": "https://schemes.example/a",
            f"{schemes}/1/id": "https://schemes.example/b",
            f"{schemes}/1/name": "B",
            "_action": f"remove:{schemes}/0",
        }
    )
    assert two.document["credentialSubject"]["accreditedScheme"] == [
        {"id": "https://schemes.example/b", "name": "B", "type": ["ConformityScheme"]}
    ]
    html = render(two)
    assert f'name="_action" value="remove:{schemes}/0"' in html
    assert f'name="_action" value="add:{schemes}"' in html
    assert "Add another accredited scheme" in html
    assert "Remove accredited scheme 1" in html


def test_an_empty_item_survives_a_submit() -> None:
    form = form_for("product-carbon-footprint")
    added = form.read({"_action": f"add:{CF}/productCategoryRule"})
    assert form.values(added)[CF + "/productCategoryRule/-"] == "1"
    again = form.read(submitted(form, added))
    assert form.values(again)[CF + "/productCategoryRule/-"] == "1"
    assert f'data-pointer="{CF}/productCategoryRule/0/linkURL"' in render(again)
    # An optional array's empty items are left out of the credential.
    footprint = again.document["credentialSubject"]["conformityAssessment"][0]["carbonFootprint"]
    assert "productCategoryRule" not in footprint


def test_a_stale_or_unknown_action_changes_nothing() -> None:
    form = form_for("accreditation")
    stale = form.read({"_action": f"remove:{CS}/accreditedCountry/7"})
    assert stale.general == ["That button no longer matches the form; nothing was changed."]
    checked = form.read({"_action": "check", "/name": "x"})
    assert checked.action == "check"
    assert checked.general == []
    assert checked.document["name"] == "x"


def _details_open(draft: Draft, pointer: str) -> bool:
    html = render(draft)
    at = html.index(f'data-pointer="{pointer}"')
    opening = html.rfind("<details", 0, at)
    assert opening != -1
    assert html.find("</details>", opening, at) == -1
    return html[opening : html.index(">", opening)].endswith(" open")


def test_optional_groups_are_collapsed_unless_they_hold_an_error() -> None:
    form = form_for("product-carbon-footprint")
    certificate = CS + "/conformityCertificate"
    assert not _details_open(form.blank(), certificate)
    filled = form.read({certificate + "/linkName": "PDF"})
    assert not _details_open(filled, certificate)  # the first screen stays what must be filled
    assert "(optional, filled in)" in render(filled)
    flagged = form.blank().with_findings([(certificate + "/linkURL", "is required")])
    assert _details_open(flagged, certificate)
    # An optional object with nothing filled in is not in the credential.
    assert "conformityCertificate" not in form.blank().document["credentialSubject"]
    assert filled.document["credentialSubject"]["conformityCertificate"] == {"linkName": "PDF"}
    # Optional values of a group are gathered in its "More details", after the required ones.
    description = CS + "/description"
    assert not _details_open(form.blank(), description)
    assert _details_open(form.blank().with_findings([(description, "too long")]), description)


def _must(widget: Widget, inherited: bool = True) -> Iterator[tuple[str, bool]]:
    """(element id, whether it must be filled in: it and every group around it required)."""
    must = inherited and (widget.required or widget.kind == "item")
    yield widget.id, must
    for child in widget.children:
        yield from _must(child, must)


class _Hidden(HTMLParser):
    """Each control's id and whether a closed ``<details>`` hides it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.hidden: dict[str, bool] = {}
        self.order: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "details":
            self.stack.append("open" not in attributes)
        elif tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.hidden[str(attributes["id"])] = any(self.stack)
            self.order.append(str(attributes["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.stack.pop()


def test_the_first_screen_shows_what_must_be_filled_in() -> None:
    """The chain-of-custody certificate: what must be filled in is open and comes first in
    each group; everything optional is in a closed section."""
    form = form_for("chain-of-custody-certificate")
    for draft in (form.blank(), form.from_document(unsigned(payload(COC)))):
        parser = _Hidden()
        parser.feed(render(draft))
        must = dict(_must(draft.widgets()))
        for control, hidden in parser.hidden.items():
            assert hidden != must[control.split("--")[0]], control
        assert all(must[i] for i in parser.order[:9])


def test_booleans_and_choices() -> None:
    form = form_for("product-carbon-footprint")
    conformance = CA + "/conformance"
    standards = CF + "/crossSectoralStandard"
    read = form.read(
        {conformance: "false", f"{standards}/2": "ISO14044", f"{standards}/0": "ISO14067"}
    )
    assessment = read.document["credentialSubject"]["conformityAssessment"][0]
    assert assessment["conformance"] is False  # "does not conform" is not "not stated"
    assert assessment["carbonFootprint"]["crossSectoralStandard"] == ["ISO14067", "ISO14044"]
    unstated = form.read({conformance: ""}).document["credentialSubject"]
    assert "conformance" not in unstated["conformityAssessment"][0]
    html = render(read)
    assert f'<select id="{element_id(conformance)}"' in html
    assert '<option value="false" selected>No</option>' in html
    assert f'type="checkbox" id="{element_id(standards)}--2" name="{standards}/2"' in html
    assert form.values(read)[f"{standards}/2"] == "ISO14044"


def test_fixed_values_are_filled_in_not_asked_for() -> None:
    document = form_for("accreditation").blank().document
    assert document["type"] == ["DigitalIdentityAnchor", "VerifiableCredential"]
    assert document["credentialSubject"]["type"] == ["RegisteredIdentity", "Accreditation"]
    assert document["credentialSubject"]["registerType"] == "accreditation"
    html = render(form_for("accreditation").blank())
    for pointer in ("/type", "/@context", CS + "/type", CS + "/registerType", "/issuer", "/id"):
        assert f'data-pointer="{pointer}"' not in html


def test_findings_about_what_the_user_does_not_edit_are_general() -> None:
    draft = form_for("recycled-content").blank()
    checked = draft.with_findings(
        [
            ("/issuer/id", "must be a DID"),
            ("", "the credential is not a VC"),
            ("/@context", "unknown context"),
            ("/name", "too long"),
            ("/name", "too long"),
            ("", "'name' is a required property"),
            (CS + "/issuedToParty/idScheme/name", "open node, deeper than the form"),
        ]
    )
    assert checked.general == [
        "/issuer/id: must be a DID",
        "the credential is not a VC",
        "/@context: unknown context",
    ]
    assert checked.errors["/name"] == ["too long", "This field is required."]
    assert checked.errors[CS + "/issuedToParty"] == ["open node, deeper than the form"]
    assert draft.errors == {}  # with_findings makes a copy


def test_values_are_escaped() -> None:
    form = form_for("product-carbon-footprint")
    attack = '"><script>alert(1)</script>'
    read = form.read({"/name": attack, CS + "/description": "</textarea><script>x</script>"})
    checked = read.with_findings([("/name", attack)])
    html = render(checked)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert checked.document["name"] == attack


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.controls: list[dict[str, str]] = []
        self.links: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "label":
            self.labels.append(attributes.get("for", ""))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append({"tag": tag, **attributes})
        if tag == "a":
            self.links.append(attributes.get("href", ""))


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_control_is_labelled_and_ids_are_unique(profile: str) -> None:
    form = form_for(profile)
    draft = form.read({"_action": "check"})
    draft = draft.with_findings(validation_errors(issued(draft.document)))
    parser = _Inputs()
    parser.feed(render(draft))
    assert "script" not in parser.tags
    assert len(parser.ids) == len(set(parser.ids))
    assert parser.controls
    ids = set(parser.ids)
    for control in parser.controls:
        assert control["id"] in parser.labels, control
        assert "required" not in control  # HTML validation would block an incomplete form
        assert "pattern" not in control
        if control.get("type") != "checkbox":
            assert control["data-pointer"] == control["name"]
        for described in control.get("aria-describedby", "").split():
            assert described in ids
        if control.get("aria-invalid") == "true":  # a checkbox's error is its group's
            field = control["id"].split("--")[0]
            assert field + "--error" in control["aria-describedby"].split()
    summary = [href for href in parser.links if href.startswith("#")]
    assert summary
    assert all(href[1:] in ids for href in summary)


def test_element_ids_are_valid_and_distinct() -> None:
    pointers = ["/a/b", "/a-b", "/a/b-c/0", "/a~1b", "/a_b", "/@context", "/a/b--hint"]
    ids = [element_id(p) for p in pointers]
    assert len(set(ids)) == len(ids)
    assert ids[0] == "f-a-b"
    assert all(i[0].isalpha() and all(c.isalnum() or c in "-_" for c in i) for i in ids)


@pytest.mark.parametrize(
    ("term", "label"),
    [
        ("pcfExcludingBiogenicUptake", "PCF excluding biogenic uptake"),
        ("linkURL", "Link URL"),
        ("idVerifiedByCAB", "ID verified by CAB"),
        ("fossilGhgEmissions", "Fossil GHG emissions"),
        ("id", "ID"),
        ("validityPeriod", "Validity period"),
    ],
)
def test_labels_are_made_from_the_terms(term: str, label: str) -> None:
    assert humanize(term) == label
