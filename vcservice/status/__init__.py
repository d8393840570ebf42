"""Bitstring Status List v1.0: encode and decode lists, build entries and list credentials,
fetch remote lists, and check a credential's status.

Pure parts (no I/O): :func:`encode_list`, :func:`decode_list`, :func:`get_status`,
:func:`set_status`, :func:`status_entry`, :func:`status_list_credential`. The network enters
only through a :class:`StatusListFetcher` (:class:`HttpStatusListFetcher` over an injected
``httpx.Client``; :class:`MapStatusListFetcher` for tests and for lists served by this
service), and signature checking through the ``verify_list`` function :func:`check_status`
is given, so the status step needs neither a resolver nor a loader of its own.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/
"""

from vcservice.status._bitstring import (
    MIN_LIST_LENGTH,
    decode_list,
    encode_list,
    get_status,
    set_status,
)
from vcservice.status._check import VerifyList, check_status, check_status_entries
from vcservice.status._documents import status_entry, status_list_credential
from vcservice.status._fetchers import (
    HttpStatusListFetcher,
    MapStatusListFetcher,
    StatusListFetcher,
)

__all__ = [
    "MIN_LIST_LENGTH",
    "HttpStatusListFetcher",
    "MapStatusListFetcher",
    "StatusListFetcher",
    "VerifyList",
    "check_status",
    "check_status_entries",
    "decode_list",
    "encode_list",
    "get_status",
    "set_status",
    "status_entry",
    "status_list_credential",
]
