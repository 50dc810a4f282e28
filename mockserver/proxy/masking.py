"""What a recording may keep of real traffic: phone numbers faked, credentials removed.

Every phone number (global `+CC...`, `%2B`-encoded, `00CC...`, and the national forms a Chinese
client writes: `138...`, `86138...`, `0755...`) becomes a fake of the same shape: same country
code and length, the same fake for the same real number within one recording, so a caller and
callee pair stays a pair and a binding made in one interaction is found by the next one. The
national forms of a number share its fake. App keys become the recording's demo key; digests and
nonces leave the auth headers; customer data (`x-pns-proxy.customerData`) goes unless kept.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from pns_mock.spec import Spec

from ..domain.auth import SCHEMES

# One pattern, alternatives tried left to right at each place; a digit run is taken whole.
NUMBER = re.compile(
    r"(?P<enc>%2[Bb])(?P<encd>[1-9]\d{3,29})(?!\d)"
    r"|\+(?P<glob>[1-9]\d{3,29})(?!\d)"
    r"|(?<![\w.%+])00(?P<intl>[1-9]\d{5,28})(?!\d)"
    r"|(?<![\w.%+])86(?P<cn>1\d{10})(?!\d)"
    r"|(?<![\w.%+])(?P<mobile>1[3-9]\d{9})(?!\d)"
    r"|(?<![\w.%+])0(?P<land>[1-9]\d{8,10})(?!\d)"
)
# ITU-T E.164 country codes are prefix-free: 1 and 7 stand alone, these take two digits, the rest three.
_TWO_DIGIT_CODES = frozenset(
    str(code)
    for code in (20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53,
                 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98)
)  # fmt: skip
_TOKEN_HEADERS = frozenset(s.token_header.lower() for s in SCHEMES.values())
_DROPPED_HEADERS = frozenset(("cookie", "set-cookie", "proxy-authorization", "x-pns-admin-token"))
_SECRET_ATTR = re.compile(r"(?i)digest|nonce|signature|secret|password|credential")
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_USERNAME = re.compile(r'Username\s*=\s*"([^"]*)"', re.IGNORECASE)


def number_of(match: re.Match[str]) -> tuple[str, str]:
    """The number a match of `NUMBER` stands for, in global form, and the form it was written in."""
    form = match.lastgroup or "glob"
    digits = match.group(form)
    prefix = {"cn": "+86", "mobile": "+86", "land": "+86"}.get(form, "+")
    return prefix + digits, form


def in_form(number: str, form: str, match: re.Match[str] | None = None) -> str:
    """A global-form `number` written as `form` (see `NUMBER`'s groups)."""
    if form == "encd":
        return (match.group("enc") if match else "%2B") + number[1:]
    if form == "intl":
        return "00" + number[1:]
    if form == "cn":
        return number[1:]
    if form == "mobile":
        return number[3:]
    if form == "land":
        return "0" + number[3:]
    return number


def country_code_length(digits: str) -> int:
    if digits[:1] in ("1", "7"):
        return 1
    return 2 if digits[:2] in _TWO_DIGIT_CODES else 3


def customer_fields(spec: Spec) -> frozenset[str]:
    """Names of the properties whose schema is one of `x-pns-proxy.customerData.schemas`."""
    targets = set(spec.document.get("x-pns-proxy", {}).get("customerData", {}).get("schemas", ()))
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, Mapping) and sub.get("$ref") in targets:
                    found.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec.document)
    return frozenset(found)


