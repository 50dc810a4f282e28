"""Java's HttpClient asks a plain-http server to upgrade to h2c on every request; the mock, like
the platform's front, ignores the Upgrade and answers over HTTP/1.1 with the body intact."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from pns_mock.mockserver.domain import created_now, sign

from .serving import assert_journaled_replies_conform, serve

AXB = "/rest/caas/relationnumber/partners/v1.0"
# what the JDK's java.net.http.HttpClient (HTTP_2 by default) adds to a plain-http request
H2C = (
    "Connection: Upgrade, HTTP2-Settings\r\n"
    "Upgrade: h2c\r\n"
    "HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
)


def _bind(nonce: str, caller: str, h2c: bool) -> tuple[bytes, bytes]:
    headers = sign("AKSK", "demo-axb", "demo-axb-secret", nonce, created_now())
    body = json.dumps({"callerNum": caller, "calleeNum": "+8613900000002"}).encode()
    head = (
        f"POST {AXB} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Java-http-client/17.0.15\r\n"
        f"Content-Type: application/json;charset=UTF-8\r\nAuthorization: {headers['Authorization']}\r\n"
        f"X-AKSK: {headers['X-AKSK']}\r\nContent-Length: {len(body)}\r\n{H2C if h2c else ''}\r\n"
    ).encode()
    return head, body


def _replies(sock: socket.socket, count: int) -> list[dict[str, object]]:
    """`count` HTTP/1.1 replies (status 200 or not) read off the socket, as JSON bodies."""
    data = b""
    found: list[dict[str, object]] = []
    deadline = time.monotonic() + 10
    while len(found) < count and time.monotonic() < deadline:
        data += sock.recv(65536)
        while b"\r\n\r\n" in data:
            head, rest = data.split(b"\r\n\r\n", 1)
            assert head.startswith(b"HTTP/1.1 "), head  # never 101 Switching Protocols
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            if len(rest) < length:
                break
            found.append(json.loads(rest[:length]))
            data = rest[length:]
    return found


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.mark.parametrize("split", [False, True], ids=["one-write", "body-after-head"])
def test_a_bind_with_an_h2c_upgrade_is_answered_with_its_body(base: str, split: bool) -> None:
    port = int(base.rsplit(":", 1)[1])
    head, body = _bind(f"h2c{int(split)}", "+8613800000011" if split else "+8613800000012", h2c=True)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        if split:  # as the JDK writes it: the head, then the body in a write of its own
            sock.sendall(head)
            time.sleep(0.05)
            sock.sendall(body)
        else:
            sock.sendall(head + body)
        (reply,) = _replies(sock, 1)
    assert reply["resultcode"] == "0", reply
    assert str(reply["relationNum"]).startswith("+86")


def test_requests_after_an_ignored_upgrade_on_the_same_connection_are_answered(base: str) -> None:
    port = int(base.rsplit(":", 1)[1])
    first = b"".join(_bind("h2cpipe1", "+8613800000021", h2c=True))
    second = b"".join(_bind("h2cpipe2", "+8613800000022", h2c=False))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(first + second)  # pipelined: the second request follows the first's body
        replies = _replies(sock, 2)
    assert [r["resultcode"] for r in replies] == ["0", "0"], replies
    entries = httpx.get(f"{base}/_pns/journal", timeout=5).json()["result"]
    assert_journaled_replies_conform(entries)
