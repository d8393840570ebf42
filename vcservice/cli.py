"""Command-line interface (typer). I/O lives here; every decision is made by the library.

Exit codes follow one rule everywhere: 0 success / verified, 1 verification failed,
2 unusable input (unreadable file, not JSON, bad options), 3 could not check (``verify``,
``verify-graph``: nothing failed, but a DID, a status list or a linked credential could not be
had, or a dependency of our own failed; never a verdict either way).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer

from vcservice.dids import TenantDidMethod
from vcservice.errors import InputError, VCServiceError
from vcservice.keys import (
    KeyPair,
    KeyType,
    Signer,
    key_file_document,
    read_key_file,
    write_key_file,
)
from vcservice.report import Verdict, verdict_of
from vcservice.securing.registry import format_names

if TYPE_CHECKING:
    from vcservice.service import Service
    from vcservice.store import KeyEvent, KeyRecord, Tenant
    from vcservice.verifiers import Wiring

app = typer.Typer(
    name="vcservice",
    help="Issue and verify hash-linked W3C Verifiable Credentials (VC 2.0, UNTP 0.7.0 style).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(help="Generate and inspect signing keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
tenants_app = typer.Typer(
    help="Manage the service's tenants (uses VCSERVICE_DATABASE_URL).", no_args_is_help=True
)
app.add_typer(tenants_app, name="tenants")


class Algorithm(StrEnum):
    rdfc = "rdfc"
    jcs = "jcs"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _unusable(source: str, problem: str) -> NoReturn:
    """Unusable input (exit 2): one line naming the file, whatever the reason."""
    typer.echo(f"vcservice: {'stdin' if source == '-' else source}: {problem}", err=True)
    raise typer.Exit(2)


def _read_bytes(source: str) -> bytes:
    """The bytes of a file named on the command line (or stdin for '-'), within
    :data:`~vcservice.ingress.FILE_LIMITS`; exit 2 if it cannot be had."""
    from vcservice.ingress import FILE_LIMITS, read_file

    try:
        if source != "-":
            return read_file(source, FILE_LIMITS)
        data = sys.stdin.buffer.read((FILE_LIMITS.max_bytes or 0) + 1)
        if len(data) > (FILE_LIMITS.max_bytes or 0):
            _unusable(source, f"more than the limit of {FILE_LIMITS.max_bytes} bytes")
        return data
    except InputError as exc:
        _unusable(source, exc.detail)


def _read_text(source: str) -> str:
    """A text file (a checkpoint JWS): UTF-8, or exit 2."""
    try:
        return _read_bytes(source).decode("utf-8")
    except UnicodeDecodeError as exc:
        _unusable(source, f"not UTF-8 text ({exc.reason} at byte {exc.start})")


def _read_json(source: str) -> Any:
    """A JSON file (a DID document), read strictly by :mod:`vcservice.ingress`, or exit 2."""
    from vcservice.ingress import FILE_LIMITS, read_json

    try:
        return read_json(_read_bytes(source), FILE_LIMITS)
    except InputError as exc:
        _unusable(source, exc.detail)


def _read_json_or_jws(source: str) -> Any:
    """A JSON document, or a bare compact JWS / ``data:`` URL (as served for vc+jwt), read by
    :func:`vcservice.ingress.read_credential_input` like on every other surface; exit 2 with
    one line if it is unusable (not UTF-8, not JSON, too deep or big, duplicate members...)."""
    from vcservice.ingress import FILE_LIMITS, read_credential_input

    try:
        return read_credential_input(_read_bytes(source), FILE_LIMITS).value
    except InputError as exc:
        _unusable(source, exc.detail)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


# --- keys -------------------------------------------------------------------------------------
@keys_app.command("generate")
def keys_generate(
    key_type: Annotated[KeyType, typer.Option("--type", help="Key type.")] = KeyType.ED25519,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the private key file (mode 0600). "
            "Default: ./<did-key-suffix>.key.json"
        ),
    ] = None,
) -> None:
    """Generate a key pair. Prints the did:key and public key; the private JWK goes only to a
    file created with mode 0600."""
    signer = Signer.did_key(KeyPair.generate(key_type))
    path = out or Path(f"{signer.key.public.multibase[-12:]}.key.json")
    try:
        write_key_file(path, signer)
    except (InputError, OSError) as exc:
        _fail(str(exc))
    public = {k: v for k, v in key_file_document(signer).items() if k != "privateKeyJwk"}
    _print_json({**public, "publicKeyJwk": signer.key.public.to_jwk(), "keyFile": str(path)})


# --- issue ------------------------------------------------------------------------------------
def _registered_format(value: str) -> str:
    """``--format``: a format of :mod:`vcservice.securing.registry`, checked when the command
    runs, so a cryptosuite registered after this module was imported is a valid choice. The
    help lists the formats registered at import, as the API's OpenAPI enum does."""
    names = format_names()
    if value not in names:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, names))}.")
    return value