class Masker:
    """The masking of one recording. `seed` makes the fakes reproducible (tests); by default a
    recording draws its own, so fakes say nothing about the real numbers."""

    def __init__(
        self,
        spec: Spec,
        *,
        demo_keys: Mapping[str, str],
        demo_key: str | None = None,
        keep_user_data: bool = False,
        seed: int | None = None,
    ) -> None:
        self._demo_keys = dict(demo_keys)  # mode -> demo app_key
        self._demo_key = demo_key
        self._customer = frozenset() if keep_user_data else customer_fields(spec)
        self._random = random.Random(seed)
        self._fakes: dict[str, str] = {}  # real number, global form -> fake, global form
        self._keys: dict[str, str] = {}  # real app_key -> demo app_key
        self._replaced_keys: list[tuple[str, str]] = []

    # numbers

    def number(self, real: str) -> str:
        """The fake of a number in global form (`+` and digits)."""
        fake = self._fakes.get(real)
        if fake is None:
            digits = real[1:]
            kept = country_code_length(digits) + (1 if len(digits) > 5 else 0)
            while True:
                tail = "".join(self._random.choice("0123456789") for _ in digits[kept:])
                fake = "+" + digits[:kept] + tail
                if fake != real and fake not in self._fakes and fake not in self._fakes.values():
                    break
                if len(digits) - kept < 2:  # too short to vary: give up the kept digit
                    kept = max(kept - 1, 0)
            self._fakes[real] = fake
        return fake

    @property
    def fakes(self) -> Mapping[str, str]:
        return dict(self._fakes)

    def _replace(self, match: re.Match[str]) -> str:
        number, form = number_of(match)
        return in_form(self.number(number), form, match)

    # app keys

    def learn_app_key(self, real: str, mode: str | None) -> str:
        """Note the real app_key of a request (from its auth header); returns its demo key."""
        demo = self._keys.get(real)
        if demo is None:
            demo = self._demo_key or self._demo_keys.get(mode or "", "demo-app")
            self._keys[real] = demo
            # longest first, so that a key inside another is not replaced in it
            self._replaced_keys = sorted(
                ((r, d) for r, d in self._keys.items() if r != d), key=lambda p: -len(p[0])
            )
        return demo

    def learn_from_headers(self, headers: Mapping[str, str], mode: str | None) -> None:
        for name in _TOKEN_HEADERS:
            found = _USERNAME.search(headers.get(name, ""))
            if found and found.group(1):
                self.learn_app_key(found.group(1), mode)

    # whole parts of an interaction

    def text(self, text: str) -> str:
        for real, demo in self._replaced_keys:
            if real in text:
                text = text.replace(real, demo)
        return NUMBER.sub(self._replace, text)

    def query(self, query: str) -> str:
        if not query:
            return query
        pairs = (
            parse_qsl(query, keep_blank_values=True) if any(name in query for name in self._customer) else []
        )
        if any(name in self._customer for name, _ in pairs):
            kept = [(name, value) for name, value in pairs if name not in self._customer]
            query = urlencode(kept, quote_via=quote)
        return self.text(query)

    def body(self, body: bytes) -> str:
        """The body as text: JSON without customer data, then every number and key replaced."""
        text = body.decode("utf-8", "replace")
        if self._customer and text.lstrip()[:1] in ("{", "["):
            try:
                document = json.loads(text)
            except ValueError:
                pass
            else:
                if _has_field(document, self._customer):
                    text = json.dumps(
                        _without(document, self._customer), ensure_ascii=False, separators=(",", ":")
                    )
        return self.text(text)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, value in headers:
            lowered = name.lower()
            if lowered in _DROPPED_HEADERS:
                continue
            if lowered in _TOKEN_HEADERS or lowered == "authorization":
                value = _without_secrets(value)
            out.append((name, self.text(value)))
        return out

    def value(self, value: Any) -> Any:
        """A JSON value (a finding's example) with numbers and keys replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items() if k not in self._customer}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, int) and not isinstance(value, bool):
            masked = self.text(str(value))
            return int(masked) if masked.isdigit() else masked
        return value


def _without_secrets(value: str) -> str:
    """An auth header's value with every digest, nonce or signature attribute left out."""
    scheme, _, rest = value.partition(" ")
    if "=" not in rest:
        return scheme
    kept = [f'{name}="{text}"' for name, text in _ATTR.findall(rest) if not _SECRET_ATTR.search(name)]
    return f"{scheme} {', '.join(kept)}"


def _has_field(node: Any, names: frozenset[str]) -> bool:
    if isinstance(node, dict):
        return any(k in names or _has_field(v, names) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_field(v, names) for v in node)
    return False


def _without(node: Any, names: frozenset[str]) -> Any:
    if isinstance(node, dict):
        return {k: _without(v, names) for k, v in node.items() if k not in names}
    if isinstance(node, list):
        return [_without(v, names) for v in node]
    return node
