"""One write per response: what the coalescing transport does, and HTTP/1.1 still behaving over it."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator

import pytest

from pns_mock.mockserver.http import CoalescingTransport, protocol_class

from .support import AXB, Server, signed


class Recording(asyncio.Transport):
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, bytes]] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.events.append(("write", bytes(data)))

    def close(self) -> None:
        self.events.append(("close", b""))
        self.closing = True

    def abort(self) -> None:
        self.events.append(("abort", b""))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0


async def _turn() -> None:
    await asyncio.sleep(0)  # one turn of the loop: what call_soon scheduled has run


def test_writes_in_one_turn_reach_the_socket_as_one_write_at_the_end_of_the_turn() -> None:
    async def scenario() -> None:
        real = Recording()
        proxy = CoalescingTransport(real, asyncio.get_running_loop())
        proxy.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        proxy.write(memoryview(b"{}"))
        assert real.events == []
        assert proxy.get_write_buffer_size() == 40
        await _turn()
        assert real.events == [("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]
        proxy.writelines([b"a", b"b"])
        await _turn()
        assert real.events[1:] == [("write", b"ab")]

    asyncio.run(scenario())


def test_nothing_waits_past_its_turn_and_close_sends_what_is_pending_first() -> None:
    async def scenario() -> None:
        real = Recording()
        proxy = CoalescingTransport(real, asyncio.get_running_loop())
        proxy.write(b"head")
        await _turn()  # the body comes later (an injected latency): the head went already
        assert real.events == [("write", b"head")]
        proxy.write(b"tail")
        proxy.close()
        assert real.events[1:] == [("write", b"tail"), ("close", b"")]
        await _turn()
        assert len(real.events) == 3  # the scheduled flush finds nothing left

    asyncio.run(scenario())


def test_abort_drops_pending_bytes_and_a_closed_peer_gets_nothing() -> None:
    async def scenario() -> None:
        real = Recording()
        proxy = CoalescingTransport(real, asyncio.get_running_loop())
        proxy.write(b"never sent")
        proxy.abort()
        await _turn()
        assert real.events == [("abort", b"")]
        other = Recording()
        proxy = CoalescingTransport(other, asyncio.get_running_loop())
        proxy.write(b"too late")
        other.closing = True  # the peer went away before the turn ended
        await _turn()
        assert other.events == []
        assert proxy.is_closing()  # everything else is the real transport's

    asyncio.run(scenario())


def test_serve_uses_the_coalescing_protocol() -> None:
    chosen = protocol_class()
    assert not isinstance(chosen, str)
    assert chosen.__name__ == "CoalescingHttpToolsProtocol"


# Over a real socket


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(log=tmp_path_factory.mktemp("coalesce") / "server.log") as running:
        yield running


def _read_replies(sock: socket.socket, count: int, data: bytes = b"") -> list[tuple[int, bytes]]:
    """`count` HTTP replies (status, body) read off a keep-alive connection (after `data`)."""
    replies: list[tuple[int, bytes]] = []
    while len(replies) < count:
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, data = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(":", 1) for line in lines[1:])
        length = int(fields["content-length"])
        while len(data) < length:
            data += sock.recv(65536)
        replies.append((int(lines[0].split()[1]), data[:length]))
        data = data[length:]
    return replies


def _bind_request(i: int) -> bytes:
    # duration tells the replies apart: the bind reply carries it (and no request numbers)
    body = json.dumps(
        {"callerNum": f"+86139000{i:05d}", "calleeNum": f"+86159000{i:05d}", "duration": 60 * i}
    ).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in signed("demo-axb").items())
    return (
        f"POST {AXB} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
    )


def test_pipelined_requests_get_their_replies_in_order(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_bind_request(1) + _bind_request(2) + _bind_request(3))
        replies = _read_replies(sock, 3)
    assert [status for status, _ in replies] == [200, 200, 200]
    durations = [json.loads(body)["duration"] for _, body in replies]
    assert durations == [60, 120, 180]
    assert server.alive()


def test_expect_100_continue_is_answered_before_the_body_is_sent(server: Server) -> None:
    request = _bind_request(4)
    head, _, body = request.partition(b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + b"\r\nExpect: 100-continue\r\n\r\n")
        interim = b""
        deadline = time.monotonic() + 5
        while b"\r\n\r\n" not in interim and time.monotonic() < deadline:
            interim += sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        rest = interim.split(b"\r\n\r\n", 1)[1]
        [(status, reply)] = _read_replies(sock, 1, rest)
    assert status == 200
    assert json.loads(reply)["resultcode"] == "0"
