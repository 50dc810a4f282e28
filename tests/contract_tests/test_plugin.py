"""The plugin as a customer uses it, run with pytester."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pns_mock import spec

pytest_plugins = ["pytester"]

# A customer's PNS client, as found in the wild: requests + AKSK headers built by hand.
CLIENT = """
import base64, hashlib, hmac, time, uuid
import requests

BASE = "https://rtcpns.cn-north-1.myhuaweicloud.com"
AXB = "/rest/caas/relationnumber/partners/v1.0"


def headers(app_key, secret, created=None):
    nonce = uuid.uuid4().hex.upper()
    created = created or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    digest = base64.b64encode(
        hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "Content-Type": "application/json;charset=UTF-8",
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": f'UsernameToken Username="{app_key}",PasswordDigest="{digest}",'
        f'Nonce="{nonce}",Created="{created}"',
    }


def bind(app, caller, callee, **extra):
    body = {"callerNum": caller, "calleeNum": callee, **extra}
    return requests.post(BASE + AXB, json=body, headers=headers(app.app_key, app.app_secret)).json()


def query(app, subscription_id):
    return requests.get(
        BASE + AXB, params={"subscriptionId": subscription_id}, headers=headers(app.app_key, app.app_secret)
    ).json()
"""


@pytest.fixture
def customer(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(pns_client=CLIENT)
    return pytester


def test_a_correct_integration_passes_and_coverage_is_reported(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_binding="""
        from pns_client import bind, query

        def test_bind_and_query(pns):
            app = pns.app("AXB")
            reply = bind(app, "+8613800000001", "+8613900000002", areaCode="0755")
            assert reply["resultcode"] == "0"
            assert query(app, reply["subscriptionId"])["relationNumList"][0]["calleeNum"] == "+8613900000002"
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    in_scope = [op for op in spec.load().operations.values() if op.mode in ("AXB", "common")]
    result.stdout.fnmatch_lines(
        ["*PNS contract coverage*", "requests 2, pushes 0", "modes*AXB", f"operations*2/{len(in_scope)} *"]
    )


def test_a_number_without_country_code_fails_naming_field_sent_expected_and_example(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(
        test_wrong="""
        from pns_client import bind

        def test_bind(pns):
            bind(pns.app("AXB"), "13800000001", "+8613900000002")
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ContractViolation*PNS contract violation in createAxbBinding*",
            "*field:    callerNum",
            '*sent:     "13800000001"',
            "*expected:*matching*",
            '*example:  "+8613800000001"',
            "*fail_on_violations=False*",
        ]
    )


def test_a_local_time_created_fails_with_the_utc_format_and_an_example(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_created="""
        import requests
        from pns_client import AXB, BASE, headers

        def test_bind(pns):
            app = pns.app("AXB")
            h = headers(app.app_key, app.app_secret, created="2026-11-24 15:30:20")
            body = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002"}
            reply = requests.post(BASE + AXB, json=body, headers=h)
            assert reply.json()["resultcode"] == "1023031"
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*field:    X-AKSK.Created",
            '*sent:     "2026-11-24 15:30:20"',
            "*expected:*pns-created*",
            "*example:  *Z*",
        ]
    )


