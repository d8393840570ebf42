"""The one exceptions module of vcservice (and of the conformance harness).

Every exception the package raises on purpose is defined here, wherever it is raised; the
modules that raise one re-export it under the name their callers import (``vcservice.store``,
``vcservice.ledger``, ``vcservice.issuing``, ...). ``tests/test_errors.py`` holds the package to
that, and the API maps every class to a status in one table (``vcservice.http.problems``).

Hierarchy (problem type slug, then where it is raised)::

    VCServiceError                   base; carries an RFC 9457 problem type slug
    ├── InputError                   the input is unusable (not JSON, wrong shape, too large)
    │   ├── ContextNotAllowedError   a JSON-LD context URL that is not bundled (jsonld)
    │   ├── JsonSyntaxError, JsonNotUnicodeError, JsonDuplicateMemberError,
    │   │   JsonNotFiniteError, JsonNumberRangeError, JsonTooDeepError, JsonTooLargeError,
    │   │   JsonTooManyItemsError, DataUrlMalformedError, UnreadableInputError
    │   │                            refusals of vcservice.ingress, one per reason
    │   ├── CredentialRejectedError  issuing: the credential fails the data model (422)
    │   ├── DigestError              links: no hash link can be made or checked with it
    │   ├── DecryptionKeyError       confidential: a decryption key that is not 32/64 hex digits
    │   ├── UrlRefusedError          fetch: a URL the bounded fetcher never requests (scheme,
    │   │                            host, user info, length); also a ValueError
    │   ├── ListTooLargeError        status: a bitstring larger than the caller's cap
    │   ├── UnbalanceableError       ledger: a credential the ledger cannot post (422)
    │   │   ├── NotAMassError        a credited or debited quantity whose unit is not a mass
    │   │   ├── UnreadableSourceError  a debit's source link with no usable sha2-256 digest
    │   │   └── LedgerLimitError     an amount, id or name beyond what an account can hold
    │   ├── CheckpointError          ledger: a checkpoint JWS malformed or wrongly signed
    │   ├── ConsistencyError         ledger: two trees no consistency proof exists for, or a
    │   │                            proof that does not show one a prefix of the other
    │   ├── StatementError           registry: a registration (COSE signed statement) that is
    │   │                            malformed, wrongly signed or not signed by the holder
    │   ├── ReceiptError             registry: a receipt or witness cosignature that is
    │   │                            malformed or does not verify
    │   ├── ConfigError              conformance: an unusable harness configuration (ValueError)
    │   ├── UnknownSuiteError        conformance: no suite of that name (LookupError)
    │   ├── TamperError              conformance: a credential the tamperer cannot alter
    │   │                            (ValueError)
    │   └── ConformanceCredentialError  conformance: the signed results cannot be made (an
    │                                unusable report, a credential the UNTP schema refuses)
    ├── CanonicalizationError        JSON-LD / RDFC failure
    │   └── WorkLimitError           a work bound or the per-request deadline was exceeded
    ├── KeyFormatError               a key or multibase/JWK encoding is malformed
    ├── ResolutionError              a DID or remote resource could not be fetched ("could not
    │   │                            check")
    │   ├── AddressRefusedError      fetch: the SSRF rule refused the address (also an
    │   │                            httpx.ConnectError, raised inside the connection pool)
    │   ├── FetchBudgetError         graph: the walk's budget of network fetches is spent
    │   ├── DecryptionError          confidential: an encrypted target that cannot be opened
    │   │                            (no key, a wrong key, altered ciphertext): not checked
    │   └── ImplementationError      conformance: a platform gave no answer the VC API defines
    ├── VerificationMethodError      the method is missing or not authorized ("invalid")
    │   └── DidLogError              did:webvh: the DID's log fails verification; one subclass
    │       │                        (and problem type) per rule broken
    │       ├── DidLogHashChainError     an entry's versionId is not the hash of its content
    │       ├── DidLogScidError          the SCID does not derive from the first entry
    │       ├── DidLogUnauthorizedKeyError  an entry's proof is not by an authorised update key
    │       ├── DidLogPreRotationError   an entry's update keys were not pre-committed
    │       └── DidLogWitnessError       the witnesses required have not approved the entry
    ├── SigningError                 the issuer cannot sign as asked (wrong key, bad options)
    ├── SchemaUnusableError          untp: a bundled JSON Schema cannot be used (our fault, 500)
    ├── BusyError                    the verification lanes are full: nothing judged, retry (503)
    ├── NotFoundError                store: no such row *for this tenant*; never says whether
    │                                another tenant has it
    ├── ConflictError                store: the write contradicts stored state (name taken,
    │   │                            duplicate id, retiring the last active key)
    │   ├── InsufficientCreditError  a debit would take a ledger account below zero
    │   ├── NotHolderError           a debit by someone other than the account's holder
    │   ├── NoMatchingAccountError   a debit's source has accounts, none of its product/kind
    │   ├── AlreadyPostedError       another serialization of a credential already posted
    │   ├── NotHomeError             registry: the debit draws on no credit homed here
    │   ├── HomeRefusedError         registry: a credit's home refused the registration (its
    │   │                            problem detail is carried)
    │   ├── StaleWitnessError        registry: a witness saw another size of that log last
    │   └── EquivocationError        registry: two checkpoints of one log that no single
    │                                append-only log can produce
    ├── HomeUnavailableError         registry: a credit's home could not be reached (503)
    ├── KeyVaultError                store: a stored private key cannot be decrypted (500)
    │   └── KeyTokenError            PKCS#11: the module or token is missing, the PIN is wrong,
    │                                or a key is gone from the token (500)
    └── StoreUnavailableError        store: the database is down or busy: try again (503)

Third-party exceptions (pyld, jwcrypto, cryptography, httpx) are translated into these at the
module that calls the library, so callers never need to know which library is underneath.
The split between ResolutionError and VerificationMethodError matters: an outage must never be
reported as a forgery, nor a forgery as an outage. A class that keeps a builtin base
(``ValueError``, ``LookupError``) or ``httpx.ConnectError`` does so because code outside this
package catches it by that base; the extra base changes nothing else.

Outside this tree, on purpose: programming errors (``ValueError``/``TypeError`` for a bad
argument, ``RuntimeError`` for a broken invariant), pydantic validators' ``ValueError``,
``typer.Exit`` and the private signals that never leave their module; the list, with reasons,
is ``tests/test_errors.py``'s allow-list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from vcservice.report import VerificationReport

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


class DidLogError(VerificationMethodError):
    """A did:webvh log that does not verify: the DID's history is broken, so no key it lists
    can be trusted ("invalid", not "could not check": the host answered, and the answer is bad).
    The subclasses name the rule broken, each with its own problem type; this class itself is
    any other defect (malformed entry, bad parameter, wrong dates)."""

    slug = "did-log"
    title = "did:webvh log does not verify"


class DidLogHashChainError(DidLogError):
    slug = "did-log-hash-chain"
    title = "did:webvh log: hash chain broken"


class DidLogScidError(DidLogError):
    slug = "did-log-scid"
    title = "did:webvh log: SCID does not verify"


class DidLogUnauthorizedKeyError(DidLogError):
    slug = "did-log-unauthorized-key"
    title = "did:webvh log: entry not signed by an authorised update key"


class DidLogPreRotationError(DidLogError):
    slug = "did-log-pre-rotation"
    title = "did:webvh log: update key was not pre-rotated"


class DidLogWitnessError(DidLogError):
    slug = "did-log-witness"
    title = "did:webvh log: witness approval missing"


class SigningError(VCServiceError):
    slug = "signing"
    title = "Cannot sign"


class BusyError(VCServiceError):
    """The service is verifying as much as it can take: nothing was judged, retry shortly (503
    with ``Retry-After``). Raised by the verification scheduler when a lane's queue is full."""

    slug = "busy"
    title = "Busy"
    retry_after = 1


