"""A W3C VC API client (w3c/vcalm) for the endpoints a platform declares.

It speaks only the API's JSON contract, so it works against any implementation. Anything that
is not an answer the API defines (connection refused, timeout, a 5xx, a body that is not JSON)
is an :class:`ImplementationError`: the harness reports the check as ``error``, never as a
verdict about conformance.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from conformance.config import Endpoint, Implementation
from vcservice.errors import ImplementationError as ImplementationError
from vcservice.errors import InputError
from vcservice.ingress import FETCHED_LIMITS, read_json

#: The most a single answer may hold; a verifier's report is a few kilobytes.
MAX_BYTES = 8 << 20
#: Statuses that say nothing about the credential (wrong URL, token, method or media type,
#: too many requests): the check could not run.
_NOT_ABOUT_CONTENT = frozenset({401, 404, 405, 406, 407, 408, 411, 413, 414, 415, 429})


@dataclass(frozen=True)
class Answer:
    """An HTTP answer the API defines: status and JSON body (``None`` when empty)."""

    status: int
    body: Any

    @property
    def verified(self) -> bool:
        """A verifier's "verified": 2xx with a JSON object that does not say otherwise
        (``verified``, when present, is ``true``; ``errors``, when present, is an empty list).
        A bare 200, or one whose body is not an object, is no verdict at all."""
        if not 200 <= self.status < 300 or not isinstance(self.body, dict):
            return False
        if "verified" in self.body and self.body["verified"] is not True:
            return False
        errors = self.body.get("errors", [])
        return isinstance(errors, list) and not errors

    @property
    def refused(self) -> bool:
        """A refusal about the content: 400 or 422 (VC API), or 409 (a conflict such as a
        duplicate id). Other answers (401, 404, redirects, ...) are not about the credential
        and never reach a suite: the client raises ImplementationError for them."""
        return self.status in (400, 409, 422)


class VcApiClient:
    """One implementation's endpoints over one ``httpx.Client`` (borrowed, not owned)."""

    def __init__(self, implementation: Implementation, http: httpx.Client) -> None:
        self.implementation = implementation
        self._http = http

    def _post(self, endpoint: Endpoint | None, role: str, body: dict[str, Any]) -> Answer:
        """POST within bounds (``MAX_BYTES``, an overall deadline of twice the client's
        timeout); anything that is not an answer about the content is ImplementationError."""
        if endpoint is None:
            raise ImplementationError(f"{self.implementation.name} declares no {role} endpoint")
        where = f"{role} {endpoint.url}"
        try:
            status, data = self._send(endpoint, body)
        except httpx.HTTPError as exc:
            raise ImplementationError(f"{where}: {type(exc).__name__}: {exc}") from exc
        text = data[:300].decode("utf-8", "replace")
        if status >= 500 or status < 200 or 300 <= status < 400 or status in _NOT_ABOUT_CONTENT:
            raise ImplementationError(f"{where} answered HTTP {status}: {text}")
        if status == 403 and role != "issuer":  # an issuer may refuse a format it cannot sign
            raise ImplementationError(f"{where} answered HTTP 403 (forbidden): {text}")
        if not data.strip():
            return Answer(status, None)
        try:  # what another platform answers is untrusted input: the service's own reader
            return Answer(status, read_json(data, FETCHED_LIMITS))
        except InputError as exc:
            raise ImplementationError(
                f"{where} answered HTTP {status} with a body that is not JSON "
                f"({exc.detail}): {text}"
            ) from None

    def _send(self, endpoint: Endpoint, body: dict[str, Any]) -> tuple[int, bytes]:
        status, _, data = self._stream("POST", endpoint.url, endpoint.headers(), body)
        return status, data

    def _stream(
        self, method: str, url: str, headers: dict[str, str], body: dict[str, Any] | None = None
    ) -> tuple[int, httpx.Headers, bytes]:
        timeout = self._http.timeout.read or 30.0
        deadline = time.monotonic() + 2 * timeout
        chunks: list[bytes] = []
        size = 0
        with self._http.stream(method, url, json=body, headers=headers) as response:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ImplementationError(
                        f"{url} sent more than {MAX_BYTES} bytes; stopped reading"
                    )
                if time.monotonic() > deadline:
                    raise ImplementationError(f"{url} took longer than {2 * timeout:g} s to answer")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    def get(self, url: str, accept: str) -> tuple[int, httpx.Headers, bytes]:
        """``GET url`` within the same bounds as a POST, redirects not followed (a resolver's
        redirect is what some checks judge); a transport failure is ImplementationError."""
        try:
            return self._stream("GET", url, {"Accept": accept})
        except httpx.HTTPError as exc:
            raise ImplementationError(f"GET {url}: {type(exc).__name__}: {exc}") from exc

    # --- issuer -----------------------------------------------------------------------------
    def issue(
        self, credential: dict[str, Any], *, fmt: str | None = None, **options: Any
    ) -> Answer:
        """``POST /credentials/issue``; ``fmt`` goes in ``options.format`` (our extension; other
        implementations ignore unknown options, as the VC API asks)."""
        endpoint = self.implementation.issuer
        merged = dict(endpoint.options if endpoint else {})
        merged.update(options)
        if fmt is not None:
            merged["format"] = fmt
        return self._post(endpoint, "issuer", {"credential": credential, "options": merged})

    def issued(self, credential: dict[str, Any], *, fmt: str | None = None, **options: Any) -> Any:
        """The ``verifiableCredential`` of a successful issuance; ImplementationError else."""
        answer = self.issue(credential, fmt=fmt, **options)
        if not 200 <= answer.status < 300 or not isinstance(answer.body, dict):
            raise ImplementationError(
                f"{self.implementation.name} refused to issue (HTTP {answer.status}): "
                f"{str(answer.body)[:300]}"
            )
        if "verifiableCredential" not in answer.body:
            raise ImplementationError("the issuer's answer has no verifiableCredential")
        return answer.body["verifiableCredential"]

    # --- holder -----------------------------------------------------------------------------
    def derive(self, credential: Any, pointers: list[str]) -> Answer:
        """``POST /credentials/derive`` (VC API): a selectively disclosed credential."""
        return self._post(
            self.implementation.derive,
            "derive",
            {"verifiableCredential": credential, "options": {"selectivePointers": pointers}},
        )

    # --- verifiers --------------------------------------------------------------------------
    def verify(self, credential: Any) -> Answer:
        return self._post(
            self.implementation.verifier,
            "verifier",
            {"verifiableCredential": credential, "options": {}},
        )

    def verify_presentation(
        self, presentation: Any, *, challenge: str | None = None, domain: str | None = None
    ) -> Answer:
        options = {k: v for k, v in (("challenge", challenge), ("domain", domain)) if v}
        return self._post(
            self.implementation.presentation_verifier,
            "presentation verifier",
            {"verifiablePresentation": presentation, "options": options},
        )

    def verify_graph(self, bundle: dict[str, Any]) -> Answer:
        return self._post(self.implementation.graph_verifier, "graph verifier", bundle)

    # --- status -----------------------------------------------------------------------------
    def update_status(self, credential_id: str, purpose: str, value: bool) -> Answer:
        """``POST /credentials/status`` (VC API): set ``purpose`` to ``value``."""
        return self._post(
            self.implementation.status,
            "status",
            {
                "credentialId": credential_id,
                "credentialStatus": [
                    {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": value}
                ],
            },
        )
