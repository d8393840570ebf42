"""``validate``: a credential's data model, its UNTP 0.7.0 base schema and our extension schemas,
without verifying any proof. What ``vcservice validate`` and an issuer's pre-flight run.

Check ids: the data-model ones (``datamodel.*``; VC 1.1 documents get the 1.1 rules and the
``datamodel.legacy-vc1`` warning, as in verification), ``schema.untp`` (see
:mod:`vcservice.untp`) and ``schema.extension``: one check per extension schema that applies,
*failed* per violation with the JSON pointer in ``path``, *indeterminate* if the schema itself is
unusable (invalid, or a ``$ref`` that is not bundled) — a broken schema says nothing about the
credential. A vc+jwt (compact JWS, ``data:`` URL or EnvelopedVerifiableCredential) is validated
on its decoded payload; its signature is *not* checked here (that is ``verify``).

The extension hook
------------------
Which extension schemas apply to a document is the vocabulary's knowledge, not ours, so it is
asked through one function with a fixed contract::

    extension_schemas_for(document: Mapping[str, Any]) -> Sequence[tuple[str, Mapping[str, Any]]]

returning ``(name, JSON Schema 2020-12)`` pairs (``name`` appears in messages) for the profiles
the document *claims* (by our context URL or an extension ``type``), never for every credential:
a plain UNTP credential must not fail for lacking our extension terms. The default
provider, :func:`extension_schemas_for` here, is ``vcservice.vocab.extension_schemas_for``.
Nothing is registered at import time and there is no mutable registry: a caller (a test,
another deployment) passes its own provider as ``extensions=``. Extension schemas may ``$ref``
the UNTP base schemas by their published URLs (``vcservice.untp.SCHEMA_BASE`` +
``dpp/DigitalProductPassport.json#/$defs/…``) and each other by ``$id``; nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from vcservice import vocab
from vcservice.errors import InputError
from vcservice.jsonld import StaticDocumentLoader
from vcservice.model import (
    is_vc1,
    jose_refusal,
    legacy_warning,
    validate_credential,
    validate_vc1_credential,
)
from vcservice.report import VerificationReport
from vcservice.securing.jose import decode_unverified, parse_envelope
from vcservice.untp import (
    SchemaUnusableError,
    credential_types,
    report_failures,
    schema_failures,
    untp_registry,
    validate_untp,
)

__all__ = [
    "EXTENSION_CHECK",
    "ExtensionSchemaProvider",
    "extension_schemas_for",
    "no_extension_schemas",
    "unwrap_credential",
    "validate_document",
    "validate_extensions",
]

EXTENSION_CHECK = "schema.extension"
_ENVELOPED = ("EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation")

#: ``document → [(name, schema), ...]``: the extension schemas that apply to a document.
ExtensionSchemaProvider = Callable[[Mapping[str, Any]], Sequence[tuple[str, Mapping[str, Any]]]]


def no_extension_schemas(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """A provider that applies none (base-schema validation only)."""
    return []


def extension_schemas_for(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The default provider: ``vcservice.vocab.extension_schemas_for(document)``, the one code
    that knows which of our profiles a document claims.

    Looked up on the module when called, not bound at import, so the default argument of
    :func:`validate_extensions` and :func:`validate_document` follows the vocabulary module
    (a test stands in for it with ``monkeypatch.setattr(vocab, "extension_schemas_for", ...)``).
    """
    return list(vocab.extension_schemas_for(document))


def _registry(schemas: Sequence[tuple[str, Mapping[str, Any]]]) -> Registry[Any]:
    """The bundled UNTP schemas plus each extension schema that declares an ``$id``."""
    extra = [
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for _, schema in schemas
        if isinstance(schema.get("$id"), str)
    ]
    return untp_registry().with_resources(extra) if extra else untp_registry()


def validate_extensions(
    document: Mapping[str, Any], extensions: ExtensionSchemaProvider = extension_schemas_for
) -> VerificationReport:
    """``schema.extension``: the document against every extension schema the provider returns."""
    report = VerificationReport()
    schemas = list(extensions(document))
    registry = _registry(schemas)
    for name, schema in schemas:
        try:
            failures = schema_failures(document, schema, registry=registry)
        except SchemaUnusableError as exc:
            report.indeterminate(
                EXTENSION_CHECK, f"Extension schema {name} unusable", f"{name}: {exc}"
            )
            continue
        title = f"Not valid under extension schema {name}"
        report_failures(report, EXTENSION_CHECK, title, failures, label=name)
    return report


def unwrap_credential(value: Any) -> tuple[dict[str, Any], bool]:
    """(credential JSON, whether it came from a JWS). A compact JWS, ``data:`` URL or
    EnvelopedVerifiableCredential is decoded, *unverified*, to its payload minus JWT claims.

    Raises InputError for anything that is neither a JSON object nor a decodable JWS.
    """
    jws: str | None = None
    if isinstance(value, str):
        jws = value.strip()
        if jws[:5].lower() == "data:":
            jws = parse_envelope({"type": _ENVELOPED[0], "id": jws})[1]
    elif isinstance(value, dict) and set(_ENVELOPED) & set(credential_types(value)):
        jws = parse_envelope(value)[1]
    elif not isinstance(value, dict):
        raise InputError("expected a credential: a JSON object, a compact JWS or an envelope")
    if jws is None:
        assert isinstance(value, dict)
        return value, False
    return decode_unverified(jws), True


def validate_document(
    value: Any,
    *,
    loader: StaticDocumentLoader,
    extensions: ExtensionSchemaProvider = extension_schemas_for,
) -> VerificationReport:
    """Data model + UNTP base schema + extension schemas of one credential; ``report.document``
    is the credential that was validated (the payload, for a vc+jwt).

    All three run even when an earlier one failed: they answer different questions (is it a
    VC? is it a UNTP DPP? is it our profile?) and a fixer wants every answer at once.
    """
    document, enveloped = unwrap_credential(value)
    report = VerificationReport(document=document)
    if is_vc1(document):
        report.warn(*legacy_warning("credential"))
        if enveloped:
            report.failed(
                "datamodel.context", "Invalid @context", jose_refusal("credential", "vc+jwt")
            )
        else:
            report.extend(validate_vc1_credential(document, loader=loader))
    else:
        report.extend(validate_credential(document, loader=loader))
    report.extend(validate_untp(document))
    report.extend(validate_extensions(document, extensions))
    return report
