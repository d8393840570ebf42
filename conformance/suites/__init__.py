"""The suites, by name, in run order. Each is a module whose ``run(context) -> Iterator[Result]``
runs it (see conformance.context); a new suite is one module here and one line in ``_MODULES``.
"""

from __future__ import annotations

from types import ModuleType

from conformance.context import Suite
from conformance.suites import (
    confidential,
    datamodel,
    disclosure,
    files,
    graph,
    interop,
    registry,
    resolver,
    securing,
    status,
    untp,
)
from vcservice.errors import UnknownSuiteError as UnknownSuiteError

_MODULES: dict[str, ModuleType] = {
    "datamodel": datamodel,
    "securing": securing,
    "untp": untp,
    "status": status,
    "graph": graph,
    "interop": interop,
    "registry": registry,
    "resolver": resolver,
    "disclosure": disclosure,
    "confidential": confidential,
    "files": files,
}

#: Every suite name, in the order a run takes them.
NAMES: tuple[str, ...] = tuple(_MODULES)


def available() -> list[str]:
    """The suites that can run here, in run order."""
    return list(NAMES)


def get(name: str) -> Suite:
    """The suite called ``name``: its module's ``run``, looked up when asked for (so a test
    that replaces a module's ``run`` is heard)."""
    module = _MODULES.get(name)
    if module is None:
        raise UnknownSuiteError(f"no suite {name!r}; available: {', '.join(NAMES)}")
    suite: Suite = module.run
    return suite
