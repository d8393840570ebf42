"""Request limits, enforced before FastAPI parses anything (a pure ASGI middleware).

Bodies are capped while they stream in (a lying or absent Content-Length does not help), a
POST body must be ``application/json`` (or ``application/*+json``), and JSON is read once here
by :func:`vcservice.ingress.read_json`, the reader every surface uses, so whatever it refuses
(malformed JSON, duplicate members, NaN and numbers beyond a double, absurd nesting, huge
arrays, text that is not Unicode) is a 4xx problem with the reader's problem type, never a 500,
and nothing FastAPI parses afterwards can read differently. An empty body is passed on
untouched: operations without one (retiring a key) need no Content-Type, and those that require
one answer 422. The parsed body is discarded: FastAPI parses again into the request models,
which costs microseconds against the milliseconds a verification takes, and keeps the OpenAPI
contract declarative.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcservice.errors import InputError, JsonTooLargeError
from vcservice.http.problems import problem
from vcservice.ingress import Limits, read_json


class LimitError(Exception):
    def __init__(self, status: int, title: str, detail: str, slug: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.slug = status, title, detail, slug


def _media_type(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def _json_content_type(headers: list[tuple[bytes, bytes]]) -> bool:
    media = _media_type(headers)
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_depth: int,
        max_items: int,
        form_paths: frozenset[str] = frozenset(),
        form_prefixes: tuple[str, ...] = (),
        raw_paths: Mapping[str, frozenset[str]] | None = None,
        form_refusal: Callable[[int], ASGIApp] | None = None,
    ) -> None:
        self.app = app
        #: The answer to a refused body on ``form_paths`` (status → an HTML page): a browser
        #: that posted a form shows it, where a problem document would read as raw JSON.
        self.form_refusal = form_refusal
        #: Paths that take a binary body of the media types named (a registration: COSE),
        #: same size cap; what the body holds is the operation's to read.
        self.raw_paths = dict(raw_paths or {})
        #: Paths that take HTML forms (the verification page): same size cap, not JSON.
        self.form_paths = form_paths
        #: Path prefixes under which every path takes HTML forms (the issuer console).
        self.form_prefixes = form_prefixes
        self.max_bytes = max_bytes
        self.limits = Limits(max_bytes=max_bytes, max_depth=max_depth, max_items=max_items)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(scope, receive)
        except LimitError as exc:
            refusal: ASGIApp = problem(exc.status, exc.title, exc.detail, slug=exc.slug)
            if self.form_refusal is not None and scope.get("path", "") in self.form_paths:
                refusal = self.form_refusal(exc.status)
            await refusal(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, scope: Scope, receive: Receive) -> bytes:
        headers = scope.get("headers", [])
        declared: int | None = None
        for name, value in headers:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    raise LimitError(
                        400, "Bad Content-Length", "Content-Length is not a number"
                    ) from None
                if declared > self.max_bytes:
                    raise LimitError(413, "Request too large", self._too_large())
        is_json = _json_content_type(headers)
        path = scope.get("path", "")
        is_form = self._takes_forms(path) and _media_type(headers) in _FORM_TYPES
        raw = self.raw_paths.get(path)
        if raw is not None:  # a binary body of these types, and nothing else
            if _media_type(headers) not in raw:
                raise LimitError(
                    415, "Unsupported media type", f"this path takes {', '.join(sorted(raw))}"
                )
            is_json, is_form = False, True
        if declared and not (is_json or is_form):  # refuse a body of another type before reading it
            raise self._unsupported()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise LimitError(400, "Client disconnected", "the request body was not completed")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise LimitError(413, "Request too large", self._too_large())
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if not body or is_form:
            return body
        if not is_json:
            raise self._unsupported()
        try:
            read_json(body, self.limits)
        except InputError as exc:
            status = 413 if isinstance(exc, JsonTooLargeError) else 400
            raise LimitError(status, exc.title, f"the body: {exc.detail}", exc.slug) from None
        return body

    def _takes_forms(self, path: str) -> bool:
        return path in self.form_paths or path.startswith(self.form_prefixes)

    def _too_large(self) -> str:
        return f"request bodies are limited to {self.max_bytes} bytes"

    @staticmethod
    def _unsupported() -> LimitError:
        return LimitError(415, "Unsupported media type", "request bodies must be application/json")