def _format_completions(incomplete: str) -> list[str]:
    return [name for name in format_names() if name.startswith(incomplete)]


@app.command()
def issue(
    credential: Annotated[str, typer.Argument(help="Unsecured credential JSON file, or '-'.")],
    key: Annotated[Path, typer.Option("--key", help="Key file from 'keys generate'.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="Securing format.",
            parser=_registered_format,
            metavar="<" + "|".join(format_names()) + ">",
            autocompletion=_format_completions,
        ),
    ] = "vc+jwt",
) -> None:
    """Secure a credential. Prints the signed credential (JSON; an envelope for vc+jwt)."""
    from vcservice.issuing import CredentialRejectedError, issue_credential
    from vcservice.jsonld import bundled_loader

    document = _read_json_or_jws(credential)
    try:
        signer = read_key_file(key)
        secured = issue_credential(document, signer, fmt, loader=bundled_loader())
    except CredentialRejectedError as exc:
        for check in exc.report.errors:
            detail = check.problem.detail if check.problem else ""
            typer.echo(f"  {check.id}: {detail}", err=True)
        _fail(f"credential rejected: {exc.title}", 1)
    except VCServiceError as exc:
        _fail(exc.detail)
    _print_json(secured)


# --- verify -----------------------------------------------------------------------------------
def _summary(report: Any) -> str:
    document = report.document or {}
    from vcservice.verify import issuer_id

    types = document.get("type", [])
    types = [types] if isinstance(types, str) else types
    named = [t for t in types if t not in ("VerifiableCredential", "VerifiablePresentation")]
    kind = ", ".join(named) or (types[0] if types else "document")
    issuer = issuer_id(document) or document.get("holder") or "unknown issuer"
    passed = sum(1 for c in report.checks if c.outcome == "passed")
    warnings = len(report.warnings)
    return f"verified: {kind} from {issuer} ({passed} checks passed, {warnings} warnings)"


@app.command()
def verify(
    source: Annotated[str, typer.Argument(help="Credential or presentation file, or '-'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report.")] = False,
    challenge: Annotated[str | None, typer.Option(help="Expected presentation challenge.")] = None,
    domain: Annotated[str | None, typer.Option(help="Expected presentation domain.")] = None,
    at: Annotated[
        datetime | None,
        typer.Option(
            help="Verification time (default: now).",
            formats=["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"],
        ),
    ] = None,
    did_documents: Annotated[
        list[Path] | None,
        typer.Option(
            "--did-document",
            help="A DID document (JSON) to resolve its 'id' to, ahead of the network; repeatable.",
        ),
    ] = None,
    did_logs: Annotated[
        list[Path] | None,
        typer.Option(
            "--did-log",
            help="A did:webvh log (did.jsonl; a <name>.did-witness.json beside it is read too), "
            "verified and used ahead of the network; repeatable.",
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            help="Never use the network: did:key, did:jwk, --did-document and --did-log only; "
            "a status list cannot be fetched, so a credential with a status entry could not be "
            "checked (exit 3)."
        ),
    ] = False,
) -> None:
    """Verify a credential or presentation, its status lists included (fetched over https).

    Exit 0 verified, 1 not verified, 2 unusable input, 3 could not check (nothing failed, but a
    DID or a status list could not be had).
    """
    document = _read_json_or_jws(source)
    documents = _did_documents(did_documents) if did_documents else {}
    when = at.replace(tzinfo=at.tzinfo or UTC) if at else None
    with _verification(offline, documents, _did_logs(did_logs or [])) as wiring:
        verifier = wiring.verifier()
        if _is_presentation(document):
            report = verifier.verify_presentation(
                document, challenge=challenge, domain=domain, at=when
            )
        else:
            report = verifier.verify_credential(document, at=when)
    verdict = verdict_of(report)
    if as_json:
        _print_json(report.to_dict())
    elif verdict is Verdict.VERIFIED:
        typer.echo(_summary(report))
        for check in report.warnings:
            typer.echo(f"  warning {check.id}: {check.problem.detail if check.problem else ''}")
    else:
        heading = "could not check:" if verdict is Verdict.INDETERMINATE else "not verified:"
        typer.echo(heading, err=True)
        for check in report.errors:
            where = f" [{check.path}]" if check.path else ""
            detail = check.problem.detail if check.problem else ""
            typer.echo(f"  {check.id}{where}: {detail}", err=True)
    raise typer.Exit(EXIT_CODES[verdict])


#: Exit code of ``verify`` and ``verify-graph`` for each verdict (2 is unusable input).
EXIT_CODES = {Verdict.VERIFIED: 0, Verdict.FAILED: 1, Verdict.INDETERMINATE: 3}


