"""Push failures fail a `pns_server` test; one push timeout for the server and the in-process harness."""

from __future__ import annotations

import pytest

from .test_plugin import CLIENT

pytest_plugins = ["pytester"]

# The customer's receivers: a real HTTP server answering every push the same way.
RECEIVERS = '''
import threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import pns_client

A, B, X = "+8613800000001", "+8613900000002", "+8617010000009"


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a receiver too slow for the platform finds the connection closed


def receiver(status=200, body=b"", delay=0.0):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def one_call(pns_server, url):
    """An application whose pushes go to `url`, one A-X-B binding and one answered call."""
    app = pns_server.add_app(
        "shop-axb", "shop-secret", "AXB",
        numbers=[{"number": X, "area_code": "0755"}],
        callbacks={"status": url + "/status", "fee": url + "/fee"},
    )
    pns_client.BASE = pns_server.url
    assert pns_client.bind(app, A, B, relationNum=X)["resultcode"] == "0"
    call = {"from": A, "to": X, "answer_after": 2, "talk": 5}
    requests.post(pns_server.url + "/_pns/calls", json=call).raise_for_status()
    requests.post(pns_server.url + "/_pns/clock", json={"advance": 60}).raise_for_status()
'''


@pytest.fixture
def customer(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(pns_client=CLIENT, receivers=RECEIVERS)
    return pytester


def test_a_receiver_answering_500_fails_the_test_with_attempts_and_the_retry_schedule(
    customer: pytest.Pytester,
) -> None:
    customer.makepyfile(
        test_push="""
        from receivers import one_call, receiver

        def test_call(pns_server):
            server, url = receiver(status=500)
            one_call(pns_server, url)
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PNS push not delivered on its first attempt: callEventAxb (push #*, callin) to http://127.0.0.1:*/status",
            "*attempt 1 at +0s: HTTP 500 after * ms: HTTP 500: only 200 counts as delivered",
            "*state:    pending, next attempt at +60s virtual time",
            "*retries:  the platform retries at +1, +4, +9, +106, +203, +300 minutes after the first failure",
            "*expected: HTTP 200 with an empty body, within push_timeout_seconds (5 s)",
            "*fail_on_push_failures=False*",
        ]
    )
    result.stdout.fnmatch_lines(["*PNS push not delivered on its first attempt: feeAxb*"])


def test_a_receiver_answering_with_a_body_fails_the_test(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_push="""
        from receivers import one_call, receiver

        def test_call(pns_server):
            server, url = receiver(body=b"ok")
            one_call(pns_server, url)
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*HTTP 200 after * ms: delivered, but a Notify push is answered with an empty body*",
            "*answered: 'ok'",
        ]
    )


def test_a_receiver_slower_than_the_push_timeout_fails_the_test(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_push="""
        from receivers import one_call, receiver

        def test_call(pns_server):
            server, url = receiver(delay=0.6)
            one_call(pns_server, url)
        """
    )
    result = customer.runpytest("-p", "no:cacheprovider", "--pns-push-timeout=0.2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*no answer after * ms: no answer within 0.2s*", "*within push_timeout_seconds (0.2 s)"]
    )


def test_a_test_that_expects_push_failures_says_so_and_reads_them(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_push="""
        import pytest
        from receivers import one_call, receiver

        @pytest.mark.pns(fail_on_push_failures=False)
        def test_call(pns_server):
            server, url = receiver(status=503)
            one_call(pns_server, url)
            pushes = pns_server.pushes(app_key="shop-axb")
            assert pushes and all(p.attempts[0].status == 503 for p in pushes if p.attempts)

        def test_next_test_starts_clean(pns_server):
            assert pns_server.pushes() == []
        """
    )
    customer.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_receiver_that_answers_well_stays_green(customer: pytest.Pytester) -> None:
    customer.makepyfile(
        test_push="""
        from receivers import one_call, receiver

        def test_call(pns_server):
            server, url = receiver()
            one_call(pns_server, url)
        """
    )
    customer.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


SLOW_HANDLER = """
import time
from flask import Flask

def slow_app(delay):
    app = Flask(__name__)

    @app.post("/status")
    def status():
        time.sleep(delay)
        return ""

    return app
"""


@pytest.mark.parametrize(("delay", "outcome"), [(0.05, "passed"), (0.5, "failed")])
def test_the_in_process_harness_waits_as_long_as_the_server(
    customer: pytest.Pytester, delay: float, outcome: str
) -> None:
    customer.makepyfile(
        slow=SLOW_HANDLER,
        test_harness=f"""
        from slow import slow_app
        from receivers import one_call, receiver

        def test_in_process(pns):
            platform = pns.pushes_to(slow_app({delay}), status="/status")
            platform.send("callEventAxb", platform.example("callEventAxb"))

        def test_server(pns_server):
            server, url = receiver(delay={delay})
            one_call(pns_server, url)
        """,
    )
    result = customer.runpytest("-p", "no:cacheprovider", "--pns-push-timeout=0.3")
    result.assert_outcomes(**{outcome: 2})
