"""`--state FILE` in-process: what a restart replays equals what was acknowledged, in every mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from pns_mock.mockserver import cli
from pns_mock.mockserver.config import default_config, parse_config
from pns_mock.mockserver.http import Engine, HttpRequest, listeners
from pns_mock.mockserver.state import Recorder, StateFile, StateFileError, open_state

from .support import AX, AXB, free_port, signed

AXE = "/rest/caas/extendnumber/v1.0"
AXYB = "/rest/omp/xyrelationnumber/v1.0"
AX_CALLEE = "/rest/caas/privatenumber/calleenumber/v1.0"
A, B, C, D = "+8613800000001", "+8613900000002", "+8613700000003", "+8613600000004"
START = 1795514400.0  # 2026-11-24T10:00:00Z


class Opened:
    """One server's lifetime on FILE, in-process: the engine and its recorder."""

    def __init__(self, path: Path, config: Any = None) -> None:
        self.notices: list[str] = []
        platform, self.recorder = open_state(path, config or default_config(), notice=self.notices.append)
        self.engine = Engine(platform)
        self.recorder.attach(self.engine)

    def call(self, method: str, path: str, app: str, *, query: Any = None, json_body: Any = None) -> Any:
        body = json.dumps(json_body).encode() if json_body is not None else b""
        request = HttpRequest.build(
            method, path, query=urlencode(query or {}, quote_via=quote), headers=signed(app), body=body
        )
        return self.engine.handle(request).json()

    def admin(self, method: str, route: str, body: Any = None) -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        reply = self.engine.handle(
            HttpRequest.build(
                method,
                f"/_pns/{route}",
                body=raw,
                client="127.0.0.1",
                headers={"Content-Type": "application/json"},
            )
        )
        assert reply.status == 200, reply.body
        return reply.json()["result"]

    def state(self) -> Any:
        return self.admin("GET", "state")

    def close(self) -> None:
        self.recorder.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite"


@pytest.fixture
def opened(path: Path) -> Iterator[Opened]:
    server = Opened(path)
    yield server
    server.close()


def _restart(server: Opened, path: Path) -> Opened:
    server.close()
    return Opened(path)


def _work_in_every_mode(s: Opened) -> dict[str, str]:
    """Binds, modifies, unbinds and a temporary callee across AXB, AX, AXE and AXYB."""
    ids = {}
    axb = s.call("POST", AXB, "demo-axb", json_body={"callerNum": A, "calleeNum": B, "duration": 3600})
    gone = s.call("POST", AXB, "demo-axb", json_body={"callerNum": C, "calleeNum": D, "areaCode": "0755"})
    assert (
        s.call("DELETE", AXB, "demo-axb", query={"subscriptionId": gone["subscriptionId"]})["resultcode"]
        == "0"
    )
    modified = {"subscriptionId": axb["subscriptionId"], "userData": "changed", "duration": 7200}
    assert s.call("PUT", AXB, "demo-axb", json_body=modified)["resultcode"] == "0"
    ids["axb"] = axb["subscriptionId"]
    ax = s.call(
        "POST",
        AX,
        "demo-ax",
        json_body={"origNum": A, "areaCode": "0755", "privateNumType": "mobile-virtual"},
    )
    callee = {"subscriptionId": ax["subscriptionId"], "calleeNum": C, "duration": 600}
    assert s.call("PUT", AX_CALLEE, "demo-ax", json_body=callee)["resultcode"] == "0"
    ids["ax"] = ax["subscriptionId"]
    axe = s.call("POST", AXE, "demo-axe", json_body={"bindNum": A, "areaCode": "0755", "bindExpiredTime": 2})
    ids["axe"] = axe["subscriptionId"]
    key = {"app_key": "demo-axyb"}
    axyb = s.call("POST", AXYB, "demo-axyb", query=key, json_body={"origNum": A, "areaCode": "0755"})
    yb = {"subscriptionId": axyb["subscriptionId"], "origNum": B}
    assert s.call("POST", AXYB, "demo-axyb", query=key, json_body=yb)["resultcode"] == "0"
    ids["axyb"] = axyb["subscriptionId"]
    assert all(ids.values()), ids
    return ids