@contextmanager
def _verification(
    offline: bool,
    did_documents: dict[str, dict[str, Any]],
    did_logs: dict[str, tuple[str, str | None]] | None = None,
) -> Iterator[Wiring]:
    """The verifiers' wiring (:mod:`vcservice.verifiers`) on the outbound client the service
    uses (:func:`~vcservice._fetch.fetch_client`), and the exit codes of what stops a
    verification: unusable input 2; a failure of our own (no verdict about the credential) 3,
    in one line.

    Online, plain http to loopback hosts is allowed only when the service would allow it
    (``VCSERVICE_ALLOW_HTTP_LOOPBACK``, for tests).
    """
    from pydantic import ValidationError

    from vcservice import verifiers
    from vcservice._fetch import fetch_client
    from vcservice.errors import CanonicalizationError
    from vcservice.settings import Settings

    try:
        if offline:
            yield verifiers.offline(did_documents=did_documents, did_logs=did_logs)
            return
        try:
            loopback = Settings().allow_http_loopback
        except ValidationError as exc:
            _fail(f"invalid VCSERVICE_* setting: {exc.errors()[0]['msg']}")
        with fetch_client(allow_http_loopback=loopback) as client:
            yield verifiers.online(
                client,
                allow_http_loopback=loopback,
                did_documents=did_documents,
                did_logs=did_logs,
            )
    except (InputError, CanonicalizationError) as exc:
        _fail(exc.detail)
    except VCServiceError as exc:
        _fail(f"could not check: {exc.detail}", 3)


@app.command("verify-graph")
def verify_graph(
    source: Annotated[
        str,
        typer.Argument(
            help="Root credential file, its URL, or a graph bundle file (which names its root)."
        ),
    ],
    trust_anchors: Annotated[
        list[str] | None,
        typer.Option(
            "--trust-anchor", help="DID of a trust anchor (accreditation body); repeatable."
        ),
    ] = None,
    bundle_path: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Upstream credentials: a chain directory with index.json, or a bundle file.",
        ),
    ] = None,
    at: Annotated[
        datetime | None,
        typer.Option(
            help="Verification time (default: the bundle's, else now).",
            formats=["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"],
        ),
    ] = None,
    did_documents: Annotated[
        list[Path] | None,
        typer.Option("--did-document", help="A DID document (JSON) to use; repeatable."),
    ] = None,
    did_logs: Annotated[
        list[Path] | None,
        typer.Option("--did-log", help="A did:webvh log (did.jsonl) to use; repeatable."),
    ] = None,
    offline: Annotated[
        bool, typer.Option(help="Never use the network (links, did:web, status lists).")
    ] = False,
    max_nodes: Annotated[int, typer.Option(min=1, help="Most credentials to verify.")] = 5000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full JSON report.")] = False,
    link_keys: Annotated[
        list[str] | None,
        typer.Option(
            "--link-key",
            help="URL=KEY: the decryption key (hex) of a credential published encrypted at "
            "URL; repeatable. A root URL may carry its own as #decryptionKey=KEY.",
        ),
    ] = None,
) -> None:
    """Verify a provenance graph from its root.

    Exit 0 verified, 1 not verified, 2 unusable input, 3 could not check (nothing failed, but a
    linked credential, a DID or a status list could not be had).
    """
    from vcservice.graph import (
        BUNDLE_TYPE,
        Bundle,
        GraphLimits,
        bundle_from_json,
        load_bundle,
        render_summary,
    )

    try:
        bundle = load_bundle(bundle_path) if bundle_path else Bundle()
        if source.startswith(("https://", "http://")):
            root: Any = source
        else:
            root = _read_json_or_jws(source)
            if isinstance(root, dict) and root.get("type") == BUNDLE_TYPE:
                given = bundle_from_json(root)
                root = given.start
                if root is None:
                    _fail(f"{source} is a graph bundle without a root")
                bundle = bundle.merged(given)
        if link_keys:
            bundle = bundle.merged(Bundle(keys=_link_keys(link_keys)))
    except InputError as exc:
        _fail(exc.detail)
    anchors = [*(trust_anchors or []), *bundle.trust_anchors]
    if not anchors:
        _fail("give at least one --trust-anchor DID (or a bundle that names its trust anchors)")
    if did_documents or did_logs:
        given = Bundle(
            did_documents=_did_documents(did_documents or []), did_logs=_did_logs(did_logs or [])
        )
        bundle = bundle.merged(given)
    when = at.replace(tzinfo=at.tzinfo or UTC) if at else None
    with _verification(offline, {}) as wiring:
        verifier = wiring.graph_verifier(GraphLimits(max_nodes=max_nodes))
        report = verifier.verify(root, trust_anchors=anchors, bundle=bundle, at=when)
    if as_json:
        _print_json(report.to_dict())
    else:
        typer.echo(render_summary(report))
    raise typer.Exit(EXIT_CODES[verdict_of(report)])


def _link_keys(pairs: list[str]) -> dict[str, str]:
    """``--link-key URL=KEY`` values as a map; InputError for one that is not that."""
    from vcservice.confidential import parse_key, split_key

    keys: dict[str, str] = {}
    for pair in pairs:
        url, sep, key = pair.rpartition("=")
        if not sep or not url.startswith(("https://", "http://")):
            raise InputError(f"--link-key takes URL=KEY, not {pair[:80]!r}")
        parse_key(key)
        keys[split_key(url)[0]] = key
    return keys


