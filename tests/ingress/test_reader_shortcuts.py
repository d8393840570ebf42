"""The reader's shortcuts (issue 20): the value walk and the bracket scan are skipped only when
they could not refuse. Each case sits at the edge of a shortcut and must still be refused (or
accepted) exactly as the full checks would."""

from __future__ import annotations

import pytest

from vcservice import errors
from vcservice.ingress import Limits, read_json


@pytest.mark.parametrize(
    ("data", "limits", "error"),
    [
        # Text handed over as str can hold a raw lone surrogate; UTF-8 bytes cannot.
        ('{"a": "\ud800"}', Limits(), errors.JsonNotUnicodeError),
        ('{"\udfff": 1}', Limits(), errors.JsonNotUnicodeError),
        # Escapes in either case, low or high half.
        (b'{"a": "\\uDBFF"}', Limits(), errors.JsonNotUnicodeError),
        (b'{"a": ["x", "\\udc00"]}', Limits(), errors.JsonNotUnicodeError),
        # n items need n - 1 commas: at the limit's edge, the walk runs and counts.
        (b'{"a": 1, "b": 2, "c": 3, "d": 4}', Limits(max_items=3), errors.JsonTooManyItemsError),
        (b"[1, 2, 3, 4]", Limits(max_items=3), errors.JsonTooManyItemsError),
        # More opening brackets than the depth limit: the scan runs and measures.
        (b"[[[1]]]", Limits(max_depth=2), errors.JsonTooDeepError),
        # A flagged value deep inside an otherwise plain document.
        (b'{"a": [{"b": 1e400}]}', Limits(), errors.JsonNumberRangeError),
    ],
)
def test_refused_as_without_the_shortcuts(
    data: bytes | str, limits: Limits, error: type[errors.InputError]
) -> None:
    with pytest.raises(error):
        read_json(data, limits)


@pytest.mark.parametrize(
    ("data", "limits", "expected"),
    [
        # A paired surrogate escape is one character: the walk runs and finds nothing.
        (b'{"a": "\\ud83d\\ude00"}', Limits(), {"a": "\U0001f600"}),
        # An escaped backslash before "ud800" is no escape: a false alarm, then accepted.
        (b'{"a": "\\\\ud800"}', Limits(), {"a": "\\ud800"}),
        # Brackets and commas inside strings are counted by the shortcuts, never refused.
        (b'["[[[[", "{,,,}"]', Limits(max_depth=2, max_items=3), ["[[[[", "{,,,}"]),
        (b"[1, 2, 3]", Limits(max_items=3), [1, 2, 3]),
    ],
)
def test_accepted_as_without_the_shortcuts(data: bytes, limits: Limits, expected: object) -> None:
    assert read_json(data, limits) == expected
