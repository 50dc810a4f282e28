"""Transports that hand a push to the customer's web app in-process (WSGI or ASGI) or over HTTP.

Each is a `mockserver.pushsend.Transport`: (method, url, headers, body, timeout) -> (status, body).
"""

from __future__ import annotations

import asyncio
import inspect
import io
import sys
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pns_mock.mockserver.pushes import Transport, http_transport

Reply = tuple[int, bytes]


def transport_for(target: Any) -> Transport:
    """A URL string goes over HTTP; an ASGI app (async callable) or a WSGI app is called in-process."""
    if isinstance(target, str):
        return http_transport(verify_tls=False)
    call = getattr(target, "__call__", None)  # noqa: B004 - an app object, not any callable check
    if inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(call):
        return asgi_transport(target)
    return wsgi_transport(target)


def wsgi_transport(app: Callable[..., Any]) -> Transport:
    def send(
        method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path or "/",
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "customer.local",
            "SERVER_PORT": str(parts.port or 80),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": headers.get("Content-Type", ""),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in headers.items():
            if key.lower() != "content-type":
                environ["HTTP_" + key.upper().replace("-", "_")] = value
        status: list[str] = []

        def start_response(line: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(line)
            return lambda data: None

        chunks = app(environ, start_response)
        try:
            data = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return int(status[0].split(" ", 1)[0]), data

    return send


def asgi_transport(app: Callable[..., Any]) -> Transport:
    def send(
        method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": parts.scheme or "http",
            "path": parts.path or "/",
            "raw_path": (parts.path or "/").encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": (parts.hostname or "customer.local", parts.port or 80),
        }
        result: dict[str, Any] = {"status": 500, "body": b""}
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # the request body was read: wait for the app to finish
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def reply(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                result["status"] = message["status"]
            elif message["type"] == "http.response.body":
                result["body"] += message.get("body", b"")

        async def run() -> None:
            await asyncio.wait_for(app(scope, receive, reply), timeout)

        # A fresh loop in a thread: works whether or not the test itself runs inside a loop.
        errors: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(run())
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
                errors.append(exc)

        thread = threading.Thread(target=target, name="pns-asgi-push")
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
        return int(result["status"]), bytes(result["body"])

    return send