@pytest.mark.parametrize("frozen", [True, False], ids=["frozen clock", "running clock"])
def test_a_restart_replays_to_exactly_the_acknowledged_state(
    opened: Opened, path: Path, frozen: bool
) -> None:
    opened.admin("POST", "clock", {"set": "2026-11-24T10:00:00Z", "freeze": frozen})
    _work_in_every_mode(opened)
    opened.admin("POST", "clock", {"advance": 30})
    opened.call("POST", AXB, "demo-axb", json_body={"callerNum": D, "calleeNum": C, "areaCode": "0755"})
    before = opened.state()
    again = _restart(opened, path)
    try:
        after = again.state()
        assert after["apps"] == before["apps"]  # times, ids, Y relations: to the last digit
        assert after["clock"] == before["clock"] if frozen else after["clock"] > before["clock"]
    finally:
        again.close()


def test_admin_changes_survive_and_a_running_clock_keeps_running(opened: Opened, path: Path) -> None:
    app = {"app_key": "late", "app_secret": "late-secret", "mode": "AX"}
    opened.admin("POST", "apps", app)
    opened.admin(
        "POST", "apps/late/numbers", {"numbers": [{"number": "+8617310000001", "area_code": "0755"}]}
    )
    moved = opened.admin("POST", "clock", {"advance": 86400})["epoch"]
    bound = opened.call("POST", AX, "late", json_body={"origNum": A, "privateNum": "+8617310000001"})
    opened.admin("POST", "numbers/%2B8617310000001/status", {"status": "11"})  # binding-frozen
    again = _restart(opened, path)
    try:
        assert again.admin("GET", "clock")["epoch"] >= moved
        assert not again.admin("GET", "clock")["frozen"]
        reply = again.call("GET", AX, "late", query={"subscriptionId": bound["subscriptionId"]})
        assert reply["privateNumList"][0]["privateNum"] == "+8617310000001"
        assert again.engine.platform.numbers.status("+8617310000001") == "11"
    finally:
        again.close()


def test_expiry_matches_after_the_clock_was_moved_back(opened: Opened, path: Path) -> None:
    opened.admin("POST", "clock", {"set": START, "freeze": True})
    short = opened.call("POST", AXB, "demo-axb", json_body={"callerNum": A, "calleeNum": B, "duration": 60})
    opened.admin("POST", "clock", {"advance": 120})  # short expires as the clock passes it
    opened.admin("POST", "clock", {"set": START})  # and stays expired when the clock comes back
    opened.call(
        "POST",
        AXB,
        "demo-axb",
        json_body={"callerNum": A, "calleeNum": B, "relationNum": short["relationNum"]},
    )
    before = opened.state()
    again = _restart(opened, path)
    try:
        assert again.state() == before
    finally:
        again.close()


def test_a_reset_compacts_the_log_and_later_restarts_start_from_it(opened: Opened, path: Path) -> None:
    _work_in_every_mode(opened)
    body = {
        "apps": [
            {
                "app_key": "only",
                "app_secret": "only-secret",
                "mode": "AXB",
                "numbers": [{"number": "+8617410000001", "area_code": "0755"}],
            }
        ]
    }
    opened.admin("POST", "reset", body)
    opened.call("POST", AXB, "only", json_body={"callerNum": A, "calleeNum": B})
    again = _restart(opened, path)
    try:
        assert [a["app_key"] for a in again.state()["apps"]] == ["only"]
        assert len(again.state()["apps"][0]["bindings"]) == 1
        assert [kind for kind, _ in again.recorder.store.events()] == ["op"]  # nothing before the reset
    finally:
        again.close()


def test_seeded_ids_are_not_handed_out_twice_across_a_restart(path: Path) -> None:
    config = parse_config(
        {
            "server": {"seed": 7},
            "apps": [
                {
                    "app_key": "seeded",
                    "app_secret": "seeded-secret",
                    "mode": "AXB",
                    "numbers": [{"number": "+8617510000001", "area_code": "0755"}],
                }
            ],
        }
    )
    first = Opened(path, config)
    bound = first.call(
        "POST",
        AXB,
        "seeded",
        json_body={"callerNum": A, "calleeNum": B},
    )
    first.close()
    second = Opened(path, config)
    try:
        again = second.call("POST", AXB, "seeded", json_body={"callerNum": C, "calleeNum": D})
        assert again["subscriptionId"] != bound["subscriptionId"]
        assert len(second.state()["apps"][0]["bindings"]) == 2
    finally:
        second.close()


def test_refused_requests_are_not_logged(opened: Opened) -> None:
    opened.call("POST", AXB, "demo-axb", json_body={"callerNum": A, "calleeNum": A})  # 1010002
    opened.call("GET", AXB, "demo-axb", query={"relationNum": "+8617010000001"})  # a read
    opened.recorder.store.wait()
    assert opened.recorder.store.events() == []


