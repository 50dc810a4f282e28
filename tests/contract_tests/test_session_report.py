"""The session's report in real suites: pytest-xdist, the coverage gate, runs that never use PNS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

# Every reply of the mock in these runs is checked against the spec by the suite's own rule.
CONFTEST = "from tests.conftest import _every_reply_is_validated_against_the_spec  # noqa: F401\n"

CLIENT = """
import base64, hashlib, hmac, time, uuid
import requests

AXB = "/rest/caas/relationnumber/partners/v1.0"


def headers(app):
    nonce = uuid.uuid4().hex
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    mac = hmac.new(app.app_secret.encode(), (nonce + created).encode(), hashlib.sha256)
    return {
        "Content-Type": "application/json;charset=UTF-8",
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": f'UsernameToken Username="{app.app_key}",'
        f'PasswordDigest="{base64.b64encode(mac.digest()).decode()}",Nonce="{nonce}",Created="{created}"',
    }


def bind(base, app, caller, callee="+8613900000002"):
    body = {"callerNum": caller, "calleeNum": callee}
    return requests.post(base + AXB, json=body, headers=headers(app)).json()


def unbind(base, app, subscription_id):
    params = {"subscriptionId": subscription_id}
    return requests.delete(base + AXB, params=params, headers=headers(app)).json()
"""

# A suite as a customer writes it: several files, in-process and real-server tests, an injected
# error, a push to the customer's receiver and one contract violation.
SUITE = {
    "test_binds": """
        from pns_client import bind, unbind

        def test_bind_and_unbind(pns):
            app = pns.app("AXB")
            reply = bind(pns.base_url, app, "+8613800000001")
            assert unbind(pns.base_url, app, reply["subscriptionId"])["resultcode"] == "0"

        def test_no_number_left(pns):
            pns.inject("createAxbBinding", "1012008")
            assert bind(pns.base_url, pns.app("AXB"), "+8613800000002")["resultcode"] == "1012008"

        def test_a_number_without_country_code(pns):
            bind(pns.base_url, pns.app("AXB"), "13800000003")

        def test_each_test_has_a_fresh_platform(pns):
            assert pns.bindings() == []
            assert bind(pns.base_url, pns.app("AXB"), "+8613800000004")["resultcode"] == "0"
        """,
    "test_server": """
        from pns_client import bind

        def test_over_http(pns_server):
            app = pns_server.mock.app("AXB")
            assert bind(pns_server.url, app, "+8613800000005")["resultcode"] == "0"

        def test_over_http_again(pns_server):
            assert pns_server.mock.bindings() == []
            app = pns_server.mock.app("AXB")
            assert bind(pns_server.url, app, "+8613800000006")["resultcode"] == "0"
        """,
    "test_pushes": """
        def receiver(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b""]

        def test_call_events_reach_the_receiver(pns):
            pns.pushes_to(receiver).call("answered")

        def test_nothing_of_pns(pns):
            assert pns.app("AX").mode == "AX"
        """,
}


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    # the subprocesses (and the xdist workers) import this checkout, like the outer run does
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(pns_client=CLIENT)
    pytester.makepyfile(**SUITE)
    return pytester


def _report(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_xdist_reports_once_what_a_serial_run_of_the_same_tests_reports(suite: pytest.Pytester) -> None:
    gate = "--pns-coverage-min=34"  # 2 of the 6 AXB operations are exercised: the gate fails in both runs
    serial = suite.runpytest_subprocess("-p", "no:cacheprovider", gate, "--pns-coverage-json=serial.json")
    parallel = suite.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", gate, "--pns-coverage-json=parallel.json"
    )
    serial.assert_outcomes(passed=7, failed=1)
    parallel.assert_outcomes(passed=7, failed=1)
    parallel.stdout.fnmatch_lines(["*2 workers*"])
    assert parallel.stdout.str().count(" PNS contract coverage =") == 1  # the section, once
    for run in (serial, parallel):
        run.stdout.fnmatch_lines(
            ["violations    1 in 1 test(s)", "*gate failed: operations 2/6 (33.3 %) is below*"]
        )

    expected = _report(suite.path / "serial.json")
    assert _report(suite.path / "parallel.json") == expected
    operations = expected["operations"]
    assert isinstance(operations, dict)
    assert operations["exercised"] == ["createAxbBinding", "deleteAxbBinding"]
    assert "1012008" in expected["resultCodes"]["exercised"]  # type: ignore[index]
    assert "callEventAxb" in expected["webhooks"]["exercised"]  # type: ignore[index]
    violations = expected["violations"]
    assert isinstance(violations, list) and len(violations) == 1
    assert violations[0]["test"] == "test_binds.py::test_a_number_without_country_code"
    assert violations[0]["operation"] == "createAxbBinding"


def test_the_coverage_gate_fails_the_session_below_the_minimum_and_passes_at_it(
    suite: pytest.Pytester,
) -> None:
    passing = ["-p", "no:cacheprovider", "-k", "not country_code"]
    # the suite uses AXB only: 2 of the mode's 6 operations, 33.3 %
    low = suite.runpytest(*passing, "--pns-coverage-min=34")
    low.assert_outcomes(passed=7)
    assert low.ret == pytest.ExitCode.TESTS_FAILED
    low.stdout.fnmatch_lines(
        [
            "PNS contract coverage gate failed: operations 2/6 (33.3 %) is below --pns-coverage-min 34 %;"
            " never exercised: getRecordingDownloadUrl, *"
        ]
    )
    suite.makeini("[pytest]\npns_coverage_min = 33\n")
    met = suite.runpytest(*passing)
    assert met.ret == pytest.ExitCode.OK
    met.stdout.fnmatch_lines(["operations       2/6  *"])
    assert "gate failed" not in met.stdout.str()


@pytest.mark.parametrize("value", ["many", "101", "-1"])
def test_a_gate_that_is_not_a_percentage_is_a_usage_error(suite: pytest.Pytester, value: str) -> None:
    result = suite.runpytest("-p", "no:cacheprovider", f"--pns-coverage-min={value}", "test_pushes.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*pns option coverage_min: expected a *, got '{value}'*"])


def test_a_run_that_uses_no_pns_fixture_prints_and_writes_no_report_and_has_no_gate(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_plain="def test_arithmetic():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--pns-coverage-json=out.json", "--pns-coverage-min=90"
    )
    assert result.ret == pytest.ExitCode.OK
    assert "PNS" not in result.stdout.str()
    assert not (pytester.path / "out.json").exists()


def test_declared_modes_set_the_denominators_and_a_wrong_one_is_a_usage_error(suite: pytest.Pytester) -> None:
    passing = ["-p", "no:cacheprovider", "-k", "not country_code", "--pns-coverage-json=out.json"]
    declared = suite.runpytest(*passing, "--pns-modes=axb", "--pns-modes=AX")
    declared.assert_outcomes(passed=7)
    report = _report(suite.path / "out.json")
    assert report["modes"] == ["AX", "AXB"]
    operations = report["operations"]
    assert isinstance(operations, dict)
    # AX's own operations now count too (never exercised by this AXB suite)
    assert "createAxBinding" in operations["never"] and operations["ratio"] == "2/11"
    wrong = suite.runpytest("-p", "no:cacheprovider", "--pns-modes=AXZ")
    assert wrong.ret == pytest.ExitCode.USAGE_ERROR
    wrong.stderr.fnmatch_lines(["*pns option modes: unknown mode(s) AXZ; the modes are *AXB*"])
