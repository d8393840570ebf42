"""The single-credential verification pipeline shared by the CLI, the API and the harness.

Steps, each with stable check ids: unwrap the securing mechanism (vc+jwt or vc+sd-jwt envelope,
compact JWS → ``jose.*``; Data Integrity → ``proof.*``) → data model (``datamodel.*``) →
validity window at the verification time (``validity.*``) → issuer binding
(``proof.issuer-binding``) → status (``status.*``, when a status-list fetcher is configured).

VC 1.1 documents secured with Data Integrity are checked against the VC 1.1 rules, their
validity window is ``issuanceDate``/``expirationDate``, and the report always carries the
warning ``datamodel.legacy-vc1``. A VC 1.1 document inside a JOSE envelope fails
``datamodel.context``: VC-JOSE-COSE secures VC 2.0 only.

The pipeline never raises for a bad credential: it reports. It raises :class:`InputError` only
when the input is not a credential at all (not a JSON object or JWS string).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from vcservice import checks
from vcservice.dids import DIDResolver, VerificationMethod
from vcservice.errors import CanonicalizationError, InputError, WorkLimitError
from vcservice.ingress import ENVELOPED_VC, ENVELOPED_VP, enveloped_type, is_data_url
from vcservice.jsonld import StaticDocumentLoader, bundled_loader, shared_walks
from vcservice.model import (
    is_vc1,
    jose_refusal,
    legacy_warning,
    parse_datetime,
    parse_datetime_stamp,
    validate_credential,
    validate_presentation,
    validate_vc1_credential,
    validate_vc1_presentation,
)
from vcservice.model._checks import TITLES
from vcservice.report import VerificationReport
from vcservice.securing.dataintegrity import verify_proofs
from vcservice.securing.jose import document_of, outer_problems, parse_envelope, verify_jwt
from vcservice.securing.sdjwt import SD_JWT_TYP, verify_vc_sd_jwt
from vcservice.status import StatusListFetcher, check_status

#: Mechanisms whose document is a JWT payload: VC 2.0 only, data model always checked here.
_JOSE = ("vc+jwt", SD_JWT_TYP)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def same_json(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are the same JSON value: Python's ``==`` with the types held
    apart (``1 == 1.0 == True`` in Python, three different JSON values)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


@dataclass(frozen=True)
class Unwrapped:
    """A credential or presentation with its securing mechanism checked."""

    document: dict[str, Any] | None
    mechanism: str
    methods: list[VerificationMethod] = field(default_factory=list)


@dataclass
class Verifier:
    """Verifies credentials and presentations with injected loader, resolver and clock.

    ``status`` fetches Bitstring Status List credentials; without it, status entries are reported
    as a warning (``status.unchecked``), never silently passed.
    """

    resolver: DIDResolver
    loader: StaticDocumentLoader = field(default_factory=bundled_loader)
    clock: Callable[[], datetime] = _utcnow
    status: StatusListFetcher | None = None

    # --- securing mechanisms ----------------------------------------------------------------
    def _unwrap(
        self,
        value: Any,
        report: VerificationReport,
        *,
        presentation: bool,
        at: datetime,
        challenge: str | None = None,
        domain: str | None = None,
    ) -> Unwrapped:
        purpose = "authentication" if presentation else "assertionMethod"
        typ = "vp+jwt" if presentation else "vc+jwt"
        jws: str | None = None
        declared = enveloped_type(value)
        if isinstance(value, str):
            jws = value.strip()
            if is_data_url(jws):  # any case: the scheme is case-insensitive (RFC 3986 §3.1)
                envelope_type = ENVELOPED_VP if presentation else ENVELOPED_VC
                jws = parse_envelope({"type": envelope_type, "id": jws})[1]
        elif declared is not None:
            jws = self._envelope(value, declared, report)
            if jws is None:
                return Unwrapped(None, typ)
        elif not isinstance(value, dict):
            raise InputError("expected a JSON object (credential or presentation) or a JWS string")

        if jws is not None and "~" in jws:  # only an SD-JWT's outline admits a tilde
            return self._sd_jwt(jws, report, presentation=presentation, at=at)
        if jws is not None:
            result = verify_jwt(
                jws,
                resolver=self.resolver,
                expected_typ=typ,
                purpose=purpose,
                challenge=challenge,
                domain=domain,
                now=at,
            )
            report.extend(result.report)
            methods = [result.verification_method] if result.verification_method else []
            signature_ok = not result.report.errors
            document = document_of(result.payload) if result.payload is not None else None
            return Unwrapped(document, typ, methods if signature_ok else [])

        assert isinstance(value, dict)
        if "proof" not in value:
            report.failed(
                checks.PROOF_PRESENT,
                "No proof",
                "the document carries neither a Data Integrity proof nor a JOSE envelope",
            )
            return Unwrapped(value, "none")
        try:
            di = verify_proofs(
                value,
                resolver=self.resolver,
                loader=self.loader,
                purpose=purpose,
                challenge=challenge,
                domain=domain,
            )
        except WorkLimitError:
            raise  # too costly to process: a refusal of the input, not a failed proof
        except (InputError, CanonicalizationError) as exc:
            report.failed(checks.PROOF_CANONICALIZATION, exc.title, exc.detail)
            return Unwrapped(value, "data-integrity")
        report.extend(di.report)
        return Unwrapped(value, "data-integrity", di.verification_methods)

    def _sd_jwt(
        self, token: str, report: VerificationReport, *, presentation: bool, at: datetime
    ) -> Unwrapped:
        """A ``vc+sd-jwt`` credential: its disclosed claims are the document verified."""
        if presentation:
            report.failed(
                checks.JOSE_PARSE,
                "Not a usable compact JWS",
                "an SD-JWT secures a credential here; vp+sd-jwt presentations are not verified",
            )
            return Unwrapped(None, "vp+jwt")
        result = verify_vc_sd_jwt(token, resolver=self.resolver, now=at)
        report.extend(result.report)
        method = result.verification_method
        methods = [method] if method is not None and not result.report.errors else []
        return Unwrapped(result.document, SD_JWT_TYP, methods)

    @staticmethod
    def _envelope(value: dict[str, Any], declared: str, report: VerificationReport) -> str | None:
        """The compact JWS of an envelope object, after judging the object itself (VC-DM 2.0
        §4.13): each rule it breaks fails its ``datamodel.*`` check, as for any credential.
        None when its id yields no JWS to verify."""
        problems = outer_problems(value, declared)
        for check_id, detail in problems:
            report.failed(check_id, TITLES.get(check_id, "Invalid envelope"), detail)
        if any(check_id == checks.DATAMODEL_ID for check_id, _ in problems):
            return None
        try:
            return parse_envelope(value)[1]
        except InputError as exc:  # a media type this service cannot verify, say
            report.failed(checks.JOSE_PARSE, "Not a usable compact JWS", exc.detail)
            return None

    # --- checks on the unwrapped document ---------------------------------------------------
    def _validity(self, document: dict[str, Any], at: datetime, report: VerificationReport) -> None:
        """The validity window at ``at``: ``validFrom``/``validUntil`` (VC 2.0), and for VC 1.1
        ``issuanceDate``/``expirationDate`` too (the 1.1 context also defines the 2.0 pair, so a
        1.1 document carrying them gets the narrower window). Values the data model rejected
        are left to its report."""
        starts = [("validFrom", parse_datetime_stamp)]
        ends = [("validUntil", parse_datetime_stamp)]
        if is_vc1(document):
            starts.insert(0, ("issuanceDate", parse_datetime))
            ends.insert(0, ("expirationDate", parse_datetime))
        late = [p for p, parse in starts if (t := parse(document.get(p))) is not None and at < t]
        if late:
            report.failed(
                checks.VALIDITY_NOT_YET_VALID,
                "Not yet valid",
                f"{late[0]} {document[late[0]]} is after the verification time {at.isoformat()}",
            )
        else:
            report.passed(checks.VALIDITY_NOT_YET_VALID)
        past = [p for p, parse in ends if (t := parse(document.get(p))) is not None and at > t]
        if past:
            report.failed(
                checks.VALIDITY_EXPIRED,
                "Expired",
                f"{past[0]} {document[past[0]]} is before the verification time {at.isoformat()}",
            )
        else:
            report.passed(checks.VALIDITY_EXPIRED)

    def _data_model(
        self,
        document: dict[str, Any],
        mechanism: str,
        report: VerificationReport,
        *,
        full: bool,
        valid: dict[str, Any] | None = None,
    ) -> None:
        """The data-model step for a credential (``full=False``: only what a presentation's
        own check could not see, i.e. the VC 1.1 warning and an enveloped credential).
        ``valid``: a document the caller validated; when the unwrapped one is the same JSON,
        the step is skipped (see :meth:`verify_credential`)."""
        if valid is not None and same_json(document, valid):
            return
        if not is_vc1(document):
            if full or mechanism in _JOSE:
                report.extend(validate_credential(document, loader=self.loader))
            return
        report.warn(*legacy_warning("credential"))
        if mechanism in _JOSE:
            report.failed(
                checks.DATAMODEL_CONTEXT, "Invalid @context", jose_refusal("credential", mechanism)
            )
        elif full:
            report.extend(validate_vc1_credential(document, loader=self.loader))

    @staticmethod
    def _binding(
        expected: str | None,
        methods: list[VerificationMethod],
        role: str,
        check_id: str,
        report: VerificationReport,
    ) -> None:
        """``expected`` must control the key of at least one proof whose signature verified.

        Each of ``methods`` comes from a verified signature, and any proof of the set that did
        not verify has already failed the report. Further signers in a proof set or chain (a
        countersignature, a notary) therefore take nothing away: what binds the document to
        its issuer (or holder) is that the one it names is among the signers.
        """
        if not methods or expected is None:
            return
        controllers = {m.controller for m in methods}
        if not expected.startswith("did:"):
            report.warn(
                check_id,
                f"{role.capitalize()} is not a DID",
                f"{role} {expected} is a URL, not a DID, so it cannot be bound to the signing "
                f"key's controller ({', '.join(sorted(controllers))})",
            )
        elif expected in controllers:
            report.passed(check_id)
        else:
            report.failed(
                check_id,
                f"{role.capitalize()} did not sign",
                f"{role} {expected} is not the controller of the signing key "
                f"({', '.join(sorted(controllers))})",
            )

    # --- public API -------------------------------------------------------------------------
    def verify_credential(
        self,
        credential: Any,
        *,
        at: datetime | None = None,
        data_model: bool = True,
        valid: dict[str, Any] | None = None,
    ) -> VerificationReport:
        """Verify one credential. ``data_model=False`` skips the VC 2.0 data-model check for a
        caller that already ran it (a presentation validates its embedded credentials).

        ``valid``: a document that already passed this data-model check (an issuer checks
        what it signed). When the document unwrapped from the securing mechanism is the same
        JSON (:func:`same_json`), the check is skipped: it is a function of the document and
        the loader alone, so its verdict could not differ. The securing checks (signature,
        envelope, issuer binding) always run; a Data Integrity document, which carries its
        proof, is never the same JSON as the one validated before signing."""
        report = VerificationReport()
        at = at or self.clock()
        # The proof's RDFC canonicalization and the data-model check walk the same document:
        # inside this block the second reuses the first's walk (jsonld.fast_dataset). Scoped
        # by a context variable rather than passed, on purpose: a Walks argument would have to
        # run through verify_proofs, every cryptosuite's canonicalize methods (the Cryptosuite
        # protocol, the legacy suites, add_proof) and the four data-model validators, for a
        # saving that changes no result (tests/jsonld/test_fast_identity.py); the block is the
        # one place that decides it, and nothing outside it shares a walk.
        with shared_walks():
            unwrapped = self._unwrap(credential, report, presentation=False, at=at)
            document = unwrapped.document
            if document is None:
                return report
            report.document = document
            self._data_model(document, unwrapped.mechanism, report, full=data_model, valid=valid)
        self._validity(document, at, report)
        self._binding(
            issuer_id(document), unwrapped.methods, "issuer", checks.PROOF_ISSUER_BINDING, report
        )
        self._status(document, report, at)
        return report

    def _status(self, document: dict[str, Any], report: VerificationReport, at: datetime) -> None:
        if "credentialStatus" not in document:
            return
        if self.status is None:
            report.warn(
                checks.STATUS_UNCHECKED,
                "Status not checked",
                "the credential has a credentialStatus but this verifier has no status-list "
                "fetcher configured",
            )
            return
        # The list credential is verified by the same pipeline, minus status (no recursion).
        list_verifier = replace(self, status=None)

        def verify_list(credential: Any) -> tuple[VerificationReport, dict[str, Any] | None]:
            try:
                list_report = list_verifier.verify_credential(credential, at=at)
            except InputError as exc:
                list_report = VerificationReport()
                list_report.failed(checks.DATAMODEL_DOCUMENT, exc.title, exc.detail)
            return list_report, list_report.document

        report.extend(check_status(document, fetcher=self.status, verify_list=verify_list))

    def verify_presentation(
        self,
        presentation: Any,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        at: datetime | None = None,
    ) -> VerificationReport:
        report = VerificationReport()
        at = at or self.clock()
        unwrapped = self._unwrap(
            presentation, report, presentation=True, at=at, challenge=challenge, domain=domain
        )
        document = unwrapped.document
        if document is None:
            return report
        report.document = document
        if not is_vc1(document):
            report.extend(validate_presentation(document, loader=self.loader))
        elif unwrapped.mechanism == "vp+jwt":
            report.warn(*legacy_warning("presentation"))
            report.failed(
                checks.DATAMODEL_CONTEXT, "Invalid @context", jose_refusal("presentation", "vp+jwt")
            )
        else:
            report.warn(*legacy_warning("presentation"))
            report.extend(validate_vc1_presentation(document, loader=self.loader))
        holder = document.get("holder")
        holder_id = holder.get("id") if isinstance(holder, dict) else holder
        self._binding(
            holder_id if isinstance(holder_id, str) else None,
            unwrapped.methods,
            "holder",
            checks.PRESENTATION_HOLDER_BINDING,
            report,
        )
        credentials = document.get("verifiableCredential", [])
        if isinstance(credentials, dict | str):
            credentials = [credentials]
        if isinstance(credentials, list):
            for index, credential in enumerate(credentials):
                if not isinstance(credential, dict | str):
                    continue  # the data-model check already failed it
                try:
                    # validate_presentation already checked embedded JSON credentials; an
                    # enveloped one is only visible after unwrapping, so it is checked there.
                    nested = self.verify_credential(credential, at=at, data_model=False)
                except InputError as exc:
                    nested = VerificationReport()
                    nested.failed(checks.DATAMODEL_VERIFIABLE_CREDENTIAL, exc.title, exc.detail)
                report.extend(nested, path=f"verifiableCredential[{index}]")
        return report
