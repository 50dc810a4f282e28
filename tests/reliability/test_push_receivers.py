"""A customer's push receiver that hangs or resets the connection never slows the binding API."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from .support import AXB, Server, signed

X = "+8617210000001"
A, B = "+8613800000001", "+8613900000002"
PUSH_TIMEOUT = 1.0  # seconds a push waits for the receiver (server.push_timeout_seconds)
NORMAL = 0.5  # seconds: a binding query on loopback takes milliseconds


class Receiver:
    """A listening socket on 127.0.0.1 that accepts and then hangs (holds) or resets each connection."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            if self.behaviour == "hang":
                self._held.append(conn)  # never read, never answer
            else:  # close with RST instead of FIN
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()

    def close(self) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


def _config(tmp: Path, receiver: Receiver) -> Path:
    path = tmp / "config.yaml"
    path.write_text(
        f"server: {{push_timeout_seconds: {PUSH_TIMEOUT}}}\n"
        "apps:\n"
        "  - {app_key: hooked, app_secret: hooked-secret, mode: AXB,\n"
        f'     numbers: [{{number: "{X}", area_code: "0755"}}],\n'
        f'     callbacks: {{status: "{receiver.url}/status", fee: "{receiver.url}/fee"}}}}\n'
    )
    return path


@pytest.fixture(params=["reset", "hang"])
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    r = Receiver(request.param)
    yield r
    r.close()


def test_a_bad_push_receiver_never_slows_the_api(tmp_path: Path, receiver: Receiver) -> None:
    server = Server("--config", str(_config(tmp_path, receiver)), log=tmp_path / "server.log").start()
    calls = ThreadPoolExecutor(3)
    try:
        bound = httpx.post(
            f"{server.url}{AXB}",
            json={"callerNum": A, "calleeNum": B, "relationNum": X},
            headers=signed("hooked"),
        )
        assert bound.json()["resultcode"] == "0"
        call = {"from": A, "to": X, "answer_after": 0, "talk": 1}
        placed = [
            calls.submit(httpx.post, f"{server.url}/_pns/calls", json=call, timeout=30) for _ in range(3)
        ]
        for _ in range(20):
            _query_quickly(server)
            time.sleep(0.01)
        assert all(f.result().status_code == 200 for f in placed)
        deadline = time.monotonic() + 10
        while receiver.accepted == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert receiver.accepted > 0, "no push was attempted"
        assert server.alive()
    finally:
        server.kill()  # also ends the calls still waiting, and a hanging receiver cannot hold a shutdown
        calls.shutdown()


def _query_quickly(server: Server) -> None:
    try:
        reply = httpx.get(
            f"{server.url}{AXB}", params={"relationNum": X}, headers=signed("hooked"), timeout=NORMAL
        )
    except httpx.TimeoutException:
        pytest.fail(f"a binding query took more than {NORMAL}s while pushes were failing")
    assert reply.json()["resultcode"] == "0"
