"""Rules for the objects a credential or presentation points to: identifiers, issuer, holder,
typed objects (status, schema, evidence, refresh, terms of use, proof) and related resources.

Each function records one check id and says in the detail *which* property failed, so a
report can be read without the document at hand.
"""

from __future__ import annotations

import re
from typing import Any

from vcservice.model._checks import (
    HOLDER,
    ID,
    ISSUER,
    RELATED_RESOURCE,
    TYPED_OBJECT,
    Findings,
)
from vcservice.model._digests import multibase_problem, sri_problem
from vcservice.model._iri import is_term, is_url
from vcservice.model._json import as_list, show
from vcservice.model._language import check_names

#: Objects VC-DM 2.0 §4.5 requires to carry a ``type`` (the table "objects that MUST have a
#: type specified"); ``proof`` is added because every securing mechanism needs one.
CREDENTIAL_TYPED = (
    "credentialStatus",
    "credentialSchema",
    "evidence",
    "refreshService",
    "termsOfUse",
    "proof",
)
PRESENTATION_TYPED = ("termsOfUse", "proof")

#: RFC 6838 ``type/subtype`` with optional parameters.
_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]{0,126}"
    r"(?:\s*;\s*[^\s;=]+=[^;]*)*"
)


def id_problem(value: Any) -> str | None:
    """Why ``value`` is not a single URL (VC-DM 2.0 §4.4); None if it is one."""
    if isinstance(value, list):
        return "must be a single URL, found an array"
    if not is_url(value):
        return f"must be a URL, found {show(value)}"
    return None


def type_problem(value: Any) -> str | None:
    """Why ``value`` is not "one or more terms and/or absolute URL strings" (§4.5)."""
    values = as_list(value)
    if not values:
        return "type must not be empty"
    for item in values:
        if not isinstance(item, str):
            return f"type values must be strings, found {show(item)}"
        if not (is_term(item) or is_url(item)):
            return f"type {show(item)} is neither a term nor an absolute URL"
    return None


def check_id(node: dict[str, Any], out: Findings, *, where: str) -> None:
    """``datamodel.id`` for the optional ``id`` of a credential or presentation."""
    out.ran(ID)
    if "id" in node:
        problem = id_problem(node["id"])
        if problem is not None:
            out.fail(ID, f"id {problem}", where=where)


def check_issuer(node: dict[str, Any], out: Findings, *, where: str) -> None:
    """``issuer`` is required: a URL, or an object whose ``id`` is a URL (§4.7)."""
    out.ran(ISSUER)
    if "issuer" not in node:
        out.fail(ISSUER, "issuer is required", where=where)
        return
    _check_party(node["issuer"], "issuer", ISSUER, out, where=where)


def check_holder(node: dict[str, Any], out: Findings, *, where: str) -> None:
    """``holder`` is optional: if present, a URL or an object with a URL ``id`` (§4.13)."""
    out.ran(HOLDER)
    if "holder" in node:
        _check_party(node["holder"], "holder", HOLDER, out, where=where)


def _check_party(value: Any, prop: str, check: str, out: Findings, *, where: str) -> None:
    if isinstance(value, dict):
        if "id" not in value:
            out.fail(check, f"the {prop} object must have an id", where=where)
        else:
            problem = id_problem(value["id"])
            if problem is not None:
                out.fail(check, f"{prop}.id {problem}", where=where)
        check_names(value, out, where=where, owner=f"{prop}.")
        return
    if isinstance(value, str):
        if not is_url(value):
            out.fail(check, f"{prop} must be a URL, found {show(value)}", where=where)
        return
    out.fail(
        check, f"{prop} must be a URL or an object with an id, found {show(value)}", where=where
    )


def check_typed_objects(
    node: dict[str, Any], properties: tuple[str, ...], out: Findings, *, where: str
) -> None:
    """Each listed property holds one or more objects, each with a ``type`` and, if it has an
    ``id``, a single URL one; ``credentialSchema`` needs its ``id`` (§4.11)."""
    out.ran(TYPED_OBJECT)
    for prop in properties:
        if prop not in node:
            continue
        items = as_list(node[prop])
        if not items:
            out.fail(TYPED_OBJECT, f"{prop} must not be an empty array", where=where)
        for index, item in enumerate(items):
            label = f"{prop}[{index}]" if isinstance(node[prop], list) else prop
            for problem in _typed_object_problems(prop, item):
                out.fail(TYPED_OBJECT, f"{label}: {problem}", where=where)


def _typed_object_problems(prop: str, item: Any) -> list[str]:
    if not isinstance(item, dict):
        return [f"must be an object, found {show(item)}"]
    problems = []
    if "type" not in item:
        problems.append("type is required")
    else:
        problem = type_problem(item["type"])
        if problem is not None:
            problems.append(problem)
    if "id" in item:
        problem = id_problem(item["id"])
        if problem is not None:
            problems.append(f"id {problem}")
    elif prop == "credentialSchema":
        problems.append("id is required (the URL of the schema)")
    return problems


def check_related_resources(node: dict[str, Any], out: Findings, *, where: str) -> None:
    """``relatedResource`` (§5.3): objects with a unique URL ``id`` and a usable digest."""
    if "relatedResource" not in node:
        return
    out.ran(RELATED_RESOURCE)
    value = node["relatedResource"]
    items = as_list(value)
    if not items:
        out.fail(RELATED_RESOURCE, "relatedResource must not be an empty array", where=where)
    seen: set[str] = set()
    for index, item in enumerate(items):
        label = f"relatedResource[{index}]" if isinstance(value, list) else "relatedResource"
        for problem in _resource_problems(item, seen):
            out.fail(RELATED_RESOURCE, f"{label}: {problem}", where=where)


def _resource_problems(item: Any, seen: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [f"must be an object with an id and a digest, found {show(item)}"]
    problems = []
    if "id" not in item:
        problems.append("id is required")
    else:
        resource_id = item["id"]
        problem = id_problem(resource_id)
        if problem is not None:
            problems.append(f"id {problem}")
        elif resource_id in seen:
            problems.append(f"id {show(resource_id)} appears more than once")
        else:
            seen.add(resource_id)
    if "digestSRI" not in item and "digestMultibase" not in item:
        problems.append("at least one of digestSRI or digestMultibase is required")
    if "digestSRI" in item and (problem := sri_problem(item["digestSRI"])) is not None:
        problems.append(problem)
    if "digestMultibase" in item and (problem := multibase_problem(item["digestMultibase"])):
        problems.append(problem)
    if "mediaType" in item and not _is_media_type(item["mediaType"]):
        problems.append(f"mediaType {show(item['mediaType'])} is not a media type")
    return problems


def _is_media_type(value: Any) -> bool:
    return isinstance(value, str) and bool(_MEDIA_TYPE.fullmatch(value))
