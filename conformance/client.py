"""A W3C VC API client (w3c/vcalm) for the endpoints a platform declares.

It speaks only the API's JSON contract, so it works against any implementation. Anything that
is not an answer the API defines (connection refused, timeout, a 5xx, a body that is not JSON)
is an :class:`ImplementationError`: the harness reports the check as ``error``, never as a
verdict about conformance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from conformance.config import Endpoint, Implementation


class ImplementationError(Exception):
    """The implementation did not give an answer the VC API defines."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer the API defines: status and JSON body (``None`` when empty)."""

    status: int
    body: Any

    @property
    def verified(self) -> bool:
        """A verifier's verdict: 2xx with no errors reported (VC API verify semantics)."""
        if not 200 <= self.status < 300:
            return False
        if isinstance(self.body, dict):
            if self.body.get("verified") is False:
                return False
            errors = self.body.get("errors")
            if isinstance(errors, list) and errors:
                return False
        return True


class VcApiClient:
    """One implementation's endpoints over one ``httpx.Client`` (borrowed, not owned)."""

    def __init__(self, implementation: Implementation, http: httpx.Client) -> None:
        self.implementation = implementation
        self._http = http

    def _post(self, endpoint: Endpoint | None, role: str, body: dict[str, Any]) -> Answer:
        if endpoint is None:
            raise ImplementationError(f"{self.implementation.name} declares no {role} endpoint")
        try:
            response = self._http.post(endpoint.url, json=body, headers=endpoint.headers())
        except httpx.HTTPError as exc:
            raise ImplementationError(
                f"{role} {endpoint.url}: {type(exc).__name__}: {exc}"
            ) from exc
        if response.status_code >= 500:
            raise ImplementationError(
                f"{role} {endpoint.url} answered HTTP {response.status_code}: {response.text[:300]}"
            )
        if not response.content:
            return Answer(response.status_code, None)
        try:
            return Answer(response.status_code, response.json())
        except ValueError:
            raise ImplementationError(
                f"{role} {endpoint.url} answered HTTP {response.status_code} with a body that is "
                f"not JSON: {response.text[:300]}"
            ) from None

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
