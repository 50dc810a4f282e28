"""The proxy's ASGI app: the request goes upstream as it came, the reply comes back as it went.

The client's headers (its signature included), query string and body are passed on unchanged but
for hop-by-hop headers and `Host`; the upstream's status, headers and body stream back as they
arrive (a chunked reply goes on chunked). The exchange is handed to the `Watch` only once the
client has its reply, on one worker thread: validation, masking and recording never hold up or
change traffic.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO

from pns_mock.spec import Spec

from ..domain.errors import PROBLEM_HEADER
from .upstream import HOP_BY_HOP, Upstream, UpstreamFailure, failure_reply
from .watch import Exchange, Watch

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

KEPT_REPLY_BYTES = 1024 * 1024  # what the checks and the recording see of a reply; all of it is sent
# Exchanges waiting for their checks at most: past it (the checks fell behind the traffic) an
# exchange is counted as unchecked rather than kept, so memory stays bounded.
MAX_BACKLOG = 10000


class ProxyApp:
    def __init__(
        self,
        spec: Spec,
        upstream: Upstream,
        watch: Watch,
        log: TextIO | None = None,
        max_body_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.spec = spec
        self.max_body_bytes = max_body_bytes
        self.upstream = upstream
        self.watch = watch
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="pns-proxy-watch")
        self._log = log if log is not None else sys.stderr
        self._backlog = 0
        self._backlog_lock = threading.Lock()
        self.unchecked = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body, gone = await _body(receive, self.max_body_bytes)
        if gone:
            return
        if body is None:  # larger than any PNS request: refused here rather than held in memory
            problem = f"pns-mock proxy: request body larger than --max-body-bytes {self.max_body_bytes}"
            head = [(b"content-type", b"text/plain"), (PROBLEM_HEADER.encode(), problem.encode())]
            await send(
                {"type": "http.response.start", "status": 413, "headers": [*head, (b"content-length", b"0")]}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        method, path = scope["method"], scope["path"]
        query = scope["query_string"].decode("latin-1")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        try:
            reply = await self.upstream.open(method, path, query, headers, body)
        except UpstreamFailure as failure:
            await self._answer_failure(send, failure, method, path)
            return
        kept, status = bytearray(), reply.status
        reply_headers = [(k, v) for k, v in reply.headers if k.lower() not in HOP_BY_HOP]
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply_headers],
                }
            )
            async for chunk in reply.chunks():
                if len(kept) < KEPT_REPLY_BYTES:
                    kept += chunk[: KEPT_REPLY_BYTES - len(kept)]
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except UpstreamFailure as failure:  # mid-reply: the head is gone, so the client sees the cut
            print(f"pns-mock proxy: {method} {path}: {failure.detail}", file=self._log, flush=True)
            self.watch.failed(failure.kind)
            raise
        finally:
            reply.close()
        exchange = Exchange(
            method,
            path,
            query,
            headers,
            body,
            status,
            reply_headers,
            bytes(kept),
            self.upstream.url_of(path, query),
        )
        with self._backlog_lock:
            if self._backlog >= MAX_BACKLOG:
                self.unchecked += 1
                return
            self._backlog += 1
        asyncio.get_running_loop().run_in_executor(self._worker, self._observe, exchange)

    def _observe(self, exchange: Exchange) -> None:
        try:
            self.watch.observe(exchange)
        except Exception as err:  # noqa: BLE001 - a check that fails must not stop the proxy
            print(
                f"pns-mock proxy: could not check {exchange.method} {exchange.path}: "
                f"{type(err).__name__}: {err}",
                file=self._log,
                flush=True,
            )
        finally:
            with self._backlog_lock:
                self._backlog -= 1

    async def _answer_failure(self, send: Send, failure: UpstreamFailure, method: str, path: str) -> None:
        self.watch.failed(failure.kind)
        print(f"pns-mock proxy: {method} {path}: {failure.detail}", file=self._log, flush=True)
        response = failure_reply(self.spec, failure)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    def drain(self) -> None:
        """Wait for the checks of every exchange answered so far."""
        self._worker.submit(lambda: None).result()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.upstream.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _body(receive: Receive, limit: int) -> tuple[bytes | None, bool]:
    """The whole body (None past `limit`, drained) and whether the client went away."""
    chunks: list[bytes] | None = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        chunk = message.get("body", b"")
        size += len(chunk)
        if chunks is not None and size > limit:
            chunks = None
        if chunks is not None:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return (None if chunks is None else b"".join(chunks)), False
