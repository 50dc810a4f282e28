"""The verdict: violations, detections and coverage from the journals, and its three renderings."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from pns_mock import spec as spec_pkg
from pns_mock.mockserver.http import Engine
from pns_mock.mockserver.pushes import Attempt, Push
from pns_mock.mockserver.report import verdict
from pns_mock.spec import Spec

from .helpers import AX, AX_CALLEE, AXB, WALL, ax_client, axb_client, make_engine

DATA = Path(__file__).resolve().parents[1] / "data" / "junit"
SCHEMA = verdict.SCHEMA_FILE


@pytest.fixture
def engine() -> Engine:
    return make_engine()


def with_class(code: str, handling_class: str) -> Spec:
    """The spec with one result code's handling class set (the catalogue may not say it yet)."""
    document = copy.deepcopy(spec_pkg.load().document)
    for item in document["x-pns-result-codes"]:
        if item["code"] == code:
            item["handlingClass"] = handling_class
    return Spec(document)


def refused_push(status: int) -> Push:
    attempt = Attempt(1, WALL, WALL, "http://127.0.0.1:9/status", status, "oops", 2.0, f"HTTP {status}", WALL)
    return Push(7, "demo-axb", "numStatus", "http://127.0.0.1:9/status", {}, WALL, [attempt], "pending")


def test_a_bad_field_is_a_violation_with_field_sent_expected_and_journal_id(engine: Engine) -> None:
    client = axb_client(engine)
    client.call("POST", AXB, json={"callerNum": "+8613800000001", "calleeNum": "+8613900000002"})
    client.call("POST", AXB, json={"callerNum": "13800000001", "calleeNum": "+8613900000002"})
    result = verdict.of_platform(engine.platform, engine.spec)
    (found,) = result.violations
    second = engine.platform.journal.entries()[1]
    assert (found.operation, found.field, found.sent, found.journal_id) == (
        "createAxbBinding",
        "callerNum",
        "13800000001",
        second.id,
    )
    assert found.expected and "^\\+" in found.expected and found.example == "+8613800000001"
    assert result.failures() == ["1 contract violation(s)"]


def test_a_refusal_as_invalid_by_a_platform_rule_is_a_violation_not_a_business_refusal(
    engine: Engine,
) -> None:
    client = ax_client(engine)
    binding = {"origNum": "+8613800000001", "privateNum": "+8617010000101"}
    client.call("POST", AX, json=binding)
    reply = client.call("PUT", AX_CALLEE, json={**binding, "calleeNum": binding["origNum"]})
    assert json.loads(reply.body)["resultcode"] == "1010002"
    rule = engine.platform.journal.entries()[-1].rule
    assert rule in engine.spec.rules  # a business rule of the platform refused it, as invalid
    (found,) = verdict.of_platform(engine.platform, engine.spec).violations
    assert (found.operation, found.resultcode, found.rule) == ("setAxTemporaryCallee", "1010002", rule)


def test_a_business_refusal_is_no_violation(engine: Engine) -> None:
    client = axb_client(engine)
    body = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002", "relationNum": "+8617010000001"}
    client.call("POST", AXB, json=body)
    assert json.loads(client.call("POST", AXB, json=body).body)["resultcode"] != "0"
    assert verdict.of_platform(engine.platform, engine.spec).violations == ()


def test_an_unchanged_resend_after_a_code_that_cannot_succeed_unchanged_is_detected_with_its_count(
    engine: Engine,
) -> None:
    client = ax_client(engine)
    for _ in range(3):
        client.call("POST", AX, json={"origNum": "+8613800000001"})
    client.call("POST", AX, json={"origNum": "+8613800000009"})  # changed: not counted
    entries = engine.platform.journal.entries()
    (found,) = verdict.build(with_class("1010002", "fix-request"), entries).detections
    assert (found.operation, found.resultcode, found.handling_class, found.count) == (
        "createAxBinding",
        "1010002",
        "fix-request",
        2,
    )
    assert found.journal_ids == (entries[1].id, entries[2].id)
    assert verdict.build(with_class("1010002", "transient"), entries).detections == ()


def test_a_resend_after_a_success_or_a_different_application_is_not_detected(engine: Engine) -> None:
    client = axb_client(engine)
    body = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002"}
    client.call("POST", AXB, json=body)
    client.call("POST", AXB, json=body)
    entries = engine.platform.journal.entries()
    assert verdict.build(with_class("1012010", "fix-request"), entries).detections == ()


def test_a_receiver_that_does_not_answer_200_is_a_push_violation_and_marks_its_type(engine: Engine) -> None:
    result = verdict.build(engine.spec, [], [refused_push(500)])
    (found,) = result.violations
    assert (found.kind, found.operation, found.journal_id) == ("push", "numStatus", 7)
    assert found.sent == "HTTP 500 oops"
    assert found.expected == "HTTP 200 with an empty body"
    assert result.coverage["webhooks"]["answeredWrongly"] == ["numStatus"]