def test_violations_can_be_accepted_by_marker(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_lenient="""
        import pytest
        from pns_client import bind

        @pytest.mark.pns(fail_on_violations=False)
        def test_bind(pns):
            assert bind(pns.app("AXB"), "13800000001", "+8613900000002")["resultcode"] == "1010002"
            assert len(pns.violations()) == 1
        """
    )
    customer.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_undocumented_fields_fail_unless_switched_off(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_fields="""
        import pytest
        from pns_client import bind

        def typo(pns):
            return bind(pns.app("AXB"), "+8613800000001", "+8613900000002", calleeNumber="x")

        def test_strict(pns):
            assert typo(pns)["resultcode"] == "0"

        @pytest.mark.pns(strict_fields=False)
        def test_lenient(pns):
            assert typo(pns)["resultcode"] == "0"
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*field not documented*", "*field:    calleeNumber*", "*strict_fields=False*"]
    )


def test_requests_to_other_hosts_fail(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_host="""
        import requests

        def test_other_host(pns):
            try:
                requests.get("https://example.org/")
            except requests.ConnectionError:
                pass
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*neither a PNS base URL nor allowed*", "*allow_hosts*"])


def test_injected_codes_and_the_virtual_clock_drive_the_customers_error_paths(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(
        test_control="""
        from pns_client import bind, query

        def test_no_number_left(pns):
            pns.inject("createAxbBinding", "1012008")
            app = pns.app("AXB")
            assert bind(app, "+8613800000001", "+8613900000002")["resultcode"] == "1012008"
            assert bind(app, "+8613800000001", "+8613900000002")["resultcode"] == "0"

        def test_expiry(pns):
            app = pns.app("AXB")
            sid = bind(app, "+8613800000001", "+8613900000002", duration=3600)["subscriptionId"]
            pns.advance(3600)
            assert query(app, sid)["resultcode"] == "1012007"
            assert pns.calls("queryAxbBinding") == 1
        """
    )
    customer.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_httpx_sync_and_async_are_intercepted(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_httpx="""
        import asyncio
        import httpx
        from pns_client import AXB, BASE, headers

        BODY = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002"}

        def test_sync(pns):
            app = pns.app("AXB")
            r = httpx.post(BASE + AXB, json=BODY, headers=headers(app.app_key, app.app_secret))
            assert r.json()["resultcode"] == "0"

        def test_async(pns):
            app = pns.app("AXB")

            async def call():
                async with httpx.AsyncClient() as client:
                    r = await client.post(BASE + AXB, json=BODY, headers=headers(app.app_key, app.app_secret))
                    return r.json()

            assert asyncio.run(call())["resultcode"] == "0"
        """
    )
    # In a subprocess: pytester's in-process mode restores sys.modules afterwards, which leaves
    # httpx's lazily built exception map pointing at discarded httpcore classes.
    customer.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_real_server_fixture_serves_other_processes_and_reads_violations_from_its_journal(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(
        other_process="""
        import sys
        import pns_client

        class App:
            app_key = "demo-axb"
            app_secret = "demo-axb-secret"

        pns_client.BASE = sys.argv[1]
        print(pns_client.bind(App, sys.argv[2], "+8613900000002")["resultcode"])
        """,
        test_server="""
        import subprocess, sys

        def run(url, caller):
            command = [sys.executable, "other_process.py", url, caller]
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()

        def test_good(pns_server):
            assert run(pns_server.url, "+8613800000001") == "0"

        def test_bad(pns_server):
            assert run(pns_server.url, "13800000001") == "1010002"
        """,
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*field:    callerNum*"])


def test_option_precedence_marker_over_command_line_over_ini(customer: pytest.Pytester) -> None:
    customer.makeini("[pytest]\npns_strict_fields = false\n")
    customer.makepyfile(
        test_precedence="""
        import pytest

        def test_ini(pns):
            assert pns.options.strict_fields is False

        @pytest.mark.pns(strict_fields=True)
        def test_marker(pns):
            assert pns.options.strict_fields is True
        """
    )
    customer.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    result = customer.runpytest("-p", "no:cacheprovider", "--pns-strict-fields=true", "-k", "ini")
    result.assert_outcomes(failed=1)


def test_coverage_is_written_as_json(customer: pytest.Pytester, tmp_path: Path) -> None:
    target = tmp_path / "coverage.json"
    customer.makepyfile(
        test_cov="""
        from pns_client import bind

        def test_bind(pns):
            bind(pns.app("AXB"), "+8613800000001", "+8613900000002")
        """
    )
    customer.runpytest("-p", "no:cacheprovider", f"--pns-coverage-json={target}").assert_outcomes(passed=1)
    report = json.loads(target.read_text())
    assert report["operations"]["exercised"] == ["createAxbBinding"]
    assert "queryAxbBinding" in report["operations"]["never"]
    assert "0" in report["resultCodes"]["exercised"]


def test_unknown_marker_keyword_is_a_usage_error(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_typo="""
        import pytest

        @pytest.mark.pns(strict_feilds=False)
        def test_x(pns):
            pass
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*unknown keyword*strict_feilds*"])


AX_MODIFY_TEST = """
import pytest, requests
from pns_client import BASE, headers

AX = "/rest/provision/caas/privatenumber/v1.0"


def modify_call_direction(pns):
    app = pns.app("AX")
    bound = requests.post(
        BASE + AX, json={"origNum": "+8613800000001", "privateNum": app.numbers[0]},
        headers=headers(app.app_key, app.app_secret),
    ).json()
    body = {"subscriptionId": bound["subscriptionId"], "callDirection": 1}
    return requests.put(BASE + AX, json=body, headers=headers(app.app_key, app.app_secret)).json()

{marker}
def test_modify(pns):
    assert modify_call_direction(pns)["resultcode"] == "0"
"""


def test_an_ax_modify_field_the_vendor_does_not_confirm_is_a_warning_without_strict_fields(
    customer: pytest.Pytester,
) -> None:
    lenient = AX_MODIFY_TEST.replace("{marker}", "@pytest.mark.pns(strict_fields=False)")
    customer.makepyfile(test_modify=lenient)
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*PnsFidelityWarning*unconfirmed: callDirection*"])


def test_an_ax_modify_field_the_vendor_does_not_confirm_fails_under_strict_fields(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(test_modify=AX_MODIFY_TEST.replace("{marker}", ""))
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*unconfirmed: callDirection*", "*strict_fields=False*"])