# --- raised by one part of the package, defined here so the tree is whole ----------------------


class CredentialRejectedError(InputError):
    """The credential fails the data model (VC 2.0, or VC 1.1 for a 1.1 credential secured
    with Data Integrity); ``report`` says where. Raised by issuing, which validates first so a
    credential that would be rejected is never signed."""

    slug = "credential-rejected"
    title = "Credential does not conform to the VC 2.0 data model"

    def __init__(self, report: VerificationReport, *, legacy: bool = False) -> None:
        details = "; ".join(
            f"{c.id}: {c.problem.detail}" for c in report.errors if c.problem is not None
        )
        super().__init__(details or "the credential does not conform")
        self.report = report
        if legacy:
            self.title = "Credential does not conform to the VC 1.1 data model"


class DigestError(InputError):
    """A digest value or a document that no hash link can be made or checked with."""

    slug = "digest"
    title = "Unusable digest"


class UrlRefusedError(InputError, ValueError):
    """A URL the bounded fetcher never requests (not https, user info, a fragment, an IP
    literal, too long...): decided from the text alone, before any lookup. Also a ValueError,
    which is how ``_fetch.check_url``'s callers inside and outside the package catch it."""

    slug = "url-refused"
    title = "URL not fetched"


class ListTooLargeError(InputError):
    """The bitstring expands past the caller's cap: not necessarily malformed, just more than
    this verifier is willing to hold (the status checker reports it as "could not check")."""

    slug = "status-list-too-large"
    title = "Status list too large"


