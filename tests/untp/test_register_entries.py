"""The UNTP register entries in ``docs/untp-registers/``: what each register asks for, and that
what they state about this repository is true.

* SWI: ``swi-entry.json`` against the Software Implementers register's JSON Schema
  (``registers/swi/register-schema.json``, Draft 2020-12, formats asserted), alone and appended
  to the published register.
* Extensions: no register schema exists in the UNTP 0.7.0 material, so ``extension-entry.json``
  is held to the Extensions Register page (``website/docs/implementations/ExtensionsRegister.md``):
  the fields its entries have and what "Registration requires". The labels are read from the
  vendored page, so a page that asks for more fails here.
* ``registration-issue.md`` answers the issue template's General Information.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from vcservice.schema_validation import extension_schemas_for, unwrap_credential
from vcservice.vocab.profiles import PROFILES

from ..conftest import REPO, UNTP, load_json

ENTRIES = REPO / "docs" / "untp-registers"
REGISTERS = UNTP / "registers-2026-04-03"
SWI_SCHEMA = REGISTERS / "swi" / "register-schema.json"
SWI_REGISTER = REGISTERS / "swi" / "register.json"
ISSUE_TEMPLATE = REGISTERS / "Register_UNTP_Implementation.md"
EXTENSIONS_PAGE = UNTP / "spec-pages-2026-04-03" / "ExtensionsRegister.md"
VOCABULARY = REPO / "vocab" / "vocabulary.json"
CONTEXT = REPO / "vocab" / "critical-minerals-v1.jsonld"
UNTP_CONTEXT = REPO / "vcservice" / "jsonld" / "contexts" / "untp-0.7.0.jsonld"
#: UNTP credential (as the register page names it) → the UNTP 0.7.0 base schema of PROFILES.
EXTENDS = {
    "Digital Conformity Credential": ("DCC", "ConformityCredential.json"),
    "Digital Traceability Event": ("DTE", "DigitalTraceabilityEvent.json"),
    "Digital Product Passport": ("DPP", "DigitalProductPassport.json"),
    "Digital Identity Anchor": ("DIA", "DigitalIdentityAnchor.json"),
    "Digital Facility Record": ("DFR", "DigitalFacilityRecord.json"),
}


def _validator(schema: dict[str, Any], ref: str | None = None) -> Any:
    Draft202012Validator.check_schema(schema)
    if ref is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": ref}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(validator: Any, instance: Any) -> list[str]:
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(instance)]  # fmt: skip


# --- SWI --------------------------------------------------------------------------------------
def test_the_swi_entry_is_a_software_implementer_entry_formats_asserted() -> None:
    entry = load_json(ENTRIES / "swi-entry.json")
    validator = _validator(load_json(SWI_SCHEMA), "#/$defs/SoftwareImplementerEntry")
    assert _errors(validator, entry) == []
    # Formats are asserted, not annotations: a website that is no URI, a date that is none fail.
    for pointer, value in (("website", "vcservice dot dev"), ("commitmentDate", "2026-13-45")):
        broken = copy.deepcopy(entry) | {pointer: value}
        assert any(f"/{pointer}:" in e for e in _errors(validator, broken)), pointer


def test_the_swi_entry_fits_into_the_published_register() -> None:
    register = load_json(SWI_REGISTER)
    validator = _validator(load_json(SWI_SCHEMA))
    assert _errors(validator, register) == []  # the register as published
    entry = load_json(ENTRIES / "swi-entry.json")
    assert entry["id"] not in {e["id"] for e in register["entries"]}
    assert entry["id"].startswith(register["id"] + "/")  # the registrar's naming
    register["entries"].append(entry)
    assert _errors(validator, register) == []


def test_the_swi_entry_claims_what_the_repository_implements() -> None:
    entry = load_json(ENTRIES / "swi-entry.json")
    (product,) = entry["products"]
    assert set(product["untpScope"]) <= set(entry["untpScope"])
    # DPP, DCC, DTE, DFR, DIA: the credential types whose UNTP 0.7.0 schemas are bundled.
    from vcservice.untp import UNTP_TYPES

    abbreviations = {"DigitalProductPassport": "DPP", "DigitalConformityCredential": "DCC",
                     "DigitalTraceabilityEvent": "DTE", "DigitalFacilityRecord": "DFR",
                     "DigitalIdentityAnchor": "DIA"}  # fmt: skip
    assert {abbreviations[t] for t in UNTP_TYPES} | {"VCP"} == set(product["untpScope"])
    assert product["untpVersions"] == ["0.7.0"]
    (result,) = product["testResults"]
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M)
    assert version is not None
    assert result["softwareVersion"] == version[1]
    assert "tests/conformance/test_acceptance.py" in result["testSuite"]
    assert (REPO / "tests" / "conformance" / "test_acceptance.py").is_file()
    # The template's implementation statement: about 500 characters.
    assert len(entry["description"]) <= 520


# --- Extensions Register (page) ---------------------------------------------------------------
def _sections(page: str) -> dict[str, str]:
    """The page's "### <extension>" sections (each up to the next horizontal rule)."""
    registered = page.split("\n## Registered Extensions", 1)[1].split("\n## ", 1)[0] + "\n"
    out = {}
    for match in re.finditer(r"^### (.+?)\n(.*?)(?=^---$)", registered, re.M | re.S):
        out[match[1].strip()] = match[2]
    return out


