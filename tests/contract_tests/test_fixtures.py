"""fixtures/: every file validates against the spec, flows are whole calls, and generation is reproducible."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pns_mock import spec
from pns_mock.contract_tests import fixturegen
from pns_mock.contract_tests.flows import OUTCOMES, webhook_for
from pns_mock.mockserver.config import default_config, parse_config

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
S = spec.load()
REGISTRY = spec.SchemaRegistry(S.document)
EVENT_ORDER = ["callin", "collectInfo", "callout", "alerting", "answer", "disconnect"]
CDR_TIMES = {
    "callin": "callInTime",
    "callout": "fwdStartTime",
    "alerting": "fwdAlertingTime",
    "answer": "fwdAnswerTime",
    "disconnect": "callEndTime",
}
# The causes per outcome: disconnect stateCode and the CDR's Q.850 fwdUnaswRsn.
CAUSES = {"answered": (0, 0), "busy": (8102, 17), "no-answer": (8101, 19), "rejected": (7504, 21)}
NO_BINDING = {"AXB": 8014, "AX": 8013, "AXE": 8022, "AXYB": 8030}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def files(folder: str) -> list[Path]:
    return sorted((FIXTURES / folder).rglob("*.json"))


def flow_files() -> list[Path]:
    return [p for p in files("webhooks") if p.parent.name.startswith("callEvent")]


def ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(FIXTURES).as_posix() for p in paths]


def errors(pointer: str | None, value: Any) -> list[str]:
    assert pointer is not None, "the spec documents no JSON body here"
    return REGISTRY.errors(pointer, value)


def flow_problems(flow: dict[str, Any]) -> list[str]:
    """What keeps a flow from being one call: ids, order, times and numbers the CDR must repeat."""
    problems = []
    infos = [e["body"]["statusInfo"] for e in flow["events"]]
    kinds = [e["body"]["eventType"] for e in flow["events"]]
    (cdr,) = flow["cdr"]["body"]["feeLst"]
    sessions = {i["sessionId"] for i in infos} | {cdr["sessionId"]}
    if sessions != {flow["sessionId"]}:
        problems.append(f"sessionIds {sessions}, expected only {flow['sessionId']}")
    if kinds[0] != "callin" or kinds[-1] != "disconnect" or kinds != sorted(kinds, key=EVENT_ORDER.index):
        problems.append(f"events out of order: {kinds}")
    if len(set(kinds)) != len(kinds):
        problems.append(f"an event repeats: {kinds}")
    times = [i["timestamp"] for i in infos]
    if times != sorted(times):
        problems.append(f"timestamps go back: {times}")
    by_kind = dict(zip(kinds, infos, strict=True))
    for kind, field in CDR_TIMES.items():
        if cdr.get(field) != by_kind.get(kind, {}).get("timestamp"):
            problems.append(
                f"CDR {field}={cdr.get(field)} but {kind} at {by_kind.get(kind, {}).get('timestamp')}"
            )
    if "answer" not in by_kind and cdr.get("failTime") != cdr["callEndTime"]:
        problems.append("an unanswered call's CDR needs failTime = callEndTime")
    if "answer" in by_kind and "failTime" in cdr:
        problems.append("an answered call's CDR has a failTime")
    callin, disconnect = by_kind["callin"], by_kind["disconnect"]
    if cdr.get("ulFailReason", disconnect["stateCode"]) != disconnect["stateCode"]:
        problems.append(f"ulFailReason {cdr['ulFailReason']} != stateCode {disconnect['stateCode']}")
    if (cdr["callerNum"], cdr["calleeNum"], cdr["bindNum"]) != (
        callin["caller"],
        callin["called"],
        callin["called"],
    ):
        problems.append("CDR callerNum/calleeNum/bindNum do not repeat the callin caller and X")
    if "callout" in by_kind and cdr.get("fwdDstNum") != by_kind["callout"]["called"]:
        problems.append(f"CDR fwdDstNum {cdr.get('fwdDstNum')} is not the callout's called")
    bindings = {i["subscriptionId"] for i in [*infos, cdr] if "subscriptionId" in i}
    if len(bindings) > 1:
        problems.append(f"several subscriptionIds: {bindings}")
    reply = flow["events"][0].get("reply")
    if reply is not None:
        info = reply.get("connectInfo") or reply.get("closeInfo") or {}
        echoed = (info[0] if isinstance(info, list) else info).get("userData")
        later = {i.get("userData") for i in infos[1:]} | {cdr.get("userData")}
        if later != {echoed}:
            problems.append(f"the Block reply's userData {echoed!r} is not echoed: {later}")
    return problems


def test_fixtures_folder_is_data_only() -> None:
    assert not list(FIXTURES.rglob("*.py")), "fixtures/ holds data only (the name is taken on PyPI)"


def test_every_operation_has_one_fixture() -> None:
    assert {p.stem for p in files("operations")} == set(S.operations)


@pytest.mark.parametrize("path", files("operations"), ids=ids(files("operations")))
def test_operation_fixture_validates_against_the_spec(path: Path) -> None:
    data = load(path)
    op = S.operations[data["operationId"]]
    assert (data["method"], data["path"]) == (op.method.upper(), op.path)
    params = {p.name: p for p in op.parameters if p.location == "query"}
    for request in [data["request"], *data.get("otherRequests", {}).values()]:
        query = request.get("query", {})
        assert set(query) <= set(params), f"undeclared query parameters {set(query) - set(params)}"
        assert {n for n, p in params.items() if p.required} <= set(query)
        for name, value in query.items():
            problems = list(REGISTRY.validator_for(params[name].schema).iter_errors(value))
            assert not problems, f"query {name}={value!r}: {problems[0].message}"
        assert ("body" in request) == op.has_body
        if op.has_body:
            assert errors(op.request_schema_pointer, request["body"]) == []
    for response in [data["response"], *data.get("otherResponses", {}).values()]:
        pointer = op.response_schema_pointer(response["status"])
        if pointer is None:
            declared = op.raw["responses"][str(response["status"])].get("headers", {})
            assert set(response["headers"]) == {n for n, h in declared.items() if h.get("required")}
        else:
            assert errors(pointer, response["body"]) == []
    assert data["errors"], "every operation documents its errors"
    for name, error in data["errors"].items():
        assert errors(op.response_schema_pointer(error["status"]), error["body"]) == [], name
        code = S.result_codes[error["body"]["resultcode"]]
        assert code.http_status == error["status"], f"{name}: {code.code} is HTTP {code.http_status}"


def test_every_webhook_has_fixtures_and_every_call_webhook_every_outcome() -> None:
    folders = {p.name for p in (FIXTURES / "webhooks").iterdir() if any(p.glob("*.json"))}
    assert folders == set(S.webhooks)
    for mode, known in OUTCOMES.items():
        names = {p.stem for p in (FIXTURES / "webhooks" / webhook_for(mode, "callEvent")).glob("*.json")}
        assert names == {o.name for o in known}
        assert set(CAUSES) <= names


@pytest.mark.parametrize("path", files("webhooks"), ids=ids(files("webhooks")))
def test_webhook_fixture_validates_against_the_spec(path: Path) -> None:
    data = load(path)
    assert data["webhook"] == path.parent.name
    pushes = [*data["events"], data["cdr"]] if "events" in data else [data]
    for push in pushes:
        hook = S.webhooks[push["webhook"]]
        assert errors(hook.body_schema_pointer, push["body"]) == []
        assert ("reply" in push) == (hook.reply_schema_pointer is not None), push["webhook"]
        if "reply" in push:
            assert errors(hook.reply_schema_pointer, push["reply"]) == []


@pytest.mark.parametrize("path", flow_files(), ids=ids(flow_files()))
def test_flow_is_one_call_with_consistent_ids_times_and_cdr(path: Path) -> None:
    flow = load(path)
    assert flow["outcome"] == path.stem
    assert S.webhooks[flow["webhook"]].mode == flow["mode"]
    assert flow["cdr"]["webhook"] == webhook_for(flow["mode"], "fee")
    assert flow_problems(flow) == []
    disconnect = flow["events"][-1]["body"]["statusInfo"]
    assert disconnect["stateCode"] in S.hangup_causes
    (cdr,) = flow["cdr"]["body"]["feeLst"]
    if flow["outcome"] in CAUSES:
        assert (disconnect["stateCode"], cdr["fwdUnaswRsn"]) == CAUSES[flow["outcome"]]
    if flow["outcome"] == "no-binding":
        assert disconnect["stateCode"] == NO_BINDING[flow["mode"]]


def test_seed_apps_are_the_server_defaults_and_a_valid_config() -> None:
    seed = yaml.safe_load((FIXTURES / "seed" / "apps.yaml").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((ROOT / "mockserver" / "defaults.yaml").read_text(encoding="utf-8"))
    assert seed == {"apps": defaults["apps"]}
    parsed = parse_config(seed, source="fixtures/seed/apps.yaml")
    assert [a.app_key for a in parsed.apps] == [a.app_key for a in default_config().apps]


def test_fixturegen_check_passes_on_the_committed_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    assert fixturegen.main(["--check"]) == 0, capsys.readouterr().err


def test_generation_does_not_depend_on_the_process() -> None:
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-m", "pns_mock.contract_tests.fixturegen", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_check_names_edited_missing_and_stale_files_and_writing_repairs_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, out)
    (out / "operations" / "stopCall.json").write_text("{}\n", encoding="utf-8")
    (out / "seed" / "apps.yaml").unlink()
    (out / "webhooks" / "numStatus" / "old.json").write_text("{}\n", encoding="utf-8")
    assert fixturegen.main(["--check", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "differs: operations/stopCall.json" in err
    assert "missing: seed/apps.yaml" in err
    assert "stale: webhooks/numStatus/old.json" in err
    assert fixturegen.main(["--out", str(out)]) == 0
    assert fixturegen.main(["--check", "--out", str(out)]) == 0
    assert (out / "README.md").exists(), "files outside the generated folders are left alone"
