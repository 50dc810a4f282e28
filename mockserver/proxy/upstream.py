"""The connections to the upstream platform, and the vendor-style reply when it fails.

HTTP/1.1 over asyncio streams, kept alive in a pool: no TLS handshake per request, and about a
tenth of a general-purpose client's cost per request (bench/RESULTS.md). A failure before the
reply's head (down, slow, not HTTP) becomes the catalogue code `x-pns-proxy.upstreamFailures`
names for it, with `X-PNS-Mock-Problem` saying what happened.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pns_mock.spec import Spec

from ..domain.errors import PROBLEM_HEADER
from ..http.message import HttpResponse, header_safe, json_response

# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, not to the request or the reply.
HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade")
)
_NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length"}
_HEAD_LIMIT = 64 * 1024
_CHUNK = 64 * 1024


class UpstreamFailure(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind  # a key of x-pns-proxy.upstreamFailures, or "broken-reply" after the head
        self.detail = detail


@dataclass(frozen=True)
class UpstreamOptions:
    url: str
    ca_file: Path | None = None
    insecure: bool = False
    timeout: float = 10.0  # seconds, for the connection, the reply's head and each read of its body
    connections: int = 64  # idle connections kept


def ssl_context(options: UpstreamOptions) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(options.ca_file) if options.ca_file else None)
    if options.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Reply:
    """The upstream's status and headers; the body is read with `chunks()`, once."""

    def __init__(self, upstream: Upstream, conn: _Conn, status: int, headers: list[tuple[str, str]]) -> None:
        self.status = status
        self.headers = headers
        self._upstream, self._conn = upstream, conn
        self._done = False

    def _header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    async def chunks(self) -> AsyncIterator[bytes]:
        reader, timeout = self._conn[0], self._upstream.options.timeout
        try:
            if "chunked" in (self._header("transfer-encoding") or "").lower():
                while True:
                    async with asyncio.timeout(timeout):
                        size = int((await reader.readline()).split(b";")[0], 16)
                    if size == 0:
                        async with asyncio.timeout(timeout):
                            while (await reader.readline()) not in (b"\r\n", b""):
                                pass  # trailers: hop-by-hop, dropped
                        break
                    async with asyncio.timeout(timeout):
                        data = await reader.readexactly(size + 2)
                    yield data[:-2]
            elif (length := self._header("content-length")) is not None:
                left = int(length)
                while left > 0:
                    async with asyncio.timeout(timeout):
                        chunk = await reader.read(min(left, _CHUNK))
                    if not chunk:
                        raise asyncio.IncompleteReadError(b"", left)
                    left -= len(chunk)
                    yield chunk
            else:  # the body ends with the connection
                while True:
                    async with asyncio.timeout(timeout):
                        chunk = await reader.read(_CHUNK)
                    if not chunk:
                        break
                    yield chunk
                self._upstream.discard(self._conn)
                self._done = True
                return
        except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError) as err:
            self._upstream.discard(self._conn)
            self._done = True
            raise UpstreamFailure("broken-reply", f"the upstream's reply broke off ({_why(err)})") from err
        self._done = True
        if (self._header("connection") or "").lower() == "close":
            self._upstream.discard(self._conn)
        else:
            self._upstream.release(self._conn)

    def close(self) -> None:
        if not self._done:  # not read to its end: the connection is in an unknown state
            self._upstream.discard(self._conn)
            self._done = True


class Upstream:
    def __init__(self, options: UpstreamOptions) -> None:
        parts = urlsplit(options.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--upstream {options.url!r}: give an http:// or https:// URL with a host")
        self.options = options
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.host = parts.netloc
        self._hostname = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._prefix = parts.path.rstrip("/")
        self._ssl = ssl_context(options) if parts.scheme == "https" else None
        self._idle: list[_Conn] = []

    def url_of(self, path: str, query: str) -> str:
        return f"{self.base}{path}?{query}" if query else f"{self.base}{path}"

    async def open(
        self, method: str, path: str, query: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> Reply:
        target = f"{self._prefix}{path}?{query}" if query else f"{self._prefix}{path}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{k}: {v}" for k, v in headers if k.lower() not in _NOT_FORWARDED]
        if body or method not in ("GET", "HEAD", "DELETE"):
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        while self._idle:  # a kept connection the upstream closed meanwhile fails at once: try the next
            conn = self._idle.pop()
            if conn[0].at_eof() or conn[1].is_closing():
                conn[1].close()
                continue
            reply = await self._exchange(conn, request, reused=True)
            if reply is not None:
                return reply
        reply = await self._exchange(await self._connect(), request, reused=False)
        assert reply is not None
        return reply

    async def _connect(self) -> _Conn:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(
                    self._hostname,
                    self._port,
                    ssl=self._ssl,
                    server_hostname=self._hostname if self._ssl else None,
                ),
                self.options.timeout,
            )
        except TimeoutError as err:
            raise UpstreamFailure(
                "timeout", f"no connection to the upstream within {self.options.timeout:g} s"
            ) from err
        except (OSError, ssl.SSLError) as err:
            raise UpstreamFailure(
                "unreachable", f"cannot reach the upstream {self.host}: {_why(err)}"
            ) from err

    async def _exchange(self, conn: _Conn, request: bytes, *, reused: bool) -> Reply | None:
        """The reply's head; None when a reused connection turned out closed before any byte of it."""
        reader, writer = conn
        try:
            writer.write(request)
            async with asyncio.timeout(self.options.timeout):  # no task per read, unlike wait_for
                head = await reader.readuntil(b"\r\n\r\n")
        except TimeoutError as err:
            writer.close()
            raise UpstreamFailure(
                "timeout", f"the upstream sent no reply within {self.options.timeout:g} s"
            ) from err
        except asyncio.IncompleteReadError as err:
            writer.close()
            if not err.partial:
                if reused:
                    return None
                raise UpstreamFailure(
                    "unreachable", "the upstream closed the connection without a reply"
                ) from err
            raise UpstreamFailure(
                "notHttp", f"the upstream's answer is not HTTP: {err.partial[:60]!r}"
            ) from err
        except asyncio.LimitOverrunError as err:
            writer.close()
            raise UpstreamFailure("notHttp", "the upstream's answer has no end of head in 64 KiB") from err
        except (OSError, ssl.SSLError) as err:
            writer.close()
            if reused:
                return None
            raise UpstreamFailure(
                "unreachable", f"the connection to the upstream failed: {_why(err)}"
            ) from err
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            writer.close()
            raise UpstreamFailure("notHttp", f"the upstream's answer is not HTTP: {head[:60]!r}")
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in header_lines)]
        return Reply(self, conn, int(code), headers)

    def release(self, conn: _Conn) -> None:
        if len(self._idle) < self.options.connections:
            self._idle.append(conn)
        else:
            conn[1].close()

    @staticmethod
    def discard(conn: _Conn) -> None:
        conn[1].close()

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def failure_reply(spec: Spec, failure: UpstreamFailure) -> HttpResponse:
    rule = spec.document["x-pns-proxy"]["upstreamFailures"][failure.kind]
    code = spec.result_codes[rule["resultcode"]]
    rule_name = f"x-pns-proxy.upstreamFailures.{failure.kind}"
    problem = f"{code.code} {code.text} pns-mock proxy: {failure.detail} [rule: {rule_name}]"
    response = json_response(code.http_status, code.body(), [(PROBLEM_HEADER, header_safe(problem))])
    response.resultcode = code.code
    return response


def _why(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) < 300 else text[:300] + "..."
