"""One push attempt: sign it, POST it, time it, judge the answer. Schedules live in `delivery`.

Sending uses the standard library, not httpx: httpx is only a dev dependency, and the pytest
plugin patches httpx's transports to catch the code under test, which would catch the mock's own
pushes too. Tests and the plugin's in-process mode pass a `transport` function instead.
"""

from __future__ import annotations

import json
import secrets
import ssl
import time
from collections.abc import Callable
from http.client import HTTPConnection, HTTPSConnection
from typing import Any
from urllib.parse import urlsplit

from pns_mock.spec import SchemaRegistry, Spec, Webhook

from ..domain import auth
from .journal import RESPONSE_BODY_LIMIT, Attempt, redact

# transport(method, url, headers, body, timeout) -> (status, reply body); raising means no answer
Transport = Callable[[str, str, dict[str, str], bytes, float], tuple[int, bytes]]

READ_LIMIT = 1 << 16  # bytes of a reply read; the journal keeps RESPONSE_BODY_LIMIT characters


class Sender:
    """Makes attempts as the platform does; knows nothing of retries, batches or threads."""

    def __init__(
        self,
        spec: Spec,
        schemas: SchemaRegistry,
        secret_of: Callable[[str], str | None],
        *,
        timeout: float,
        transport: Transport,
        scheme: str,
        wall_clock: Callable[[], float],
        scheme_of: Callable[[str], str | None] | None = None,
    ) -> None:
        policy = spec.delivery
        self._schemas = schemas
        self._secret_of = secret_of
        self.timeout = timeout
        self._transport = transport
        self._scheme = scheme
        # the application's own choice (`push_auth`), if it made one; else `scheme`
        self._scheme_of = scheme_of
        self._wall = wall_clock
        self._method = str(policy["method"])
        self._content_type = str(policy["contentType"])
        self._success = int(policy["successStatus"])

    def attempt(
        self,
        app_key: str,
        hook: Webhook,
        url: str,
        body: dict[str, Any],
        *,
        number: int,
        due: float,
        now: float,
    ) -> tuple[Attempt, Any]:
        """The attempt as journaled, and the customer's parsed decision (Block pushes that validated)."""
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        wall = self._wall()
        headers = {"Content-Type": self._content_type}
        status: int | None = None
        raw = b""
        error: str | None = None
        reply: Any = None
        started = time.perf_counter()
        secret = self._secret_of(app_key)
        if secret is None:
            error = f"no secret for app_key {app_key!r} any more (application removed?): nothing sent"
        else:
            nonce = secrets.token_hex(16)
            scheme = (self._scheme_of(app_key) if self._scheme_of else None) or self._scheme
            headers.update(auth.sign(scheme, app_key, secret, nonce, auth.created_now(wall)))
            try:
                status, raw = self._transport(self._method, url, headers, data, self.timeout)
            except Exception as exc:  # noqa: BLE001 - any transport failure is "no answer", by contract
                error = f"no answer within {self.timeout}s: {type(exc).__name__}: {exc}"
        latency_ms = (time.perf_counter() - started) * 1000
        if error is None and latency_ms > self.timeout * 1000:
            error = f"answered after {latency_ms:.0f} ms, beyond the {self.timeout}s timeout: counts as none"
        if error is None:
            error, reply = self._judge(hook, status, raw)
        attempt = Attempt(
            number=number,
            platform_time=now,
            wall_time=wall,
            url=url,
            status=status,
            response_body=raw.decode("utf-8", "replace")[:RESPONSE_BODY_LIMIT],
            latency_ms=round(latency_ms, 3),
            error=error,
            due_at=due,
            headers=redact(headers),
        )
        return attempt, reply

    def _judge(self, hook: Webhook, status: int | None, raw: bytes) -> tuple[str | None, Any]:
        if status != self._success:
            return f"HTTP {status}: only {self._success} counts as delivered", None
        pointer = hook.reply_schema_pointer
        if pointer is None:
            return None, None
        if not raw.strip():
            return f"empty reply: a {hook.name} push needs the customer's decision as JSON", None
        try:
            reply = json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            return f"reply is not JSON ({exc}): a {hook.name} push needs the decision as JSON", None
        problems = self._schemas.errors(pointer, reply)
        if problems:
            return f"reply breaks {pointer}: {'; '.join(problems)}", None
        return None, reply


def http_transport(*, verify_tls: bool = True) -> Transport:
    """POST over a short connection (the platform closes after each push), standard library only."""
    contexts: list[ssl.SSLContext] = []

    def context() -> ssl.SSLContext:
        if not contexts:  # built on first use: it costs milliseconds
            ctx = ssl.create_default_context()
            if not verify_tls:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            contexts.append(ctx)
        return contexts[0]

    def send(
        method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        conn = (
            HTTPSConnection(host, parts.port, timeout=timeout, context=context())
            if parts.scheme == "https"
            else HTTPConnection(host, parts.port, timeout=timeout)
        )
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(method, target, body=body, headers={**headers, "Connection": "close"})
            response = conn.getresponse()
            return response.status, response.read(READ_LIMIT)
        finally:
            conn.close()

    return send
