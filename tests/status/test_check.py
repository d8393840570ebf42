"""check_status with a fake ``verify_list``: every outcome, and invalid kept apart from unknown."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.errors import InputError, ResolutionError
from vcservice.report import Outcome, VerificationReport
from vcservice.status import MapStatusListFetcher, check_status, encode_list, status_entry

from .conftest import ISSUER, LIST_URL, bits_with, list_credential

SUSPENSION_URL = "https://status.example/lists/2"


class FakeVerifier:
    """Stands in for the signature/data-model pipeline: ``bad`` lists fail ``proof.signature``."""

    def __init__(self, *, bad: tuple[str, ...] = (), unwrap: bool = True) -> None:
        self.bad = bad
        self.unwrap = unwrap
        self.calls: list[Any] = []

    def __call__(self, value: Any) -> tuple[VerificationReport, dict[str, Any] | None]:
        self.calls.append(value)
        report = VerificationReport()
        report.passed("proof.present")
        if isinstance(value, dict) and value.get("id") in self.bad:
            report.failed("proof.signature", "Invalid signature", "the signature does not verify")
        else:
            report.passed("proof.signature")
        return report, (value if self.unwrap and isinstance(value, dict) else None)


def credential(*entries: dict[str, Any], issuer: Any = ISSUER) -> dict[str, Any]:
    status: Any = entries[0] if len(entries) == 1 else list(entries)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:subject"},
        "credentialStatus": status,
    }


def check(
    cred: dict[str, Any], lists: dict[str, Any], verifier: FakeVerifier | None = None
) -> VerificationReport:
    return check_status(
        cred, fetcher=MapStatusListFetcher(lists), verify_list=verifier or FakeVerifier()
    )


def outcomes(report: VerificationReport) -> list[tuple[str, Outcome]]:
    return [(c.id, c.outcome) for c in report.checks]


def detail(report: VerificationReport, index: int = 0) -> str:
    problem = report.checks[index].problem
    assert problem is not None
    return problem.detail


REVOCATION_ENTRY = status_entry(LIST_URL, 94567, "revocation")


# --- the bit ---------------------------------------------------------------------------------
def test_clear_entry_passes() -> None:
    report = check(credential(REVOCATION_ENTRY), {LIST_URL: list_credential(94566, 94568)})
    assert outcomes(report) == [("status.revocation", Outcome.PASSED)]
    assert report.verified


def test_revoked() -> None:
    report = check(credential(REVOCATION_ENTRY), {LIST_URL: list_credential(94567)})
    assert outcomes(report) == [("status.revocation", Outcome.FAILED)]
    assert report.checks[0].problem is not None
    assert report.checks[0].problem.title == "Credential revoked"
    assert "revoked" in detail(report)
    assert LIST_URL in detail(report)
    assert "94567" in detail(report)
    assert report.checks[0].problem.type.endswith("/status.revocation")


def test_suspended() -> None:
    entry = status_entry(SUSPENSION_URL, 0, "suspension")
    lists = {SUSPENSION_URL: list_credential(0, url=SUSPENSION_URL, purpose="suspension")}
    report = check(credential(entry), lists)
    assert outcomes(report) == [("status.suspension", Outcome.FAILED)]
    assert "suspended" in detail(report)
    assert SUSPENSION_URL in detail(report)


def test_multiple_entries_revocation_and_suspension() -> None:
    entries = (REVOCATION_ENTRY, status_entry(SUSPENSION_URL, 12345, "suspension"))
    lists = {
        LIST_URL: list_credential(),
        SUSPENSION_URL: list_credential(12345, url=SUSPENSION_URL, purpose="suspension"),
    }
    report = check(credential(*entries), lists)
    assert outcomes(report) == [
        ("status.revocation", Outcome.PASSED),
        ("status.suspension", Outcome.FAILED),
    ]
    assert "credentialStatus[1]" in detail(report, 1)


def test_one_list_with_two_purposes_is_fetched_and_verified_once() -> None:
    """The spec's example 7: two entries in one list whose statusPurpose is an array."""
    document = list_credential(12345)
    document["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    entries = (REVOCATION_ENTRY, status_entry(LIST_URL, 12345, "suspension"))
    verifier = FakeVerifier()
    report = check(credential(*entries), {LIST_URL: document}, verifier)
    assert outcomes(report) == [
        ("status.revocation", Outcome.PASSED),
        ("status.suspension", Outcome.FAILED),
    ]
    assert len(verifier.calls) == 1


def test_multi_bit_revocation_entry_reads_index_times_size() -> None:
    bits = bytearray(2 * 16384)
    bits[0] = 0b0001_0000  # entry 1 of 2 bits (bits 2-3) is 0b01
    document = list_credential()
    document["credentialSubject"]["encodedList"] = encode_list(bytes(bits))
    messages = [{"status": f"0x{v:x}", "message": m} for v, m in enumerate("abcd")]
    clear = dict(status_entry(LIST_URL, 0, "revocation"), statusSize=2, statusMessage=messages)
    revoked = dict(status_entry(LIST_URL, 1, "revocation"), statusSize=2, statusMessage=messages)
    report = check(credential(clear, revoked), {LIST_URL: document})
    assert outcomes(report) == [
        ("status.revocation", Outcome.PASSED),
        ("status.revocation", Outcome.FAILED),
    ]
    assert "0x1" in detail(report, 1)


# --- could not check -----------------------------------------------------------------------------
def test_unreachable_list_is_indeterminate() -> None:
    report = check(credential(REVOCATION_ENTRY), {})
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]
    assert report.checks[0].problem is not None
    assert report.checks[0].problem.title == "Status list unavailable"
    assert LIST_URL in detail(report)


