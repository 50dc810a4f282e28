"""Reads the credentials of a request's two auth headers, or raises the code of its first defect.

Order of checks (our choice; the vendor documents the codes, not their order): the
`Authorization` header and its attributes, the token header and its attributes, the `Created`
format. The app_key, the `Created` window and the digest are the `Authenticator`'s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from pns_mock.spec import load as load_spec

from .auth_schemes import SCHEMES, Scheme
from .errors import PnsError

_ATTR_ANYWHERE = re.compile(r'([A-Za-z]+)\s*=\s*"([^"]*)"')
_CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class Credentials(NamedTuple):  # tuples: made on every request, and cheap to make
    scheme: str
    app_key: str
    nonce: str
    created: str
    digest: str


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
    if created_epoch(created) is None:
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
def created_epoch(created: str) -> float | None:
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
