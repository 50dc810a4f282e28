"""Memory under large request headers: bounded at the HTTP layer and in the journal.

The figure: peak RSS of the server grows by less than `GROWTH_MIB` over `REQUESTS` requests that
each carry just under `max_header_bytes` of headers (the journal keeps every one of them).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pns_mock.mockserver.config import DEFAULT_MAX_HEADER_BYTES

from .support import AXB, Server, checked, signed

REQUESTS = 2000
GROWTH_MIB = 24  # measured: 5.3 MiB with the journal bound; 63.4 MiB without it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(log=tmp_path_factory.mktemp("headers") / "server.log") as running:
        yield running


def _peak_rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


def _raw(server: Server, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(data)  # the server may answer and close before reading it all
        reply = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                reply += chunk
    return reply


def test_two_mb_of_headers_get_431_with_the_reason(server: Server) -> None:
    junk = b"".join(b"X-Junk-%d: %s\r\n" % (i, b"a" * 1000) for i in range(2000))
    reply = _raw(server, b"GET /_pns/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n" + junk + b"\r\n")
    assert reply.startswith(b"HTTP/1.1 431 "), reply[:200]
    assert b"max_header_bytes" in reply
    assert server.alive()


def test_one_endless_header_is_cut_off_with_431(server: Server) -> None:
    peak_before = _peak_rss_kib(server.pid)
    head = b"GET /_pns/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Endless: " + b"a" * (8 * 1024 * 1024)
    reply = _raw(server, head)
    assert reply.startswith(b"HTTP/1.1 431 "), reply[:200]
    assert _peak_rss_kib(server.pid) - peak_before < 4 * 1024
    assert server.alive()


def test_headers_just_under_the_limit_are_served_and_the_journal_keeps_a_bounded_part(
    server: Server,
) -> None:
    headers = {**signed("demo-axb"), "X-Big": "b" * (DEFAULT_MAX_HEADER_BYTES - 2000)}
    reply = httpx.get(f"{server.url}{AXB}?relationNum=%2B8617010000001", headers=headers, timeout=10)
    assert checked("queryAxbBinding", reply).json()["resultcode"] == "1012007"  # served: no such binding
    entry = server.admin("GET", "journal", params={"limit": 1})[-1]
    assert entry["headers"]["authorization"] == "AKSK"  # the part the journal shows survives the cut


def test_memory_stays_flat_over_2000_requests_of_big_headers(server: Server) -> None:
    big = {"X-Big": "b" * (DEFAULT_MAX_HEADER_BYTES - 2000)}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.get("/_pns/clock", headers=big)
        peak_before = _peak_rss_kib(server.pid)
        for _ in range(REQUESTS):
            reply = client.get(f"{AXB}?relationNum=%2B8617010000001", headers={**signed("demo-axb"), **big})
            assert reply.json()["resultcode"] == "1012007"
    grown_mib = (_peak_rss_kib(server.pid) - peak_before) / 1024
    print(f"peak RSS grew by {grown_mib:.1f} MiB over {REQUESTS} requests of 30 KiB headers")
    assert grown_mib < GROWTH_MIB


def test_the_asgi_app_itself_refuses_oversized_headers_under_any_server() -> None:
    import asyncio

    from pns_mock.mockserver.config import default_config
    from pns_mock.mockserver.http import AsgiApp, Engine
    from pns_mock.mockserver.platform import Platform

    app = AsgiApp(Engine(Platform(default_config())))
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/_pns/clock",
        "query_string": b"",
        "headers": [(b"x-big", b"b" * (DEFAULT_MAX_HEADER_BYTES + 1))],
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 431
    assert any(name.lower() == b"x-pns-mock-problem" for name, _ in sent[0]["headers"])  # type: ignore[attr-defined]
