"""One error tree: every exception class the package defines or raises descends from
``VCServiceError`` and is defined in ``vcservice.errors`` (listed in its docstring), and the
API's one table maps each to a status.

Exceptions outside the tree are the deliberate ones of ``_ALLOWED``, each with its reason and
the modules allowed to raise it; anything else fails here, so a new exception class lands in
``errors.py`` (and its table entry) or in this list with a reason, never silently elsewhere.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import conformance
import vcservice
from vcservice import errors
from vcservice.errors import VCServiceError
from vcservice.http import problems

#: Modules that run when imported (``python -m`` entry points): read, never imported; only
#: the builtins they raise are resolved.
_SCRIPTS = frozenset({"vcservice.vocab.__main__", "conformance.__main__"})

_ARGUMENT = "a bad argument from the calling code (a bug), the Python convention"

#: Exceptions outside the tree on purpose: qualified name -> (module prefixes, why).
_ALLOWED: dict[str, tuple[tuple[str, ...], str]] = {
    "typer.exceptions.Exit": (
        ("vcservice.cli", "conformance.cli"),
        "the CLIs' exit codes (0-3) are typer's way out of a command, not errors",
    ),
    "typer._click.exceptions.BadParameter": (
        ("vcservice.cli",),
        "typer's refusal of an option value, worded and exited (2) by typer itself",
    ),
    "did_webvh.core.file_utils.AsyncTextReadError": (
        ("vcservice.dids._didwebvh",),
        "how a history source tells the did:webvh library it has no witness file; caught in "
        "the same module and turned into DidLogWitnessError",
    ),
    "did_webvh.core.state.InvalidDocumentState": (
        ("vcservice.dids._didwebvh",),
        "our checks inside the did:webvh library's verifier (a witness listed twice, a proof's "
        "suite) refused the library's way, so its resolver reports them like its own; the "
        "module turns every refusal into a DidLogError",
    ),
    "builtins.SystemExit": (
        ("vcservice.vocab.__main__", "vcservice.checks", "conformance.adapters.didkit_adapter"),
        "scripts ending with an exit status",
    ),
    "pydantic_core._pydantic_core.PydanticCustomError": (
        ("vcservice.api.models",),
        "a pydantic validator's refusal, reported by the API as its 422 invalid-request",
    ),
    "fastapi.exceptions.HTTPException": (
        ("vcservice.http.deps", "vcservice.api.deps"),
        "FastAPI dependencies refuse (401/403) with FastAPI's exception, which the problem "
        "handlers turn into problem details like every other error",
    ),
    "httpcore.ConnectError": (
        ("vcservice._fetch",),
        "raised inside the httpcore connection pool, whose contract is httpcore's exceptions; "
        "the bounded getter translates them into ResolutionError",
    ),
    "vcservice.jsonld._fast.Unsupported": (
        ("vcservice.jsonld._fast",),
        "a signal to fall back to the pyld reference, caught in vcservice.jsonld: never an error "
        "and never leaves the package",
    ),
    "vcservice.http.limits.LimitError": (
        ("vcservice.http.limits", "vcservice.api.limits"),
        "the request-limits middleware's signal carrying the status it answers with; raised and "
        "caught inside the middleware, which answers problem details itself",
    ),
    "builtins.ImportError": (
        ("vcservice.untp._formats",),
        "a format the bundled schemas use has no checker (an optional package missing): "
        "failing at import is the point, so a check is never silently off",
    ),
    "vcservice.graph._rolling._UnknownError": (
        ("vcservice.graph._rolling",),
        "a signal that a rolling-average period cannot be computed, caught in the module and "
        "reported as the check's indeterminate outcome: never leaves it",
    ),
    "vcservice.registry.cose.CoseError": (
        ("vcservice.registry.cose",),
        "the COSE decoder's refusal, which its callers turn into their layer's error "
        "(StatementError for a registration, ReceiptError for a receipt): never leaves the "
        "registry package",
    ),
    "builtins.RuntimeError": (
        (
            "vcservice.service",
            "vcservice.store._ledger",
            "vcservice.store._store",
            "vcservice.ledger.rules",
        ),
        "a broken invariant of the database (a bug or damage), answered as an unexpected 500",
    ),
    "builtins.TypeError": (
        ("vcservice.securing", "vcservice.registry.cose"),
        "registering an object that is not a cryptosuite, signing with a bare function and no "
        "algorithm: " + _ARGUMENT,
    ),
    "builtins.IndexError": (("vcservice.status._bitstring",), _ARGUMENT),
    "builtins.KeyError": (
        ("vcservice.vocab._schemas", "vcservice.web.schema_form", "vcservice.issuing"),
        "no profile or format of that name: the Mapping protocol, or " + _ARGUMENT,
    ),
    "builtins.ValueError": (
        (
            # pydantic validators must raise ValueError (pydantic turns it into its own error)
            "vcservice.settings",
            "vcservice.vocab.profiles",
            # bad arguments and configuration from the calling code
            "vcservice.vocab._render",
            "vcservice.dids",
            "vcservice.ledger.merkle",
            "vcservice.store._schema",
            "vcservice.store._ops",
            "vcservice.store._permute",
            # a digest's text that is not base58btc, caught in vcservice.links (DigestError)
            "vcservice._base58",
            "vcservice.store._records",
            "vcservice.securing",
            "vcservice.status._bitstring",
            # the fetcher's constructor arguments (its URL refusals are UrlRefusedError)
            "vcservice._fetch",
            # the harness's "not a credential", caught as ValueError by the suites, and the
            # registry suite's "the answer is not JSON"
            "conformance.suites._common",
            "conformance.suites.registry",
            # the resolver suite's "that is not a linkset", caught as ValueError in the suite
            "conformance.suites.resolver",
        ),
        "pydantic validators, bad arguments from the calling code, and refusals caught as "
        "ValueError by their callers within the package",
    ),
}


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _modules() -> Iterator[tuple[str, Path, ModuleType | None]]:
    for package in (vcservice, conformance):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            spec = importlib.util.find_spec(info.name)
            assert spec is not None, info.name
            assert spec.origin is not None, info.name
            module = None if info.name in _SCRIPTS else importlib.import_module(info.name)
            yield info.name, Path(spec.origin), module


MODULES = list(_modules())


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """The object a ``raise`` names (``X``, ``X(...)``, ``a.b.X(...)``), or None when it is
    not a module-level name (a variable, ``type(exc)``, a function's result)."""
    if isinstance(node, ast.Call):
        node = node.func
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    value = namespace.get(node.id, getattr(builtins, node.id, None))
    for part in parts:
        value = getattr(value, part, None)
    return value


def _found() -> Iterator[tuple[str, type[BaseException], str]]:
    """(module, class, "defined" or "raised") for every exception class of the package."""
    for name, path, module in MODULES:
        namespace = vars(module) if module is not None else {}
        if module is not None:
            for value in list(namespace.values()):
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == name
                ):
                    yield name, value, "defined"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                value = _resolve(node.exc, namespace)
                if inspect.isclass(value) and issubclass(value, BaseException):
                    yield name, value, f"raised at line {node.lineno}"


