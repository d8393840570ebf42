"""``parse_datetime_stamp`` and the validity-period checks built on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from vcservice.jsonld import bundled_loader
from vcservice.model import parse_datetime_stamp, validate_credential

from .helpers import credential, failures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-02-26T01:19:19Z", datetime(2023, 2, 26, 1, 19, 19, tzinfo=UTC)),
        ("2023-02-26T01:02:58.447Z", datetime(2023, 2, 26, 1, 2, 58, 447000, tzinfo=UTC)),
        (
            "2023-02-25T19:10:39-06:00",
            datetime(2023, 2, 25, 19, 10, 39, tzinfo=timezone(-timedelta(hours=6))),
        ),
        ("2023-01-01T00:00:00+14:00", datetime(2023, 1, 1, tzinfo=timezone(timedelta(hours=14)))),
        ("4023-02-26T01:02:58.447Z", datetime(4023, 2, 26, 1, 2, 58, 447000, tzinfo=UTC)),
        # Fractions beyond microseconds are truncated, never rounded up.
        ("2023-01-01T00:00:00.9999999Z", datetime(2023, 1, 1, 0, 0, 0, 999999, tzinfo=UTC)),
        # XML Schema's 24:00:00 is the first instant of the next day.
        ("2023-12-31T24:00:00Z", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_valid_stamps(text: str, expected: datetime) -> None:
    parsed = parse_datetime_stamp(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-01T00:00:00",  # no time zone: a dateTime, not a dateTimeStamp
        "2023-01-01",
        "2023-01-01 00:00:00Z",
        "2023-01-01t00:00:00z",
        "2023-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2023-13-01T00:00:00Z",
        "2023-01-01T24:00:01Z",
        "2023-01-01T23:59:60Z",
        "2023-01-01T00:00:00+14:30",
        "2023-01-01T00:00:00+15:00",
        "2023-01-01T00:00:00+0100",
        "2023-01-01T00:00:00.Z",
        "2023-01-01T00:00:00Z\n",
        "0000-01-01T00:00:00Z",  # lexically valid, but no datetime can hold it: fail closed
        "10000-01-01T00:00:00Z",
        "-2023-01-01T00:00:00Z",
        "Sat 25 Feb 2023 07:16:31 PM CST",
        "Sun, 26 Feb 2023 01:22:14 +0000",
        "２０２３-01-01T00:00:00Z",
        "",
    ],
)
def test_invalid_stamps(text: str) -> None:
    assert parse_datetime_stamp(text) is None


@pytest.mark.parametrize("value", [None, 20230101, ["2023-01-01T00:00:00Z"], {"@value": "x"}])
def test_non_strings_are_invalid(value: Any) -> None:
    assert parse_datetime_stamp(value) is None


def _failed(document: dict[str, Any]) -> dict[str, list[str]]:
    return failures(validate_credential(document, loader=bundled_loader()))


def test_same_instant_in_two_zones_is_a_valid_window() -> None:
    document = credential(validFrom="2023-02-26T01:00:00Z", validUntil="2023-02-25T19:00:00-06:00")
    assert _failed(document) == {}


def test_until_before_from_is_compared_as_instants_not_text() -> None:
    # Textually later, but one second earlier once the offset is applied.
    document = credential(validFrom="2023-02-26T01:00:00Z", validUntil="2023-02-25T18:59:59-06:00")
    failed = _failed(document)
    assert set(failed) == {"datamodel.valid-until"}
    assert "before validFrom" in failed["datamodel.valid-until"][0]


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("validFrom", "2023-01-01T00:00:00"),
        ("validFrom", 1672531200),
        ("validUntil", None),
        ("validUntil", ["2023-01-01T00:00:00Z"]),
    ],
)
def test_bad_dates_fail_their_own_check(prop: str, value: Any) -> None:
    failed = _failed(credential(**{prop: value}))
    check = "datamodel.valid-from" if prop == "validFrom" else "datamodel.valid-until"
    assert set(failed) == {check}
    assert "dateTimeStamp" in failed[check][0]