def test_fetcher_errors_of_any_vcservice_kind_are_indeterminate() -> None:
    class Broken:
        def fetch(self, url: str) -> Any:
            raise InputError("the store returned garbage")

    report = check_status(
        credential(REVOCATION_ENTRY), fetcher=Broken(), verify_list=FakeVerifier()
    )
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]


def test_list_with_bad_signature_is_indeterminate_with_its_failures() -> None:
    report = check(
        credential(REVOCATION_ENTRY),
        {LIST_URL: list_credential(94567)},
        FakeVerifier(bad=(LIST_URL,)),
    )
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]
    assert report.checks[0].problem is not None
    assert report.checks[0].problem.title == "Status list not trusted"
    assert "proof.signature failed (the signature does not verify)" in detail(report)
    assert not report.has_failed("status.revocation")  # never "revoked" from an untrusted list


def test_list_that_could_not_be_unwrapped_is_indeterminate() -> None:
    report = check(
        credential(REVOCATION_ENTRY), {LIST_URL: list_credential()}, FakeVerifier(unwrap=False)
    )
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]


def test_list_report_with_nothing_passed_is_indeterminate() -> None:
    report = check_status(
        credential(REVOCATION_ENTRY),
        fetcher=MapStatusListFetcher({LIST_URL: list_credential()}),
        verify_list=lambda value: (VerificationReport(), value),
    )
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]
    assert "no check passed" in detail(report)


def test_verify_list_raising_is_indeterminate() -> None:
    def verify_list(value: Any) -> tuple[VerificationReport, dict[str, Any] | None]:
        raise ResolutionError("did:web:status.example did not resolve")

    report = check_status(
        credential(REVOCATION_ENTRY),
        fetcher=MapStatusListFetcher({LIST_URL: list_credential()}),
        verify_list=verify_list,
    )
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]
    assert "did not resolve" in detail(report)


def test_a_different_list_served_at_the_url_is_indeterminate() -> None:
    """A validly signed list of the same issuer, but not the one the entry names."""
    other = list_credential(url="https://status.example/lists/9")
    report = check(credential(REVOCATION_ENTRY), {LIST_URL: other})
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]
    assert "lists/9" in detail(report)


def test_list_too_large_to_expand_is_indeterminate() -> None:
    document = list_credential()
    document["credentialSubject"]["encodedList"] = encode_list(
        bytes((2 << 20) + 1)
    )  # past the 2 MiB default
    report = check(credential(REVOCATION_ENTRY), {LIST_URL: document})
    assert outcomes(report) == [("status.revocation", Outcome.INDETERMINATE)]
    assert "more than" in detail(report)


# --- invalid -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "list_issuer", ["did:example:someone-else", {"id": "did:example:someone-else"}]
)
def test_list_from_another_issuer_fails(list_issuer: Any) -> None:
    document = list_credential()
    document["issuer"] = list_issuer
    report = check(credential(REVOCATION_ENTRY), {LIST_URL: document})
    assert outcomes(report) == [("status.list-issuer", Outcome.FAILED)]
    assert "did:example:someone-else" in detail(report)
    assert ISSUER in detail(report)


def test_issuer_object_form_is_compared_by_id() -> None:
    report = check(
        credential(REVOCATION_ENTRY, issuer={"id": ISSUER, "name": "Issuer"}),
        {LIST_URL: list_credential()},
    )
    assert outcomes(report) == [("status.revocation", Outcome.PASSED)]