def _did_logs(paths: list[Path]) -> dict[str, tuple[str, str | None]]:
    """did:webvh logs by DID (the DID read from the log), each with its witness file if any."""
    from vcservice.graph import read_did_log

    logs: dict[str, tuple[str, str | None]] = {}
    for path in paths:
        try:
            did, texts = read_did_log(path)
        except InputError as exc:
            _fail(exc.detail)
        if did in logs:
            _fail(f"{path}: a log for {did} was already given")
        logs[did] = texts
    return logs


def _did_documents(paths: list[Path]) -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    for path in paths:
        value = _read_json(str(path))
        did = value.get("id") if isinstance(value, dict) else None
        if not isinstance(did, str) or not did.startswith("did:"):
            _fail(f"{path} is not a DID document (no 'id' naming a DID)")
        if did in documents:
            _fail(f"{path}: a DID document for {did} was already given")
        documents[did] = value
    return documents


def _is_presentation(document: Any) -> bool:
    if isinstance(document, str):
        return False
    if not isinstance(document, dict):
        return False
    types = document.get("type", [])
    types = [types] if isinstance(types, str) else types
    return isinstance(types, list) and (
        "VerifiablePresentation" in types or "EnvelopedVerifiablePresentation" in types
    )


# --- digest -----------------------------------------------------------------------------------
@app.command()
def digest(
    source: Annotated[
        str, typer.Argument(help="Credential file (JSON, compact JWS or envelope), or '-'.")
    ],
    raw: Annotated[
        bool, typer.Option("--raw", help="Hash the file's exact bytes instead.")
    ] = False,
) -> None:
    """Print the digestMultibase a hash link to this credential carries (docs/hash-links.md):
    JCS bytes of a JSON credential, the JWS bytes of a vc+jwt (bare or enveloped)."""
    from vcservice.errors import JsonNotUnicodeError
    from vcservice.ingress import FILE_LIMITS, read_credential_input
    from vcservice.links import digest_bytes, digest_document

    data = _read_bytes(source)
    if raw:
        typer.echo(digest_bytes(data))
        return
    try:
        # Strict: with a repeated member the JCS bytes would depend on which copy we kept.
        value = read_credential_input(data, FILE_LIMITS).value
        typer.echo(digest_document(value))
    except JsonNotUnicodeError as exc:
        _unusable(source, f"{exc.detail} (use --raw for binary files)")
    except InputError as exc:
        _unusable(source, exc.detail)


# --- validate ---------------------------------------------------------------------------------
#: The issuer a draft is validated with when it names none and no --issuer is given. Issuing
#: fills in a DID (the key's, the tenant's); any DID gives the same data-model and schema
#: answers, and this one says in every message that it is a stand-in.
DRAFT_ISSUER = "did:example:draft-issuer"


def _as_issued(value: Any, source: str, issuer: str | None, report: Any) -> dict[str, Any]:
    """The draft as issuing would sign it: an absent issuer filled in, like
    :func:`vcservice.issuing.bind_issuer`, so ``validate --draft`` accepts what ``issue`` accepts
    and still judges everything issuing does not change. A secured document is no draft:
    refusing it (exit 2) keeps ``--draft`` from ever relaxing the check of a real credential."""
    if not isinstance(value, dict):
        _fail(f"{source} is a compact JWS, not a draft; validate it without --draft")
    if "proof" in value or "EnvelopedVerifiableCredential" in _types_of(value):
        _fail(f"{source} is already secured, not a draft; validate it without --draft")
    document = dict(value)
    if "issuer" not in document:
        document["issuer"] = issuer or DRAFT_ISSUER
        filled_by = f"--issuer {issuer}" if issuer else f"the stand-in {DRAFT_ISSUER}"
        report.warn(
            "draft.issuer",
            "No issuer yet",
            "issuing fills in the issuer (the signing key's DID; the tenant's DID on the "
            f"service); validated with {filled_by}",
        )
        return document
    named = document["issuer"]
    named = named.get("id") if isinstance(named, dict) else named
    if issuer is not None and isinstance(named, str) and named != issuer:
        report.failed(
            "draft.issuer",
            "Another issuer",
            f"the credential names the issuer {named!r}, not {issuer!r}: issuing it with a "
            f"key of {issuer!r} would be refused",
        )
    return document


