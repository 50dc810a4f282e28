"""A customer's push receiver that verifies each push's signature as the vendor's pages describe.

Written from the recipes, independently of `mockserver.auth`: AKSK is Base64(HMAC-SHA256(key =
app_secret, Nonce + Created)) in `X-AKSK`; WSSE (the older pages) Base64(SHA-256(Nonce + Created +
app_secret)) in `X-WSSE`. A push signed any other way than the receiver expects gets 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Seen:
    path: str
    scheme: str  # the word `Authorization` starts with
    verified: bool
    body: dict[str, Any]


def expected_digest(scheme: str, secret: str, nonce: str, created: str) -> str:
    if scheme == "AKSK":
        mac = hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
        return base64.b64encode(mac).decode()
    return base64.b64encode(hashlib.sha256((nonce + created + secret).encode()).digest()).decode()


class VerifyingReceiver:
    """WSGI app: `expects` maps app_key -> (secret, scheme); answers 200 with no body, or 401."""

    def __init__(self, expects: dict[str, tuple[str, str]]) -> None:
        self.expects = expects
        self.seen: list[Seen] = []

    def verify(self, environ: dict[str, Any]) -> tuple[str, bool, dict[str, Any]]:
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        scheme = environ.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
        token = dict(_ATTRIBUTE.findall(environ.get(f"HTTP_X_{scheme}", "")))
        wanted = self.expects.get(token.get("Username", ""))
        if wanted is None or scheme != wanted[1]:
            return scheme, False, body
        digest = expected_digest(scheme, wanted[0], token.get("Nonce", ""), token.get("Created", ""))
        return scheme, hmac.compare_digest(digest, token.get("PasswordDigest", "")), body

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        scheme, ok, body = self.verify(environ)
        self.seen.append(Seen(environ["PATH_INFO"], scheme, ok, body))
        start_response("200 OK" if ok else "401 Unauthorized", [("Content-Length", "0")])
        return [b""]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Seen]:
        deadline = time.monotonic() + timeout
        while len(self.seen) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.seen)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class Served:
    """`receiver` listening on 127.0.0.1 until `close()`."""

    def __init__(self, receiver: VerifyingReceiver) -> None:
        self.server: WSGIServer = make_server("127.0.0.1", 0, receiver, handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