def _table_header(text: str, after: str) -> list[str]:
    tail = text.split(after, 1)[1]
    line = next(line for line in tail.splitlines() if line.startswith("|"))
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _bullet_labels(text: str, heading: str, pattern: str) -> list[str]:
    block = text.split(heading, 1)[1].split("\n#", 1)[0]
    return re.findall(pattern, block, re.M)


@pytest.fixture(scope="module")
def page() -> str:
    return EXTENSIONS_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def extension() -> dict[str, Any]:
    data: dict[str, Any] = load_json(ENTRIES / "extension-entry.json")
    return data


def _field(entry: dict[str, Any], path: str) -> Any:
    value: Any = entry
    for part in path.split("."):
        value = value[part]
    return value


#: Register page label → where the entry answers it.
NAVIGATION = {"Extension Name": "name", "Extension Owner": "owner.name",
              "Geographic Scope": "geographicScope", "Industry Scope": "industryScope",
              "Status": "status"}  # fmt: skip
QUICK_FACTS = {"Owner": "owner.name", "Industry": "industryScope",
               "Geography": "geographicScope", "Website": "website",
               "Version": "version"}  # fmt: skip
CREDENTIAL_COLUMNS = {"Credential": "credential", "Extends": "extends", "Purpose": "purpose"}
RESOURCES = {"Extension specification": "implementationResources.extensionSpecification",
             "Implementation guide": "implementationResources.implementationGuide",
             "Test suite": "implementationResources.testSuite",
             "Community support": "implementationResources.communitySupport"}  # fmt: skip
#: "Registration requires:" item (by a phrase of it) → where the entry answers it.
REQUIREMENTS = {"Extension specification following methodology": "registration.specification",
                "Conformance test results": "registration.conformanceTestResults",
                "Public specification website": "website",
                "Governance structure": "governance",
                "example credentials for each credential type":
                    "registration.exampleCredentials"}  # fmt: skip


def test_the_page_asks_for_what_the_entry_answers(page: str) -> None:
    """The labels the mapping answers are the page's: read from it, not assumed."""
    assert _table_header(page, "### Quick Navigation") == list(NAVIGATION)
    sections = _sections(page)
    assert len(sections) == 6  # "6 Registered Extensions"
    assert "Critical Raw Materials Transparency Protocol (CRMTP)" in sections
    facts = [set(_bullet_labels(s, "#### Quick Facts", r"^- \*\*(.+?)\*\*:"))
             for s in sections.values()]  # fmt: skip
    # Every fact all registered extensions give, and Website (registration requires one).
    assert set.intersection(*facts) | {"Website"} == set(QUICK_FACTS)
    columns = [set(_table_header(s, "#### Credentials Defined")) for s in sections.values()]
    assert set.intersection(*columns) == set(CREDENTIAL_COLUMNS)
    crmtp = sections["Critical Raw Materials Transparency Protocol (CRMTP)"]
    assert _bullet_labels(crmtp, "#### Implementation Resources", r"^- (.+?):") == list(RESOURCES)
    required = page.split("Registration requires:", 1)[1].split("**Contact**", 1)[0]
    items = re.findall(r"^\d\. (.+)$", required, re.M)
    assert len(items) == len(REQUIREMENTS) == 5
    for item, phrase in zip(items, REQUIREMENTS, strict=True):
        assert phrase.lower() in item.lower(), (item, phrase)


