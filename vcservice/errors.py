"""The one exceptions module of vcservice.

Hierarchy::

    VCServiceError                 base; carries an RFC 9457 problem type slug
    ├── InputError                 the input is unusable (not JSON, wrong shape, too large)
    │   ├── ContextNotAllowedError a JSON-LD context URL that is not bundled
    │   └── Json*Error, DataUrlMalformedError, UnreadableInputError
    │                              refusals of vcservice.ingress, one per reason
    ├── CanonicalizationError      JSON-LD / RDFC failure
    │   └── WorkLimitError         a work bound or the per-request deadline was exceeded
    ├── KeyFormatError             a key or multibase/JWK encoding is malformed
    ├── ResolutionError            a DID or remote resource could not be fetched ("could not check")
    ├── VerificationMethodError    the method is missing or not authorized ("invalid")
    ├── SigningError               the issuer cannot sign as asked (wrong key, bad options)
    └── BusyError                  the verification lanes are full: nothing judged, retry (503)

Third-party exceptions (pyld, jwcrypto, cryptography, httpx) are translated into these at the
module that calls the library, so callers never need to know which library is underneath.
The split between ResolutionError and VerificationMethodError matters: an outage must never be
reported as a forgery, nor a forgery as an outage.
"""

from __future__ import annotations

PROBLEM_BASE = "https://vcservice.dev/problems/"


class VCServiceError(Exception):
    """Base class; ``slug`` names the RFC 9457 problem type."""

    slug = "error"
    title = "vcservice error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def problem_type(self) -> str:
        return PROBLEM_BASE + self.slug


class InputError(VCServiceError):
    slug = "invalid-input"
    title = "Unusable input"


class ContextNotAllowedError(InputError):
    """Raised for any @context URL the document loader does not bundle; never fetched."""

    slug = "context-not-allowed"
    title = "JSON-LD context not allowed"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not bundled with this service and is never fetched "
            "from the network; register it with its SHA-256 hash to allow it"
        )
        self.url = url


# --- refusals of vcservice.ingress, the one reader of untrusted input --------------------------
# One class per reason, each with its own problem type, so a client (or a test) can tell "not
# JSON" from "JSON we will not interpret" without parsing the detail, which names where.


class JsonSyntaxError(InputError):
    """Not JSON text at all (RFC 8259 grammar), or empty."""

    slug = "json-syntax"
    title = "Malformed JSON"


class JsonNotUnicodeError(InputError):
    """Not UTF-8 (or starting with a byte order mark), or a string holding a lone surrogate."""

    slug = "json-not-unicode"
    title = "Not Unicode text"


class JsonDuplicateMemberError(InputError):
    """An object names a member twice: parsers differ on which copy they keep."""

    slug = "json-duplicate-member"
    title = "Duplicate JSON member"


class JsonNotFiniteError(InputError):
    """NaN, Infinity or -Infinity, which Python's json accepts and JSON does not have."""

    slug = "json-not-finite"
    title = "Not a JSON number"


class JsonNumberRangeError(InputError):
    """A number an IEEE 754 double cannot hold (1e999), or an integer it cannot hold exactly."""

    slug = "json-number-range"
    title = "Number out of range"


class JsonTooDeepError(InputError):
    slug = "json-too-deep"
    title = "JSON too deeply nested"


class JsonTooLargeError(InputError):
    """More bytes than the limit (answered 413 by the API)."""

    slug = "json-too-large"
    title = "JSON too large"


class JsonTooManyItemsError(InputError):
    slug = "json-too-many-items"
    title = "Too many items"


class DataUrlMalformedError(InputError):
    """A ``data:`` URL that RFC 2397 does not allow (no comma, bad base64 or %-escape)."""

    slug = "data-url-malformed"
    title = "Malformed data: URL"


class UnreadableInputError(InputError):
    """A file that is missing, a directory, unreadable or larger than the limit."""

    slug = "unreadable-input"
    title = "Cannot read the input"


class CanonicalizationError(VCServiceError):
    slug = "canonicalization"
    title = "Canonicalization failed"


class WorkLimitError(CanonicalizationError):
    """The document would take more work than any honest credential needs (RDFC-1.0 hashes or
    permutations, JSON-LD context applications) or more time than the per-request deadline.

    A refusal of unusable input, not a verdict: nothing is known about the signature, so
    verifiers raise it instead of reporting a failed check.
    """

    slug = "work-limit"
    title = "Too costly to process"


class KeyFormatError(VCServiceError):
    slug = "key-format"
    title = "Malformed key"


class ResolutionError(VCServiceError):
    slug = "resolution"
    title = "Could not resolve"


class VerificationMethodError(VCServiceError):
    slug = "verification-method"
    title = "Verification method not usable"


class SigningError(VCServiceError):
    slug = "signing"
    title = "Cannot sign"


class BusyError(VCServiceError):
    """The service is verifying as much as it can take: nothing was judged, retry shortly (503
    with ``Retry-After``). Raised by the verification scheduler when a lane's queue is full."""

    slug = "busy"
    title = "Busy"
    retry_after = 1
