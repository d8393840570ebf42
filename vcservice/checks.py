"""The catalogue of check ids: every id a report can carry, what it means, and who emits it.

Check ids are a public contract: reports, problem types (``PROBLEM_BASE + id``), the CLI, the
conformance harness and other people's code all key on them. They were once string literals
spread over a dozen modules, and a reader had no list of them; this module is that list. The
code emits ids through the constants below (or, where a module has its own id constants, such as
:mod:`vcservice.model._checks`, through aliases of them), ``docs/checks.md`` is rendered from
:data:`CATALOGUE` (``python -m vcservice.checks docs/checks.md``), and ``tests/test_checks.py``
keeps the three in step: the rendering equals the committed page, and an AST scan of the package
finds every catalogued id emitted and no emitted id outside the catalogue.

A title here is the id's one-line name. Where a check has a single problem title (the data-model
and Data Integrity proof checks) it is this one, so a report's ``title`` never varies per input;
elsewhere the problem title names the particular failure (``Wrong challenge``, ``Issuer did not
sign``) and this title names the check.

This module imports nothing from the package: the core (``model``, ``securing``) may use it
without depending on anything above it.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final


class Surface(enum.StrEnum):
    """Where a check id can appear: the four things a user asks of the service."""

    #: A single credential or presentation verified (API ``/credentials/verify``,
    #: ``/presentations/verify``, the buyer page, CLI ``verify``, the library's ``Verifier``).
    VERIFY = "verify"
    #: A provenance graph verified (API ``/graphs/verify``, CLI ``verify-graph``): every node is
    #: verified as a single credential, then the graph checks run.
    GRAPH = "graph"
    #: Issuing refused a credential (a 422 ``credential-rejected`` with the report): the data
    #: model and status entries before signing, and the signed result verified by its own key.
    ISSUE = "issue"
    #: Validation without proofs (CLI ``validate``, the console's issue form).
    VALIDATE = "validate"


@dataclass(frozen=True)
class CheckInfo:
    """One catalogued check id."""

    id: str
    title: str
    meaning: str
    surfaces: frozenset[Surface]


# --- proof (Data Integrity and the JOSE envelope's signature) -----------------------------------
PROOF_PRESENT: Final = "proof.present"
PROOF_MALFORMED: Final = "proof.malformed"
PROOF_TYPE: Final = "proof.type"
PROOF_LEGACY_SUITE: Final = "proof.legacy-suite"
PROOF_CRYPTOSUITE: Final = "proof.cryptosuite"
PROOF_CREATED: Final = "proof.created"
PROOF_PURPOSE: Final = "proof.purpose"
PROOF_CHALLENGE: Final = "proof.challenge"
PROOF_DOMAIN: Final = "proof.domain"
PROOF_CHAIN: Final = "proof.chain"
PROOF_VERIFICATION_METHOD: Final = "proof.verification-method"
PROOF_SIGNATURE: Final = "proof.signature"
PROOF_KEY_HISTORY: Final = "proof.key-history"
PROOF_CANONICALIZATION: Final = "proof.canonicalization"
PROOF_ISSUER_BINDING: Final = "proof.issuer-binding"
PRESENTATION_HOLDER_BINDING: Final = "presentation.holder-binding"
# --- jose (vc+jwt / vp+jwt) ---------------------------------------------------------------------
JOSE_PARSE: Final = "jose.parse"
JOSE_HEADER: Final = "jose.header"
JOSE_LEGACY_TYP: Final = "jose.legacy-typ"
JOSE_CLAIMS: Final = "jose.claims"
JOSE_DISCLOSURES: Final = "jose.disclosures"
# --- datamodel (VC-DM 2.0, and 1.1 for Data Integrity) ------------------------------------------
DATAMODEL_DOCUMENT: Final = "datamodel.document"
DATAMODEL_CONTEXT: Final = "datamodel.context"
DATAMODEL_TYPE: Final = "datamodel.type"
DATAMODEL_ID: Final = "datamodel.id"
DATAMODEL_ISSUER: Final = "datamodel.issuer"
DATAMODEL_CREDENTIAL_SUBJECT: Final = "datamodel.credential-subject"
DATAMODEL_VALID_FROM: Final = "datamodel.valid-from"
DATAMODEL_VALID_UNTIL: Final = "datamodel.valid-until"
DATAMODEL_TYPED_OBJECT: Final = "datamodel.typed-object"
DATAMODEL_RELATED_RESOURCE: Final = "datamodel.related-resource"
DATAMODEL_LANGUAGE: Final = "datamodel.language"
DATAMODEL_UNDEFINED_TERMS: Final = "datamodel.undefined-terms"
DATAMODEL_JSON_LD: Final = "datamodel.json-ld"
DATAMODEL_HOLDER: Final = "datamodel.holder"
DATAMODEL_VERIFIABLE_CREDENTIAL: Final = "datamodel.verifiable-credential"
DATAMODEL_ISSUANCE_DATE: Final = "datamodel.issuance-date"
DATAMODEL_EXPIRATION_DATE: Final = "datamodel.expiration-date"
DATAMODEL_LEGACY_VC1: Final = "datamodel.legacy-vc1"
# --- validity -----------------------------------------------------------------------------------
VALIDITY_NOT_YET_VALID: Final = "validity.not-yet-valid"
VALIDITY_EXPIRED: Final = "validity.expired"
# --- status (Bitstring Status List) -------------------------------------------------------------
STATUS_REVOCATION: Final = "status.revocation"
STATUS_SUSPENSION: Final = "status.suspension"
STATUS_MESSAGE: Final = "status.message"
STATUS_LIST_ISSUER: Final = "status.list-issuer"
STATUS_MALFORMED: Final = "status.malformed"
STATUS_UNSUPPORTED: Final = "status.unsupported"
STATUS_UNCHECKED: Final = "status.unchecked"
# --- schema (UNTP base schemas, our extension schemas) ------------------------------------------
SCHEMA_UNTP: Final = "schema.untp"
SCHEMA_UNTP_ERRATUM: Final = "schema.untp-erratum"
SCHEMA_EXTENSION: Final = "schema.extension"
# --- draft (validate --draft) -------------------------------------------------------------------
DRAFT_ISSUER: Final = "draft.issuer"
# --- provenance graphs --------------------------------------------------------------------------
GRAPH_NODE_LIMIT: Final = "graph.node-limit"
GRAPH_DEPTH_LIMIT: Final = "graph.depth-limit"
GRAPH_LINK_LIMIT: Final = "graph.link-limit"
GRAPH_TIME_LIMIT: Final = "graph.time-limit"
GRAPH_INCOMPLETE: Final = "graph.incomplete"
GRAPH_CYCLE: Final = "graph.cycle"
LINKS_DIGEST: Final = "links.digest"
LINKS_UNPINNED: Final = "links.unpinned"
LINKS_LEGACY: Final = "links.legacy"
LINKS_UNREACHABLE: Final = "links.unreachable"
LINKS_DERIVED: Final = "links.derived"
LINKS_ENCRYPTED: Final = "links.encrypted"
TRUST_UNANCHORED: Final = "trust.unanchored"
TRUST_SCOPE: Final = "trust.scope"
TRUST_EXPIRED: Final = "trust.expired"
CLAIMS_UNATTESTED: Final = "claims.unattested"
CLAIMS_MISMATCH: Final = "claims.mismatch"
ROLLUP_FOOTPRINT: Final = "rollup.footprint"
ROLLUP_RECYCLED: Final = "rollup.recycled"
MASSBALANCE_CONSERVATION: Final = "massbalance.conservation"
MASSBALANCE_OVERALLOCATED: Final = "massbalance.overallocated"
MASSBALANCE_NOT_HOLDER: Final = "massbalance.not-holder"
MASSBALANCE_UNREGISTERED: Final = "massbalance.unregistered"
MASSBALANCE_UNIT: Final = "massbalance.unit"
MASSBALANCE_ROLLING_AVERAGE: Final = "massbalance.rolling-average"

_V, _G, _I, _D = Surface.VERIFY, Surface.GRAPH, Surface.ISSUE, Surface.VALIDATE
#: Checks of a credential wherever one is judged.
_EVERYWHERE = frozenset({_V, _G, _I, _D})
#: Checks of a secured credential: verified, walked, and the issuer's own signed result.
_SECURED = frozenset({_V, _G, _I})
#: Checks that depend on the verification time or on fetched lists and DIDs; issuing ignores
#: them in its signed result (a credential may be issued to become valid later).
_VERIFIED = frozenset({_V, _G})
#: Checks of a presentation: the graph walks the credentials a presentation carries, not it.
_PRESENTATION = frozenset({_V})
_GRAPH = frozenset({_G})
_SCHEMAS = frozenset({_G, _D})


def _check(check_id: str, title: str, meaning: str, surfaces: frozenset[Surface]) -> CheckInfo:
    return CheckInfo(check_id, title, meaning, surfaces)


#: Every check id, grouped by family, in the order the docs list them.
CATALOGUE: tuple[CheckInfo, ...] = (
    _check(
        PROOF_PRESENT,
        "No proof",
        "The document carries neither a Data Integrity proof nor a JOSE envelope.",
        _SECURED,
    ),
    _check(
        PROOF_MALFORMED,
        "Malformed proof",
        "A proof is not an object, or its members (type, cryptosuite, proofValue, "
        "verificationMethod, ...) are missing or of the wrong kind.",
        _SECURED,
    ),
    _check(
        PROOF_TYPE,
        "Unsupported proof type",
        "The proof's type is neither DataIntegrityProof nor a legacy suite read here.",
        _SECURED,
    ),
    _check(
        PROOF_LEGACY_SUITE,
        "Legacy proof suite",
        "Warning: a pre-Data Integrity 1.0 proof (Ed25519Signature2020, JsonWebSignature2020), "
        "accepted and verified.",
        _VERIFIED,
    ),
    _check(
        PROOF_CRYPTOSUITE,
        "Unknown cryptosuite",
        "The proof names a cryptosuite this service does not implement.",
        _SECURED,
    ),
    _check(
        PROOF_CREATED,
        "Invalid proof creation time",
        "The proof's created is not an xsd:dateTime.",
        _SECURED,
    ),
    _check(
        PROOF_PURPOSE,
        "Unexpected proof purpose",
        "The proof's proofPurpose is not the one expected (assertionMethod for a credential, "
        "authentication for a presentation).",
        _SECURED,
    ),
    _check(
        PROOF_CHALLENGE,
        "Challenge mismatch",
        "A challenge was expected and the proof (or the vp+jwt nonce) does not carry it.",
        _PRESENTATION,
    ),
    _check(
        PROOF_DOMAIN,
        "Domain mismatch",
        "A domain was expected and the proof's domain (or the vp+jwt aud) excludes it.",
        _PRESENTATION,
    ),
    _check(
        PROOF_CHAIN,
        "Broken proof chain",
        "A proof's previousProof names no proof of the set, or the chain loops.",
        _SECURED,
    ),
    _check(
        PROOF_VERIFICATION_METHOD,
        "Verification method not usable",
        "The signing key is not usable for the purpose (failed), or its DID did not resolve "
        "(indeterminate).",
        _SECURED,
    ),
    _check(
        PROOF_SIGNATURE,
        "Invalid signature",
        "The signature does not verify with the verification method's key.",
        _SECURED,
    ),
    _check(
        PROOF_KEY_HISTORY,
        "Signed by a key since rotated out",
        "Warning: the signing key is not in the issuer's current DID document, but the version "
        "of the DID's verified history (did:webvh) in effect when the proof was made authorised "
        "it; the key was rotated out, or the DID deactivated, afterwards.",
        _VERIFIED,
    ),
    _check(
        PROOF_CANONICALIZATION,
        "Document cannot be canonicalized",
        "The secured document could not be canonicalized (RDFC-1.0 or JCS), so no signature "
        "could be checked.",
        _SECURED,
    ),
    _check(
        PROOF_ISSUER_BINDING,
        "Issuer did not sign",
        "A DID issuer controls the key of no verified proof (failed); an issuer that is a URL "
        "cannot be bound to a key (warning).",
        _SECURED,
    ),
    _check(
        PRESENTATION_HOLDER_BINDING,
        "Holder did not sign",
        "A DID holder controls the key of no verified proof of the presentation (failed); a "
        "holder that is a URL cannot be bound (warning).",
        _PRESENTATION,
    ),
    _check(
        JOSE_PARSE,
        "Not a usable compact JWS",
        "The token (or the envelope's data: URL) is not a compact JWS this service can decode, "
        "or is longer than the size limit.",
        _SECURED,
    ),
    _check(
        JOSE_HEADER,
        "Unacceptable JOSE header",
        "The protected header lacks alg, kid or the expected typ, or its alg does not match "
        "the key.",
        _SECURED,
    ),
    _check(
        JOSE_LEGACY_TYP,
        "Legacy typ",
        "Warning: the header's typ is from a draft of VC-JOSE-COSE.",
        _VERIFIED,
    ),
    _check(
        JOSE_CLAIMS,
        "JWT claims do not fit the document",
        "A registered JWT claim (iss, jti, sub, exp, nbf, iat, ...) contradicts the document or "
        "the verification time.",
        _SECURED,
    ),
    _check(
        JOSE_DISCLOSURES,
        "Unusable disclosures",
        "An SD-JWT's disclosures do not fit its digests (RFC 9901 §7.1: unreferenced, repeated, "
        "malformed, or colliding with a visible claim), or it ends in a key-binding JWT.",
        _SECURED,
    ),
    _check(
        DATAMODEL_DOCUMENT,
        "Not a usable JSON-LD document",
        "The input is not a JSON object of the expected kind (credential or presentation).",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_CONTEXT,
        "Invalid @context",
        "@context does not start with the VC base context, names a context that is not "
        "bundled, or is VC 1.1 where only 2.0 is allowed (vc+jwt, vp+jwt).",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_TYPE,
        "Invalid type",
        "type lacks VerifiableCredential (VerifiablePresentation), or a type is not an "
        "absolute IRI once expanded.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_ID,
        "Identifier is not a single URL",
        "An id is not a single absolute URL.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_ISSUER,
        "Invalid issuer",
        "issuer is missing or is neither a URL nor an object with a URL id.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_CREDENTIAL_SUBJECT,
        "Invalid credentialSubject",
        "credentialSubject is missing, empty or not objects.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_VALID_FROM,
        "Invalid validFrom",
        "validFrom is not an XML Schema dateTimeStamp.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_VALID_UNTIL,
        "Invalid validUntil",
        "validUntil is not an XML Schema dateTimeStamp, or is before validFrom.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_TYPED_OBJECT,
        "Object without a valid type or id",
        "credentialStatus, credentialSchema, evidence, refreshService, termsOfUse or proof "
        "objects lack a type (or a valid id).",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_RELATED_RESOURCE,
        "Invalid relatedResource",
        "A relatedResource lacks a URL id or a digest, or two name the same id.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_LANGUAGE,
        "Invalid name or description",
        "name or description is neither a string nor language-tagged values.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_UNDEFINED_TERMS,
        "Terms not defined by any @context",
        "A property or type is defined by no context, so JSON-LD expansion would drop it.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_JSON_LD,
        "JSON-LD processing failed",
        "JSON-LD expansion of the document failed (a malformed context use, a relative IRI).",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_HOLDER,
        "Invalid holder",
        "A presentation's holder is neither a URL nor an object with a URL id.",
        _PRESENTATION,
    ),
    _check(
        DATAMODEL_VERIFIABLE_CREDENTIAL,
        "Invalid verifiableCredential entry",
        "A presentation's verifiableCredential entry is not a credential (or an envelope) of "
        "the presentation's data-model version.",
        _PRESENTATION,
    ),
    _check(
        DATAMODEL_ISSUANCE_DATE,
        "Invalid issuanceDate",
        "VC 1.1: issuanceDate is missing or not an XML Schema dateTime.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_EXPIRATION_DATE,
        "Invalid expirationDate",
        "VC 1.1: expirationDate is not an XML Schema dateTime.",
        _EVERYWHERE,
    ),
    _check(
        DATAMODEL_LEGACY_VC1,
        "VC 1.1 document",
        "Warning: the document follows VC Data Model 1.1 and was checked against the 1.1 rules.",
        frozenset({_V, _G, _D}),
    ),
    _check(
        VALIDITY_NOT_YET_VALID,
        "Not yet valid",
        "validFrom (issuanceDate for VC 1.1) is after the verification time.",
        _VERIFIED,
    ),
    _check(
        VALIDITY_EXPIRED,
        "Expired",
        "validUntil (expirationDate for VC 1.1) is before the verification time.",
        _VERIFIED,
    ),
    _check(
        STATUS_REVOCATION,
        "Revoked",
        "The revocation entry is set (failed), or its status list could not be had or trusted "
        "(indeterminate).",
        _VERIFIED,
    ),
    _check(
        STATUS_SUSPENSION,
        "Suspended",
        "The suspension entry is set (failed), or its status list could not be had or trusted "
        "(indeterminate).",
        _VERIFIED,
    ),
    _check(
        STATUS_MESSAGE,
        "Status message",
        "Warning carrying the value of an entry of any other purpose (message, refresh, ...).",
        _VERIFIED,
    ),
    _check(
        STATUS_LIST_ISSUER,
        "Status list from another issuer",
        "The status list is not issued by the credential's issuer.",
        _VERIFIED,
    ),
    _check(
        STATUS_MALFORMED,
        "Malformed status entry or list",
        "A status entry or its (verified) list breaks a MUST of Bitstring Status List v1.0.",
        _SECURED,
    ),
    _check(
        STATUS_UNSUPPORTED,
        "Unsupported status type",
        "Warning: an entry of another type than BitstringStatusListEntry, not checked.",
        _SECURED,
    ),
    _check(
        STATUS_UNCHECKED,
        "Status not checked",
        "Warning: the credential has a credentialStatus but the verifier was built without a "
        "status-list fetcher (library callers only; every surface of the service has one).",
        frozenset({_V}),
    ),
    _check(
        SCHEMA_UNTP,
        "Not valid under the UNTP schema",
        "The credential violates the UNTP 0.7.0 base schema of its type (failed per violation), "
        "or declares no UNTP type (warning).",
        _SCHEMAS,
    ),
    _check(
        SCHEMA_UNTP_ERRATUM,
        "UNTP schema erratum applied",
        "Warning: a base-10 string statusListIndex accepted where the UNTP schema types it as "
        "an integer.",
        _SCHEMAS,
    ),
    _check(
        SCHEMA_EXTENSION,
        "Not valid under an extension schema",
        "The credential violates one of our profile schemas it claims (failed per violation), "
        "or the schema itself is unusable (indeterminate).",
        _SCHEMAS,
    ),
    _check(
        DRAFT_ISSUER,
        "Draft issuer",
        "validate --draft: the draft names no issuer and a stand-in was used (warning), or it "
        "names another issuer than --issuer (failed).",
        frozenset({_D}),
    ),
    _check(
        GRAPH_NODE_LIMIT,
        "Graph over the node limit",
        "The walk verified or fetched as many credentials as allowed; nothing beyond was fetched.",
        _GRAPH,
    ),
    _check(
        GRAPH_DEPTH_LIMIT,
        "Graph over the depth limit",
        "A link lies deeper than the depth limit and was not followed.",
        _GRAPH,
    ),
    _check(
        GRAPH_LINK_LIMIT,
        "Graph over the link limit",
        "The graph holds more links than allowed; the rest were not followed.",
        _GRAPH,
    ),
    _check(
        GRAPH_TIME_LIMIT,
        "Graph over the time limit",
        "Walking took longer than allowed; the rest was not fetched.",
        _GRAPH,
    ),
    _check(
        GRAPH_INCOMPLETE,
        "Graph checks not run",
        "Warning: a walk limit was hit, so the graph checks (trust, claims, roll-ups, mass "
        "balance) were not run.",
        _GRAPH,
    ),
    _check(
        GRAPH_CYCLE,
        "Link back to the path",
        "A link leads back to a credential on the current path (a URL served different "
        "documents); it is not followed.",
        _GRAPH,
    ),
    _check(
        LINKS_DIGEST,
        "Link digest mismatch",
        "A link's digestMultibase does not match what is served at its linkURL, or is unusable.",
        _GRAPH,
    ),
    _check(
        LINKS_UNPINNED,
        "Link without digest",
        "Warning: a link to a credential carries no digest; it is followed, unpinned.",
        _GRAPH,
    ),
    _check(
        LINKS_LEGACY,
        "Legacy link digest",
        "Warning: a link is pinned by a UNTP 0.6 hashDigest/hashMethod; accepted, but UNTP 0.7 "
        "links carry digestMultibase.",
        _GRAPH,
    ),
    _check(
        LINKS_UNREACHABLE,
        "Link unreachable",
        "A linked credential could not be had: not in the bundle and offline, or the fetch "
        "failed (indeterminate).",
        _GRAPH,
    ),
    _check(
        LINKS_DERIVED,
        "Derived credential at a pinned link",
        "A pinned link leads to a derived credential (selective disclosure: an SD-JWT with "
        "claims withheld, an ecdsa-sd-2023 derived proof), which cannot match the digest of the "
        "base credential (indeterminate; docs/hash-links.md).",
        _GRAPH,
    ),
    _check(
        LINKS_ENCRYPTED,
        "Linked credential encrypted",
        "A linked credential is published encrypted and could not be decrypted: no key was "
        "given for it, or the key does not open it (a wrong key or altered ciphertext) "
        "(indeterminate: the chain beyond it is unseen, not disproved).",
        _GRAPH,
    ),
    _check(
        TRUST_UNANCHORED,
        "Certifier not anchored",
        "No accreditation of the attestation's issuer leads to a trust anchor.",
        _GRAPH,
    ),
    _check(
        TRUST_SCOPE,
        "Certifier not accredited for this",
        "The accreditation does not cover the attestation's scheme, commodities or countries.",
        _GRAPH,
    ),
    _check(
        TRUST_EXPIRED,
        "Accreditation not valid when attesting",
        "The accreditation's validityPeriod does not cover the day of the attestation.",
        _GRAPH,
    ),
    _check(
        CLAIMS_UNATTESTED,
        "Claim not attested",
        "A passport's performance claim or a credit has no verified attestation of its kind "
        "covering the product.",
        _GRAPH,
    ),
    _check(
        CLAIMS_MISMATCH,
        "Claim differs from its attestation",
        "A claimed or credited value differs from the attested one beyond its tolerance.",
        _GRAPH,
    ),
    _check(
        ROLLUP_FOOTPRINT,
        "Footprint does not roll up",
        "An output's carbon footprint is not the mass-weighted footprint of the inputs plus the "
        "process's own.",
        _GRAPH,
    ),
    _check(
        ROLLUP_RECYCLED,
        "Recycled fraction does not roll up",
        "An output's recycledFraction is not the mass-weighted fraction of the inputs'.",
        _GRAPH,
    ),
    _check(
        MASSBALANCE_CONSERVATION,
        "More certified output than input",
        "A MakeEvent credits more to its outputs, per property kind, than its inputs carried "
        "times its conversion factor.",
        _GRAPH,
    ),
    _check(
        MASSBALANCE_ROLLING_AVERAGE,
        "Certified share above the site's rolling average",
        "An output of a site on the rolling-average percentage method (ISO 22095-2:2026) "
        "claims a larger certified share than the site's inputs and stocktakes over the "
        "declared period give, each input converted by its conversion factor. Indeterminate "
        "when the period's declaration (a facility record's massBalanceAccount with "
        "materialUsage.applicablePeriod) or its opening or closing stocktake is not in the "
        "graph.",
        _GRAPH,
    ),
    _check(
        MASSBALANCE_OVERALLOCATED,
        "Certified quantity allocated twice",
        "An account is debited more, over the whole graph, than it holds.",
        _GRAPH,
    ),
    _check(
        MASSBALANCE_NOT_HOLDER,
        "Credit spent by a party that does not hold it",
        "A credential draws on an account its issuer does not hold, by the ledger's rules: a "
        "MakeEvent's output credits are held by its issuer, a crediting MoveEvent's by the "
        "consignee it names (its issuer when it names none), and only the holder may spend "
        "them (a credit moved to a buyer and then spent by the seller). Also failed where one "
        "credential credits one product and kind to two holders.",
        _GRAPH,
    ),
    _check(
        MASSBALANCE_UNREGISTERED,
        "Debit not registered at the credit's home registry",
        "A credential spends a credit whose opening credential names a home registry "
        "(creditRegistry), but carries no receipt (creditReceipt) from that home that proves "
        "the debit registered: no receipt, only receipts of other registries, a receipt that "
        "does not verify with the home's DID or was signed after the verification time, one "
        "whose entries name another credential, holder or amount, or, when the verifier asks "
        "for requiredWitnesses, one not cosigned by that many trusted witnesses. "
        "Indeterminate when the home's (or a witness's) key could not be resolved. Debits of "
        "credits whose opening credential names no home need no receipt.",
        _GRAPH,
    ),
    _check(
        MASSBALANCE_UNIT,
        "Credit not in a mass unit",
        "A credit is not in a mass unit.",
        _GRAPH,
    ),
)

#: The catalogue by id.
BY_ID: dict[str, CheckInfo] = {check.id: check for check in CATALOGUE}

#: The id families (``proof``, ``status``, ...) in catalogue order.
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(check.id.split(".")[0] for check in CATALOGUE))


def title(check_id: str) -> str:
    """The catalogued title of ``check_id`` (KeyError for an id not catalogued: a bug)."""
    return BY_ID[check_id].title


def render() -> str:
    """``docs/checks.md``: the catalogue as Markdown, one table per family."""
    lines = [
        "# Check ids",
        "",
        "<!-- Generated by `python -m vcservice.checks docs/checks.md` from vcservice/checks.py;"
        " do not edit. -->",
        "",
        "Every check in a report has one of these ids and an outcome: *passed*, *failed* (the",
        "credential is invalid), *indeterminate* (it could not be checked) or *warning*. A",
        "failed, indeterminate or warning check carries a problem whose `type` is",
        "`https://vcservice.dev/problems/<id>`.",
        "",
        "Surfaces: **verify** (a single credential or presentation: API, buyer page, CLI",
        "`verify`), **graph** (a provenance graph: `/graphs/verify`, `verify-graph`; each node is",
        "also verified as a single credential), **issue** (why issuing refused a credential),",
        "**validate** (CLI `validate`, the console's issue form: no proofs checked).",
    ]
    for family in FAMILIES:
        lines += [
            "",
            f"## {family}",
            "",
            "| id | title | meaning | surfaces |",
            "|---|---|---|---|",
        ]
        for check in CATALOGUE:
            if check.id.split(".")[0] != family:
                continue
            surfaces = ", ".join(s.value for s in Surface if s in check.surfaces)
            meaning = check.meaning.replace("|", "\\|")
            lines.append(f"| `{check.id}` | {check.title} | {meaning} | {surfaces} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write the rendering to the path given, or print it."""
    if argv:
        Path(argv[0]).write_text(render(), encoding="utf-8")
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
