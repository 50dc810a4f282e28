"""The upstream client: bodies of every framing, connections kept alive, failures named."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from pns_mock.mockserver.proxy import Upstream, UpstreamFailure, UpstreamOptions

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _with_server(answer: Answer, test: Callable[[Upstream, list[int]], Awaitable[None]]) -> None:
    accepted: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        try:
            await answer(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    upstream = Upstream(UpstreamOptions(f"http://127.0.0.1:{port}", timeout=0.3))
    try:
        await test(upstream, accepted)
    finally:
        await upstream.close()
        server.close()


async def _body(upstream: Upstream, path: str = "/x") -> tuple[int, bytes]:
    reply = await upstream.open("GET", path, "", [("Accept", "*/*")], b"")
    try:
        return reply.status, b"".join([chunk async for chunk in reply.chunks()])
    finally:
        reply.close()


def _keep_alive(replies: list[bytes]) -> Answer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for reply in replies:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(reply)
            await writer.drain()
        await reader.read()  # until the client goes

    return answer


def test_bodies_with_a_length_and_chunked_come_whole_over_one_kept_connection() -> None:
    replies = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n",
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n{}",
    ]

    async def test(upstream: Upstream, accepted: list[int]) -> None:
        assert await _body(upstream) == (200, b"hello")
        assert await _body(upstream) == (200, b"abcde")
        assert await _body(upstream) == (403, b"{}")
        assert len(accepted) == 1

    asyncio.run(_with_server(_keep_alive(replies), test))


def test_a_body_that_ends_with_the_connection_is_read_to_the_end_and_the_connection_not_reused() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
        await writer.drain()

    async def test(upstream: Upstream, accepted: list[int]) -> None:
        assert await _body(upstream) == (200, b"all of it")
        assert await _body(upstream) == (200, b"all of it")
        assert len(accepted) == 2

    asyncio.run(_with_server(answer, test))


def test_a_kept_connection_the_upstream_closed_is_replaced_without_a_failure() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()  # then closes: the platform uses short connections

    async def test(upstream: Upstream, accepted: list[int]) -> None:
        for _ in range(3):
            assert await _body(upstream) == (200, b"ok")
            await asyncio.sleep(0.05)
        assert len(accepted) == 3

    asyncio.run(_with_server(answer, test))


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (None, "timeout"),  # never answers
        (b"", "unreachable"),  # hangs up without a word
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", "notHttp"),
    ],
)
def test_an_upstream_that_is_silent_mute_or_not_http_is_a_named_failure(
    reply: bytes | None, kind: str
) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if reply is None:
            await asyncio.sleep(2)
        else:
            writer.write(reply)
            await writer.drain()

    async def test(upstream: Upstream, accepted: list[int]) -> None:
        with pytest.raises(UpstreamFailure) as failed:
            await _body(upstream)
        assert failed.value.kind == kind

    asyncio.run(_with_server(answer, test))


def test_a_body_shorter_than_its_length_is_a_broken_reply() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\nshort")
        await writer.drain()

    async def test(upstream: Upstream, accepted: list[int]) -> None:
        reply = await upstream.open("GET", "/x", "", [], b"")
        with pytest.raises(UpstreamFailure) as failed:
            _ = [chunk async for chunk in reply.chunks()]
        assert failed.value.kind == "broken-reply"

    asyncio.run(_with_server(answer, test))


def test_an_upstream_url_without_a_host_is_refused() -> None:
    with pytest.raises(ValueError, match="--upstream"):
        Upstream(UpstreamOptions("rtcpns.cn-north-1.myhuaweicloud.com"))