@app.command()
def validate(
    source: Annotated[
        str, typer.Argument(help="Credential file (JSON, compact JWS or envelope), or '-'.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report.")] = False,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="The file is an unsigned draft for 'vcservice issue' or POST "
            "/credentials/issue: a missing issuer is allowed (issuing fills it in; a stand-in "
            f"DID, {DRAFT_ISSUER}, is used meanwhile). Everything else is checked as for the "
            "issued credential. Secured input is refused (exit 2).",
        ),
    ] = False,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer",
            metavar="DID",
            help="Validate the draft as issued by DID (implies --draft): a missing issuer "
            "becomes DID; a credential naming another issuer fails, as issuing would refuse it.",
        ),
    ] = None,
) -> None:
    """Validate a credential without checking its proof: VC data model, the UNTP 0.7.0 base
    schema of its type, extension schemas. Exit 0 valid, 1 invalid, 2 unusable input.

    A credential must name its issuer; check a draft that leaves it to 'issue' with --draft."""
    from vcservice.jsonld import bundled_loader
    from vcservice.report import VerificationReport
    from vcservice.schema_validation import validate_document

    value = _read_json_or_jws(source)
    report = VerificationReport()
    if draft or issuer is not None:
        value = _as_issued(value, source, issuer, report)
    try:
        validated = validate_document(value, loader=bundled_loader())
    except InputError as exc:
        _unusable(source, exc.detail)
    report.document = validated.document
    report.extend(validated)
    if as_json:
        out = report.to_dict()
        out.pop("document", None)
        _print_json(out)
    elif report.verified:
        types = [t for t in _types_of(report.document) if t != "VerifiableCredential"]
        passed = sum(1 for c in report.checks if c.outcome == "passed")
        typer.echo(
            f"valid{' draft' if draft or issuer else ''}: {', '.join(types) or 'credential'} "
            f"({passed} checks passed, {len(report.warnings)} warnings)"
        )
        for check in report.warnings:
            typer.echo(f"  warning {check.id}: {check.problem.detail if check.problem else ''}")
    else:
        typer.echo("not valid:", err=True)
        for check in report.errors:
            where = f" at {check.path or '(document root)'}" if check.path is not None else ""
            detail = check.problem.detail if check.problem else ""
            typer.echo(f"  {check.id}{where}: {detail}", err=True)
        if _looks_like_draft(value) and not (draft or issuer):
            typer.echo(
                "  hint: a draft that leaves the issuer to 'vcservice issue'? "
                "validate it with --draft",
                err=True,
            )
    raise typer.Exit(0 if report.verified else 1)


def _looks_like_draft(value: Any) -> bool:
    """Unsecured and without an issuer: what ``issue`` completes, so worth the --draft hint."""
    return isinstance(value, dict) and "issuer" not in value and "proof" not in value


def _types_of(document: Any) -> list[str]:
    types = document.get("type", []) if isinstance(document, dict) else []
    types = [types] if isinstance(types, str) else types
    return [t for t in types if isinstance(t, str)] if isinstance(types, list) else []


# --- canonicalize -----------------------------------------------------------------------------
@app.command()
def canonicalize(
    source: Annotated[str, typer.Argument(help="JSON(-LD) file, or '-'.")],
    algorithm: Annotated[Algorithm, typer.Option(help="rdfc (RDFC-1.0) or jcs (RFC 8785).")] = (
        Algorithm.rdfc
    ),
    reference: Annotated[
        bool,
        typer.Option(
            "--reference",
            help="rdfc: use pyld alone (the reference the fast path is tested against).",
        ),
    ] = False,
) -> None:
    """Print the canonical form: N-Quads for rdfc, RFC 8785 JSON for jcs."""
    from vcservice.jsonld import bundled_loader, jcs, rdfc, rdfc_reference

    document = _read_json_or_jws(source)
    try:
        if algorithm is Algorithm.jcs:
            sys.stdout.write(jcs(document).decode("utf-8") + "\n")
        else:
            canonicalize_rdfc = rdfc_reference if reference else rdfc
            sys.stdout.write(canonicalize_rdfc(document, bundled_loader()))
    except VCServiceError as exc:
        _fail(exc.detail)


# --- tenants ----------------------------------------------------------------------------------
#: Where a new tenant's private keys are kept (see docs/keys.md).
KeyBackendName = Literal["vault", "pkcs11"]


