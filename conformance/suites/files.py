"""``files``: credential files checked directly, no endpoint needed (like UNTP's untp-test).

Each file is a credential as served: a JSON credential (Data Integrity or unsigned), an
``EnvelopedVerifiableCredential``, or a compact vc+jwt (``.jwt`` or any text file). Per file
(the result's ``implementation`` is the file's path: the file is what is under test):

* ``files.parse``: readable as a credential;
* ``files.contexts-resolvable``: every JSON-LD context it names (at any depth; for a vc+jwt, in
  the envelope and the payload) is bundled with vcservice or in the run's registry
  (``[settings] contexts`` of ``run --config ... --suite files --file PATH``; the ``files``
  command has none); fails naming each one that is not. Nothing is fetched, here or by any
  other check;
* ``files.datamodel``: the VC data model (2.0; 1.1 rules for a 1.1 Data Integrity document);
* ``files.schema-untp``: the UNTP 0.7.0 schema of its type;
* ``files.schema-extension``: our extension schemas, where it claims our profiles;
* ``files.signature``: the proof or JWS, when it can be checked offline: the signer is a did:key
  or did:jwk, or its DID document is in a ``dids/`` directory next to the file (as in
  ``examples/<chain>/dids/``); skipped otherwise. Status and validity period are not judged;
* ``files.links``: every hash link (``linkURL`` + ``digestMultibase``) from this file to another
  of the given files matches that file's digest. A link points at a given file when the digest
  matches, or when the last segment of its URL is the file's name without ``.json``; links to
  files not given are not judged (skipped when there are none).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from conformance.context import SuiteContext
from conformance.model import Result
from conformance.resolution import ContextRegistry
from conformance.suites._common import Check, Verdict, failed, judge, passed, skipped
from conformance.suites._contexts import contexts_verdict
from vcservice.errors import InputError
from vcservice.ingress import FILE_LIMITS, read_file, read_json

PARSE = Check("files.parse", "Readable as a credential", ("files",))
CONTEXTS = Check(
    "files.contexts-resolvable",
    "Every @context resolves offline (bundled or registry)",
    ("files", "datamodel", "contexts"),
)
DATAMODEL = Check("files.datamodel", "VC data model", ("files", "datamodel"))
SCHEMA_UNTP = Check("files.schema-untp", "UNTP 0.7.0 schema", ("files", "untp", "tier2"))
SCHEMA_EXT = Check("files.schema-extension", "Extension schemas", ("files", "untp", "tier2"))
SIGNATURE = Check("files.signature", "Signature verifies offline", ("files", "securing"))
LINKS = Check("files.links", "Hash links between the files match", ("files", "links"))
CHECKS = (PARSE, CONTEXTS, DATAMODEL, SCHEMA_UNTP, SCHEMA_EXT, SIGNATURE, LINKS)
#: Report ids that are about signatures (the rest is judged by other checks or not at all).
_NOT_SIGNATURE = ("status.", "validity.", "datamodel.", "schema.")


def run(context: SuiteContext) -> Iterator[Result]:
    if not context.files:
        yield judge(Check("files.inputs", "Files to check", ("files",)), "files",
                    partial(skipped, "no files given (--file)"))  # fmt: skip
        return
    yield from check_files(context.files, context.contexts)


def read(path: Path) -> Any:
    """The credential as served: parsed JSON, or the text of a compact JWS or data: URL, read
    by :mod:`vcservice.ingress` as every surface of the service reads it (InputError if not)."""
    from vcservice.ingress import read_credential_input

    return read_credential_input(read_file(path, FILE_LIMITS), FILE_LIMITS).value


def label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_files(paths: Sequence[Path], contexts: ContextRegistry | None = None) -> Iterator[Result]:
    from vcservice.links import DigestError, digest_document

    contexts = ContextRegistry() if contexts is None else contexts

    served: dict[Path, Any] = {}
    digests: dict[str, Path] = {}
    for path in paths:
        try:
            value = read(path)
        except InputError as exc:
            yield judge(PARSE, label(path), partial(failed, f"cannot read: {exc.detail}"))
            for check in CHECKS[1:]:
                yield judge(check, label(path), partial(skipped, "the file is not readable"))
            continue
        served[path] = value
        with contextlib.suppress(DigestError):
            digests[digest_document(value)] = path
    stems = {p.stem: p for p in served}
    for path, value in served.items():
        name = label(path)
        document: dict[str, Any] = {}

        def parse(value: Any = value, document: dict[str, Any] = document) -> Verdict:
            from vcservice.errors import VCServiceError
            from vcservice.schema_validation import unwrap_credential

            try:
                document.update(unwrap_credential(value)[0])
            except (VCServiceError, ValueError) as exc:
                return failed(f"not a credential: {exc}")
            return passed("a JWS payload" if isinstance(value, str) else "JSON")

        yield judge(PARSE, name, parse)
        yield judge(CONTEXTS, name, partial(_contexts, contexts, name, value, document))
        yield judge(DATAMODEL, name, partial(_datamodel, document, contexts))
        yield judge(SCHEMA_UNTP, name, partial(_schema, document, untp=True))
        yield judge(SCHEMA_EXT, name, partial(_schema, document, untp=False))
        yield judge(SIGNATURE, name, partial(_signature, path, value, document, contexts))
        yield judge(LINKS, name, partial(_links, document, served, digests, stems))


def _errors(report: Any, ignore: tuple[str, ...] = ()) -> list[str]:
    out = []
    for check in report.errors:
        if ignore and check.id.startswith(ignore):
            continue
        detail = check.problem.detail if check.problem is not None else ""
        where = f" at {check.path}" if check.path else ""
        out.append(f"{check.id}{where}: {detail}"[:300])
    return out


def _verdict(errors: list[str], ok: str) -> Verdict:
    if errors:
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        return failed("; ".join(errors[:5]) + more)
    return passed(ok)


def _contexts(
    contexts: ContextRegistry, name: str, value: Any, document: dict[str, Any]
) -> Verdict:
    if not document:
        return skipped("not a credential")
    return contexts_verdict(contexts, [(name, value)], "not a credential")


def _datamodel(document: dict[str, Any], contexts: ContextRegistry) -> Verdict:
    from vcservice.model import is_vc1, validate_credential, validate_vc1_credential

    if not document:
        return skipped("not a credential")
    loader = contexts.loader()
    if is_vc1(document):
        return _verdict(_errors(validate_vc1_credential(document, loader=loader)), "VC 1.1")
    return _verdict(_errors(validate_credential(document, loader=loader)), "VC 2.0")


def _schema(document: dict[str, Any], *, untp: bool) -> Verdict:
    from vcservice.schema_validation import validate_extensions
    from vcservice.untp import validate_untp

    if not document:
        return skipped("not a credential")
    report = validate_untp(document) if untp else validate_extensions(document)
    if not report.checks:
        return skipped("no UNTP type" if untp else "claims none of our profiles")
    return _verdict(_errors(report), ", ".join(sorted({c.id for c in report.checks})))


def _did_logs(path: Path) -> dict[str, tuple[str, str | None]]:
    """The did:webvh logs next to a file (``dids/*.jsonl``), as bundles carry them."""
    from vcservice.graph import read_did_log

    out: dict[str, tuple[str, str | None]] = {}
    for candidate in sorted((path.parent / "dids").glob("*.jsonl")):
        try:
            did, texts = read_did_log(candidate)
        except InputError:
            continue
        out[did] = texts
    return out


def _did_documents(path: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for candidate in sorted((path.parent / "dids").glob("*.json")):
        try:
            document = read_json(read_file(candidate, FILE_LIMITS), FILE_LIMITS)
        except InputError:
            continue
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            out[document["id"]] = document
    return out


def _signature(
    path: Path, value: Any, document: dict[str, Any], contexts: ContextRegistry
) -> Verdict:
    from vcservice import verifiers
    from vcservice.verify import issuer_id

    if not document:
        return skipped("not a credential")
    known, logs = _did_documents(path), _did_logs(path)
    signer = issuer_id(document) or ""
    if not signer.startswith(("did:key:", "did:jwk:")) and signer not in {*known, *logs}:
        return skipped(f"the issuer {signer or '(none)'} cannot be resolved offline")
    wiring = verifiers.offline(did_documents=known, did_logs=logs, loader=contexts.loader())
    verifier = wiring.verifier()
    return _verdict(_errors(verifier.verify_credential(value), _NOT_SIGNATURE), "verifies")


def _link_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if isinstance(value.get("linkURL"), str) and isinstance(value.get("digestMultibase"), str):
            yield value
        for item in value.values():
            yield from _link_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _link_objects(item)


def _links(
    document: dict[str, Any],
    served: dict[Path, Any],
    digests: dict[str, Path],
    stems: dict[str, Path],
) -> Verdict:
    from vcservice.links import DigestError, check_link

    if not document:
        return skipped("not a credential")
    matched, broken = [], []
    for link in _link_objects(document):
        target = digests.get(link["digestMultibase"])
        if target is not None:
            matched.append(target.name)
            continue
        named = stems.get(link["linkURL"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".json"))
        if named is None:
            continue
        try:
            ok = check_link(served[named], link)
        except DigestError as exc:
            broken.append(f"{link['linkURL']}: {exc}")
            continue
        (matched if ok else broken).append(
            named.name if ok else f"{link['linkURL']} → {named.name}: digest does not match"
        )
    if broken:
        return failed("; ".join(broken[:5]))
    if not matched:
        return skipped("no hash links to the other given files")
    return passed(f"{len(matched)} link(s) match: {', '.join(sorted(set(matched)))}")