def test_index_past_the_end_fails() -> None:
    entry = status_entry(LIST_URL, 131072, "revocation")
    report = check(credential(entry), {LIST_URL: list_credential()})
    assert outcomes(report) == [("status.malformed", Outcome.FAILED)]
    assert "past the end" in detail(report)


def test_last_index_is_in_range() -> None:
    entry = status_entry(LIST_URL, 131071, "revocation")
    report = check(credential(entry), {LIST_URL: list_credential(131071)})
    assert outcomes(report) == [("status.revocation", Outcome.FAILED)]


def test_list_shorter_than_the_minimum_fails() -> None:
    document = list_credential()
    document["credentialSubject"]["encodedList"] = encode_list(bits_with(0, length=16383))
    report = check(credential(status_entry(LIST_URL, 5, "revocation")), {LIST_URL: document})
    assert outcomes(report) == [("status.malformed", Outcome.FAILED)]
    assert "at least 131072" in detail(report)


def test_minimum_counts_entries_not_bits() -> None:
    """With statusSize 2, a 16 KiB list holds only 65,536 entries: too few (spec §3.2)."""
    messages = [{"status": f"0x{v}", "message": str(v)} for v in range(4)]
    entry = dict(status_entry(LIST_URL, 0, "revocation"), statusSize=2, statusMessage=messages)
    report = check(credential(entry), {LIST_URL: list_credential()})
    assert outcomes(report) == [("status.malformed", Outcome.FAILED)]


def test_purpose_mismatch_fails() -> None:
    entry = status_entry(LIST_URL, 1, "suspension")
    report = check(credential(entry), {LIST_URL: list_credential(1)})  # a revocation list
    assert outcomes(report) == [("status.malformed", Outcome.FAILED)]
    assert "'suspension'" in detail(report)
    assert "revocation" in detail(report)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"type": ["VerifiableCredential"]}, "not a BitstringStatusListCredential", id="type"
        ),
        pytest.param(
            {"credentialSubject": {"type": "Other"}},
            "not one BitstringStatusList",
            id="subject-type",
        ),
        pytest.param(
            {"credentialSubject": [{}, {}]}, "not one BitstringStatusList", id="two-subjects"
        ),
        pytest.param({"encodedList": "uNOT-GZIP"}, "GZIP", id="encoded-list"),
        pytest.param({"encodedList": 12}, "must be a string", id="encoded-list-type"),
        pytest.param({"encodedList": None}, "must be a string", id="no-encoded-list"),
    ],
)
def test_malformed_verified_list_fails(change: dict[str, Any], message: str) -> None:
    document = list_credential()
    if "encodedList" in change:
        document["credentialSubject"]["encodedList"] = change["encodedList"]
    else:
        document.update(change)
    report = check(credential(REVOCATION_ENTRY), {LIST_URL: document})
    assert outcomes(report) == [("status.malformed", Outcome.FAILED)]
    assert message in detail(report)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"statusListIndex": 94567}, "written as a string", id="integer-index"),
        pytest.param({"statusListIndex": "-1"}, "written as a string", id="negative-index"),
        pytest.param({"statusListIndex": "0x10"}, "written as a string", id="hex-index"),
        pytest.param({"statusListIndex": "١٢"}, "written as a string", id="arabic-digits"),
        pytest.param({"statusListIndex": "9" * 21}, "written as a string", id="huge-index"),
        pytest.param({"statusListCredential": None}, "no statusListCredential", id="no-url"),
        pytest.param({"statusSize": 0}, "statusSize", id="size-zero"),
        pytest.param({"statusSize": True}, "statusSize", id="size-bool"),
        pytest.param({"statusSize": 2}, "statusMessage", id="size-without-messages"),
        pytest.param(
            {"statusMessage": [{"status": "0x0", "message": "ok"}]},
            "2 entries",
            id="messages-count",
        ),
        pytest.param(
            {"statusMessage": [{"status": "0", "message": "a"}, {"status": "1", "message": "b"}]},
            "'0x",
            id="messages-format",
        ),
        pytest.param(
            {
                "statusMessage": [
                    {"status": "0xg", "message": "a"},
                    {"status": "0x1", "message": "b"},
                ]
            },
            "hexadecimal",
            id="messages-hex",
        ),
    ],
)
def test_malformed_entry_fails_without_fetching(change: dict[str, Any], message: str) -> None:
    verifier = FakeVerifier()
    report = check(credential(dict(REVOCATION_ENTRY, **change)), {}, verifier)
    assert outcomes(report) == [("status.malformed", Outcome.FAILED)]
    assert message in detail(report)
    assert verifier.calls == []


