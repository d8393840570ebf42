"""The one registry of issuing formats: ``vc+jwt``, ``vc+sd-jwt`` and every Data Integrity
cryptosuite.

Every list of formats is derived from here: the API's ``options.format`` (its OpenAPI enum and
its check of each request), the CLI's ``--format``, the console's choice, :func:`issue_credential
<vcservice.issuing.issue_credential>`, the suite a status list is signed with, and the suites
:mod:`~vcservice.securing.dataintegrity` signs and verifies with by default. Kept by hand in
four places, one list fell behind the others and a new 16-line suite took a five-file change.

**Adding a cryptosuite** is its module under :mod:`vcservice.securing.suites` plus one line in
:data:`BUILT_IN_SUITES`. The order of that tuple is the order formats are offered in, after
the JOSE formats ``vc+jwt`` (the default) and ``vc+sd-jwt``, and a key type's first suite there
signs the status lists of tenants with that key type (:func:`status_list_suite`), so RDFC suites
come before JCS ones: a status list is JSON-LD, and every Data Integrity verifier we test
against checks RDFC.

**Registering at run time.** :func:`register_suite` and :func:`unregister_suite` add or drop a
suite for the whole process (a plug-in at start-up, a test). This is the package's one piece of
process-wide mutable state, on purpose: the formats a process offers are a fact about that
process, read by surfaces that share no object (the API models, the CLI, the engine's
defaults). Each change replaces one immutable snapshot under a lock, so readers never lock and
never see a half-made registry; a surface that must not see later changes keeps the snapshot it
read (:func:`default_suites`) and passes it on.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from types import MappingProxyType

from vcservice.errors import InputError, SigningError
from vcservice.keys import KeyType
from vcservice.securing.suites import (
    ECDSA_JCS_2019,
    ECDSA_RDFC_2019,
    ECDSA_SD_2023,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    Cryptosuite,
    SuiteRegistry,
)


@dataclass(frozen=True)
class JoseFormat:
    """Secured as a VC-JOSE-COSE envelope: a compact JWS, its ``alg`` fixed by the key type."""

    name: str
    algs: Mapping[KeyType, str]

    @property
    def key_types(self) -> frozenset[KeyType]:
        return frozenset(self.algs)


@dataclass(frozen=True)
class SuiteFormat:
    """Secured with a Data Integrity proof of one cryptosuite, named like the suite."""

    suite: Cryptosuite

    @property
    def name(self) -> str:
        return self.suite.name

    @property
    def key_types(self) -> frozenset[KeyType]:
        return self.suite.key_types


#: One way to secure an issued credential; ``isinstance`` tells JOSE from Data Integrity.
IssuingFormat = JoseFormat | SuiteFormat

#: ``vc+jwt``: every key type this service has, each with its own JWS algorithm.
VC_JWT = JoseFormat("vc+jwt", MappingProxyType({t: t.jws_alg for t in KeyType}))
#: ``vc+sd-jwt`` (VC-JOSE-COSE §3.2): a JWS like vc+jwt whose chosen claims a holder may
#: withhold (:mod:`vcservice.securing.sdjwt`). Offered second, with the other JOSE format.
VC_SD_JWT = JoseFormat("vc+sd-jwt", VC_JWT.algs)

#: The Data Integrity suites this service issues with, in the order they are offered.
BUILT_IN_SUITES: tuple[Cryptosuite, ...] = (
    EDDSA_RDFC_2022,
    ECDSA_RDFC_2019,
    EDDSA_JCS_2022,
    ECDSA_JCS_2019,
    ECDSA_SD_2023,
)


@dataclass(frozen=True)
class _Snapshot:
    """The registry at one moment: the suites, and every format in the order offered."""

    suites: SuiteRegistry
    formats: Mapping[str, IssuingFormat]


def _snapshot(suites: SuiteRegistry) -> _Snapshot:
    formats: list[IssuingFormat] = [VC_JWT, VC_SD_JWT, *(SuiteFormat(s) for s in suites.suites)]
    return _Snapshot(suites, MappingProxyType({f.name: f for f in formats}))


_lock = threading.Lock()
_current = _snapshot(reduce(SuiteRegistry.with_suite, BUILT_IN_SUITES, SuiteRegistry()))


def default_suites() -> SuiteRegistry:
    """The Data Integrity suites registered now (the same object until the next change)."""
    return _current.suites


def format_names() -> tuple[str, ...]:
    """Every format this process issues with, in the order offered: ``vc+jwt`` first, then
    ``vc+sd-jwt``, then the cryptosuites."""
    return tuple(_current.formats)


def formats_for_key(key_type: KeyType) -> tuple[str, ...]:
    """The formats a key of ``key_type`` can sign, in the order offered."""
    return tuple(n for n, f in _current.formats.items() if key_type in f.key_types)


def issuing_format(name: object) -> IssuingFormat:
    """The format called ``name``; InputError naming the registered ones otherwise."""
    formats = _current.formats
    found = formats.get(name) if isinstance(name, str) else None
    if found is None:
        raise InputError(f"unknown format {name!r}; expected one of {', '.join(formats)}")
    return found


def status_list_suite(key_type: KeyType) -> str:
    """The cryptosuite a status list signed with a ``key_type`` key uses: the first one
    registered for that key type (see the module docstring). SigningError if there is none."""
    for suite in _current.suites.suites:
        if key_type in suite.key_types:
            return suite.name
    raise SigningError(f"no registered cryptosuite signs with a {key_type.value} key")


def register_suite(suite: Cryptosuite) -> None:
    """Offer ``suite`` as a format everywhere, after those registered before it.

    The suite is validated as :meth:`SuiteRegistry.with_suite` does (TypeError/ValueError if it
    is unusable or its name is taken); its name must not be a JOSE format's either.
    """
    global _current
    with _lock:
        if suite.name in (VC_JWT.name, VC_SD_JWT.name):
            raise ValueError(f"{suite.name!r} is a JOSE format, not a cryptosuite name")
        _current = _snapshot(_current.suites.with_suite(suite))


def unregister_suite(name: str) -> None:
    """Stop offering the cryptosuite ``name``; ValueError if it is not registered."""
    global _current
    with _lock:
        kept = [s for s in _current.suites.suites if s.name != name]
        if len(kept) == len(_current.suites.suites):
            raise ValueError(f"cryptosuite {name!r} is not registered")
        _current = _snapshot(reduce(SuiteRegistry.with_suite, kept, SuiteRegistry()))