@tenants_app.command("create")
def tenants_create(
    name: Annotated[
        str,
        typer.Argument(help="Tenant name; with did:web, its DID is did:web:<host>:tenants:<name>."),
    ],
    key_type: Annotated[KeyType, typer.Option(help="Signing key type.")] = KeyType.ED25519,
    did_method: Annotated[
        TenantDidMethod,
        typer.Option(
            help="web: a did:web hosted here, keys can rotate. webvh: a did:webvh hosted here, "
            "every key change a signed entry of its verifiable history (did.jsonl). key: the "
            "did:key of the tenant's one key, which can never rotate."
        ),
    ] = "web",
    key_file: Annotated[
        Path | None,
        typer.Option(
            help="The tenant's own key (a key file, see `vcservice keys`), with --did-method "
            "key: one party's did:key on several platforms. Its type overrides --key-type."
        ),
    ] = None,
    key_backend: Annotated[
        KeyBackendName,
        typer.Option(
            help="vault: private keys encrypted in the database. pkcs11: made in the PKCS#11 "
            "token of VCSERVICE_PKCS11_MODULE / _TOKEN_LABEL, never out of it."
        ),
    ] = "vault",
    pre_rotation: Annotated[
        bool,
        typer.Option(
            "--pre-rotation",
            help="did:webvh: commit each log entry to the hash of the next update key, so a "
            "stolen update key cannot rewrite the DID.",
        ),
    ] = False,
) -> None:
    """Create a tenant. Prints {"tenant", "did", "api_key"}; the API key is shown only once.
    Exit 0 created, 2 refused (name taken or invalid, options that do not go together, a
    backend not configured)."""
    key = None
    if key_file is not None:
        try:
            signing_key = read_key_file(key_file).key
            key = signing_key if isinstance(signing_key, KeyPair) else None
        except VCServiceError as exc:
            _fail(exc.detail)
    with _service() as service:
        _print_json(
            service.create_tenant(
                name,
                key_type,
                did_method,
                key,
                key_backend=key_backend,
                pre_rotation=pre_rotation,
            )
        )


@tenants_app.command("rotate")
def tenants_rotate(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    key_type: Annotated[KeyType, typer.Option(help="The new key's type.")] = KeyType.ED25519,
) -> None:
    """Rotate: a new signing key (on the tenant's backend) takes over; the others are retired
    but what they signed keeps verifying (did:webvh: a new log entry). Prints the new key.
    Exit 0 rotated, 2 refused (no such tenant, a did:key tenant, a deactivated DID)."""
    with _service() as service:
        tenant = _tenant(service, name)
        _print_json(_key_json(service, tenant, service.add_key(tenant, key_type)))


@tenants_app.command("retire-key")
def tenants_retire_key(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    fragment: Annotated[str, typer.Argument(help="The key's fragment, e.g. key-1.")],
) -> None:
    """Retire one signing key. Prints it. Exit 0 retired, 2 refused (no such tenant or key,
    the tenant's last active key)."""
    with _service() as service:
        tenant = _tenant(service, name)
        _print_json(_key_json(service, tenant, service.retire_key(tenant, fragment)))


@tenants_app.command("deactivate")
def tenants_deactivate(name: Annotated[str, typer.Argument(help="Tenant name.")]) -> None:
    """Deactivate a did:webvh tenant's DID, permanently: a last log entry, every key retired;
    what it signed before keeps verifying. Prints {"did", "versionId"}. Exit 0 deactivated,
    2 refused (no such tenant, not did:webvh, already deactivated)."""
    with _service() as service:
        tenant = _tenant(service, name)
        _print_json({"did": tenant.did, "versionId": service.deactivate_did(tenant)})


@tenants_app.command("key-events")
def tenants_key_events(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    verify: Annotated[
        bool,
        typer.Option(
            "--verify", help="Re-check the hash chain of the whole trail (exit 1 if broken)."
        ),
    ] = False,
) -> None:
    """Print the tenant's key audit trail as JSON ({"tenant", "did", "events", "signatures"}),
    oldest first. With --verify, recompute every chain hash: exit 0 intact, 1 broken (the
    first bad seq on stderr); 2 no such tenant or unusable database. An edit, removal or
    reordering is found; cutting events off the end is not (keep a copy of `chainHash`)."""
    from vcservice.keys.audit import first_break

    with _service() as service:
        tenant = _tenant(service, name)
        events: list[KeyEvent] = []
        while batch := service.key_events(
            tenant, after=events[-1].seq if events else 0, limit=1000
        )[0]:
            events.extend(batch)
        _print_json(
            {
                "tenant": tenant.name,
                "did": tenant.did,
                "events": [_event_json(e) for e in events],
                "signatures": service.signature_counts(tenant),
            }
        )
    if not verify:
        return
    broken = first_break(events)
    if broken is not None:
        typer.echo(f"key audit trail BROKEN at seq {broken}", err=True)
        raise typer.Exit(1)
    typer.echo(f"key audit trail intact: {len(events)} events", err=True)


@contextmanager
def _service() -> Iterator[Service]:
    """The service of the environment's settings; any service error is exit 2, its detail on
    stderr (the database, the key token and the request are the operator's to fix)."""
    from pydantic import ValidationError

    from vcservice.service import Service
    from vcservice.settings import Settings

    try:
        service = Service.from_settings(Settings())
    except ValidationError as exc:
        _fail(f"invalid VCSERVICE_* setting: {exc.errors()[0]['msg']}")
    except VCServiceError as exc:
        _fail(exc.detail)
    try:
        yield service
    except VCServiceError as exc:
        _fail(exc.detail)
    finally:
        service.close()


def _tenant(service: Service, name: str) -> Tenant:
    tenant = service.store.tenant_by_name(name)
    if tenant is None:
        _fail(f"no tenant {name!r}")
    return tenant


