"""Request limits, enforced before FastAPI parses anything (a pure ASGI middleware).

Bodies are capped while they stream in (a lying or absent Content-Length does not help), POST
bodies must be ``application/json`` (or ``application/*+json``), and JSON is parsed once here to
refuse malformed input, absurd nesting and huge arrays with a 4xx problem, never a 500. The
parsed body is discarded: FastAPI parses again into the request models, which costs microseconds
against the milliseconds a verification takes, and keeps the OpenAPI contract declarative.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcservice.api.problems import problem


class LimitError(Exception):
    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def check_shape(value: Any, *, max_depth: int, max_items: int) -> None:
    """Iteratively walk parsed JSON; raise LimitError past the depth or item limits."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                raise LimitError(400, "JSON too deeply nested", f"nesting exceeds {max_depth}")
            if len(node) > max_items:
                raise LimitError(
                    400, "JSON too large", f"an array or object has more than {max_items} items"
                )
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)


def _json_content_type(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-type":
            media = value.decode("latin-1").split(";", 1)[0].strip().lower()
            return media == "application/json" or (
                media.startswith("application/") and media.endswith("+json")
            )
    return False


class RequestLimits:
    def __init__(self, app: ASGIApp, *, max_bytes: int, max_depth: int, max_items: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.max_items = max_items

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(scope, receive)
        except LimitError as exc:
            await problem(exc.status, exc.title, exc.detail)(scope, receive, send)
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
        if not _json_content_type(headers):
            raise LimitError(
                415, "Unsupported media type", "request bodies must be application/json"
            )
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
        try:
            value = json.loads(body)
        except RecursionError:
            raise LimitError(400, "JSON too deeply nested", "the body nests too deeply") from None
        except ValueError as exc:
            raise LimitError(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from None
        check_shape(value, max_depth=self.max_depth, max_items=self.max_items)
        return body

    def _too_large(self) -> str:
        return f"request bodies are limited to {self.max_bytes} bytes"