@pytest.mark.parametrize(
    "status", ["not-a-list", 42, ["not-an-object"], [{"type": "BitstringStatusListEntry"}]]
)
def test_malformed_credential_status_fails(status: Any) -> None:
    cred = credential(REVOCATION_ENTRY)
    cred["credentialStatus"] = status
    report = check(cred, {})
    assert [o for _, o in outcomes(report)] == [Outcome.FAILED]
    assert report.checks[0].id == "status.malformed"


# --- not a failure ------------------------------------------------------------------------------
def _message_entry(index: int) -> dict[str, Any]:
    """The spec's example 2: a 2-bit message entry."""
    return dict(
        status_entry("https://status.example/lists/8", index, "message"),
        statusSize=2,
        statusMessage=[
            {"status": "0x0", "message": "pending_review"},
            {"status": "0x1", "message": "accepted"},
            {"status": "0x2", "message": "rejected"},
            {"status": "0x3", "message": "undefined"},
        ],
        statusReference="https://example.org/status-dictionary/",
    )


def _message_list() -> dict[str, Any]:
    bits = bytearray(2 * 16384)
    bits[0] = 0b0010_0000  # entry 1 (bits 2-3) is 0b10: "rejected"
    document = list_credential(url="https://status.example/lists/8", purpose="message")
    document["credentialSubject"]["encodedList"] = encode_list(bytes(bits))
    return document


@pytest.mark.parametrize(("index", "message"), [(0, "pending_review"), (1, "rejected")])
def test_message_purpose_is_reported_as_a_warning(index: int, message: str) -> None:
    report = check(
        credential(_message_entry(index)), {"https://status.example/lists/8": _message_list()}
    )
    assert outcomes(report) == [("status.message", Outcome.WARNING)]
    assert repr(message) in detail(report)
    assert report.errors == []


def test_refresh_purpose_reports_set_or_unset() -> None:
    entry = status_entry(LIST_URL, 3, "refresh")
    report = check(credential(entry), {LIST_URL: list_credential(3, purpose="refresh")})
    assert outcomes(report) == [("status.message", Outcome.WARNING)]
    assert "'set'" in detail(report)
    assert "refresh" in detail(report)


def test_problems_with_a_message_entry_are_only_warnings() -> None:
    """A status that cannot invalidate the credential cannot leave it undecided either."""
    unreachable = check(credential(_message_entry(1)), {})
    assert outcomes(unreachable) == [("status.message", Outcome.WARNING)]
    other_issuer = _message_list()
    other_issuer["issuer"] = "did:example:else"
    report = check(credential(_message_entry(1)), {"https://status.example/lists/8": other_issuer})
    assert outcomes(report) == [("status.list-issuer", Outcome.WARNING)]
    malformed = check(credential(dict(_message_entry(1), statusListIndex=1)), {})
    assert outcomes(malformed) == [("status.malformed", Outcome.WARNING)]


@pytest.mark.parametrize("entry_type", ["StatusList2021Entry", "RevocationList2020Status", None])
def test_other_entry_types_are_unsupported_warnings(entry_type: str | None) -> None:
    entry = dict(REVOCATION_ENTRY, type=entry_type)
    verifier = FakeVerifier()
    report = check(credential(entry), {LIST_URL: list_credential(94567)}, verifier)
    assert outcomes(report) == [("status.unsupported", Outcome.WARNING)]
    assert verifier.calls == []


def test_entry_type_may_be_an_array() -> None:
    entry = dict(REVOCATION_ENTRY, type=["BitstringStatusListEntry"])
    report = check(credential(entry), {LIST_URL: list_credential(94567)})
    assert outcomes(report) == [("status.revocation", Outcome.FAILED)]


def test_no_credential_status_no_checks() -> None:
    cred = credential(REVOCATION_ENTRY)
    del cred["credentialStatus"]
    verifier = FakeVerifier()
    report = check(cred, {LIST_URL: list_credential()}, verifier)
    assert report.checks == []
    assert verifier.calls == []


def test_mixed_entries_each_get_their_own_check() -> None:
    entries = (
        REVOCATION_ENTRY,
        dict(REVOCATION_ENTRY, type="StatusList2021Entry"),
        status_entry(SUSPENSION_URL, 1, "suspension"),
    )
    report = check(credential(*entries), {LIST_URL: list_credential()})
    assert outcomes(report) == [
        ("status.revocation", Outcome.PASSED),
        ("status.unsupported", Outcome.WARNING),
        ("status.suspension", Outcome.INDETERMINATE),
    ]


def test_non_object_credential_is_an_input_error() -> None:
    with pytest.raises(InputError):
        check_status("eyJ...", fetcher=MapStatusListFetcher({}), verify_list=FakeVerifier())  # type: ignore[arg-type]
