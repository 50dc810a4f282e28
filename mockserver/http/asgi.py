"""ASGI adapter: bytes in, `Engine.handle`, bytes out. No framework in between, for speed."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .coalesce import HEADERS_TOO_LARGE, too_large_reply
from .engine import ADMIN_PREFIX, Engine
from .message import HttpRequest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@functools.lru_cache(maxsize=512)  # most reply headers are the same few pairs
def _encoded(pair: tuple[str, str]) -> tuple[bytes, bytes]:
    return pair[0].encode("latin-1"), pair[1].encode("latin-1")


class DropConnection(Exception):
    """Raised to make the server close the connection without a response (fault injection)."""


class AsgiApp:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Admin calls run off the event loop. Those that may wait on a customer's receiver (a
        # simulated call or SMS whose Block push needs a decision) get their own threads, so
        # they can never hold up the rest of the admin API (GET /_pns/clock and the like).
        self._admin_threads = ThreadPoolExecutor(2, thread_name_prefix="pns-admin")
        self._traffic_threads = ThreadPoolExecutor(16, thread_name_prefix="pns-admin-traffic")
        # With `--state`, a change is acknowledged after its fsync: writes wait for it off the
        # event loop, so reads keep being answered meanwhile.
        self._write_threads = ThreadPoolExecutor(8, thread_name_prefix="pns-write")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        limit = self.engine.platform.settings.max_header_bytes
        if sum(len(k) + len(v) + 4 for k, v in scope["headers"]) > limit:
            # what `pns-mock serve`'s own protocol refuses earlier; here for any other ASGI server
            await self._refuse_headers(send, limit)
            return
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body = message.get("body", b"")
        admin = scope["path"].startswith(ADMIN_PREFIX)
        settings = self.engine.platform.settings
        limit = settings.max_admin_body_bytes if admin else settings.max_body_bytes
        too_large = len(body) > limit
        if message.get("more_body", False):  # a body in several messages: collect them all
            body, too_large, gone = await self._rest_of_body(body, receive, limit)
            if gone:
                return
        elif too_large:
            body = b""
        client = scope.get("client")
        request = HttpRequest(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode("latin-1"),
            # ASGI servers send header names in lower case (the spec requires it)
            headers={k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
            body=body,
            client=client[0] if client else "",
            body_too_large=too_large,
            scheme=scope.get("scheme", "http"),
        )
        if admin:
            waits = self.engine.admin.may_wait_on_receiver(request)
            threads = self._traffic_threads if waits else self._admin_threads
            response = await asyncio.get_running_loop().run_in_executor(threads, self.engine.handle, request)
        elif self.engine.recorder is not None and request.method != "GET":
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(self._write_threads, self.engine.handle, request)
        else:
            response = self.engine.handle(request)
        if response.delay:
            await asyncio.sleep(response.delay)
        if response.drop:
            # Once a response has started, the server closes the connection on an exception
            # instead of answering 500: the client sees the connection cut mid-reply.
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
            )
            raise DropConnection("fault injection: connection dropped")
        reply_headers = [_encoded(pair) for pair in response.headers]
        # without a length the server falls back to chunked encoding, which costs every reply
        reply_headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": reply_headers})
        await send({"type": "http.response.body", "body": response.body})

    @staticmethod
    async def _refuse_headers(send: Send, limit: int) -> None:
        head, _, body = too_large_reply(limit).partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")[1:]
        headers = [tuple(line.split(b": ", 1)) for line in lines if not line.startswith(b"connection")]
        await send({"type": "http.response.start", "status": HEADERS_TOO_LARGE, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _rest_of_body(self, first: bytes, receive: Receive, limit: int) -> tuple[bytes, bool, bool]:
        """The whole body, whether it passed the size limit, and whether the client went away."""
        chunks = [first]
        size = len(first)
        too_large = size > limit
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", too_large, True
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                too_large = True  # keep draining, but stop storing
            elif not too_large:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return (b"" if too_large else b"".join(chunks)), too_large, False

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.engine.platform.traffic.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.engine.platform.traffic.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return
