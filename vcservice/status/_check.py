"""The status step of verification: what the Bitstring Status Lists say about a credential.

For each ``credentialStatus`` entry of type ``BitstringStatusListEntry`` (spec §3.2, Validate
Algorithm): fetch the list credential, have the caller verify it, then check it and read the
entry. Check ids and outcomes, in the order they are decided:

``status.revocation`` / ``status.suspension``
    *indeterminate* when the list cannot be fetched, does not verify (its proof, validity
    window or issuer binding fail: a list we cannot trust tells us nothing), is not the list
    the entry names, or is larger than we expand; otherwise *failed* when the entry is set
    (revoked, suspended) and *passed* when it is clear.
``status.list-issuer``
    *failed* when the list's issuer is not the credential's issuer. The spec allows the two to
    differ, but without a way to know who may speak for the issuer, a list signed by someone
    else would let whoever controls the URL's content "un-revoke" the credential.
``status.malformed``
    *failed* when the entry or the (verified) list breaks a MUST of the spec: purposes that do
    not match, an index past the end of the list, a list shorter than 131,072 entries (herd
    privacy), an ``encodedList`` that is not GZIP + base64url, a bad ``statusSize`` or
    ``statusMessage``.
``status.message``
    *warning* carrying the value for every other purpose (``message``, ``refresh``, ...):
    such a status never invalidates a credential, so neither it nor any problem checking it
    (reported under the ids above, as warnings) can fail the credential or leave it
    undecided.
``status.unsupported``
    *warning* for entries of another type (``StatusList2021Entry``, ...): not checked.

The split between *failed* and *indeterminate* follows the house rule: an outage, a list we
could not verify or a list too large to hold is "could not check", never "revoked"; a list
that verifies and says "revoked" is never "could not check".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vcservice import checks
from vcservice._fetch import short
from vcservice.errors import CanonicalizationError, InputError, ResolutionError
from vcservice.report import Check, Outcome, Problem, VerificationReport
from vcservice.status._bitstring import (
    MIN_LIST_LENGTH,
    ListTooLargeError,
    decode_list,
    get_status,
)
from vcservice.status._documents import ENTRY_TYPE, LIST_CREDENTIAL_TYPE, LIST_TYPE
from vcservice.status._fetchers import StatusListFetcher

VerifyList = Callable[[Any], tuple[VerificationReport, dict[str, Any] | None]]

#: Purposes whose set entry invalidates the credential: purpose → (check id, participle).
INVALIDATING = {
    "revocation": (checks.STATUS_REVOCATION, "revoked"),
    "suspension": (checks.STATUS_SUSPENSION, "suspended"),
}
MESSAGE_CHECK = checks.STATUS_MESSAGE
_MAX_STATUS_SIZE = 32
_MAX_INDEX_DIGITS = 20
_MAX_SUMMARY = 600


@dataclass(frozen=True)
class _Verdict:
    """A problem; ``check_id`` None means "under the entry's purpose id"."""

    outcome: Outcome
    title: str
    detail: str
    check_id: str | None = None


@dataclass
class _List:
    """One fetched and verified list credential, shared by the entries that name it."""

    url: str
    problem: _Verdict | None = None
    issuer: str | None = None
    document: dict[str, Any] = field(default_factory=dict)
    _bits: bytes | _Verdict | None = None

    def bits(self, subject: dict[str, Any]) -> bytes | _Verdict:
        """The expanded bitstring, decoded once per list."""
        if self._bits is None:
            encoded = subject.get("encodedList")
            try:
                if not isinstance(encoded, str):
                    raise InputError("encodedList must be a string")
                self._bits = decode_list(encoded)
            except ListTooLargeError as exc:
                self._bits = _Verdict(
                    Outcome.INDETERMINATE,
                    "Status list too large",
                    f"status list {self.url}: {exc.detail}",
                )
            except InputError as exc:
                self._bits = _malformed(f"status list {self.url}: {exc.detail}")
        return self._bits


def _malformed(detail: str) -> _Verdict:
    return _Verdict(
        Outcome.FAILED, "Malformed status entry or list", detail, checks.STATUS_MALFORMED
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _issuer(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _summary(report: VerificationReport) -> str:
    """The list's failed and indeterminate checks in one line, cut to a readable length."""
    parts = [
        f"{c.id} {c.outcome.value}" + (f" ({c.problem.detail})" if c.problem else "")
        for c in report.errors
    ] or ["no check passed"]
    text = "; ".join(parts)
    return text if len(text) <= _MAX_SUMMARY else text[: _MAX_SUMMARY - 3] + "..."


