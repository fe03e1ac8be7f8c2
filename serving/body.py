"""Check request bodies before any parsing: a size limit and UTF-8, each with a message that says what to fix."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def _send_error(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyCheckMiddleware:
    """Refuse bodies over ``max_bytes`` (413) and, under ``prefix``, bodies that are not UTF-8 (400).

    The body is read here, up to the limit, and replayed to the app; reading it here is what
    makes the limit hold for chunked uploads that carry no Content-Length. Paths in ``file_paths``
    take a file upload: their limit is ``max_file_bytes`` and their bodies are binary.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        prefix: str = "/v1/",
        file_paths: frozenset[str] = frozenset(),
        max_file_bytes: int | None = None,
    ):
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.file_paths = file_paths
        self.max_file_bytes = max_bytes if max_file_bytes is None else max_file_bytes

    def _too_large(self, size: str, upload: bool) -> str:
        if upload:
            return (
                f"request body has {size} bytes; the limit for a file upload is {self.max_file_bytes} "
                "(PLANEX_MAX_FILE_BYTES): split the document or send its text"
            )
        return (
            f"request body has {size} bytes; the limit is {self.max_bytes} (PLANEX_MAX_BODY_BYTES): "
            "send less text per request"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in self.file_paths
        limit = self.max_file_bytes if upload else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            await _send_error(send, 413, self._too_large(declared, upload))
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send_error(send, 413, self._too_large(f"more than {limit}", upload))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if scope["path"].startswith(self.prefix) and not upload:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as e:
                await _send_error(
                    send,
                    400,
                    f"request body is not valid UTF-8 (byte {e.start}): send JSON encoded as UTF-8 "
                    "with Content-Type: application/json",
                )
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body, pass on http.disconnect

        await self.app(scope, replay, send)
