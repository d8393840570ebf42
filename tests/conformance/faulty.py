"""A deliberately faulty VC API verifier, to plant a known bug and watch the harness find it.

``create_app(fault)`` serves ``POST /credentials/verify`` with :class:`vcservice.verify.Verifier`
(did:key, did:jwk and did:web, plain http to loopback allowed; status lists fetched over
loopback, cached for a second), then forgets some failures before answering:

* ``skip-signature``: every ``jose.*`` and ``proof.*`` failure: it accepts any credential whose
  data model, validity and status are fine, whoever signed it and whatever was changed;
* ``skip-status``: every ``status.*`` failure: revoked credentials pass;
* ``None``: nothing (an honest verifier, for comparison).

:func:`serve` runs it with uvicorn in a daemon thread on a free loopback port.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import httpx
import uvicorn
from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcservice.dids import default_resolver
from vcservice.errors import InputError
from vcservice.report import Outcome, VerificationReport
from vcservice.status import HttpStatusListFetcher
from vcservice.verify import Verifier

Fault = Literal["skip-signature", "skip-status"]
IGNORED: dict[str, tuple[str, ...]] = {
    "skip-signature": ("jose.", "proof."),
    "skip-status": ("status.",),
}


def _forget(report: VerificationReport, prefixes: tuple[str, ...]) -> VerificationReport:
    kept = [
        c
        for c in report.checks
        if not (c.outcome in (Outcome.FAILED, Outcome.INDETERMINATE) and c.id.startswith(prefixes))
    ]
    return VerificationReport(kept, report.document)


def create_app(fault: Fault | None, http: httpx.Client) -> FastAPI:
    """The app; ``http`` (borrowed) fetches DID documents and status lists."""
    verifier = Verifier(
        resolver=default_resolver(http, allow_http_loopback=True),
        status=HttpStatusListFetcher(http, allow_http_loopback=True, cache_ttl=1.0),
    )
    app = FastAPI(title=f"faulty verifier ({fault or 'honest'})")

    def check(credential: Any) -> VerificationReport:
        report = verifier.verify_credential(credential)
        if fault is not None:
            report = _forget(report, IGNORED[fault])
        return report

    @app.post("/credentials/verify")
    async def verify(body: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        credential = body.get("verifiableCredential")
        if not isinstance(credential, dict | str):
            return JSONResponse({"verified": False, "errors": [{"id": "request"}]}, 400)
        try:
            report = await run_in_threadpool(check, credential)
        except InputError as exc:
            problem = {"id": exc.slug, "problem": {"title": exc.title, "detail": exc.detail}}
            return JSONResponse({"verified": False, "errors": [problem]}, 400)
        out = report.to_dict()
        out.pop("document", None)
        return JSONResponse(out, status_code=200 if report.verified else 422)

    return app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(fault: Fault | None) -> Iterator[str]:
    """The faulty verifier's base URL while the context is open."""
    port = free_port()
    http = httpx.Client(follow_redirects=False, timeout=5.0)
    config = uvicorn.Config(
        create_app(fault, http), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"faulty-{fault}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the faulty verifier ({fault}) did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        http.close()