#: What a fetcher or the list's verification raises about the *list*: it could not be had,
#: read or processed within bounds. Anything else (the service's own database down while it
#: reads a list it hosts, a key it cannot decrypt) is no fact about the credential and
#: propagates: an outage of ours must answer "try again", never "not verified".
_ABOUT_THE_LIST = (ResolutionError, InputError, CanonicalizationError)


def _load(url: str, fetcher: StatusListFetcher, verify_list: VerifyList) -> _List:
    """Fetch and verify the list at ``url``; problems here leave the status undecided."""
    try:
        value = fetcher.fetch(url)
    except _ABOUT_THE_LIST as exc:
        return _List(url, _Verdict(Outcome.INDETERMINATE, "Status list unavailable", exc.detail))
    try:
        report, document = verify_list(value)
    except _ABOUT_THE_LIST as exc:
        return _List(
            url,
            _Verdict(
                Outcome.INDETERMINATE,
                "Status list not verifiable",
                f"status list {url} could not be verified: {exc.detail}",
            ),
        )
    if document is None or not report.verified:
        return _List(
            url,
            _Verdict(
                Outcome.INDETERMINATE,
                "Status list not trusted",
                f"status list {url} did not verify, so it cannot tell the status: "
                f"{_summary(report)}",
            ),
        )
    list_id = document.get("id")
    if list_id is not None and list_id != url:
        return _List(
            url,
            _Verdict(
                Outcome.INDETERMINATE,
                "Wrong status list",
                f"{url} served a list credential whose id is {short(list_id)}, not that URL",
            ),
        )
    return _List(url, issuer=_issuer(document), document=document)


def _subject(document: dict[str, Any], url: str) -> dict[str, Any] | _Verdict:
    """The BitstringStatusList subject of a verified list credential."""
    if LIST_CREDENTIAL_TYPE not in _strings(document.get("type")):
        return _malformed(f"{url} is not a {LIST_CREDENTIAL_TYPE} (type {document.get('type')!r})")
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict) or LIST_TYPE not in _strings(subject.get("type")):
        return _malformed(f"the credentialSubject of {url} is not one {LIST_TYPE}")
    return subject


@dataclass(frozen=True)
class _Entry:
    """A BitstringStatusListEntry whose own fields are well formed."""

    where: str
    purpose: str
    url: str
    index: int
    size: int
    messages: dict[int, str] | None


def _parse_entry(entry: dict[str, Any], where: str, purpose: str) -> _Entry | _Verdict:
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url:
        return _malformed(f"{where} has no statusListCredential URL")
    text = entry.get("statusListIndex")
    if (
        not isinstance(text, str)
        or not text.isascii()
        or not text.isdigit()
        or len(text) > _MAX_INDEX_DIGITS
    ):
        return _malformed(
            f"{where} statusListIndex must be a base-10 integer written as a string, "
            f"not {short(text)}"
        )
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= _MAX_STATUS_SIZE:
        return _malformed(
            f"{where} statusSize must be an integer from 1 to {_MAX_STATUS_SIZE}, not {short(size)}"
        )
    messages = _messages(entry.get("statusMessage"), size)
    if isinstance(messages, str):
        return _malformed(f"{where} {messages}")
    return _Entry(where, purpose, url, int(text), size, messages)


