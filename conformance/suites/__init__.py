"""The suites, by name. Each is ``run(context) -> Iterator[Result]`` (see conformance.context).

A suite module is imported only when asked for, so a suite another team is still writing
(``interop``) is simply absent until its module exists: :func:`available` lists what can run.
"""

from __future__ import annotations

import importlib
import importlib.util

from conformance.context import Suite

#: Every suite name, in the order a run takes them.
NAMES: tuple[str, ...] = ("datamodel", "securing", "untp", "status", "graph", "interop", "files")


class UnknownSuiteError(LookupError):
    """No suite of that name (or its module is not there yet)."""


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(f"{__name__}.{name}") is not None
    except ImportError:
        return False


def available() -> list[str]:
    """The suites that can run here, in run order."""
    return [name for name in NAMES if _module_exists(name)]


def get(name: str) -> Suite:
    """The suite called ``name``: its module's ``run`` (or ``suite``) function."""
    if name not in NAMES or not _module_exists(name):
        raise UnknownSuiteError(f"no suite {name!r}; available: {', '.join(available())}")
    module = importlib.import_module(f"{__name__}.{name}")
    suite = getattr(module, "run", None) or getattr(module, "suite", None)
    if not callable(suite):
        raise UnknownSuiteError(f"suite module {module.__name__} defines no run(context)")
    found: Suite = suite
    return found
