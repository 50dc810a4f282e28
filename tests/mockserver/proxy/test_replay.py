"""A recorded run replays: with plain vcrpy, with `serve --replay`, and with `pns.replay` in-process."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import vcr
import yaml

from pns_mock import spec as spec_module
from pns_mock.contract_tests import PnsToolkitError, pns_mock
from pns_mock.mockserver.proxy import customer_fields

from ..serving import serve
from .support import AXB, assert_conforms, bind_body, proxy, signed, upstream

PROBLEM = "X-PNS-Mock-Problem"
X, CALLER, CALLEE, OTHER = "+8617010000001", "+8613800000051", "+8613900000052", "+8613700000053"


@dataclass
class Step:
    method: str
    params: dict[str, str] | None = None
    body: dict[str, Any] | Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None


# a client's run: bind, look it up, rebind the callee, look again, unbind
RUN = [
    Step("POST", body=bind_body(X, CALLER, CALLEE, maxDuration=30, userData="order-7")),
    Step("GET", params={"relationNum": X}),
    Step("PUT", body=lambda before: {"subscriptionId": before[0]["subscriptionId"], "calleeNum": OTHER}),
    Step("GET", params={"relationNum": X}),
    Step("DELETE", params={"relationNum": X}),
]


def _play(base: str, steps: list[Step] = RUN) -> list[httpx.Response]:
    replies: list[httpx.Response] = []
    with httpx.Client(base_url=base) as client:
        for step in steps:
            body = step.body([r.json() for r in replies]) if callable(step.body) else step.body
            replies.append(client.request(step.method, AXB, headers=signed(), params=step.params, json=body))
    return replies


def _recorded_form(reply: Any) -> Any:
    """A reply as a cassette keeps it: without customer data (recorded without --keep-user-data)."""
    dropped = customer_fields(spec_module.load())
    if isinstance(reply, dict):
        return {k: _recorded_form(v) for k, v in reply.items() if k not in dropped}
    if isinstance(reply, list):
        return [_recorded_form(v) for v in reply]
    return reply


OPERATIONS = [
    "createAxbBinding",
    "queryAxbBinding",
    "modifyAxbBinding",
    "queryAxbBinding",
    "deleteAxbBinding",
]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The folder of a recorded run, and the replies the client got from the upstream."""
    tmp = tmp_path_factory.mktemp("record")
    folder = tmp / "cassettes"
    folder.mkdir()
    with (
        upstream(tmp) as up,
        proxy(up.tls, "--upstream-ca", str(up.cert), "--record", str(folder)) as running,
    ):
        replies = _play(running.url)
        running.stop()
        up.assert_replies_conform()
    assert [r.json()["resultcode"] for r in replies] == ["0"] * len(RUN)
    return folder, [r.json() for r in replies]


def _cassette(folder: Path) -> Path:
    (path,) = folder.glob("pns-*.yaml")
    return path