class SchemaUnusableError(VCServiceError):
    """The schema itself cannot be used (invalid, or a ``$ref`` that does not resolve
    locally): the document could not be checked, which is not the same as invalid. The
    schemas are bundled, so this is the service's fault, never the document's."""

    slug = "schema-unusable"
    title = "Schema cannot be used"


class AddressRefusedError(ResolutionError, httpx.ConnectError):
    """The host resolved to an address the SSRF rule refuses; nothing was connected.

    Raised inside the connection pool, where httpx expects its own transport errors (hence the
    second base); the bounded getter turns it into a plain ``ResolutionError`` naming the URL.
    """

    slug = "address-refused"
    title = "Address not public"


class DecryptionError(ResolutionError):
    """A linked credential is published encrypted and could not be decrypted: no key for it,
    a wrong key, or ciphertext altered in transit (AES-GCM cannot tell these apart). The
    credential inside was never seen, so this is "could not check", never a forgery."""

    slug = "encrypted"
    title = "Encrypted credential not decrypted"


class DecryptionKeyError(InputError):
    """A decryption key given to the service that is not 32 or 64 hexadecimal digits."""

    slug = "decryption-key"
    title = "Unusable decryption key"


class FetchBudgetError(ResolutionError):
    """The graph walk has asked the network for as many credentials as ``max_nodes`` allows
    (failed attempts count too): the walk stops there instead of judging a partial graph."""

    slug = "graph.fetch-budget"
    title = "Fetch budget spent"


# --- the ledger's pure core (the refusals that depend on stored accounts are the store's) ------


class UnbalanceableError(InputError):
    slug = "ledger.unbalanceable"
    title = "The ledger cannot post this credential"


class NotAMassError(UnbalanceableError):
    slug = "ledger.not-a-mass"
    title = "Certified quantity is not a mass"


class UnreadableSourceError(UnbalanceableError):
    slug = "ledger.unreadable-source"
    title = "Source link without a usable sha2-256 digest"


class LedgerLimitError(UnbalanceableError):
    slug = "ledger.limit"
    title = "Beyond what a ledger account can hold"


class CheckpointError(InputError):
    slug = "ledger.checkpoint"
    title = "Unusable ledger checkpoint"


class ConsistencyError(InputError):
    """RFC 9162 consistency between two trees of the ledger is not shown: sizes for which no
    proof exists (0, or an old tree larger than the new one, or beyond the ledger), or a
    proof that does not lead from the old root to the new one."""

    slug = "ledger.consistency"
    title = "Trees not proven consistent"


class StatementError(InputError):
    """A registration a home cannot accept as a statement: not a COSE_Sign1 of the expected
    shape, a signature that does not verify, a key that is not the drawer's."""

    slug = "registry.statement"
    title = "Unusable registration statement"


class ReceiptError(InputError):
    """A receipt (or witness cosignature) that is malformed or does not verify."""

    slug = "registry.receipt"
    title = "Unusable receipt"


