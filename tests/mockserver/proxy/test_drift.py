"""Drift: each way a reply can differ from the spec is reported once, counted, masked, with its pointer."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from pns_mock import spec as spec_module
from pns_mock.mockserver.http import runtime_for
from pns_mock.mockserver.proxy import reply_findings
from pns_mock.mockserver.report import SCHEMA_FILE

from ..helpers import X1, A, B, axb_client, make_engine
from .drifting_upstream import UNDOCUMENTED, UNKNOWN_CODE
from .support import AXB, bind_body, proxy, report, signed, upstream

SECRET_NUMBERS = ("+8613800000041", "+8613900000042", "13800000043")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, str]:
    """One proxied run with every kind of drift, and its JSON verdict, JUnit file and terminal output."""
    tmp = tmp_path_factory.mktemp("drift")
    json_path, junit_path = tmp / "verdict.json", tmp / "verdict.xml"
    with (
        upstream(tmp) as up,
        proxy(
            up.tls, "--upstream-ca", str(up.cert), "--report-json", str(json_path), "--junit", str(junit_path)
        ) as running,
    ):
        _traffic(running.url)
        out = running.stop()
        up.assert_replies_conform()
    return report(json_path), junit_path.read_text(), out


def _traffic(url: str) -> None:
    relation = "+8617010000001"
    bound = httpx.post(f"{url}{AXB}", headers=signed(), json=bind_body(relation, *SECRET_NUMBERS[:2]))
    assert bound.json()["resultcode"] == "0"
    query = {"relationNum": relation}
    for drift in ("undocumented-field", "undocumented-field", "timestamp-format", "unknown-resultcode"):
        reply = httpx.get(f"{url}{AXB}", headers=signed(**{"X-Test-Drift": drift}), params=query)
        assert reply.status_code == 200
    assert (
        httpx.get(
            f"{url}{AXB}", headers=signed(**{"X-Test-Drift": "status-mismatch"}), params=query
        ).status_code
        == 500
    )
    page = httpx.get(f"{url}{AXB}", headers=signed(**{"X-Test-Drift": "html"}), params=query)
    assert page.headers["content-type"] == "text/html" and page.text.startswith("<html>")  # as it came
    broken = {"callerNum": SECRET_NUMBERS[2]}  # the customer's bug: national form, no calleeNum
    assert httpx.post(f"{url}{AXB}", headers=signed(), json=broken).json()["resultcode"] == "1010002"


def _drift(verdict: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [d for d in verdict["drift"] if d["kind"] == kind]
    assert len(found) == 1, (kind, verdict["drift"])
    return dict(found[0])


def test_the_verdict_follows_the_published_schema_and_fails_on_drift(
    run: tuple[dict[str, Any], str, str],
) -> None:
    verdict, _, out = run
    jsonschema.validate(verdict, json.loads(SCHEMA_FILE.read_text()))
    assert verdict["passed"] is False
    assert any("drift finding(s)" in line for line in verdict["failures"])
    assert "DRIFT queryAxbBinding (undocumented-field, seen 2x" in out


def test_an_undocumented_field_is_listed_once_with_its_count_pointer_and_a_masked_example(
    run: tuple[dict[str, Any], str, str],
) -> None:
    found = _drift(run[0], "undocumented-field")
    assert (found["field"], found["count"], found["operation"]) == (UNDOCUMENTED, 2, "queryAxbBinding")
    the_spec = spec_module.load()
    assert isinstance(the_spec.resolve(found["pointer"]).get("properties"), dict)
    assert UNDOCUMENTED not in the_spec.resolve(found["pointer"])["properties"]
    assert found["example"].startswith("+86") and found["example"] != "+8613800000077"
    assert len(found["example"]) == len("+8613800000077")


def test_a_timestamp_in_another_format_names_the_field_and_the_format_s_schema(
    run: tuple[dict[str, Any], str, str],
) -> None:
    found = _drift(run[0], "timestamp-format")
    assert found["field"] == "relationNumList/*/subscribeTime"
    assert spec_module.load().resolve(found["pointer"])["format"] == "pns-subscribe-time"


def test_a_code_outside_the_catalogue_and_a_status_the_catalogue_does_not_give_are_reported(
    run: tuple[dict[str, Any], str, str],
) -> None:
    unknown = _drift(run[0], "unknown-resultcode")
    assert (unknown["example"], unknown["pointer"]) == (UNKNOWN_CODE, "/x-pns-result-codes")
    mismatch = _drift(run[0], "status-mismatch")
    row = spec_module.load().resolve(mismatch["pointer"].rsplit("/", 1)[0])
    assert row["code"] == "0" and mismatch["pointer"].endswith("/httpStatus")
    assert "HTTP 500" in mismatch["problem"]


def test_a_reply_that_is_not_json_is_drift_and_went_to_the_client_unchanged(
    run: tuple[dict[str, Any], str, str],
) -> None:
    found = _drift(run[0], "not-json")
    assert found["example"].startswith("<html>")
    assert _drift(run[0], "undeclared-status")["example"] == 502


def test_the_customer_s_own_bug_is_a_contract_violation_found_by_the_mock_s_validators(
    run: tuple[dict[str, Any], str, str],
) -> None:
    verdict = run[0]
    fields = {v["field"] for v in verdict["violations"]}
    assert {"calleeNum", "callerNum"} <= fields
    assert all(v["operation"] == "createAxbBinding" for v in verdict["violations"])


def test_no_number_the_client_sent_appears_in_any_report(run: tuple[dict[str, Any], str, str]) -> None:
    verdict, junit, out = run
    text = json.dumps(verdict) + junit + out
    for number in (*SECRET_NUMBERS, "+8613800000077", "8613800000043"):
        assert number not in text


def test_junit_carries_each_drift_as_a_failure_of_its_operation(run: tuple[dict[str, Any], str, str]) -> None:
    root = ET.fromstring(run[1])
    case = next(c for c in root.iter("testcase") if c.get("name") == "queryAxbBinding")
    texts = [f.text or "" for f in case.iter("failure") if f.get("type") == "Drift"]
    kinds = {text.split("kind: ")[1].split("\n")[0] for text in texts}
    assert {
        "undocumented-field",
        "timestamp-format",
        "unknown-resultcode",
        "status-mismatch",
        "not-json",
    } <= kinds


def test_the_mock_s_own_replies_show_no_drift() -> None:
    engine = make_engine()
    client = axb_client(engine)
    the_spec = engine.spec
    schemas = runtime_for(the_spec).schemas
    replies = [
        ("createAxbBinding", client.call("POST", AXB, json=bind_body(X1, A, B))),
        ("queryAxbBinding", client.call("GET", AXB, query={"relationNum": X1})),
        ("createAxbBinding", client.call("POST", AXB, json={"callerNum": A})),
        ("deleteAxbBinding", client.call("DELETE", AXB, query={"relationNum": X1})),
    ]
    assert [r.status for _, r in replies] == [200, 200, 403, 200]
    for op_id, reply in replies:
        op = the_spec.operations[op_id]
        assert reply_findings(the_spec, schemas, op, reply.status, reply.body) == []


def test_reply_findings_of_a_changed_mock_reply_point_into_the_spec(tmp_path: Path) -> None:
    engine = make_engine()
    client = axb_client(engine)
    client.call("POST", AXB, json=bind_body(X1, A, B))
    reply = client.call("GET", AXB, query={"relationNum": X1}).json()
    reply["relationNumList"][0]["extra"] = 1
    the_spec = engine.spec
    op = the_spec.operations["queryAxbBinding"]
    found = reply_findings(the_spec, runtime_for(the_spec).schemas, op, 200, json.dumps(reply).encode())
    assert [(f.kind, f.field) for f in found] == [("undocumented-field", "relationNumList/*/extra")]
    assert "properties" in the_spec.resolve(found[0].pointer)