def _key_json(service: Service, tenant: Tenant, record: KeyRecord) -> dict[str, Any]:
    return {
        "id": service.verification_method(tenant, record),
        "fragment": record.fragment,
        "type": record.key_type.value,
        "active": record.active,
        "backend": record.backend,
        "publicKeyMultibase": record.public.multibase,
        "retiredAt": record.retired_at.isoformat() if record.retired_at else None,
    }


def _event_json(event: KeyEvent) -> dict[str, Any]:
    """An audit event as the API serves it (``at`` exactly as hashed)."""
    from vcservice.ledger.entries import timestamp

    return {
        "seq": event.seq,
        "at": timestamp(event.at),
        "event": event.event,
        "key": event.key,
        "detail": event.detail,
        "chainHash": event.chain_hash,
    }


# --- ledger -----------------------------------------------------------------------------------
ledger_app = typer.Typer(
    help="Audit the mass-balance ledger (uses VCSERVICE_DATABASE_URL).", no_args_is_help=True
)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("verify")
def ledger_verify(
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Database URL (default: VCSERVICE_DATABASE_URL, else what 'serve' uses).",
        ),
    ] = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint JWS you kept (GET /ledger/checkpoint), outside the database: "
            "the ledger must still reproduce it. Repeatable.",
        ),
    ] = None,
    did_document: Annotated[
        Path | None,
        typer.Option(
            "--did-document",
            help="The service's DID document (GET /.well-known/did.json) as you keep or fetch "
            "it, outside the database: checkpoints must verify with its keys.",
        ),
    ] = None,
) -> None:
    """Re-check the whole ledger offline: every entry hash, the chain, the head record, each
    stored checkpoint's signature and Merkle root, and the accounts against their entries.
    Needs no secret key. From the database alone this detects accidental damage and edits that
    leave it inconsistent; pass --checkpoint and --did-document (kept outside the database) to
    detect truncation and forged checkpoints too. Exit 0 intact, 1 tampered (naming the first
    bad entry), 2 unusable database or files."""
    from pydantic import ValidationError
    from sqlalchemy.engine import make_url

    from vcservice.ledger import CheckpointError, audit, did_document_keys, read_checkpoint
    from vcservice.settings import Settings
    from vcservice.store import ledger_snapshot, make_engine

    held = []
    for path in checkpoint or []:
        text = _read_text(str(path)).strip()
        try:
            read_checkpoint(text)
        except CheckpointError as exc:
            _unusable(str(path), f"not a ledger checkpoint: {exc.detail}")
        held.append(text)
    published = None
    if did_document is not None:
        try:
            published = did_document_keys(_read_json(str(did_document)))
        except CheckpointError as exc:
            _unusable(str(did_document), exc.detail)
    try:
        url = database or Settings().database_url
    except ValidationError as exc:
        _fail(f"invalid settings: {exc}")
    try:
        if url.startswith("sqlite:") and not Path(make_url(url).database or "").is_file():
            _fail(f"no SQLite database at {make_url(url).database}")  # do not create one
        engine = make_engine(url)
    except VCServiceError as exc:
        _fail(exc.detail)
    try:
        snapshot = ledger_snapshot(engine)
        report = audit(
            snapshot.entries,
            snapshot.head,
            snapshot.checkpoints,
            published if published is not None else snapshot.keys,
            accounts=snapshot.accounts,
            held=held,
            stored_keys=snapshot.keys if published is not None else None,
            salt=snapshot.salt,
            origins=snapshot.origins,
            posted=snapshot.credentials,
            frontier=snapshot.frontier,
        )
    except VCServiceError as exc:
        _fail(exc.detail)
    finally:
        engine.dispose()
    if report.finding is not None:
        typer.echo(f"ledger TAMPERED at {report.finding}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"ledger intact: {report.count} entries, head {report.head_hash}, "
        f"Merkle root {report.root_hash}"
    )
    typer.echo(f"  {report.accounts} account(s) match their entries")
    typer.echo(
        f"  {report.origins} remembered origin(s) and {report.posted} posted credential(s) "
        "match their entries"
    )
    if report.checkpoints:
        latest = report.checkpoints[-1]
        typer.echo(
            f"  {len(report.checkpoints)} stored checkpoint(s) verified; the latest covers "
            f"{latest.count} entries ({latest.issued_at}, {latest.issuer})"
        )
    else:
        typer.echo("  no signed checkpoint stored yet (GET /ledger/checkpoint makes one)")
    for kept in report.held:
        typer.echo(f"  your checkpoint of {kept.count} entries ({kept.issued_at}) is reproduced")
    keys = "the DID document's keys" if published is not None else "the database's own keys"
    typer.echo(f"  signatures checked with {keys}")
    if held:
        newest = max(kept.count for kept in report.held)
        typer.echo(f"  entries after {newest} are checked for consistency only")
    if published is None or not held:
        gaps = []
        if not held:
            gaps.append(
                "without --checkpoint, someone who can write the database can remove or "
                "rewrite entries, rewind the head record and delete the stored checkpoints"
            )
        if published is None:
            gaps.append(
                "without --did-document, a key inserted into the database can sign forged "
                "checkpoints"
            )
        typer.echo(
            "NOTE: this check detects only accidental damage and edits that leave the "
            "entries, head record, checkpoints and accounts inconsistent with each other: "
            + "; ".join(gaps)
            + ", and the ledger still reads as intact. Keep a checkpoint (GET "
            "/ledger/checkpoint) and the service's DID document (GET /.well-known/did.json) "
            "outside the database and pass them."
        )


