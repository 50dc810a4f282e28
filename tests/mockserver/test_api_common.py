"""The operations shared by the modes: recording download link and stop call."""

from __future__ import annotations

import io
import wave
from urllib.parse import parse_qsl, urlsplit

import pytest

from pns_mock.mockserver.http import Engine, HttpRequest
from pns_mock.mockserver.traffic import ActiveCall

from .helpers import Client, ax_client, axb_client, make_engine

RECORD = "/rest/provision/voice/record/v1.0"
STOP = "/rest/httpsessions/callStop/v2.0"
DOMAIN, FILE = "ostor.huawei.com", "19012309153712050118304.wav"


@pytest.fixture
def engine() -> Engine:
    engine = make_engine()
    engine.platform.recordings.add("demo-axb", DOMAIN, FILE, seconds=2.0)
    return engine


def _link(client: Client) -> str:
    r = client.call(
        "GET", RECORD, query={"recordDomain": DOMAIN, "fileName": FILE}, headers={"Host": "mock:8080"}
    )
    assert r.status == 301, r.body
    assert r.body == b""
    location = r.header("Location")
    assert location is not None
    return location


def _fetch(engine: Engine, location: str) -> tuple[int, bytes]:
    url = urlsplit(location)
    response = engine.handle(HttpRequest.build("GET", url.path, query=url.query))
    return response.status, response.body


def test_recording_link_is_a_301_to_a_wav_the_mock_serves(engine: Engine) -> None:
    location = _link(axb_client(engine))
    assert location.startswith("http://mock:8080/")
    status, body = _fetch(engine, location)
    assert status == 200
    with wave.open(io.BytesIO(body)) as w:
        assert (w.getnchannels(), w.getframerate()) == (1, 8000)
        assert w.getnframes() == 16000


def test_unknown_recording_is_1012007(engine: Engine) -> None:
    r = axb_client(engine).call("GET", RECORD, query={"recordDomain": DOMAIN, "fileName": "nope.wav"})
    assert (r.status, r.json()["resultcode"]) == (403, "1012007")


def test_another_applications_recording_is_1012007(engine: Engine) -> None:
    r = ax_client(engine).call("GET", RECORD, query={"recordDomain": DOMAIN, "fileName": FILE})
    assert r.json()["resultcode"] == "1012007"


def test_recordings_are_deleted_after_seven_days(engine: Engine) -> None:
    engine.platform.clock.advance(7 * 24 * 3600 - 1)
    _link(axb_client(engine))
    engine.platform.clock.advance(1)
    r = axb_client(engine).call("GET", RECORD, query={"recordDomain": DOMAIN, "fileName": FILE})
    assert r.json()["resultcode"] == "1012007"


def test_a_download_link_expires_after_three_days(engine: Engine) -> None:
    location = _link(axb_client(engine))
    engine.platform.clock.advance(3 * 24 * 3600 + 1)
    assert _fetch(engine, location)[0] == 403


def test_a_download_link_is_signed_and_a_changed_one_is_refused(engine: Engine) -> None:
    location = _link(axb_client(engine))
    url = urlsplit(location)
    query = dict(parse_qsl(url.query))
    assert set(query) == {"expires", "signature"}
    far = str(int(query["expires"]) + 10 * 365 * 86400)
    changed = {
        "later expiry": f"expires={far}&signature={query['signature']}",
        "no signature": f"expires={query['expires']}",
        "another signature": f"expires={query['expires']}&signature={'0' * 64}",
        "no expiry": f"signature={query['signature']}",
    }
    for name, forged in changed.items():
        response = engine.handle(HttpRequest.build("GET", url.path, query=forged))
        assert response.status == 403, name
        assert response.header("X-PNS-Mock-Problem"), name
    other = engine.handle(HttpRequest.build("GET", url.path.replace(".wav", "x.wav"), query=url.query))
    assert other.status == 403  # the signature covers the file name


def test_recording_link_needs_both_parameters(engine: Engine) -> None:
    r = axb_client(engine).call("GET", RECORD, query={"recordDomain": DOMAIN})
    assert r.json()["resultcode"] == "1010002"


def test_stop_call_ends_a_call_in_progress_once(engine: Engine) -> None:
    stopped: list[str] = []
    engine.platform.calls.started(ActiveCall("s-1", "demo-axb", lambda: stopped.append("s-1")))
    client = axb_client(engine)
    first = client.call("POST", STOP, json={"sessionid": "s-1", "signal": "call_stop"})
    assert first.json() == {"resultcode": "0", "resultdesc": "Success"}
    assert stopped == ["s-1"]
    again = client.call("POST", STOP, json={"sessionid": "s-1", "signal": "call_stop"})
    assert (again.status, again.json()["resultcode"]) == (403, "1020152")


def test_stop_call_of_another_application_is_1020152(engine: Engine) -> None:
    engine.platform.calls.started(ActiveCall("s-2", "demo-axb", lambda: None))
    r = ax_client(engine).call("POST", STOP, json={"sessionid": "s-2", "signal": "call_stop"})
    assert r.json()["resultcode"] == "1020152"


def test_stop_call_needs_the_call_stop_signal(engine: Engine) -> None:
    r = axb_client(engine).call("POST", STOP, json={"sessionid": "s-1", "signal": "hangup"})
    assert r.json()["resultcode"] == "1010002"