def test_the_state_file_wins_over_another_config_and_says_so(path: Path) -> None:
    Opened(path).close()
    other = parse_config({"apps": [{"app_key": "other", "app_secret": "s", "mode": "AX"}]})
    second = Opened(path, other)
    try:
        assert "demo-axb" in [a["app_key"] for a in second.state()["apps"]]
        assert any("another configuration" in n for n in second.notices)
    finally:
        second.close()


def test_a_second_server_on_the_same_file_is_refused(opened: Opened, path: Path) -> None:
    with pytest.raises(StateFileError, match="another pns-mock"):
        StateFile(path)


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("shopping list\n" * 100)
    with pytest.raises(StateFileError, match="not a pns-mock state file"):
        StateFile(junk)


def test_the_state_file_is_private(opened: Opened, path: Path) -> None:
    opened.call("POST", AXB, "demo-axb", json_body={"callerNum": A, "calleeNum": B})
    for file in path.parent.glob(path.name + "*"):
        assert file.stat().st_mode & 0o077 == 0, file


def test_serve_state_attaches_a_recorder_and_closes_the_file(
    monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    served: list[Any] = []
    monkeypatch.setattr(listeners, "serve_all", lambda app, listeners, **kwargs: served.append(app))
    # a free port: serve refuses a busy one before it gets this far
    assert cli.main(["serve", "--port", str(free_port()), "--state", str(path)]) == 0
    assert isinstance(served[0].engine.recorder, Recorder)
    StateFile(path).close()  # closed when the server stopped: free for the next one


def test_serve_refuses_a_state_file_it_cannot_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("shopping list\n" * 100)
    assert cli.main(["serve", "--state", str(junk)]) == 2
    assert "not a pns-mock state file" in capsys.readouterr().err


def test_a_bad_clock_value_is_refused_and_a_saved_one_that_is_no_time_is_not_restored(
    opened: Opened, path: Path
) -> None:
    before = opened.admin("GET", "clock")
    raw = json.dumps({"advance": "inf"}).encode()
    reply = opened.engine.handle(
        HttpRequest.build(
            "POST", "/_pns/clock", body=raw, client="127.0.0.1", headers={"Content-Type": "application/json"}
        )
    )
    assert reply.status == 400
    assert opened.admin("GET", "clock")["epoch"] >= before["epoch"]
    opened.recorder.store.set_meta("clock", {"frozen": True, "now": float("nan"), "wall": 0.0})
    opened.recorder.store.wait()
    again = _restart(opened, path)
    try:
        clock = again.admin("GET", "clock")
        assert clock["epoch"] >= before["epoch"]  # a usable time, not NaN
        assert any("saved clock is unusable" in notice for notice in again.notices)
        bound = again.call("POST", AXB, "demo-axb", json_body={"callerNum": A, "calleeNum": B})
        assert bound["resultcode"] == "0"
    finally:
        again.close()


def test_with_a_state_file_a_write_waiting_for_its_fsync_never_holds_up_a_read(path: Path) -> None:
    import asyncio
    import threading

    from pns_mock.mockserver.http import AsgiApp

    opened = Opened(path)
    store = opened.recorder.store
    release = threading.Event()
    original = store._write

    def slow_write(batch: Any) -> None:
        release.wait(10)  # a disk that takes its time
        original(batch)

    store._write = slow_write  # type: ignore[method-assign]
    app = AsgiApp(opened.engine)

    async def call(method: str, target: str, body: bytes = b"") -> int:
        path_part, _, query = target.partition("?")
        headers = [(k.lower().encode(), v.encode()) for k, v in signed("demo-axb").items()]
        scope = {"type": "http", "method": method, "path": path_part, "query_string": query.encode(),
                 "headers": headers, "client": ("127.0.0.1", 1)}  # fmt: skip
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body}

        async def send(message: Any) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return int(sent[0]["status"])

    async def scenario() -> tuple[int, int, bool]:
        bind = json.dumps({"callerNum": A, "calleeNum": B}).encode()
        write = asyncio.create_task(call("POST", AXB, bind))
        await asyncio.sleep(0.1)  # the write is waiting for its fsync now
        read = await asyncio.wait_for(call("GET", f"{AXB}?relationNum=%2B8617010000001"), timeout=2)
        still_waiting = not write.done()
        release.set()
        return read, await write, still_waiting

    try:
        read, written, still_waiting = asyncio.run(scenario())
    finally:
        release.set()
        opened.close()
    assert still_waiting and read in (200, 403) and written == 200