# --- serve ------------------------------------------------------------------------------------
@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP service (uvicorn)."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from vcservice.settings import Settings

    settings = Settings()
    # The addresses a newcomer opens first (the landing page links to all of them). Listening
    # on every interface (a container), the address to open is the public URL, not 0.0.0.0.
    wildcard = host in {"0.0.0.0", "::", ""}  # noqa: S104  (compared, not bound)
    base = settings.public_url.rstrip("/") if wildcard else f"http://{host}:{port}"
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"vcservice on {base}/  (database: {database})")
    # The one thing to do first: the landing page verifies an example chain in one click.
    typer.echo(f"Open {base}/ and click 'Verify an example'.")
    typer.echo(f"  verify a credential (buyers):   {base}/verify")
    typer.echo(f"  issuer console (certifiers):    {base}/console")
    typer.echo(f"  API docs:                       {base}/docs  ({base}/redoc)")
    typer.echo(f"  vocabulary:                     {base}/vocab/")
    typer.echo(f"  health:                         {base}/healthz")
    # The command as this process was started (.venv/bin/vcservice for make run; on PATH in
    # the image), so the hint works where it is printed.
    typer.echo(f"  create a tenant:                {sys.argv[0]} tenants create acme")
    # Our JSON logs replace uvicorn's (log_config=None); the factory configures them per worker.
    # Forwarded headers only from configured proxies (VCSERVICE_FORWARDED_ALLOW_IPS), never
    # uvicorn's default of trusting 127.0.0.1; passing the list also ignores uvicorn's own
    # FORWARDED_ALLOW_IPS variable, so one setting decides.
    uvicorn.run(
        "vcservice.api.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies,
    )


did_app = typer.Typer(help="Resolve DIDs.", no_args_is_help=True)
app.add_typer(did_app, name="did")


@did_app.command("resolve")
def did_resolve(
    did: Annotated[str, typer.Argument(help="The DID to resolve.")],
    log: Annotated[
        Path | None,
        typer.Option(
            "--log",
            help="Resolve offline from this did:webvh log (did.jsonl), verified in full.",
        ),
    ] = None,
    witness: Annotated[
        Path | None,
        typer.Option("--witness", help="The log's did-witness.json (with --log)."),
    ] = None,
    version_id: Annotated[
        str | None, typer.Option("--version-id", help="Resolve this version (versionId).")
    ] = None,
    version_time: Annotated[
        str | None,
        typer.Option("--version-time", help="Resolve the version in effect at this RFC 3339 time."),
    ] = None,
) -> None:
    """Print the DID resolution result (document and metadata) as JSON.

    Exit 0 resolved; 1 the did:webvh log does not verify (its problem type and why, on
    stderr); 2 unusable input (a file, the DID or a version that is not there); 3 could not
    resolve (the host did not answer usably, an unsupported method).
    """
    from vcservice.dids._base import StaticResolver, resolution_result
    from vcservice.errors import DidLogError
    from vcservice.ingress import FILE_LIMITS, read_json

    if witness is not None and log is None:
        _fail("--witness needs --log")
    try:
        if log is not None:
            witness_text = None
            if witness is not None:
                witness_text = _read_text(str(witness))
                read_json(witness_text, FILE_LIMITS)  # strictly JSON, before the log is judged
            logs = {did: (_read_text(str(log)), witness_text)}
            result = resolution_result(
                StaticResolver({}, logs=logs),
                did,
                version_id=version_id,
                version_time=version_time,
            )
        else:
            with _resolver() as resolver:
                result = resolution_result(
                    resolver, did, version_id=version_id, version_time=version_time
                )
    except DidLogError as exc:
        _fail(f"{exc.problem_type}: {exc.detail}", 1)
    except InputError as exc:
        _fail(exc.detail)
    except VCServiceError as exc:
        _fail(f"could not resolve: {exc.detail}", 3)
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False))


@contextmanager
def _resolver() -> Iterator[Any]:
    """The service's network resolver on its outbound client (loopback as the settings say)."""
    from pydantic import ValidationError

    from vcservice._fetch import fetch_client
    from vcservice.dids import default_resolver
    from vcservice.settings import Settings

    try:
        loopback = Settings().allow_http_loopback
    except ValidationError as exc:
        _fail(f"invalid VCSERVICE_* setting: {exc.errors()[0]['msg']}")
    with fetch_client(allow_http_loopback=loopback) as client:
        yield default_resolver(client, allow_http_loopback=loopback)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
