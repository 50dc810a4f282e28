"""Checks the platform's two authentication schemes, mapping every defect to its result code.

Order of checks (our choice; the vendor documents the codes, not their order): the
`Authorization` header and its attributes, the token header and its attributes, the `Created`
format, the app_key, the `Created` window, then the digest. `Created` is compared with the wall
clock, never the virtual clock: clients sign with real time even while a test has moved the
platform's clock by days.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pns_mock.spec import load as load_spec

from .errors import PnsError

_ATTR_ANYWHERE = re.compile(r'([A-Za-z]+)\s*=\s*"([^"]*)"')
_CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@functools.cache
def _aliases(security_scheme: str) -> Mapping[str, str]:
    """Other spellings of `Authorization` attributes the spec accepts (`x-pns-attribute-aliases`)."""
    schemes = load_spec().document["components"]["securitySchemes"]
    return {str(k).lower(): str(v).lower() for k, v in schemes[security_scheme].get(_ALIASES_KEY, {}).items()}


_ALIASES_KEY = "x-pns-attribute-aliases"


@dataclass(frozen=True)
class Scheme:
    name: str  # "AKSK" or "WSSE"
    token_header: str
    missing_scheme: str
    missing_token_header: str
    missing_attr: Mapping[str, str]
    security_scheme: str  # its entry in the spec's securitySchemes

    @property
    def aliases(self) -> Mapping[str, str]:
        """alias -> attribute of `Authorization` (the vendor's Java sample says `dsl` for `type`),
        read from the spec on first use."""
        return _aliases(self.security_scheme)


AKSK = Scheme(
    "AKSK",
    "X-AKSK",
    missing_scheme="1023013",
    missing_token_header="1023033",
    missing_attr={
        "username": "1023034",
        "nonce": "1023035",
        "created": "1023036",
        "passworddigest": "1023037",
    },
    security_scheme="AkskAuthorization",
)
WSSE = Scheme(
    "WSSE",
    "X-WSSE",
    missing_scheme="1023013",
    missing_token_header="1023026",
    missing_attr={
        "username": "1023027",
        "nonce": "1023028",
        "created": "1023029",
        "passworddigest": "1023030",
    },
    security_scheme="WsseAuthorization",
)
SCHEMES = {"AKSK": AKSK, "WSSE": WSSE}


class Credentials(NamedTuple):  # tuples: made on every request, and cheap to make
    scheme: str
    app_key: str
    nonce: str
    created: str
    digest: str


class AuthResult(NamedTuple):
    app_key: str
    scheme: str
    variant: str  # which digest form matched: "hmac-sha256", "sha256", "sha256-hex"


def aksk_digest(secret: str, nonce: str, created: str) -> str:
    """Base64(HMAC-SHA256(key=secret, nonce + created)), equal to `hmac.new(...)` (a test checks).

    HMAC is SHA-256(key ^ opad || SHA-256(key ^ ipad || message)) (RFC 2104). Both keyed states
    are made once per secret and copied per request: under load that is about twice as fast as
    copying an OpenSSL HMAC object, and three times as fast as `hmac.digest`.
    """
    inner, outer = _keyed(secret)
    inner = inner.copy()
    inner.update((nonce + created).encode())
    outer = outer.copy()
    outer.update(inner.digest())
    return base64.b64encode(outer.digest()).decode()


@functools.lru_cache(maxsize=256)
def _keyed(secret: str) -> tuple[Any, Any]:
    """SHA-256 states that have absorbed `secret` ^ ipad and `secret` ^ opad (one block each)."""
    key = secret.encode()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in key)),
        hashlib.sha256(bytes(b ^ 0x5C for b in key)),
    )


_BLOCK = 64  # SHA-256's block size in bytes


def wsse_digest(secret: str, nonce: str, created: str, *, hex_variant: bool = False) -> str:
    h = hashlib.sha256((nonce + created + secret).encode())
    raw = h.hexdigest().encode() if hex_variant else h.digest()
    return base64.b64encode(raw).decode()


def created_now(now: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(scheme: str, app_key: str, secret: str, nonce: str, created: str) -> dict[str, str]:
    """The two headers a client (or the platform, when pushing) sends."""
    digest = aksk_digest(secret, nonce, created) if scheme == "AKSK" else wsse_digest(secret, nonce, created)
    token = (
        f'UsernameToken Username="{app_key}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}"'
    )
    return {
        "Authorization": f'{scheme} realm="SDP",profile="UsernameToken",type="Appkey"',
        SCHEMES[scheme].token_header: token,
    }


def _attributes(text: str) -> dict[str, str]:
    """Attributes `Name="value"` separated by "," or ", " (both documented), names case-folded.

    One regular-expression scan: values are quoted and never contain a quote. A token as clients
    write it (the four attributes, in any order, each after nothing, a space, "," or ", ") is
    split on its quotes instead, which gives the same result in a fraction of the time.
    """
    parts = text.split('"')
    if len(parts) == 9 and parts[8] in _TRAILERS:
        get = _TOKEN_NAMES.get
        first, second, third, fourth = get(parts[0]), get(parts[2]), get(parts[4]), get(parts[6])
        if first and second and third and fourth:
            return {first: parts[1], second: parts[3], third: parts[5], fourth: parts[7]}
    return {name.lower(): value for name, value in _ATTR_ANYWHERE.findall(text)}


# What may stand before a token attribute's opening quote on the quick path of `_attributes`.
_TOKEN_NAMES = {
    f"{lead}{name}=": name.lower()
    for name in ("Username", "PasswordDigest", "Nonce", "Created")
    for lead in ("", " ", ",", ", ")
}
_TRAILERS = frozenset(("", " ", ","))


def parse(headers: Mapping[str, str]) -> Credentials:
    """Read the credentials from case-insensitive `headers`, or raise the matching 1023xxx code."""
    authorization = headers.get("authorization")
    if not authorization or not authorization.strip():
        raise PnsError("1023006", "send the Authorization header", rule="auth.authorization")
    scheme = _scheme_of(authorization)
    token = headers.get(scheme.token_header.lower())
    if not token or not token.strip():
        raise PnsError(
            scheme.missing_token_header,
            f"Authorization says {scheme.name}: send the {scheme.token_header} header",
            rule="auth.token",
        )
    body = token.strip()
    if body.startswith("UsernameToken"):
        body = body[13:]  # len("UsernameToken")
    tattrs = _attributes(body)
    username = tattrs.get("username")
    nonce = tattrs.get("nonce")
    created = tattrs.get("created")
    digest = tattrs.get("passworddigest")
    if not (username and nonce and created and digest):
        missing = next(name for name in scheme.missing_attr if not tattrs.get(name))  # in order
        raise PnsError(
            scheme.missing_attr[missing],
            f"{scheme.token_header} has no {missing} attribute",
            rule="auth.token",
        )
    if not _nonce_rule(scheme.token_header).match(nonce):
        raise PnsError(
            scheme.missing_attr["nonce"],
            f"{scheme.token_header} Nonce has {len(nonce)} characters"
            + ("" if nonce.isascii() and nonce.isalnum() else ", not only digits and letters")
            + "; the platform takes 1 to 128 digits and letters (e.g. a UUID4 without dashes)",
            rule="auth.nonce",
            field=f"{scheme.token_header}.Nonce",
            value=nonce[:40] + ("..." if len(nonce) > 40 else ""),
        )
    if _created_epoch(created) is None:
        raise PnsError(
            "1023031",
            f"Created is {created!r}; expected yyyy-MM-dd'T'HH:mm:ss'Z' in UTC, e.g. 2018-02-12T15:30:20Z",
            rule="auth.created.format",
            field=f"{scheme.token_header}.Created",
            value=created,
        )
    return Credentials(scheme.name, username, nonce, created, digest)


@functools.cache
def _nonce_rule(token_header: str) -> re.Pattern[str]:
    """The spec's Nonce pattern for the token header (`x-pns-token-attributes` of its scheme)."""
    schemes = load_spec().document["components"]["securitySchemes"]
    scheme = next(s for s in schemes.values() if s.get("name") == token_header)
    return re.compile(scheme["x-pns-token-attributes"]["Nonce"]["pattern"])


@functools.lru_cache(maxsize=256)  # a client sends the same Authorization on every request
def _scheme_of(authorization: str) -> Scheme:
    """The scheme an `Authorization` header names, after checking its attributes."""
    word, _, rest = authorization.strip().partition(" ")
    scheme = SCHEMES.get(word.upper())
    if scheme is None:
        raise PnsError(
            "1023013",
            f"Authorization must start with AKSK (or legacy WSSE), got {word[:20]!r}",
            rule="auth.scheme",
        )
    attrs = _attributes(rest)
    spelled = {name: name for name in attrs}
    for alias, name in scheme.aliases.items():
        if alias in attrs and name not in attrs:  # the documented spelling wins when both are sent
            attrs[name] = attrs[alias]
            spelled[name] = alias
    if "realm" not in attrs:
        raise PnsError("1023007", 'add realm="SDP" to Authorization', rule="auth.realm")
    if "profile" not in attrs:
        raise PnsError("1023008", 'add profile="UsernameToken" to Authorization', rule="auth.profile")
    if attrs["realm"] != "SDP":
        raise PnsError("1023009", f'realm is "{attrs["realm"]}", must be "SDP"', rule="auth.realm")
    if attrs["profile"] != "UsernameToken":
        raise PnsError(
            "1023010", f'profile is "{attrs["profile"]}", must be "UsernameToken"', rule="auth.profile"
        )
    if "type" not in attrs:
        raise PnsError("1023012", 'add type="Appkey" to Authorization', rule="auth.type")
    if attrs["type"] != "Appkey":
        raise PnsError(
            "1023011", f'{spelled["type"]} is "{attrs["type"]}", must be "Appkey"', rule="auth.type"
        )
    return scheme


@functools.lru_cache(maxsize=1024)  # Created changes once a second: most requests share one
def _created_epoch(created: str) -> float | None:
    """Seconds since the epoch of a well-formed `Created`; None if it is malformed or no date."""
    if not _CREATED.match(created):
        return None
    try:
        moment = datetime(
            int(created[0:4]),
            int(created[5:7]),
            int(created[8:10]),
            int(created[11:13]),
            int(created[14:16]),
            int(created[17:19]),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    return moment.timestamp()


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
        skew = (_created_epoch(creds.created) or 0.0) - now
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
