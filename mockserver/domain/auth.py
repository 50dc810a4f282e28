"""Checks the platform's two authentication schemes, mapping every defect to its result code.

Order of checks (our choice; the vendor documents the codes, not their order): the
`Authorization` header and its attributes, the token header and its attributes, the `Created`
format (those three: `auth_headers`), the app_key, the `Created` window, then the digest (the
recipes: `auth_digest`). `Created` is compared with the wall clock, never the virtual clock:
clients sign with real time even while a test has moved the platform's clock by days.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .auth_digest import aksk_digest, created_now, sign, wsse_digest
from .auth_headers import Credentials, created_epoch, parse
from .auth_schemes import AKSK, SCHEMES, WSSE, Scheme
from .errors import PnsError

__all__ = [
    "AKSK",
    "SCHEMES",
    "WSSE",
    "AuthResult",
    "Authenticator",
    "Credentials",
    "Scheme",
    "aksk_digest",
    "created_now",
    "parse",
    "sign",
    "wsse_digest",
]


class AuthResult(NamedTuple):
    app_key: str
    scheme: str
    variant: str  # which digest form matched: "hmac-sha256", "sha256", "sha256-hex"


@dataclass
class Authenticator:
    """Verifies requests against the applications' secrets.

    `secret_of(app_key)` returns the secret or None for an unknown key. `window` is the accepted
    distance in seconds between `Created` and the wall clock (the vendor publishes none).
    Repeated failures from one client lead to 1020176 when `lockout_after` is set.
    """

    secret_of: Callable[[str], str | None]
    window: float = 300.0
    wall_clock: Callable[[], float] = time.time
    lockout_after: int | None = None
    lockout_seconds: float = 1800.0
    # a Nonce seen again from one app_key within this many seconds is refused (None: never)
    replay_window: float | None = None
    replay_code: str = ""  # from the spec (x-pns-undocumented-conditions, nonce-replay)
    _nonces: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    _nonce_order: deque[tuple[float, tuple[str, str]]] = field(default_factory=deque, repr=False)
    _failures: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _locked_until: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def authenticate(self, headers: Mapping[str, str], client: str = "") -> AuthResult:
        now = self.wall_clock()
        if self.lockout_after is not None and self._locked_until.get(client, 0.0) > now:
            raise PnsError("1020176", f"client {client} is locked out after repeated failures")
        try:
            result = self._check(headers, now)
        except PnsError:
            self._record_failure(client, now)
            raise
        return result

    def _check(self, headers: Mapping[str, str], now: float) -> AuthResult:
        creds = parse(headers)
        secret = self.secret_of(creds.app_key)
        if secret is None:
            raise PnsError("1010003", f"no application has app_key {creds.app_key!r}", rule="auth.app_key")
        skew = (created_epoch(creds.created) or 0.0) - now
        if abs(skew) > self.window:
            raise PnsError(
                "1010013",
                f"Created {creds.created} is {skew:+.0f}s from the platform's clock; the mock accepts "
                f"+/-{self.window:.0f}s (use the current UTC time, not local time)",
                rule="auth.created.window",
                field=f"X-{creds.scheme}.Created",
                value=creds.created,
            )
        candidates = (
            (("hmac-sha256", aksk_digest(secret, creds.nonce, creds.created)),)
            if creds.scheme == "AKSK"
            else (
                ("sha256", wsse_digest(secret, creds.nonce, creds.created)),
                ("sha256-hex", wsse_digest(secret, creds.nonce, creds.created, hex_variant=True)),
            )
        )
        matched = None
        sent = creds.digest.encode()
        for variant, expected in candidates:
            # compare every candidate so timing does not tell which variant was close
            if hmac.compare_digest(expected.encode(), sent):
                matched = variant
        if matched is None:
            recipe = (
                "Base64(HMAC-SHA256(key=app_secret, Nonce+Created))"
                if creds.scheme == "AKSK"
                else "Base64(SHA-256(Nonce+Created+app_secret))"
            )
            raise PnsError("1010010", f"PasswordDigest does not match {recipe}", rule="auth.digest")
        if self.replay_window is not None:
            self._check_replay(creds.app_key, creds.nonce, now)
        return AuthResult(creds.app_key, creds.scheme, matched)

    def _check_replay(self, app_key: str, nonce: str, now: float) -> None:
        """Refuse a Nonce this app_key sent within `replay_window` seconds; remember this one."""
        window = self.replay_window or 0.0
        key = (app_key, nonce)
        with self._lock:
            order = self._nonces_order_trimmed(now - window)
            seen = self._nonces.get(key)
            if seen is not None and now - seen <= window:
                raise PnsError(
                    self.replay_code,
                    f"Nonce {nonce[:40]!r} was already used by {app_key} {now - seen:.0f}s ago; "
                    f"send a fresh Nonce with every request (replay window {window:.0f}s)",
                    rule="x-pns-undocumented-conditions nonce-replay",
                )
            self._nonces[key] = now
            order.append((now, key))

    def _nonces_order_trimmed(self, oldest: float) -> deque[tuple[float, tuple[str, str]]]:
        order = self._nonce_order
        while order and order[0][0] < oldest:  # memory stays bounded by the window's traffic
            _, key = order.popleft()
            if self._nonces.get(key, oldest) < oldest:
                del self._nonces[key]
        return order

    def _record_failure(self, client: str, now: float) -> None:
        if self.lockout_after is None:
            return
        with self._lock:
            recent = [t for t in self._failures.get(client, []) if now - t < self.lockout_seconds]
            recent.append(now)
            self._failures[client] = recent
            if len(recent) >= self.lockout_after:
                self._locked_until[client] = now + self.lockout_seconds
                self._failures[client] = []
