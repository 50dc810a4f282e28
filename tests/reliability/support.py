"""`pns-mock serve` in a subprocess on a free 127.0.0.1 port, always stopped; signed requests to it."""

from __future__ import annotations

import functools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from pns_mock.mockserver.domain import auth
from pns_mock.spec import SchemaRegistry
from pns_mock.spec import load as load_spec

ROOT = Path(__file__).resolve().parents[2]
AXB = "/rest/caas/relationnumber/partners/v1.0"
AX = "/rest/provision/caas/privatenumber/v1.0"
JSON = {"Content-Type": "application/json;charset=UTF-8"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(app_key: str, secret: str | None = None) -> dict[str, str]:
    """Fresh AKSK headers (a new nonce each time); demo apps' secrets are `<app_key>-secret`."""
    token = auth.sign(
        "AKSK", app_key, secret or f"{app_key}-secret", secrets.token_hex(16), auth.created_now()
    )
    return {**JSON, **token}


class Server:
    """One `pns-mock serve` process; `with Server(...) as s:` starts it and always stops it."""

    def __init__(self, *args: str, log: Path, port: int | None = None) -> None:
        self.args = args
        self.log = log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> Server:
        command = [sys.executable, "-m", "pns_mock.mockserver", "serve", "--port", str(self.port), *self.args]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pns-mock serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                httpx.get(f"{self.url}/_pns/clock", timeout=0.5)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"pns-mock serve did not answer within {timeout}s:\n{self.output()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        """The process runs and answers the admin API."""
        if self.process is None or self.process.poll() is not None:
            return False
        return httpx.get(f"{self.url}/_pns/clock", timeout=5).status_code == 200

    def kill(self) -> None:
        """`kill -9`: no shutdown of any kind."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def admin(self, method: str, route: str, **kwargs: Any) -> Any:
        reply = httpx.request(method, f"{self.url}/_pns/{route}", timeout=10, **kwargs)
        assert reply.status_code == 200, reply.text
        return reply.json()["result"]

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def checked(operation_id: str, response: httpx.Response) -> httpx.Response:
    """The reply, after checking it against the spec's reply for that operation."""
    from pns_mock.mockserver.http import HttpResponse, reply_problems

    loaded = load_spec()
    wrapped = HttpResponse(response.status_code, list(response.headers.items()), response.content)
    problems = reply_problems(loaded, _registry(), loaded.operations[operation_id], wrapped)
    assert problems == [], f"{operation_id}: the mock's reply breaks the spec: {problems}"
    return response


@functools.cache
def _registry() -> SchemaRegistry:
    return SchemaRegistry(load_spec().document)


def demo_app(mode: str) -> str:
    """The demo application of an operation's mode (common operations: the AXB one)."""
    return f"demo-{'axb' if mode == 'common' else mode.lower()}"
