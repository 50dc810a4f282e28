"""The diagnosis reaches the customer in every outcome: failed, errored, passed, xfailed."""

from __future__ import annotations

import pytest

from .test_plugin import CLIENT

pytest_plugins = ["pytester"]

# A client like most in the wild: it raises its own exception on any resultcode but "0".
STRICT_CLIENT = (
    CLIENT
    + """

class PnsClientError(Exception):
    pass


def bind_or_raise(app, caller, callee, **extra):
    reply = bind(app, caller, callee, **extra)
    if reply["resultcode"] != "0":
        raise PnsClientError(reply["resultcode"] + " " + reply["resultdesc"])
    return reply
"""
)

# one bind, three bad fields: a number without +, a duration out of range, a typo'd field name
THREE_BAD_FIELDS = (
    'bind_or_raise(pns.app("AXB"), "13800000001", "+8613900000002", duration=-5, areaCod="0755")'
)


@pytest.fixture
def customer(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(pns_client=STRICT_CLIENT)
    return pytester


def test_a_test_failed_by_the_clients_own_exception_shows_every_violation_and_its_journal(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(
        test_failed=f"""
        from pns_client import bind_or_raise

        def test_bind(pns):
            {THREE_BAD_FIELDS}
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "PnsClientError: 1010002 Invalid request." in out
    assert "3 PNS contract violation(s)" in out
    result.stdout.fnmatch_lines(
        [
            "*- PNS contract violations -*",
            "*field:    callerNum",
            '*sent:     "13800000001"',
            '*example:  "+8613800000001"',
            "*field:    duration",
            "*sent:     -5",
            "*field:    areaCod",
            '*sent:     "0755"',
            "*- PNS journal (the requests of this test) -*",
            "#1 POST /rest/caas/relationnumber/partners/v1.0 ?createAxbBinding? app_key=demo-axb"
            " -> HTTP 403 resultcode 1010002",
            "*problem: callerNum*",
            "*problem: duration*",
        ]
    )
    assert "(absent)" not in out


def test_an_error_in_a_fixture_shows_the_violations_of_its_requests(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_errored=f"""
        import pytest
        from pns_client import bind_or_raise

        @pytest.fixture
        def ride(pns):
            return {THREE_BAD_FIELDS}

        def test_ride(ride):
            pass
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_ride*",
            "*PnsClientError: 1010002*",
            "*- PNS contract violations -*",
            "*3 PNS contract violation(s)*",
            "*- PNS journal (the requests of this test) -*",
        ]
    )


def test_a_test_that_passes_despite_a_violation_fails_with_it_and_its_journal(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(
        test_passed="""
        from pns_client import bind

        def test_bind(pns):
            bind(pns.app("AXB"), "+8613800000001", "+8613900000002", calleeNumber="+8613900000003")
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*field not documented*",
            "*field:    calleeNumber",
            '*sent:     "+8613900000003"',
            "*- PNS journal (the requests of this test) -*",
            "#* POST * -> HTTP 200 resultcode 0",
        ]
    )


def test_an_xfailed_test_shows_its_violations_with_rx(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_xfailed=f"""
        import pytest
        from pns_client import bind_or_raise

        @pytest.mark.xfail(reason="binding is work in progress")
        def test_bind(pns):
            {THREE_BAD_FIELDS}
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider", "-rx")
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "XFAIL test_xfailed.py::test_bind - binding is work in progress",
            "3 PNS contract violation(s):",
            "*field:    callerNum",
            "*field:    areaCod",
        ]
    )


def test_a_passing_test_without_violations_gets_no_diagnosis(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_clean="""
        from pns_client import bind_or_raise

        def test_bind(pns):
            bind_or_raise(pns.app("AXB"), "+8613800000001", "+8613900000002")
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=1)
    assert "PNS contract violation" not in result.stdout.str()


def test_a_missing_field_shows_absent_and_a_null_shows_null(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_absent="""
        import requests
        from pns_client import AXB, BASE, headers

        def test_bind(pns):
            app = pns.app("AXB")
            body = {"callerNum": None}
            requests.post(BASE + AXB, json=body, headers=headers(app.app_key, app.app_secret))
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*field:    calleeNum", "*sent:     (absent)", "*field:    callerNum", "*sent:     null"]
    )


def test_a_failed_pns_server_test_shows_the_violations_and_journal_of_the_server(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(
        test_server="""
        import pns_client
        from pns_client import bind_or_raise

        class App:
            app_key, app_secret = "demo-axb", "demo-axb-secret"

        def test_first(pns_server):
            pns_client.BASE = pns_server.url
            bind_or_raise(App, "+8613800000001", "+8613900000002")

        def test_bind(pns_server):
            pns_client.BASE = pns_server.url
            bind_or_raise(App, "13800000001", "+8613900000002")
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PnsClientError: 1010002 Invalid request.callerNum has an invalid format.",
            "*- PNS contract violations -*",
            "*field:    callerNum",
            "*- PNS journal (the requests of this test) -*",
            "#2 POST */partners/v1.0 ?createAxbBinding? app_key=demo-axb -> HTTP 403 *",
        ]
    )
    assert "#1 POST" not in result.stdout.str()  # the journal of the earlier test is not this one's


def test_a_violation_in_a_fixtures_teardown_is_an_error_with_the_diagnosis(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_teardown="""
        import pytest
        from pns_client import bind

        @pytest.fixture
        def cleanup(pns):
            yield
            bind(pns.app("AXB"), "+8613800000001", "+8613900000002", calleNum="typo")

        def test_ride(cleanup):
            pass
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_ride*",
            "*field:    calleNum",
            '*sent:     "typo"',
            "PNS journal (the requests of this test):",
            "*problem: fields the spec does not document: calleNum",
        ]
    )
