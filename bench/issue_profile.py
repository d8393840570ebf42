"""Where an issue spends its time, in-process: ``python -m bench.issue_profile [N]
[--cprofile] [--batch SIZE]`` (``--batch``: N credentials issued in batches of SIZE through
``Service.issue_batch``, times per credential).

Issues ``N`` vc+jwt credentials with a revocation status entry as one did:key tenant on a
fresh SQLite database, and prints the mean time per issue of each phase (the functions below,
timed inclusively by wrapping them) and of each kind of SQL statement (SQLAlchemy's cursor
events), then cProfile's top functions. One thread, so it shows the work, not contention; the
HTTP figures (:mod:`bench.http`) show what contention does to it.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import event

from bench.http import issue_body
from vcservice.api.models import IssueRequest
from vcservice.keys import KeyType
from vcservice.service import Service
from vcservice.settings import Settings
from vcservice.store import Store

#: (module, attribute) of the phases timed, by the name printed.
PHASES = {
    "prepared (data-model check)": ("vcservice.issuing", "prepared"),
    "issue_vc_jwt (signing)": ("vcservice.issuing", "issue_vc_jwt"),
    "check_signed": ("vcservice.issuing", "check_signed"),
    "allocate_status": ("vcservice.store._status", "StatusOps.allocate_status"),
    "save_credential": ("vcservice.store._credentials", "CredentialOps.save_credential"),
    "append_key_event": ("vcservice.store._key_events", "KeyEventOps.append_key_event"),
    "append_signature": ("vcservice.store._key_events", "KeyEventOps.append_signature"),
    "sqlite3 COMMIT (fsync)": ("sqlalchemy.engine.default", "DefaultDialect.do_commit"),
    "Issuing.issue (all)": ("vcservice.service.issuing", "Issuing.issue"),
}
#: The write transaction, from ``Store.transaction()`` to the end of its commit: on SQLite,
#: how long every other writer waits.
WRITE_TRANSACTION = "write transaction (lock held)"


@contextmanager
def _timed(totals: dict[str, float]) -> Iterator[None]:
    """Wrap each phase's function to add its inclusive time to ``totals``."""
    undo: list[Callable[[], None]] = []
    for label, (module_name, path) in PHASES.items():
        owner: Any = sys.modules.get(module_name) or __import__(module_name, fromlist=["_"])
        *parents, name = path.split(".")
        for part in parents:
            owner = getattr(owner, part)
        original = getattr(owner, name, None)
        if original is None:  # a phase of another version of the code
            continue

        def wrapper(*args: Any, _f: Any = original, _l: str = label, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return _f(*args, **kw)
            finally:
                totals[_l] += time.perf_counter() - start

        setattr(owner, name, wrapper)
        undo.append(partial(setattr, owner, name, original))
    transaction = Store.transaction

    @contextmanager
    def timed_transaction(store: Store) -> Iterator[Any]:
        start = time.perf_counter()
        try:
            with transaction(store) as tx:
                yield tx
        finally:
            totals[WRITE_TRANSACTION] += time.perf_counter() - start

    Store.transaction = timed_transaction  # type: ignore[assignment,method-assign]
    undo.append(partial(setattr, Store, "transaction", transaction))
    try:
        yield
    finally:
        for step in undo:
            step()


def _sql_timer(service: Service, totals: dict[str, float], counts: dict[str, int]) -> None:
    engine = service.store.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["vc_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        kind = " ".join(words[:3]) if words else "?"
        if words and words[0] == "SELECT":
            kind = "SELECT … " + next(
                (words[i + 1] for i, w in enumerate(words) if w == "FROM"), "?"
            )
        totals[kind] += time.perf_counter() - conn.info.pop("vc_started", time.perf_counter())
        counts[kind] += 1


def main(count: int = 300, *, profiled: bool = False, batch: int = 0) -> None:
    with tempfile.TemporaryDirectory(prefix="vcservice-issue-profile-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'vcservice.db'}",
            public_url="http://127.0.0.1:8000",
            secret_key=SecretStr("A" * 43),
        )
        service = Service.from_settings(settings)
        created = service.create_tenant("bench", KeyType.ED25519, "key")
        tenant = service.tenant_by_api_key(created["api_key"])
        assert tenant is not None
        body = issue_body()
        body["options"]["credentialStatus"] = {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
        }
        for _ in range(20):  # warm-up: contexts loaded, the status list created
            service.issue(tenant, IssueRequest.model_validate(body).command())
        phases: dict[str, float] = defaultdict(float)
        sql: dict[str, float] = defaultdict(float)
        sql_counts: dict[str, int] = defaultdict(int)
        _sql_timer(service, sql, sql_counts)
        parse = 0.0
        profile = cProfile.Profile()
        with _timed(phases):
            started, cpu = time.perf_counter(), time.process_time()
            if profiled:
                profile.enable()
            for _ in range(count // batch if batch else count):
                t0 = time.perf_counter()
                commands = [IssueRequest.model_validate(body).command() for _ in range(batch or 1)]
                parse += time.perf_counter() - t0
                if batch:
                    service.issue_batch(tenant, commands)
                else:
                    service.issue(tenant, commands[0])
            profile.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        service.close()
    how = f"in batches of {batch}" if batch else "one by one"
    print(f"{count} issues {how} in {elapsed:.2f} s (phases timed): {count / elapsed:,.0f}/s")
    print(f"{'CPU time per issue (this process)':40s} {cpu / count * 1000:7.3f} ms")
    print(f"{'request model → command':40s} {parse / count * 1000:7.3f} ms")
    for label, total in phases.items():
        print(f"{label:40s} {total / count * 1000:7.3f} ms")
    print("SQL statements (per issue: count, ms):")
    for kind, total in sorted(sql.items(), key=lambda item: -item[1]):
        print(f"  {kind[:60]:60s} {sql_counts[kind] / count:5.2f} {total / count * 1000:7.3f}")
    if profiled:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    size = int(arguments[arguments.index("--batch") + 1]) if "--batch" in arguments else 0
    numbers = [a for a in arguments if a.isdigit() and a != str(size)]
    main(int(numbers[0]) if numbers else 300, profiled="--cprofile" in arguments, batch=size)