def test_plain_vcrpy_and_requests_replay_the_cassette_without_pns_mock(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    path = _cassette(recorded[0])
    interactions = yaml.safe_load(path.read_text())["interactions"]
    assert len(interactions) == len(RUN)
    with vcr.use_cassette(str(path), record_mode="none"):  # each interaction once, in order
        for item in interactions:
            sent = item["request"]
            reply = requests.request(
                sent["method"],
                sent["uri"],
                data=sent["body"],
                headers={k: v[0] for k, v in sent["headers"].items()},
                timeout=5,
            )
            assert reply.status_code == item["response"]["status"]["code"]
            assert reply.text == item["response"]["body"]["string"]


def test_serve_replay_answers_the_same_run_with_the_same_replies(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, originals = recorded
    with serve("--replay", str(folder)) as base:
        replies = _play(base)
    for reply, original, operation_id in zip(replies, originals, OPERATIONS, strict=True):
        assert_conforms(reply, operation_id)
        assert PROBLEM not in reply.headers
        # the numbers the client sent, not the cassette's fakes
        assert reply.json() == _recorded_form(original)
    assert originals[1]["relationNumList"][0]["calleeNum"] == CALLEE
    assert customer_fields(spec_module.load()) & set(originals[1]["relationNumList"][0])  # it had some
    assert originals[3]["relationNumList"][0]["calleeNum"] == OTHER


def test_a_request_without_a_cassette_falls_through_to_the_mock_with_the_nearest_cassette_named(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    changed = [Step("POST", body=bind_body(X, CALLER, CALLEE, maxDuration=45))]
    with serve("--replay", str(recorded[0])) as base:
        (reply,) = _play(base, changed)
    assert_conforms(reply, "createAxbBinding")
    assert reply.json()["resultcode"] == "0"  # the stateful mock made the binding
    problem = reply.headers[PROBLEM]
    assert f"nearest is {_cassette(recorded[0]).name}#0" in problem
    assert "maxDuration (cassette 30, request 45)" in problem
    assert "answered by the stateful mock" in problem


def test_replay_strict_refuses_a_request_without_a_cassette(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    code = spec_module.load().document["x-pns-proxy"]["replayMiss"]["resultcode"]
    with serve("--replay", str(recorded[0]), "--replay-strict") as base:
        (reply,) = _play(base, [Step("GET", params={"relationNum": X, "pageNo": "2"})])
    assert_conforms(reply, "queryAxbBinding")
    assert reply.json()["resultcode"] == code
    assert 'query.pageNo (the request has "2", the cassette none)' in reply.headers[PROBLEM]


def test_a_corrupt_cassette_is_named_and_the_others_still_replay(
    recorded: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(recorded[0], folder)
    (folder / "broken.yaml").write_text("interactions: [ {request: \n")
    (folder / "other.yaml").write_text(json.dumps({"interactions": [{"request": {}}]}))
    with pns_mock() as pns, pytest.raises(PnsToolkitError) as refused:
        pns.replay(folder)
    assert "broken.yaml: cannot be read as YAML" in str(refused.value)
    assert "other.yaml: interaction 0 is not complete" in str(refused.value)
    with serve("--replay", str(folder)) as base:
        replies = _play(base)
    assert [r.json() for r in replies] == _recorded_form(recorded[1])


def test_pns_replay_answers_in_process_from_the_cassettes(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, originals = recorded
    with pns_mock() as pns:
        replayer = pns.replay(folder)
        replies = _play("https://rtcpns.cn-north-1.myhuaweicloud.com")
    assert [r.json() for r in replies] == _recorded_form(originals)
    assert replayer.misses == []
    for reply, operation_id in zip(replies, OPERATIONS, strict=True):
        assert_conforms(reply, operation_id)


def test_a_recording_folder_that_goes_away_loses_no_traffic_and_no_half_file(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    with (
        upstream(tmp_path) as up,
        proxy(up.tls, "--upstream-ca", str(up.cert), "--record", str(folder)) as running,
    ):
        first = _play(running.url, RUN[:1])
        shutil.rmtree(folder)
        rest = _play(running.url, RUN[1:2])
        out = running.stop()
    assert [r.json()["resultcode"] for r in first + rest] == ["0", "0"]
    assert "cannot write" in out and "traffic goes on" in out
    assert not folder.exists()


def test_a_record_folder_that_does_not_exist_stops_the_start_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), proxy("https://127.0.0.1:1", "--record", str(tmp_path / "nope")):
        pass


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--replay-strict"], "--replay-strict needs --replay DIR"),
        (["--replay", "no/such/folder"], "--replay no/such/folder: no such folder"),
    ],
)
def test_replay_options_that_cannot_work_stop_serve_with_one_line(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from pns_mock.mockserver import cli

    assert cli.main(["serve", "--port", "0", *args]) == 2
    assert said in capsys.readouterr().err


def test_replayed_requests_are_checked_and_journaled_like_any_other(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    """A cassette answers only what the platform would admit; every request is in the journal."""
    folder, originals = recorded
    first = RUN[0]
    assert isinstance(first.body, dict)
    with pns_mock(fail_on_violations=False) as pns:  # the bad field is the point here
        pns.replay(folder)
        base = "https://rtcpns.cn-north-1.myhuaweicloud.com"
        wrong_secret = httpx.post(f"{base}{AXB}", headers=signed(secret="not-the-secret"), json=first.body)
        bad_field = httpx.post(f"{base}{AXB}", headers=signed(), json={**first.body, "calleeNum": "12"})
        replayed = httpx.post(f"{base}{AXB}", headers=signed(), json=first.body)
        journal = pns.journal("createAxbBinding")
        violations = pns.violations()
    # the same request with another signature: the mock's auth refusal, not the recorded success
    assert wrong_secret.json()["resultcode"] == "1010010"
    # a field the spec refuses: 1010002 from the mock's validator, and a violation
    assert bad_field.json()["resultcode"] == "1010002"
    assert any(v.field == "calleeNum" for v in violations)
    # an admitted request: the recorded reply, journaled under its operation
    assert replayed.json() == _recorded_form(originals[0])
    assert [e.resultcode for e in journal] == ["1010010", "1010002", "0"]
    for reply, operation_id in [(wrong_secret, "createAxbBinding"), (replayed, "createAxbBinding")]:
        assert_conforms(reply, operation_id)