# --- the store ----------------------------------------------------------------------------------


class NotFoundError(VCServiceError):
    slug = "not-found"
    title = "Not found"


class ConflictError(VCServiceError):
    slug = "conflict"
    title = "Conflict with stored state"


class InsufficientCreditError(ConflictError):
    """The detail names the account (source link and digest, product, kind), its balance and
    the amount asked for: the issuer can see which upstream credit is exhausted."""

    slug = "ledger.insufficient-credit"
    title = "Insufficient certified credit"


class NotHolderError(ConflictError):
    """Names the account, never its balance: the requester does not hold it."""

    slug = "ledger.not-holder"
    title = "Not the holder of the credit"


class NoMatchingAccountError(ConflictError):
    slug = "ledger.no-matching-account"
    title = "No account of this product and kind"


class AlreadyPostedError(ConflictError):
    """The detail names the digest the credential's credits are accounted under."""

    slug = "ledger.already-posted"
    title = "Credential already posted under another digest"


class NotHomeError(ConflictError):
    """A registration whose debits draw on no account of this registry: the credit is homed
    elsewhere, or not known here at all."""

    slug = "registry.not-home"
    title = "Credit not homed here"


class HomeRefusedError(ConflictError):
    """A credit's home refused to register a debit; ``home_problem`` is its problem body."""

    slug = "registry.refused"
    title = "The credit's home registry refused the debit"

    def __init__(self, detail: str, home_problem: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.home_problem = home_problem or {}


class StaleWitnessError(ConflictError):
    """A witness asked to cosign from a size other than the last it cosigned (C2SP
    tlog-witness's 409); ``known_size`` is that size, so the log can send the right proof."""

    slug = "registry.witness-stale"
    title = "The witness last saw another size of this log"

    def __init__(self, detail: str, known_size: int = 0) -> None:
        super().__init__(detail)
        self.known_size = known_size


class EquivocationError(ConflictError):
    """Two checkpoints signed by one log that no single append-only log can have produced
    (one size, two roots; or a later one no consistency proof reaches)."""

    slug = "registry.equivocation"
    title = "The log equivocated"


class HomeUnavailableError(VCServiceError):
    """A credit's home registry could not be reached or answered nothing usable: an outage,
    so nothing is written and the caller may retry (503)."""

    slug = "registry.unavailable"
    title = "The credit's home registry is unavailable"


class KeyVaultError(VCServiceError):
    """Decryption failed; the message names the likely cause and never includes key material."""

    slug = "key-vault"
    title = "Stored key cannot be decrypted"


class KeyTokenError(KeyVaultError):
    """A PKCS#11 token cannot sign: the module or token is missing, the PIN is wrong, the
    token lacks the key type, or a key is gone from it. Names the token and module, never the
    PIN. A fault of the service's set-up, not of the request (500)."""

    slug = "key-token"
    title = "Key token unusable"


class StoreUnavailableError(VCServiceError):
    """An outage, not a fault of the request: an API maps it to 503, never to 4xx."""

    slug = "store-unavailable"
    title = "Database unavailable"


# --- the conformance harness (never answered by the API; the harness reports them) -------------


class ConfigError(InputError, ValueError):
    """The harness configuration cannot be used; the message says where and why."""

    slug = "conformance.config"
    title = "Unusable conformance configuration"


class UnknownSuiteError(InputError, LookupError):
    """No conformance suite of that name."""

    slug = "conformance.unknown-suite"
    title = "No such conformance suite"


class TamperError(InputError, ValueError):
    """The credential is not in a shape the harness's tamperer knows how to alter."""

    slug = "conformance.tamper"
    title = "Cannot alter the credential"


class ConformanceCredentialError(InputError):
    """The conformance credential cannot be made (an unusable report, or a credential the
    UNTP schema or the issuing checks refuse); the detail says why."""

    slug = "conformance.credential"
    title = "Cannot make the conformance credential"


class ImplementationError(ResolutionError):
    """The implementation under test did not give an answer the VC API defines: the harness
    reports the check as "error" (could not check), never as a verdict on it."""

    slug = "conformance.implementation"
    title = "No usable answer from the implementation"