def test_coverage_is_scoped_to_the_modes_the_run_used(engine: Engine) -> None:
    axb_client(engine).call("POST", AXB, json={"callerNum": "+8613800000001", "calleeNum": "+8613900000002"})
    coverage = verdict.of_platform(engine.platform, engine.spec).coverage
    in_scope = {o.operation_id for o in engine.spec.operations.values() if o.mode in ("AXB", "common")}
    assert coverage["modes"] == ["AXB"]
    assert set(coverage["operations"]["exercised"] + coverage["operations"]["never"]) == in_scope
    assert "createAxBinding" not in coverage["operations"]["never"]
    assert all(engine.spec.webhooks[w].mode in ("AXB", "common") for w in coverage["webhooks"]["never"])


def test_coverage_min_fails_below_the_operation_percentage(engine: Engine) -> None:
    axb_client(engine).call("POST", AXB, json={"callerNum": "+8613800000001", "calleeNum": "+8613900000002"})
    result = verdict.of_platform(engine.platform, engine.spec)
    assert result.failures(coverage_min=result.operation_percent) == []
    (why,) = result.failures(coverage_min=result.operation_percent + 1)
    assert "below --coverage-min" in why


def test_json_follows_its_published_schema_and_reads_back_to_the_same_verdict(engine: Engine) -> None:
    client = ax_client(engine)
    client.call("POST", AX, json={"origNum": "+8613800000001"})
    client.call("POST", AX, json={"origNum": "+8613800000001"})
    entries = engine.platform.journal.entries()
    result = verdict.build(with_class("1010002", "fix-request"), entries, [refused_push(404)])
    document = json.loads(json.dumps(verdict.as_json(result, coverage_min=50)))
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    assert (document["schema"], document["version"], document["passed"]) == ("pns-mock-verdict", 1, False)
    assert verdict.from_json(document) == result
    with pytest.raises(ValueError, match="pns-mock-verdict"):
        verdict.from_json({**document, "version": 99})


def test_the_terminal_summary_uses_colour_only_when_asked(engine: Engine) -> None:
    result = verdict.build(engine.spec, [], [refused_push(500)])
    plain = verdict.terminal(result)
    assert "\033[" not in plain and "VIOLATION numStatus" in plain
    assert plain.endswith("FAILED: 1 contract violation(s)")
    assert "\033[31m" in verdict.terminal(result, color=True)


def junit_of(engine: Engine, coverage_min: float | None) -> ET.Element:
    client = axb_client(engine)
    client.call("POST", AXB, json={"callerNum": "13800000001", "calleeNum": "+8613900000002"})
    client.call("POST", AXB, json={"callerNum": "+8613800000001", "calleeNum": "13900000002"})
    return ET.fromstring(verdict.junit(verdict.of_platform(engine.platform, engine.spec), coverage_min))


def test_junit_has_one_testcase_per_operation_with_its_violations_as_failures(engine: Engine) -> None:
    suite = junit_of(engine, None).find("testsuite")
    assert suite is not None
    case = suite.find("testcase[@name='createAxbBinding']")
    assert case is not None and len(case.findall("failure")) == 2
    never = suite.find("testcase[@name='queryAxbBinding']")
    assert never is not None and never.find("skipped") is not None
    assert suite.get("failures") == "1"
    assert int(suite.get("skipped", "0")) == len(suite.findall("testcase/skipped"))


def test_junit_turns_coverage_gaps_into_failures_below_coverage_min(engine: Engine) -> None:
    suite = junit_of(engine, 100).find("testsuite")
    assert suite is not None
    never = suite.find("testcase[@name='queryAxbBinding']/failure")
    assert never is not None and never.get("type") == "CoverageGap"


def test_junit_files_validate_against_the_junit_schema_ci_tools_read(engine: Engine, tmp_path: Path) -> None:
    client = ax_client(engine)
    client.call("POST", AX, json={"origNum": "+8613800000001"})
    client.call("POST", AX, json={"origNum": "+8613800000001"})
    entries = engine.platform.journal.entries()
    result = verdict.build(with_class("1010002", "fix-request"), entries, [refused_push(500)])
    files = []
    for name, coverage_min in (("plain", None), ("gaps", 100.0)):
        files.append(tmp_path / f"{name}.xml")
        files[-1].write_text(verdict.junit(result, coverage_min), encoding="utf-8")
    broken = tmp_path / "broken.xml"  # a failure before skipped: the schema must say no
    broken.write_text(
        '<testsuites><testsuite name="s" tests="1"><testcase name="c"><failure/><skipped/></testcase>'
        "</testsuite></testsuites>"
    )
    assert shutil.which("java"), "no JDK: run scripts/setup.sh (it installs default-jdk-headless)"
    check = subprocess.run(
        ["java", str(DATA / "XsdCheck.java"), str(DATA / "junit.xsd"), *map(str, files), str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = check.stdout.splitlines()
    assert lines[:2] == [f"valid {f}" for f in files], check.stdout + check.stderr
    assert lines[2].startswith(f"INVALID {broken}")


def test_a_path_the_api_does_not_have_is_a_violation_with_its_own_junit_testcase(engine: Engine) -> None:
    wrong = "/rest/caas/relationnumber/partners/v9.9"
    axb_client(engine).call("POST", wrong, json={})
    result = verdict.of_platform(engine.platform, engine.spec)
    (found,) = result.violations
    assert (found.operation, found.request) == (verdict.NO_OPERATION, f"POST {wrong}")
    case = ET.fromstring(verdict.junit(result)).find(f"testsuite/testcase[@name='{verdict.NO_OPERATION}']")
    assert case is not None and case.find("failure") is not None
