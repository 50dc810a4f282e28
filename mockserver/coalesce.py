"""One write per response for uvicorn's httptools protocol.

uvicorn writes a response's status line and headers as soon as the app sends
`http.response.start`, and the body separately: two `send()` calls, two TCP segments, and two
wake-ups of the client for every reply. Over loopback that is the largest fixed cost per request
(a bare uvicorn app returning fixed JSON answers about 30 % more requests per second when its two
writes go out as one; `bench/RESULTS.md`).

`CoalescingHttpToolsProtocol` hands uvicorn a transport that collects what is written during one
turn of the event loop and passes it on as one write at the end of that turn (or before a close).
Nothing waits longer than the current turn: a reply whose body the app sends later (after an
injected latency, say) still has its headers flushed at once. Everything else goes straight to
the real transport.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any


class CoalescingTransport:
    """Proxy of an `asyncio.Transport` whose writes within one loop turn become one write."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        pending = self._pending
        if not pending:
            return
        self._pending = []
        if self._transport.is_closing():
            return  # the peer went away: what it would have got is dropped, as by the transport
        self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(d) for d in self._pending)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = []
        self._transport.abort()

    def is_closing(self) -> bool:  # asked after every response: no trip through __getattr__
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        # reading, flow control, extra info, is_closing: the real transport's own
        return getattr(self._transport, name)


@functools.cache
def protocol_class() -> type[asyncio.Protocol] | str:
    """What `pns-mock serve` gives uvicorn as `http`: the coalescing protocol, else uvicorn's pick."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard], a dependency
        return "auto"

    class CoalescingHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, writing through a `CoalescingTransport`."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

    return CoalescingHttpToolsProtocol
