"""Processes for the proxy's tests: a drifting `pns-mock serve` over TLS upstream, the proxy, a client."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pns_mock import spec as spec_module
from pns_mock.mockserver.domain import auth
from pns_mock.mockserver.http import HttpResponse, reply_problems, runtime_for

from ..serving import assert_journaled_replies_conform, free_port

NONCE = "66C92B11FF8A425FB8D4CCFE0ED9ED1F"
AXB = "/rest/caas/relationnumber/partners/v1.0"
JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class Upstream:
    admin: str  # plain HTTP: admin API and direct calls
    tls: str  # HTTPS: what the proxy forwards to
    cert: Path

    def journal(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.admin}/_pns/journal").json()["result"])

    def assert_replies_conform(self) -> None:
        """Every reply the mock itself made upstream (before any test drift) is valid for the spec."""
        # a connection dropped on purpose (fault injection) has no reply to check
        assert_journaled_replies_conform([e for e in self.journal() if e["status"] != 0])


def _wait(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=0.5, verify=False)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


@contextlib.contextmanager
def upstream(tmp: Path) -> Iterator[Upstream]:
    port, tls_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.mockserver.proxy.drifting_upstream", "serve", "--port", str(port),
         "--tls-port", str(tls_port), "--cert-dir", str(tmp / "tls")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{port}/_pns/clock", proc, "the upstream")
        yield Upstream(f"http://127.0.0.1:{port}", f"https://127.0.0.1:{tls_port}", tmp / "tls" / "cert.pem")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class Proxy:
    url: str
    proc: subprocess.Popen[str]

    def stop(self) -> str:
        """Stop it as Ctrl+C does; what it printed (its verdict)."""
        self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=20)
        return out


@contextlib.contextmanager
def proxy(upstream_url: str, *args: str) -> Iterator[Proxy]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pns_mock.mockserver", "proxy", "--port", str(port),
         "--upstream", upstream_url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    running = Proxy(f"http://127.0.0.1:{port}", proc)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the proxy did not start") from None
                time.sleep(0.05)
        yield running
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)


def signed(app_key: str = "demo-axb", secret: str = "demo-axb-secret", **extra: str) -> dict[str, str]:
    headers = auth.sign("AKSK", app_key, secret, NONCE, auth.created_now())
    return {"Content-Type": JSON_TYPE, **headers, **extra}


def bind_body(relation: str, caller: str, callee: str, **more: Any) -> dict[str, Any]:
    return {"relationNum": relation, "callerNum": caller, "calleeNum": callee, **more}


def report(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


@contextlib.contextmanager
def garbage_server() -> Iterator[str]:
    """A TCP server that answers every connection with bytes that are not HTTP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"\x00\x01 this is no HTTP reply \xff\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def assert_conforms(reply: httpx.Response, operation_id: str) -> None:
    """A reply the proxy or a replay made is valid for the spec, as every mock reply is."""
    the_spec = spec_module.load()
    response = HttpResponse(reply.status_code, list(reply.headers.items()), reply.content)
    op = the_spec.operations[operation_id]
    problems = reply_problems(the_spec, runtime_for(the_spec).schemas, op, response)
    assert problems == [], problems
