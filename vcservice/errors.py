"""The one exceptions module of vcservice.

Hierarchy::

    VCServiceError                 base; carries an RFC 9457 problem type slug
    ├── InputError                 the input is unusable (not JSON, wrong shape, too large)
    │   └── ContextNotAllowedError a JSON-LD context URL that is not bundled
    ├── CanonicalizationError      JSON-LD / RDFC failure or a work limit was hit
    ├── KeyFormatError             a key or multibase/JWK encoding is malformed
    ├── ResolutionError            a DID or remote resource could not be fetched ("could not check")
    ├── VerificationMethodError    the method is missing or not authorized ("invalid")
    └── SigningError               the issuer cannot sign as asked (wrong key, bad options)

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


class CanonicalizationError(VCServiceError):
    slug = "canonicalization"
    title = "Canonicalization failed"


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