def _messages(value: Any, size: int) -> dict[int, str] | str | None:
    """``statusMessage`` as value → message, None when absent, or what is wrong with it."""
    if value is None:
        return "must have a statusMessage when statusSize is above 1" if size > 1 else None
    if not isinstance(value, list) or len(value) != 1 << size:
        return f"statusMessage must be a list of {1 << size} entries (2 ** statusSize)"
    messages: dict[int, str] = {}
    for item in value:
        status = item.get("status") if isinstance(item, dict) else None
        message = item.get("message") if isinstance(item, dict) else None
        if (
            not isinstance(status, str)
            or not isinstance(message, str)
            or status[:2] not in ("0x", "0X")
        ):
            return "statusMessage entries need a '0x…' status and a message string"
        try:
            messages[int(status[2:], 16)] = message
        except ValueError:
            return f"statusMessage status {short(status)} is not hexadecimal"
    return messages


def _evaluate(entry: _Entry, lst: _List, credential_issuer: str | None) -> _Verdict | int:
    """The entry's value in its list, or the verdict that stops us reading it."""
    if lst.problem is not None:
        return lst.problem
    if lst.issuer is None or lst.issuer != credential_issuer:
        return _Verdict(
            Outcome.FAILED,
            "Status list from another issuer",
            f"status list {lst.url} is issued by {short(lst.issuer)}, not by the credential's "
            f"issuer {short(credential_issuer)}",
            checks.STATUS_LIST_ISSUER,
        )
    subject = _subject(lst.document, lst.url)
    if isinstance(subject, _Verdict):
        return subject
    purposes = _strings(subject.get("statusPurpose"))
    if entry.purpose not in purposes:
        return _malformed(
            f"{entry.where} has statusPurpose {entry.purpose!r} but status list {lst.url} is "
            f"for {short(subject.get('statusPurpose'))}"
        )
    bits = lst.bits(subject)
    if isinstance(bits, _Verdict):
        return bits
    entries = len(bits) * 8 // entry.size
    if entries < MIN_LIST_LENGTH:
        return _malformed(
            f"status list {lst.url} has {entries} entries of {entry.size} bit(s); at least "
            f"{MIN_LIST_LENGTH} are required"
        )
    if entry.index >= entries:
        return _malformed(
            f"{entry.where} statusListIndex {entry.index} is past the end of status list "
            f"{lst.url} ({entries} entries)"
        )
    return get_status(bits, entry.index, entry.size)


def _add(
    report: VerificationReport, check_id: str, verdict: _Verdict, *, invalidating: bool
) -> None:
    """Record a problem; for a purpose that cannot invalidate, only as a warning."""
    outcome = verdict.outcome if invalidating else Outcome.WARNING
    problem = Problem.for_check(check_id, verdict.title, verdict.detail)
    report.checks.append(Check(check_id, outcome, problem))


def _message_detail(entry: _Entry, value: int, url: str) -> str:
    if entry.messages is not None:
        text = entry.messages.get(value, "undefined")
    elif entry.size == 1:
        text = "set" if value else "unset"
    else:  # unreachable: statusSize > 1 requires statusMessage
        text = "undefined"
    return (
        f"{entry.where} ({entry.purpose}) is 0x{value:x} ({text!r}) at index {entry.index} of "
        f"status list {url}"
    )


def check_status(
    credential: dict[str, Any], *, fetcher: StatusListFetcher, verify_list: VerifyList
) -> VerificationReport:
    """The status checks of ``credential`` (already unwrapped); see the module doc for ids.

    ``fetcher`` gets each list credential (unverified); ``verify_list`` runs the caller's
    verification pipeline on it and returns its report and the unwrapped list document (None
    if it could not be unwrapped). Each list is fetched and verified once per call, however
    many entries name it. A credential without ``credentialStatus`` gets no checks at all.
    """
    if not isinstance(credential, dict):
        raise InputError("check_status expects the credential as a JSON object")
    report = VerificationReport()
    issuer = _issuer(credential)
    lists: dict[str, _List] = {}
    for raw, where in _entries(credential, report):
        _check_entry(report, raw, where, issuer, lists, fetcher, verify_list)
    return report


