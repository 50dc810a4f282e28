"""`pns-mock serve` in a subprocess for a test: started, waited for, and always stopped."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx

from pns_mock import spec
from pns_mock.mockserver.http import HttpResponse, reply_problems, runtime_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(*args: str, tls: bool = False, timeout: float = 20) -> Iterator[str]:
    """The base URL of a server started with `args`; the process never outlives the block."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pns_mock.mockserver", "serve", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(f"{base}/_pns/clock", timeout=0.5, verify=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"pns-mock serve {' '.join(args)} did not start") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def assert_journaled_replies_conform(entries: list[dict[str, Any]]) -> None:
    """Every API reply a server in another process sent (from its `GET /_pns/journal`) is valid
    for the spec: status, body schema and result code (the journal keeps no reply headers, and
    the content type is checked in-process for every reply)."""
    the_spec = spec.load()
    schemas = runtime_for(the_spec).schemas
    assert entries, "nothing was journaled"
    for entry in entries:
        if entry["operation_id"] is None:
            continue  # a path the API does not have: plain 404
        op = the_spec.operations[entry["operation_id"]]
        json_type = [("Content-Type", "application/json;charset=UTF-8")]
        reply = HttpResponse(entry["status"], json_type, entry["response_body"].encode())
        assert reply_problems(the_spec, schemas, op, reply) == [], entry