def test_the_extension_entry_has_every_field_the_page_asks_for(
    page: str, extension: dict[str, Any]
) -> None:
    for path in (*NAVIGATION.values(), *QUICK_FACTS.values(), *RESOURCES.values(),
                 *REQUIREMENTS.values(), "overview", "owner.website"):  # fmt: skip
        value = _field(extension, path)
        assert value, path
    for credential in extension["credentialsDefined"]:
        for key in CREDENTIAL_COLUMNS.values():
            assert isinstance(credential[key], str), key
            assert credential[key].strip(), key
    statuses = re.findall(r"^- \S+ \*\*(.+?)\*\*", page.split("**Current Status**", 1)[1], re.M)
    assert statuses == ["Pilot", "In Development", "Dormant"]
    assert extension["status"] in statuses
    governance = extension["governance"]
    assert {"process", "licence", "versioning", "publication"} <= set(governance)


def test_the_extension_entry_states_the_vocabulary_as_it_is(extension: dict[str, Any]) -> None:
    vocabulary = load_json(VOCABULARY)
    assert extension["context"] == vocabulary["context"] == "https://w3id.org/critical-minerals/v1"
    assert extension["vocabulary"] == vocabulary["namespace"]
    assert extension["version"] == vocabulary["version"]
    assert extension["terms"] == {
        "classes": [c["term"] for c in vocabulary["classes"]],
        "properties": [p["term"] for p in vocabulary["properties"]],
    }
    for term in ("certifiedProperty", "creditRegistry", "creditReceipt"):
        assert term in extension["terms"]["properties"]
        assert term in extension["overview"]
    labels = {v["label"] for e in ("CrossSectoralStandard", "RecycledContentStandard",
                                   "CharacterizationFactors")
              for v in vocabulary["enumerations"][e]}  # fmt: skip
    assert labels <= set(extension["standardsAndRegulations"])
    licence = re.search(r'^license = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M)
    assert licence is not None
    assert extension["licence"] == licence[1]
    assert extension["governance"]["licence"].startswith(licence[1])


def test_the_extension_redefines_no_untp_term() -> None:
    """Extensions Methodology: an extension's context MUST NOT redefine UNTP terms."""
    ours = load_json(CONTEXT)["@context"]
    untp = load_json(UNTP_CONTEXT)["@context"]
    terms = {k for k in ours if not k.startswith("@")}
    assert terms
    assert not terms & {k for k in untp if not k.startswith("@")}


def test_every_profile_is_a_credential_with_its_schema_and_two_examples(
    extension: dict[str, Any],
) -> None:
    credentials = extension["credentialsDefined"]
    assert [c["profile"] for c in credentials] == list(PROFILES)
    extended = set()
    for credential in credentials:
        profile = credential["profile"]
        abbreviation, base = EXTENDS[credential["extends"]]
        assert PROFILES[profile][1] == base, profile
        extended.add(abbreviation)
        schema = load_json(REPO / "schemas" / f"{profile}.schema.json")
        assert credential["schema"] == schema["$id"]
        assert len(credential["examples"]) >= 2, profile
        for example in credential["examples"]:
            document, _ = unwrap_credential(load_json(REPO / example))
            assert profile in [name for name, _ in extension_schemas_for(document)], example
    assert set(extension["extends"]) == extended


def test_the_markdown_entry_says_what_the_json_says(extension: dict[str, Any]) -> None:
    text = (ENTRIES / "extension-entry.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    (row,) = rows
    cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
    owner = f"[{extension['owner']['name']}]({extension['owner']['website']})"
    anchor = extension["name"].lower().replace(" ", "-")
    assert cells[:4] == [f"[{extension['name']}](#{anchor})", owner,
                         extension["geographicScope"], extension["industryScope"]]  # fmt: skip
    assert f"### {extension['name']}\n" in text
    assert f"**Status**: 🟡 **{extension['status']}**" in text
    facts = dict(re.findall(r"^- \*\*(.+?)\*\*: (.+)$", text, re.M))
    assert list(facts) == list(QUICK_FACTS)
    assert facts["Owner"] == owner
    assert facts["Industry"] == extension["industryScope"]
    assert facts["Geography"] == extension["geographicScope"]
    assert facts["Website"] == f"[{extension['website']}]({extension['website']})"
    assert facts["Version"].startswith(extension["version"] + " ")
    assert f"#### Overview\n\n{extension['overview']}\n" in text
    table = text.split("#### Credentials Defined", 1)[1].split("####", 1)[0]
    lines = [line for line in table.splitlines() if line.startswith("|")]
    assert lines[0] == "| Credential | Extends | Purpose |"
    assert lines[2:] == [f"| {c['credential']} | {c['extends']} | {c['purpose']} |"
                         for c in extension["credentialsDefined"]]  # fmt: skip
    resources = dict(re.findall(r"^- ([A-Z][a-z ]+): (.+)$", text, re.M))
    assert resources == {label: _field(extension, path) for label, path in RESOURCES.items()}


# --- the registration issue -------------------------------------------------------------------
def test_the_registration_issue_answers_the_template() -> None:
    template = ISSUE_TEMPLATE.read_text(encoding="utf-8")
    issue = (ENTRIES / "registration-issue.md").read_text(encoding="utf-8")
    swi = load_json(ENTRIES / "swi-entry.json")
    general = template.split("# General Information", 1)[1].split("# Implementation Role", 1)[0]
    labels = re.findall(r"^([A-Z][A-Za-z ]+?) :", general, re.M)
    assert labels == ["Organisation name", "Organisation homepage URL", "Registration country",
                      "Operating countries", "Industry sectors"]  # fmt: skip
    answers = dict(re.findall(r"^([A-Z][A-Za-z ]+?) : (.+)$", issue, re.M))
    for label in labels:
        assert answers.get(label, "").strip(), label
    assert answers["Organisation name"] == swi["name"]
    assert answers["Organisation homepage URL"] == swi["website"]
    # Every checkbox of the template is there, ticked or not; headings kept.
    for box in re.findall(r"^- \[ \] (.+)$", general, re.M):
        assert re.search(rf"^- \[[ x]\] {re.escape(box)}$", issue, re.M), box
    for heading in re.findall(r"^#+ .+$", general, re.M):
        assert heading in issue.splitlines(), heading
    assert swi["description"] in issue
    software = dict(re.findall(r"^(Product [A-Za-z ]+|UNTP Specifications [a-z ]+): (.+)$",
                               issue, re.M))  # fmt: skip
    assert set(software) == set(re.findall(
        r"^(Product [A-Za-z ]+|UNTP Specifications [a-z ]+):", template, re.M))  # fmt: skip
    assert software["Product name"] == swi["products"][0]["name"]
    assert software["Product URL"] == swi["products"][0]["url"]
    assert "### For UNTP Extension Owners" in issue
    assert "### For Software Solutions" in issue
    for role in ("### For Industry", "### For Regulators", "### For Assurance Bodies",
                 "### For Identity Registry Operators"):  # fmt: skip
        assert role not in issue  # the template: delete the roles that are not yours


def test_placeholders_are_the_documented_ones() -> None:
    """What only the maintainers can fill in is marked, and the README says where."""
    readme = (ENTRIES / "README.md").read_text(encoding="utf-8")
    marked = {path.name for path in ENTRIES.iterdir()
              if path.name != "README.md"
              and "TO BE FILLED IN" in path.read_text("utf-8")}  # fmt: skip
    assert marked == {"registration-issue.md", "extension-entry.json"}
    for name in marked:
        assert f"`{name}" in readme.split("## Before submitting", 1)[1].split("## Submitting")[0]
    assert "TO BE FILLED IN" not in json.dumps(load_json(ENTRIES / "swi-entry.json"))
