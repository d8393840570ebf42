"""One database transaction with every repository operation on it."""

from __future__ import annotations

from vcservice.store._console import ConsoleOps
from vcservice.store._credentials import CredentialOps
from vcservice.store._did_logs import DidLogOps
from vcservice.store._identifiers import IdentifierOps
from vcservice.store._key_events import KeyEventOps
from vcservice.store._registry import RegistryOps
from vcservice.store._service_keys import ServiceKeyOps
from vcservice.store._shared import SharedResultOps
from vcservice.store._status import StatusOps
from vcservice.store._tenants import TenantOps


class Transaction(
    TenantOps,
    CredentialOps,
    StatusOps,
    RegistryOps,
    ServiceKeyOps,
    ConsoleOps,
    SharedResultOps,
    DidLogOps,
    KeyEventOps,
    IdentifierOps,
):
    """The operations of :class:`~vcservice.store.Store`, inside one transaction.

    Obtained from ``with store.transaction() as tx:``; everything done through ``tx`` commits
    together when the block ends, or not at all if it raises. Typical use is allocate a status
    entry, sign (no database work), save the credential: a signing failure then leaves no trace.
    Keep the block short: on SQLite it holds the database's write lock (other writers queue
    behind it); on PostgreSQL it holds only the rows it wrote.
    """