FOUND = list(_found())


def _allowed(module: str, cls: type[BaseException]) -> bool:
    prefixes, _why = _ALLOWED.get(_qualified(cls), ((), ""))
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_every_exception_is_in_the_one_tree() -> None:
    strays = sorted(
        f"{module}: {_qualified(cls)} {how}"
        for module, cls, how in FOUND
        if not (issubclass(cls, VCServiceError) and cls.__module__ == errors.__name__)
        and not _allowed(module, cls)
    )
    assert strays == []


def test_the_walk_sees_the_tree_and_the_allowed_exceptions() -> None:
    """A guard on the test itself: it finds raises through re-exports and of every kind."""
    seen = {_qualified(cls) for _module, cls, _how in FOUND}
    assert {
        "vcservice.errors.InsufficientCreditError",  # raised by the store, re-exported there
        "vcservice.errors.CredentialRejectedError",  # issuing
        "vcservice.errors.ImplementationError",  # the conformance client
        "typer.exceptions.Exit",
        "builtins.ValueError",
    } <= seen
    stale = sorted(set(_ALLOWED) - seen)
    assert stale == [], "allowed but no longer raised or defined: drop them from _ALLOWED"


def _tree() -> list[type[VCServiceError]]:
    return [
        value
        for value in vars(errors).values()
        if inspect.isclass(value) and issubclass(value, VCServiceError)
    ]


def test_the_docstring_draws_every_class() -> None:
    doc = errors.__doc__ or ""
    missing = sorted(c.__name__ for c in _tree() if not re.search(rf"\b{c.__name__}\b", doc))
    assert missing == []


@pytest.mark.parametrize("cls", _tree(), ids=lambda c: c.__name__)
def test_every_class_has_its_own_problem_type_and_a_status(cls: type[VCServiceError]) -> None:
    assert "slug" in vars(cls), "a problem type of its own, not its parent's"
    assert re.fullmatch(r"[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*", cls.slug)
    assert cls.title
    statuses = [status for base, status in problems._STATUS if issubclass(cls, base)]
    assert statuses, f"{cls.__name__} has no status in vcservice.http.problems._STATUS"
    assert 400 <= statuses[0] <= 599


def test_problem_types_are_distinct() -> None:
    slugs = [c.slug for c in _tree()]
    assert sorted(s for s in set(slugs) if slugs.count(s) > 1) == []


def test_names_stay_importable_where_callers_import_them() -> None:
    from conformance.client import ImplementationError
    from conformance.config import ConfigError
    from conformance.suites import UnknownSuiteError
    from conformance.suites._tamper import TamperError
    from vcservice._fetch import AddressRefusedError
    from vcservice.issuing import CredentialRejectedError
    from vcservice.ledger import CheckpointError, UnbalanceableError
    from vcservice.links import DigestError
    from vcservice.status._bitstring import ListTooLargeError
    from vcservice.store import InsufficientCreditError, StoreUnavailableError
    from vcservice.untp import SchemaUnusableError

    assert all(
        cls.__module__ == errors.__name__
        for cls in (
            ImplementationError,
            ConfigError,
            UnknownSuiteError,
            TamperError,
            AddressRefusedError,
            CredentialRejectedError,
            CheckpointError,
            UnbalanceableError,
            DigestError,
            ListTooLargeError,
            InsufficientCreditError,
            StoreUnavailableError,
            SchemaUnusableError,
        )
    )
    # Builtin bases kept for code that catches them by those.
    assert issubclass(ConfigError, ValueError)
    assert issubclass(TamperError, ValueError)
    assert issubclass(UnknownSuiteError, LookupError)
    assert issubclass(AddressRefusedError, errors.ResolutionError)