def _entries(credential: dict[str, Any], report: VerificationReport) -> list[tuple[Any, str]]:
    """The ``credentialStatus`` entries with where each is, or none (and a failure in
    ``report``) when the value is neither an object nor a list."""
    if "credentialStatus" not in credential:
        return []
    value = credential["credentialStatus"]
    if isinstance(value, dict):
        return [(value, "credentialStatus")]
    if not isinstance(value, list):
        report.failed(
            checks.STATUS_MALFORMED,
            "Malformed status entry or list",
            "credentialStatus must be an object or a list of objects",
        )
        return []
    return [(entry, f"credentialStatus[{position}]") for position, entry in enumerate(value)]


def _read_entry(report: VerificationReport, raw: Any, where: str) -> _Entry | None:
    """The entry's own fields checked, as the Validate Algorithm does before fetching: the
    entry, or None when it is not checked further (its problem, if any, is in ``report``)."""
    if not isinstance(raw, dict):
        report.failed(
            checks.STATUS_MALFORMED, "Malformed status entry or list", f"{where} is not an object"
        )
        return None
    if ENTRY_TYPE not in _strings(raw.get("type")):
        report.warn(
            checks.STATUS_UNSUPPORTED,
            "Unsupported status type",
            f"{where} has type {short(raw.get('type'))}; only {ENTRY_TYPE} is checked, so this "
            "status was not checked",
        )
        return None
    purpose = raw.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        report.failed(
            checks.STATUS_MALFORMED,
            "Malformed status entry or list",
            f"{where} has no statusPurpose string",
        )
        return None
    check_id = INVALIDATING.get(purpose, (MESSAGE_CHECK, ""))[0]
    entry = _parse_entry(raw, where, purpose)
    if isinstance(entry, _Verdict):
        _add(report, entry.check_id or check_id, entry, invalidating=purpose in INVALIDATING)
        return None
    return entry


def check_status_entries(credential: dict[str, Any]) -> VerificationReport:
    """The status checks that need no status list: each entry's own fields, under the ids and
    outcomes :func:`check_status` gives them. The issuer runs them on what it is about to sign,
    so it never signs an entry its own verifier would refuse (``status.malformed``)."""
    if not isinstance(credential, dict):
        raise InputError("check_status_entries expects the credential as a JSON object")
    report = VerificationReport()
    for raw, where in _entries(credential, report):
        _read_entry(report, raw, where)
    return report


def _check_entry(
    report: VerificationReport,
    raw: Any,
    where: str,
    issuer: str | None,
    lists: dict[str, _List],
    fetcher: StatusListFetcher,
    verify_list: VerifyList,
) -> None:
    entry = _read_entry(report, raw, where)
    if entry is None:
        return
    check_id, participle = INVALIDATING.get(entry.purpose, (MESSAGE_CHECK, ""))
    invalidating = entry.purpose in INVALIDATING
    if entry.url not in lists:
        lists[entry.url] = _load(entry.url, fetcher, verify_list)
    result = _evaluate(entry, lists[entry.url], issuer)
    if isinstance(result, _Verdict):
        _add(report, result.check_id or check_id, result, invalidating=invalidating)
    elif not invalidating:
        report.warn(MESSAGE_CHECK, "Status message", _message_detail(entry, result, entry.url))
    elif result:
        value = "set" if entry.size == 1 else f"0x{result:x}"
        report.failed(
            check_id,
            f"Credential {participle}",
            f"the credential is {participle}: {where} (index {entry.index}) is {value} in "
            f"status list {entry.url}",
        )
    else:
        report.passed(check_id)
