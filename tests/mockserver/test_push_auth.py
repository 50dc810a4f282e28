"""`push_auth`: each application's pushes are signed AKSK (current pages) or WSSE (older pages)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pns_mock.mockserver.config import Config, app_from_dict, parse_config, push_auth_schemes
from pns_mock.mockserver.domain import ConfigError, auth
from pns_mock.mockserver.state import config_to_dict

from .serving import serve
from .verifying import Served, VerifyingReceiver

AXB = "/rest/caas/relationnumber/partners/v1.0"
A, B = "+8613800000001", "+8613900000002"
APPS = {  # app_key -> (secret, scheme the receiver expects, X, push_auth in the config)
    "new-pages": ("new-secret", "AKSK", "+8617210000001", None),
    "old-pages": ("old-secret", "WSSE", "+8617210000002", "wsse"),
}


def test_push_auth_offers_the_schemes_the_spec_documents_for_pushes() -> None:
    assert push_auth_schemes() == ("aksk", "wsse")
    with pytest.raises(ConfigError, match=r"apps\[0\]\.push_auth"):
        parse_config({"apps": [{"app_key": "k", "app_secret": "s", "mode": "AXB", "push_auth": "basic"}]})


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[VerifyingReceiver, str]]:
    r = VerifyingReceiver({key: (secret, scheme) for key, (secret, scheme, _, _) in APPS.items()})
    r.expects["added-later"] = ("later-secret", "WSSE")
    served = Served(r)
    yield r, served.url
    served.close()


@pytest.fixture(scope="module")
def server(
    receiver: tuple[VerifyingReceiver, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    url = receiver[1]
    lines = ["apps:"]
    for key, (secret, _, x, push_auth) in APPS.items():
        lines += [
            f"  - app_key: {key}",
            f"    app_secret: {secret}",
            "    mode: AXB",
            f"    numbers: [{{number: '{x}', area_code: '0755'}}]",
            f"    callbacks: {{status: '{url}/status', fee: '{url}/fee'}}",
        ]
        if push_auth:
            lines.append(f"    push_auth: {push_auth}")
    config = tmp_path_factory.mktemp("cfg") / "apps.yaml"
    config.write_text("\n".join(lines) + "\n")
    with serve("--config", str(config), "--frozen-clock") as base:
        yield base


def _call(server: str, app_key: str, secret: str, x: str) -> None:
    headers = auth.sign("AKSK", app_key, secret, "0123456789abcdef", auth.created_now())
    bound = httpx.post(
        f"{server}{AXB}", json={"callerNum": A, "calleeNum": B, "relationNum": x}, headers=headers
    )
    assert bound.json()["resultcode"] == "0"
    called = httpx.post(f"{server}/_pns/calls", json={"from": A, "to": x, "talk": 10}).json()
    assert called["ok"], called
    httpx.post(f"{server}/_pns/clock", json={"advance": 60})


def test_each_application_signs_its_pushes_with_its_push_auth(
    server: str, receiver: tuple[VerifyingReceiver, str]
) -> None:
    r, _ = receiver
    before = len(r.seen)
    for key, (secret, _, x, _) in APPS.items():
        _call(server, key, secret, x)
    seen = r.wait_for(before + 12)[before:]
    assert len(seen) == 12  # five events and one CDR per call
    assert all(s.verified for s in seen), [(s.path, s.scheme) for s in seen if not s.verified]
    assert {s.scheme for s in seen} == {"AKSK", "WSSE"}
    journal = httpx.get(f"{server}/_pns/pushes").json()["result"]
    assert {p["state"] for p in journal} == {"delivered"}
    apps = {a["app_key"]: a["push_auth"] for a in httpx.get(f"{server}/_pns/apps").json()["result"]}
    assert (apps["new-pages"], apps["old-pages"]) == ("aksk", "wsse")


def test_an_application_added_through_the_admin_api_can_choose_wsse(
    server: str, receiver: tuple[VerifyingReceiver, str]
) -> None:
    r, url = receiver
    x = "+8617210000003"
    added = httpx.post(
        f"{server}/_pns/apps",
        json={
            "app_key": "added-later",
            "app_secret": "later-secret",
            "mode": "AXB",
            "numbers": [{"number": x, "area_code": "0755"}],
            "callbacks": {"status": f"{url}/status", "fee": f"{url}/fee"},
            "push_auth": "wsse",
        },
    ).json()
    assert added["ok"], added
    before = len(r.seen)
    _call(server, "added-later", "later-secret", x)
    seen = r.wait_for(before + 6)[before:]
    assert [(s.scheme, s.verified) for s in seen] == [("WSSE", True)] * 6
    refused = httpx.post(
        f"{server}/_pns/apps",
        json={"app_key": "typo", "app_secret": "s", "mode": "AXB", "push_auth": "WSSE "},
    )
    assert refused.status_code == 400 and "push_auth" in refused.text


def test_the_state_file_keeps_push_auth() -> None:
    app = app_from_dict({"app_key": "k", "app_secret": "s", "mode": "AXB", "push_auth": "wsse"})
    assert config_to_dict(Config(apps=[app]))["apps"][0]["push_auth"] == "wsse"
