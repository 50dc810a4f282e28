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

from ..config import DEFAULT_MAX_HEADER_BYTES
from ..domain.errors import PROBLEM_HEADER


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


HEADERS_TOO_LARGE = 431
# Beyond the limit, a request head that never ends is cut off once this much more has arrived
# (one socket read at most): memory per connection stays bounded whatever the client sends.
HEAD_SLACK = 256 * 1024


def too_large_reply(limit: int) -> bytes:
    """The raw 431 the server sends for a request whose headers exceed `limit` bytes."""
    problem = f"request headers exceed {limit} bytes [rule: server.max_header_bytes]"
    body = b"Request Header Fields Too Large"
    return (
        f"HTTP/1.1 {HEADERS_TOO_LARGE} Request Header Fields Too Large\r\n"
        f"content-type: text/plain; charset=utf-8\r\ncontent-length: {len(body)}\r\n"
        f"{PROBLEM_HEADER}: {problem}\r\nconnection: close\r\n\r\n"
    ).encode("ascii") + body


@functools.cache
def protocol_class(max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES) -> type[asyncio.Protocol] | str:
    """What `pns-mock serve` gives uvicorn as `http`: the coalescing protocol, else uvicorn's pick."""
    try:
        import httptools
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard], a dependency
        return "auto"

    class CoalescingHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, writing through a `CoalescingTransport`, with bounded heads.

        httptools buffers a header until its end arrives and uvicorn sets no limit: headers are
        counted as they are parsed (431 past `max_header_bytes`), and so are the bytes of a head
        still incomplete after a read (431 once they pass the limit plus one read).
        """

        _in_head = False
        _head_bytes = 0
        _header_total = 0
        _refused = False
        _deferred_400: str | None = None
        _ignored_upgrade_body = 0  # body bytes still to come of a request whose Upgrade is ignored

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._ignored_upgrade_body:
                data = self._take_body(data)
                if not data:
                    return
            was_in_head = self._in_head
            self._feed(data)
            if self._in_head and not self._refused:  # a head is still arriving
                self._head_bytes = self._head_bytes + len(data) if was_in_head else len(data)
                if self._head_bytes > max_header_bytes + HEAD_SLACK:
                    self._refuse()

        def _feed(self, data: bytes) -> None:
            """uvicorn's `data_received`, except for an Upgrade it does not take (see below)."""
            self._unset_keepalive_if_required()
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError:
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)
            except httptools.HttpParserUpgrade as upgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                    return
                # `Upgrade: h2c` (Java's HttpClient sends it on every plain-http request): a
                # server may ignore an Upgrade and answer over HTTP/1.1 (RFC 9110, 7.8), as the
                # platform's own front does. llhttp stops at the head of such a request, so its
                # body is read here, and a fresh parser takes the requests after it.
                offset = int(upgrade.args[0]) if upgrade.args else len(data)
                self.parser = httptools.HttpRequestParser(self)
                self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
                rest = self._take_body(data[offset:])
                if rest:
                    self._feed(rest)

        def _take_body(self, data: bytes) -> bytes:
            """Give the waiting request of an ignored Upgrade its body; return what follows it."""
            need = self._ignored_upgrade_body
            part, rest = data[:need], data[need:]
            self._ignored_upgrade_body -= len(part)
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                cycle.body += part
                if not self._ignored_upgrade_body:
                    cycle.more_body = False
                    cycle.message_event.set()
            return rest

        def on_message_complete(self) -> None:
            if self._ignored_upgrade_body:  # llhttp ends the message at its head: the body follows
                return
            super().on_message_complete()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head = True
            self._header_total = 0

        def on_header(self, name: bytes, value: bytes) -> None:
            self._header_total += len(name) + len(value) + 4  # ": " and CRLF
            if self._header_total > max_header_bytes:
                self._refuse()
                raise httptools.HttpParserCallbackError("request headers too large")
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()
            if self.parser.should_upgrade() and not self._should_upgrade():
                length = next((v for n, v in self.headers if n == b"content-length"), b"0")
                self._ignored_upgrade_body = int(length) if length.isdigit() else 0

        def _refuse(self) -> None:
            self._refused = True
            self.transport.write(too_large_reply(max_header_bytes))
            self.transport.close()

        def send_400_response(self, msg: str) -> None:
            if self._refused:  # a refusal for size already went out
                return
            if self._busy():
                # earlier requests of this pipeline are still being answered: their replies go
                # out first, then the 400 for the one that could not be parsed (uvicorn's own
                # protocol closes at once and loses them)
                self._deferred_400 = msg
                self.flow.pause_reading()
                return
            super().send_400_response(msg)

        def _busy(self) -> bool:
            return bool(self.pipeline) or (self.cycle is not None and not self.cycle.response_complete)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._deferred_400 is not None and not self._busy():
                msg, self._deferred_400 = self._deferred_400, None
                super().send_400_response(msg)

    return CoalescingHttpToolsProtocol
