"""`pns-mock serve --state FILE` killed with SIGKILL under load loses nothing it acknowledged."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from .support import AXB, Server, free_port, signed

APP = "durable"
NUMBERS = [f"+861761{i:07d}" for i in range(30)]
A, B = "+8613800000001", "+8613900000002"
WORKERS = 8
ACKNOWLEDGED_BEFORE_KILL = 150


class Receiver:
    """The customer's push endpoint on a fixed port, started only after the crash."""

    def __init__(self, port: int) -> None:
        self.bodies: list[dict[str, Any]] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def config(tmp_path: Path) -> tuple[Path, int]:
    push_port = free_port()  # nothing listens there until the restart: pushes stay pending
    app = {
        "app_key": APP,
        "app_secret": f"{APP}-secret",
        "mode": "AXB",
        "numbers": [{"number": n, "area_code": "0755"} for n in NUMBERS],
        "callbacks": {
            "status": f"http://127.0.0.1:{push_port}/status",
            "fee": f"http://127.0.0.1:{push_port}/fee",
        },
    }
    path = tmp_path / "config.json"  # JSON is YAML
    path.write_text(json.dumps({"apps": [app]}))
    return path, push_port


class Load:
    """Threads binding distinct pairs until the server goes away; keeps what was acknowledged."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.acknowledged: dict[str, tuple[str, str, str]] = {}
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._bind, args=(w,)) for w in range(WORKERS)]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def _bind(self, worker: int) -> None:
        with httpx.Client(timeout=10) as client:
            for i in range(2000):  # bounded; the kill ends it much sooner
                body = {"callerNum": f"+86138{worker:02d}{i:06d}", "calleeNum": f"+86139{worker:02d}{i:06d}"}
                try:
                    reply = client.post(
                        f"{self.url}{AXB}", json={**body, "areaCode": "0755"}, headers=signed(APP)
                    )
                    answer = reply.json()
                except (httpx.TransportError, ValueError):
                    return  # killed: this bind was never acknowledged
                if answer.get("resultcode") == "0":
                    with self._lock:
                        self.acknowledged[answer["subscriptionId"]] = (
                            answer["relationNum"],
                            body["callerNum"],
                            body["calleeNum"],
                        )

    def count(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=30)


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_kill_9_under_load_loses_no_acknowledged_binding(tmp_path: Path, config: tuple[Path, int]) -> None:
    config_path, push_port = config
    state = tmp_path / "state.sqlite"
    args = ("--config", str(config_path), "--state", str(state))
    first = Server(*args, log=tmp_path / "first.log").start()
    try:
        first.admin("POST", "clock", json={"advance": 86400})
        bound = httpx.post(
            f"{first.url}{AXB}", json={"callerNum": A, "calleeNum": B}, headers=signed(APP)
        ).json()
        x = bound["relationNum"]
        first.admin("POST", "calls", json={"from": A, "to": x, "answer_after": 0.1, "talk": 0.1})
        _wait_for(lambda: any(p["webhook"] == "feeAxb" for p in first.admin("GET", "pushes")), 10, "the CDR")
        first.admin("POST", "pushes/flush")  # the CDR's batch need not wait for the next second
        _wait_for(lambda: all(p["attempts"] for p in first.admin("GET", "pushes")), 10, "the first attempts")
        pending = [p["body"] for p in first.admin("GET", "pushes") if p["state"] == "pending"]
        assert len(pending) >= 5, "the call's events and its CDR should be waiting for a retry"
        load = Load(first.url).start()
        _wait_for(lambda: load.count() >= ACKNOWLEDGED_BEFORE_KILL, 30, "acknowledged binds")
        clock_before = first.admin("GET", "clock")["epoch"]
        first.kill()  # mid-load: the workers are still sending
        load.join()
    finally:
        first.kill()
    acknowledged = {bound["subscriptionId"]: (x, A, B), **load.acknowledged}
    receiver = Receiver(push_port)
    try:
        with Server(*args, log=tmp_path / "second.log") as second:
            assert second.admin("GET", "clock")["epoch"] >= clock_before
            live = {b["subscription_id"] for a in second.admin("GET", "state")["apps"] for b in a["bindings"]}
            assert set(acknowledged) <= live, f"lost {len(set(acknowledged) - live)} acknowledged bindings"
            with httpx.Client(timeout=10) as client:
                for sid, numbers in acknowledged.items():
                    reply = client.get(
                        f"{second.url}{AXB}", params={"subscriptionId": sid}, headers=signed(APP)
                    )
                    item = reply.json()["relationNumList"][0]
                    assert (item["relationNum"], item["callerNum"], item["calleeNum"]) == numbers
            _wait_for(
                lambda: len(receiver.bodies) >= len(pending), 10, "the pending pushes after the restart"
            )
            assert sorted(map(json.dumps, receiver.bodies)) == sorted(map(json.dumps, pending))
    finally:
        receiver.close()
