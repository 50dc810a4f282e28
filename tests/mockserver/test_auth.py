"""Authentication: the digests, every malformed piece, the window, the lock-out."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pns_mock import spec
from pns_mock.mockserver.domain import Authenticator, PnsError, auth, auth_headers

from .helpers import NONCE, WALL

SECRETS = {"app1": "cfc881cc704c4fba8d8fef5788e03e6b"}
CREATED = auth.created_now(WALL)


def _authenticator(**kwargs: object) -> Authenticator:
    return Authenticator(secret_of=SECRETS.get, wall_clock=lambda: WALL, **kwargs)  # type: ignore[arg-type]


def _code(headers: dict[str, str], authenticator: Authenticator | None = None) -> str:
    with pytest.raises(PnsError) as info:
        (authenticator or _authenticator()).authenticate(
            {k.lower(): v for k, v in headers.items()}, "1.2.3.4"
        )
    return info.value.code


def _signed(scheme: str = "AKSK", **overrides: str) -> dict[str, str]:
    headers = auth.sign(scheme, "app1", SECRETS["app1"], NONCE, CREATED)
    headers.update(overrides)
    return {k.lower(): v for k, v in headers.items()}


@pytest.mark.parametrize("scheme_name", ["AkskToken", "WsseToken"])
def test_worked_examples_in_the_spec_match_the_digest_functions(scheme_name: str) -> None:
    scheme = spec.load().document["components"]["securitySchemes"][scheme_name]
    for example in scheme["x-pns-worked-examples"]:
        args = (example["app_secret"], example["nonce"], example["created"])
        digest = auth.aksk_digest(*args) if scheme_name == "AkskToken" else auth.wsse_digest(*args)
        assert digest == example["password_digest"]


@pytest.mark.parametrize("scheme", ["AKSK", "WSSE"])
def test_a_correctly_signed_request_authenticates(scheme: str) -> None:
    result = _authenticator().authenticate(_signed(scheme))
    assert (result.app_key, result.scheme) == ("app1", scheme)


def test_wsse_accepts_the_older_base64_of_hex_variant() -> None:
    digest = auth.wsse_digest(SECRETS["app1"], NONCE, CREATED, hex_variant=True)
    token = f'UsernameToken Username="app1",PasswordDigest="{digest}",Nonce="{NONCE}",Created="{CREATED}"'
    result = _authenticator().authenticate(_signed("WSSE", **{"x-wsse": token}))
    assert result.variant == "sha256-hex"


def test_attributes_may_be_separated_by_comma_and_space() -> None:
    headers = _signed()
    headers["x-aksk"] = headers["x-aksk"].replace('",', '", ')
    headers["authorization"] = headers["authorization"].replace('",', '", ')
    assert _authenticator().authenticate(headers).app_key == "app1"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ('AKSK profile="UsernameToken",type="Appkey"', "1023007"),
        ('AKSK realm="SDP",type="Appkey"', "1023008"),
        ('AKSK realm="XYZ",profile="UsernameToken",type="Appkey"', "1023009"),
        ('AKSK realm="SDP",profile="Token",type="Appkey"', "1023010"),
        ('AKSK realm="SDP",profile="UsernameToken",type="app_key"', "1023011"),
        ('AKSK realm="SDP",profile="UsernameToken"', "1023012"),
        ('Basic realm="SDP",profile="UsernameToken",type="Appkey"', "1023013"),
    ],
)
def test_each_defect_of_authorization_has_its_code(authorization: str, code: str) -> None:
    assert _code(_signed(authorization=authorization)) == code


def test_missing_authorization_is_1023006() -> None:
    headers = _signed()
    del headers["authorization"]
    assert _code(headers) == "1023006"


@pytest.mark.parametrize(
    ("scheme", "attribute", "code"),
    [
        ("AKSK", "Username", "1023034"),
        ("AKSK", "Nonce", "1023035"),
        ("AKSK", "Created", "1023036"),
        ("AKSK", "PasswordDigest", "1023037"),
        ("WSSE", "Username", "1023027"),
        ("WSSE", "Nonce", "1023028"),
        ("WSSE", "Created", "1023029"),
        ("WSSE", "PasswordDigest", "1023030"),
    ],
)
def test_each_missing_token_attribute_has_its_code(scheme: str, attribute: str, code: str) -> None:
    headers = _signed(scheme)
    key = "x-aksk" if scheme == "AKSK" else "x-wsse"
    parts = [p for p in headers[key].removeprefix("UsernameToken ").split(",") if not p.startswith(attribute)]
    headers[key] = "UsernameToken " + ",".join(parts)
    assert _code(headers) == code


@pytest.mark.parametrize(("scheme", "code"), [("AKSK", "1023033"), ("WSSE", "1023026")])
def test_missing_token_header_has_its_code(scheme: str, code: str) -> None:
    headers = _signed(scheme)
    del headers["x-aksk" if scheme == "AKSK" else "x-wsse"]
    assert _code(headers) == code


@pytest.mark.parametrize(
    "created", ["2026-11-24 10:00:00", "2026-11-24T10:00:00.123Z", "2026-13-24T10:00:00Z"]
)
def test_malformed_created_is_1023031(created: str) -> None:
    headers = auth.sign("AKSK", "app1", SECRETS["app1"], NONCE, created)
    assert _code(headers) == "1023031"


def test_created_outside_the_window_is_1010013_and_inside_is_accepted() -> None:
    authenticator = _authenticator(window=300)
    late = auth.sign("AKSK", "app1", SECRETS["app1"], NONCE, auth.created_now(WALL - 301))
    assert _code(late, authenticator) == "1010013"
    edge = auth.sign("AKSK", "app1", SECRETS["app1"], NONCE, auth.created_now(WALL - 300))
    assert authenticator.authenticate({k.lower(): v for k, v in edge.items()}).app_key == "app1"


def test_local_time_with_a_literal_z_is_refused_as_out_of_window() -> None:
    beijing = auth.created_now(WALL + 8 * 3600)
    assert _code(auth.sign("AKSK", "app1", SECRETS["app1"], NONCE, beijing)) == "1010013"


def test_unknown_app_key_is_1010003() -> None:
    assert _code(auth.sign("AKSK", "nobody", "x", NONCE, CREATED)) == "1010003"


@pytest.mark.parametrize("scheme", ["AKSK", "WSSE"])
def test_wrong_secret_is_invalid_digest_1010010(scheme: str) -> None:
    assert _code(auth.sign(scheme, "app1", "not-the-secret", NONCE, CREATED)) == "1010010"


def test_repeated_failures_lock_the_client_out_when_enabled() -> None:
    authenticator = _authenticator(lockout_after=3)
    bad = auth.sign("AKSK", "app1", "wrong", NONCE, CREATED)
    assert [_code(bad, authenticator) for _ in range(3)] == ["1010010"] * 3
    assert _code(_signed(), authenticator) == "1020176"


def test_lockout_is_off_by_default() -> None:
    authenticator = _authenticator()
    bad = auth.sign("AKSK", "app1", "wrong", NONCE, CREATED)
    for _ in range(20):
        assert _code(bad, authenticator) == "1010010"
    assert authenticator.authenticate(_signed()).app_key == "app1"


# The token's quick split on quotes agrees with the regular-expression scan it stands in for.

_TOKEN_PIECES = st.sampled_from(
    [
        *("Username", "Nonce", "Created", "PasswordDigest", "a", "=", '"', ",", ", ", " ", "\t", "é"),
        *('Username="k"', 'Nonce="n"', 'Created="2026-01-01T00:00:00Z"', 'PasswordDigest="ab+/=="'),
    ]
)


_UNQUOTED = st.text(alphabet=st.characters(blacklist_characters='"'), max_size=12)


def _scanned(text: str) -> dict[str, str]:
    return {name.lower(): value for name, value in auth_headers._ATTR_ANYWHERE.findall(text)}


@settings(max_examples=500, deadline=None)
@given(text=st.lists(_TOKEN_PIECES, max_size=14).map("".join))
def test_token_attributes_read_like_the_regular_expression_scan(text: str) -> None:
    assert auth_headers._attributes(text) == _scanned(text)


@settings(max_examples=200, deadline=None)
@given(
    order=st.permutations(["Username", "PasswordDigest", "Nonce", "Created"]),
    leads=st.lists(st.sampled_from(["", " ", ",", ", "]), min_size=4, max_size=4),
    values=st.lists(
        st.text(alphabet=st.characters(blacklist_characters='"'), max_size=12), min_size=4, max_size=4
    ),
    trailer=st.sampled_from(["", " ", ","]),
)
def test_tokens_as_clients_write_them_read_the_same(
    order: list[str], leads: list[str], values: list[str], trailer: str
) -> None:
    text = "".join(f'{lead}{name}="{value}"' for lead, name, value in zip(leads, order, values, strict=True))
    text += trailer
    expected = {n.lower(): v for n, v in zip(order, values, strict=True)}
    assert auth_headers._attributes(text) == _scanned(text) == expected


@settings(max_examples=300, deadline=None)
@given(secret=st.text(max_size=150), nonce=st.text(max_size=40), created=st.text(max_size=25))
def test_aksk_digest_is_hmac_sha256(secret: str, nonce: str, created: str) -> None:
    mac = hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    assert auth.aksk_digest(secret, nonce, created) == base64.b64encode(mac).decode()
    assert auth.aksk_digest(secret, nonce, created) == auth.aksk_digest(secret, nonce, created)
