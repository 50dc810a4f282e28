"""Push delivery: signing, retries on the virtual clock, CDR batches, Block replies, the journal."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pns_mock import spec
from pns_mock.mockserver.domain import Authenticator, VirtualClock
from pns_mock.mockserver.pushes import RESPONSE_BODY_LIMIT, Deliverer, DeliveryError, InvalidPushBody

from .helpers import WALL

SPEC = spec.load()
SCHEMAS = spec.SchemaRegistry(SPEC.document)
APP, SECRET = "app1", "cfc881cc704c4fba8d8fef5788e03e6b"
OTHER_APP, THIRD_APP = "app2", "app3"  # order is kept per application: these are independent
OFFSETS = [60 * m for m in (1, 4, 9, 106, 203, 300)]  # the vendor's schedule, in seconds


def secret_of(app_key: str) -> str | None:
    return SECRET if app_key in (APP, OTHER_APP, THIRD_APP) else None


def example(webhook: str, name: str) -> dict[str, Any]:
    content = SPEC.webhooks[webhook].raw["requestBody"]["content"]["application/json"]
    value: dict[str, Any] = copy.deepcopy(content["examples"][name]["value"])
    return value


def reply_example(webhook: str, name: str) -> Any:
    return SPEC.webhooks[webhook].raw["responses"]["200"]["content"]["application/json"]["examples"][name][
        "value"
    ]


def cdr(n: int) -> dict[str, Any]:
    item: dict[str, Any] = example("feeAxb", "answered")["feeLst"][0]
    item["sessionId"] = f"call-{n}@callenabler246.huaweicaas.com"
    return item


# receivers


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()


Answer = Callable[[Received], tuple[int, bytes, float]]  # status, body, delay in seconds


class Receiver:
    """A customer's endpoint on 127.0.0.1 that records what it got."""

    def __init__(self, answer: Answer) -> None:
        self.got: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                received = Received(self.path, headers, body, time.monotonic())
                receiver.got.append(received)
                status, reply, delay = answer(received)
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:  # the platform stopped waiting
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(status: int = 200, body: bytes = b"", delay: float = 0.0) -> Receiver:
        made.append(Receiver(lambda _: (status, body, delay)))
        return made[-1]

    yield make
    for r in made:
        r.close()


class Transport:
    """The `transport` hook: answers from a list (the last one repeats) and records every call."""

    def __init__(self, *answers: tuple[int, bytes] | Exception, delay: float = 0.0) -> None:
        self.answers = list(answers) or [(200, b"")]
        self.delay = delay
        self.calls: list[tuple[str, str, dict[str, str], Any]] = []

    def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        self.calls.append((method, url, headers, json.loads(body)))
        time.sleep(self.delay)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def deliverer(clock: VirtualClock | None = None, **kwargs: Any) -> Deliverer:
    kwargs.setdefault("timeout", 0.2)
    return Deliverer(SPEC, clock or VirtualClock(start=WALL, frozen=True), secret_of, **kwargs)


# the wire


def test_push_is_signed_with_the_app_secret_and_the_platforms_authenticator_accepts_it(
    receiver: Callable[..., Receiver],
) -> None:
    r = receiver()
    d = deliverer()
    d.submit(APP, "callEventAxb", f"{r.base}/status", example("callEventAxb", "callin"))
    assert d.run_due() == 1
    headers = r.got[0].headers
    assert headers["authorization"] == 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
    result = Authenticator(secret_of=secret_of).authenticate(headers)
    assert (result.app_key, result.scheme) == (APP, "AKSK")


def test_the_older_wsse_signature_can_be_chosen_for_old_receivers() -> None:
    transport = Transport()
    d = deliverer(transport=transport, scheme="WSSE")
    d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.run_due()
    headers = {k.lower(): v for k, v in transport.calls[0][2].items()}
    assert Authenticator(secret_of=secret_of).authenticate(headers).scheme == "WSSE"


def test_push_is_json_in_utf8_with_the_vendors_content_type_and_matches_its_schema(
    receiver: Callable[..., Receiver],
) -> None:
    r = receiver()
    body = example("smsNotifyAx", "forwarded")  # SMS text is the push field that may be non-ASCII
    body["smsEvent"]["smsContent"] = "订单-0001"
    d = deliverer()
    d.submit(APP, "smsNotifyAx", f"{r.base}/status?tenant=7", body)
    d.run_due()
    got = r.got[0]
    assert got.headers["content-type"] == SPEC.delivery["contentType"] == "application/json;charset=UTF-8"
    assert got.path == "/status?tenant=7"
    assert json.loads(got.body.decode("utf-8")) == body
    assert "订单-0001".encode() in got.body
    assert SCHEMAS.errors(SPEC.webhooks["smsNotifyAx"].body_schema_pointer, json.loads(got.body)) == []


def test_every_attempt_is_signed_afresh() -> None:
    transport = Transport((500, b""), (200, b""))
    clock = VirtualClock(start=WALL, frozen=True)
    d = deliverer(clock, transport=transport)
    d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.run_due()
    clock.advance(60)
    d.run_due()
    tokens = [call[2]["X-AKSK"] for call in transport.calls]
    assert len(tokens) == 2 and tokens[0] != tokens[1]


# refusals: bugs in the mock or misuse, never sent


def test_submit_refuses_a_body_that_breaks_the_webhook_schema_and_sends_nothing() -> None:
    transport = Transport()
    d = deliverer(transport=transport)
    body = example("callEventAxb", "callin")
    body["eventType"] = "ringing"
    with pytest.raises(InvalidPushBody, match=r"callEventAxb body that breaks .*eventType"):
        d.submit(APP, "callEventAxb", "http://customer.example/status", body)
    assert d.run_due() == 0 and d.pushes() == [] and transport.calls == []


def test_validation_can_be_switched_off_to_send_a_broken_body_on_purpose() -> None:
    transport = Transport()
    d = deliverer(transport=transport, validate=False)
    d.submit(APP, "callEventAxb", "http://customer.example/status", {"eventType": "ringing"})
    d.run_due()
    assert transport.calls[0][3] == {"eventType": "ringing"}


@pytest.mark.parametrize(
    ("app_key", "webhook", "url", "message"),
    [
        (APP, "callEventQ", "http://customer.example/status", "no webhook 'callEventQ'"),
        ("nobody", "callEventAxb", "http://customer.example/status", "no application 'nobody'"),
        (APP, "callEventAxb", "/status", "not an absolute"),
        (APP, "callEventAxb", "ftp://customer.example/status", "not an absolute"),
    ],
)
def test_submit_refuses_unknown_webhooks_apps_and_urls(
    app_key: str, webhook: str, url: str, message: str
) -> None:
    with pytest.raises(DeliveryError, match=message):
        deliverer(transport=Transport()).submit(app_key, webhook, url, example("callEventAxb", "callin"))


# retries on the virtual clock


def test_the_schedule_is_the_vendors_counted_from_the_first_failed_attempt_as_the_spec_says() -> None:
    assert SPEC.delivery["retryScheduleMinutes"] == [1, 4, 9, 106, 203, 300]
    assert "from the first failed attempt" in SPEC.delivery["retryScheduleNote"]
    assert deliverer(transport=Transport()).retry_offsets == tuple(OFFSETS)


def test_a_failing_push_is_retried_exactly_on_schedule_and_given_up_after_the_sixth_retry() -> None:
    transport = Transport((500, b""))
    clock = VirtualClock(start=WALL, frozen=True)
    d = deliverer(clock, transport=transport)
    d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    assert d.run_due() == 1
    for offset in OFFSETS:
        clock.set(WALL + offset - 1)
        assert d.run_due() == 0, f"retry sent before +{offset}s"
        clock.set(WALL + offset)
        assert d.run_due() == 1, f"no retry at +{offset}s"
    clock.advance(86400)
    assert d.run_due() == 0
    (push,) = d.pushes()
    assert push.state == "given-up" and push.next_attempt_at is None
    assert [a.number for a in push.attempts] == [1, 2, 3, 4, 5, 6, 7]
    assert [a.platform_time - WALL for a in push.attempts] == [0, *OFFSETS]
    assert all(a.status == 500 and a.error and "HTTP 500" in a.error for a in push.attempts)


def test_a_clock_jump_makes_every_retry_that_fell_inside_it() -> None:
    clock = VirtualClock(start=WALL, frozen=True)
    d = deliverer(clock, transport=Transport((500, b"")))
    d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.run_due()
    clock.advance(10 * 3600)
    assert d.run_due() == 6
    (push,) = d.pushes()
    assert push.state == "given-up"
    assert [a.due_at - WALL for a in push.attempts] == [0, *OFFSETS]


def test_a_200_stops_the_retries() -> None:
    transport = Transport((500, b""), (200, b""))
    clock = VirtualClock(start=WALL, frozen=True)
    d = deliverer(clock, transport=transport)
    push = d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.run_due()
    assert push.state == "pending" and push.next_attempt_at == WALL + 60
    clock.advance(60)
    d.run_due()
    clock.advance(86400)
    assert d.run_due() == 0
    assert push.state == "delivered" and len(transport.calls) == 2 and push.error is None


def test_a_500_from_the_receiver_fails_the_attempt_and_its_answer_is_journaled(
    receiver: Callable[..., Receiver],
) -> None:
    r = receiver(status=500, body=b"x" * 10_000)
    d = deliverer()
    push = d.submit(APP, "callEventAxb", f"{r.base}/status", example("callEventAxb", "callin"))
    d.run_due()
    (attempt,) = push.attempts
    assert attempt.status == 500 and attempt.error == "HTTP 500: only 200 counts as delivered"
    assert attempt.response_body == "x" * RESPONSE_BODY_LIMIT
    assert push.state == "pending" and push.next_attempt_at == WALL + 60


def test_a_receiver_slower_than_the_timeout_fails_the_attempt(receiver: Callable[..., Receiver]) -> None:
    r = receiver(delay=0.5)
    d = deliverer(timeout=0.1)
    push = d.submit(APP, "callEventAxb", f"{r.base}/status", example("callEventAxb", "callin"))
    d.run_due()
    (attempt,) = push.attempts
    assert attempt.status is None and attempt.error and "no answer within 0.1s" in attempt.error
    assert attempt.latency_ms < 400
    assert push.next_attempt_at == WALL + 60


def test_an_answer_later_than_the_timeout_counts_as_none_whatever_the_transport_did() -> None:
    d = deliverer(timeout=0.05, transport=Transport((200, b""), delay=0.1))
    push = d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.run_due()
    assert push.state == "pending" and push.error and "beyond the 0.05s timeout" in push.error


def test_a_transport_that_raises_counts_as_no_answer() -> None:
    d = deliverer(transport=Transport(ConnectionRefusedError("refused")))
    push = d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.run_due()
    assert push.attempts[0].status is None
    assert push.error == "no answer within 0.2s: ConnectionRefusedError: refused"


def test_a_refused_connection_is_a_failure(receiver: Callable[..., Receiver]) -> None:
    r = receiver()
    url = f"{r.base}/status"
    r.close()
    d = deliverer()
    push = d.submit(APP, "callEventAxb", url, example("callEventAxb", "callin"))
    d.run_due()
    assert push.attempts[0].status is None and push.state == "pending"


# the worker: the API never waits, targets do not wait for each other, order per target


def test_submit_returns_at_once_and_other_applications_get_their_pushes_while_one_receiver_hangs(
    receiver: Callable[..., Receiver],
) -> None:
    hanging, healthy = receiver(delay=1.0), receiver()
    with deliverer(timeout=0.3) as d:
        for _ in range(5):
            started = time.perf_counter()
            d.submit(APP, "callEventAxb", f"{hanging.base}/status", example("callEventAxb", "callin"))
            assert time.perf_counter() - started < 0.05
        time.sleep(0.05)  # the hanging receiver has its first push now
        submitted = time.monotonic()
        d.submit(OTHER_APP, "feeAxb", f"{healthy.base}/fee", example("feeAxb", "answered"))
        assert d.wait_idle(0.25) is False  # the hanging target is still being tried
        assert len(healthy.got) == 1 and healthy.got[0].at - submitted < 0.3
    assert len(hanging.got) >= 1


def test_hanging_targets_hold_a_healthy_one_back_for_one_round_at_most() -> None:
    def transport(
        method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        if "hang" in url:
            time.sleep(timeout)
        else:
            delivered.append(time.monotonic())
        return 200, b""

    delivered: list[float] = []
    with deliverer(timeout=0.15, workers=2, transport=transport) as d:
        for app, target in ((APP, "hang-a"), (THIRD_APP, "hang-b")):
            for _ in range(3):
                d.submit(app, "callEventAxb", f"http://{target}.example/", example("callEventAxb", "callin"))
        time.sleep(0.03)  # both threads are busy with the hanging targets
        submitted = time.monotonic()
        d.submit(OTHER_APP, "callEventAxb", "http://healthy.example/", example("callEventAxb", "callin"))
        deadline = time.monotonic() + 1.0
        while not delivered and time.monotonic() < deadline:
            time.sleep(0.005)
        d.clear()  # drop the hanging backlog so stop() returns soon
    assert delivered and delivered[0] - submitted < 0.3


def test_pushes_to_one_target_go_one_at_a_time_in_submit_order() -> None:
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}
    order: dict[str, list[str]] = {}
    lock = threading.Lock()

    def transport(
        method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        with lock:
            in_flight[url] = in_flight.get(url, 0) + 1
            most[url] = max(most.get(url, 0), in_flight[url])
            order.setdefault(url, []).append(json.loads(body)["eventType"])
        time.sleep(0.005)
        with lock:
            in_flight[url] -= 1
        return 200, b""

    events = ["callin", "callout", "alerting", "answer", "disconnect"]
    urls = ["http://one.example/status", "http://two.example/status"]
    with deliverer(transport=transport) as d:
        for event in events:
            for url in urls:
                d.submit(APP, "callEventAxb", url, example("callEventAxb", event))
        assert d.wait_idle(2.0)
    assert order == {url: events for url in urls}
    assert most == {url: 1 for url in urls}


def test_a_push_waiting_for_its_retry_does_not_hold_back_later_pushes_to_the_same_url() -> None:
    d = deliverer(transport=Transport((500, b""), (200, b"")))
    first = d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.run_due()
    second = d.submit(
        APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callout")
    )
    d.run_due()
    assert (first.state, second.state) == ("pending", "delivered")


# CDR batches


def test_120_cdrs_of_one_virtual_second_go_out_as_posts_of_50_50_and_20(
    receiver: Callable[..., Receiver],
) -> None:
    assert SPEC.delivery["cdrBatchMax"] == 50
    r = receiver()
    d = deliverer()
    for n in range(120):
        d.submit_cdr(APP, "feeAxb", f"{r.base}/fee", cdr(n))
    assert d.run_due() == 2  # the third batch is still filling
    d.flush()
    assert d.run_due() == 1
    bodies = [json.loads(got.body) for got in r.got]
    assert [len(b["feeLst"]) for b in bodies] == [50, 50, 20]
    assert all(b["eventType"] == "fee" for b in bodies)
    sessions = [item["sessionId"] for b in bodies for item in b["feeLst"]]
    assert sessions == [cdr(n)["sessionId"] for n in range(120)]
    pointer = SPEC.webhooks["feeAxb"].body_schema_pointer
    assert all(SCHEMAS.errors(pointer, b) == [] for b in bodies)


def test_a_cdr_batch_is_sent_once_the_virtual_clock_moves_to_another_second() -> None:
    transport = Transport()
    clock = VirtualClock(start=WALL, frozen=True)
    d = deliverer(clock, transport=transport)
    for n in range(3):
        d.submit_cdr(APP, "feeAxb", "http://customer.example/fee", cdr(n))
    assert d.run_due() == 0
    (held,) = d.pushes()
    assert held.state == "pending" and held.next_attempt_at is None
    clock.advance(1)
    d.submit_cdr(APP, "feeAxb", "http://customer.example/fee", cdr(3))
    assert d.run_due() == 1
    assert [len(call[3]["feeLst"]) for call in transport.calls] == [3]


def test_cdrs_for_different_urls_or_webhooks_are_batched_apart() -> None:
    transport = Transport()
    d = deliverer(transport=transport)
    d.submit_cdr(APP, "feeAxb", "http://one.example/fee", cdr(1))
    d.submit_cdr(APP, "feeAxb", "http://two.example/fee", cdr(2))
    d.submit_cdr(APP, "feeAxb", "http://one.example/fee", cdr(3))
    d.flush()
    d.run_due()
    sizes = sorted((call[1], len(call[3]["feeLst"])) for call in transport.calls)
    assert sizes == [("http://one.example/fee", 2), ("http://two.example/fee", 1)]


def test_an_invalid_cdr_is_refused_at_submit() -> None:
    d = deliverer(transport=Transport())
    with pytest.raises(InvalidPushBody, match="feeLst/0"):
        d.submit_cdr(APP, "feeAxb", "http://customer.example/fee", {"direction": "sideways"})


def test_only_webhooks_with_a_bounded_list_can_be_batched() -> None:
    with pytest.raises(DeliveryError, match="not a batched push"):
        deliverer(transport=Transport()).submit_cdr(
            APP, "callEventAxb", "http://customer.example/status", {"eventType": "callin"}
        )


# Block pushes


def test_a_block_push_waits_for_the_decision_and_keeps_a_valid_reply(
    receiver: Callable[..., Receiver],
) -> None:
    decision = reply_example("callinBlockX", "connect")
    r = receiver(body=json.dumps(decision).encode())
    d = deliverer()
    push = d.deliver_blocking(APP, "callinBlockX", f"{r.base}/status", example("callinBlockX", "callin"))
    assert push.state == "delivered" and push.reply == decision and len(r.got) == 1


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (b'{"operation": "dance"}', "operation: 'dance' is not one of"),
        (b'{"operation": "connect"}', "'connectInfo' is a required property"),
        (b"OK", "reply is not JSON"),
        (b"", "empty reply"),
    ],
)
def test_a_bad_callin_reply_fails_the_push_with_the_broken_rule_and_is_not_retried(
    reply: bytes, reason: str
) -> None:
    assert "callinBlockX" in SPEC.delivery["notRetried"]
    clock = VirtualClock(start=WALL, frozen=True)
    transport = Transport((200, reply))
    d = deliverer(clock, transport=transport)
    push = d.deliver_blocking(
        APP, "callinBlockX", "http://customer.example/status", example("callinBlockX", "callin")
    )
    assert push.state == "failed" and push.reply is None
    assert push.error and reason in push.error
    clock.advance(86400)
    assert d.run_due() == 0 and len(transport.calls) == 1


def test_a_failed_sms_block_push_is_retried_since_the_spec_retries_it() -> None:
    assert "smsBlockAx" not in SPEC.delivery["notRetried"]
    clock = VirtualClock(start=WALL, frozen=True)
    decision = reply_example("smsBlockAx", "discard")
    d = deliverer(clock, transport=Transport((503, b""), (200, json.dumps(decision).encode())))
    push = d.deliver_blocking(
        APP, "smsBlockAx", "http://customer.example/block", example("smsBlockAx", "toDecide")
    )
    assert push.state == "pending" and push.next_attempt_at == WALL + 60
    clock.advance(60)
    d.run_due()
    assert push.state == "delivered" and push.reply == decision


def test_deliver_blocking_refuses_a_push_whose_receiver_owes_no_decision() -> None:
    with pytest.raises(DeliveryError, match="not a Block push"):
        deliverer(transport=Transport()).deliver_blocking(
            APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin")
        )


# the journal


def test_the_journal_keeps_each_attempt_but_never_the_secret_or_the_digest(
    receiver: Callable[..., Receiver],
) -> None:
    r = receiver()
    d = deliverer()
    d.submit(APP, "callEventAxb", f"{r.base}/status", example("callEventAxb", "callin"))
    d.run_due()
    token = r.got[0].headers["x-aksk"]
    digest = token.split('PasswordDigest="')[1].split('"')[0]
    (entry,) = d.as_dicts()
    (attempt,) = entry["attempts"]
    assert (entry["state"], attempt["status"], attempt["url"]) == ("delivered", 200, f"{r.base}/status")
    assert attempt["latency_ms"] > 0 and attempt["wall_time"] > 0 and attempt["platform_time"] == WALL
    assert 'PasswordDigest="(not journaled)"' in attempt["headers"]["X-AKSK"]
    dumped = json.dumps(d.as_dicts())
    assert SECRET not in dumped and digest not in dumped


def test_the_journal_filters_by_app_and_webhook_and_clear_forgets_everything() -> None:
    d = deliverer(transport=Transport())
    d.submit(APP, "callEventAxb", "http://customer.example/status", example("callEventAxb", "callin"))
    d.submit_cdr(APP, "feeAxb", "http://customer.example/fee", cdr(1))
    assert [p.webhook for p in d.pushes(app_key=APP)] == ["callEventAxb", "feeAxb"]
    assert [p.webhook for p in d.pushes(webhook="feeAxb")] == ["feeAxb"]
    assert d.pushes(app_key="someone-else") == []
    d.clear()
    d.flush()
    assert d.pushes() == [] and d.run_due() == 0


# calls, retries and the bound on pending pushes


def _of_call(event: str, session: str) -> dict[str, Any]:
    body = example("callEventAxb", event)
    body["statusInfo"]["sessionId"] = session
    return body


def test_pushes_of_different_calls_to_one_slow_url_go_out_side_by_side_and_each_call_in_order() -> None:
    in_flight = {"now": 0, "most": 0}
    order: dict[str, list[str]] = {}
    lock = threading.Lock()

    def transport(
        method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        sent = json.loads(body)
        with lock:
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
            order.setdefault(sent["statusInfo"]["sessionId"], []).append(sent["eventType"])
        time.sleep(0.05)
        with lock:
            in_flight["now"] -= 1
        return 200, b""

    events = ["callin", "callout", "alerting", "answer", "disconnect"]
    with deliverer(transport=transport, workers=8) as d:
        for event in events:
            for call in range(4):
                d.submit(APP, "callEventAxb", "http://slow.example/status", _of_call(event, f"call-{call}"))
        assert d.wait_idle(5.0)
    assert order == {f"call-{call}": events for call in range(4)}
    assert in_flight["most"] == 4  # one attempt per call at a time, the four calls together


def test_retries_for_a_dead_receiver_never_delay_the_first_attempt_of_a_new_push() -> None:
    clock = VirtualClock(start=WALL, frozen=True)
    first_attempts: list[float] = []

    def transport(
        method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> tuple[int, bytes]:
        if "dead" in url:
            time.sleep(timeout)  # a receiver that never answers
            raise TimeoutError("no answer")
        first_attempts.append(time.monotonic())
        return 200, b""

    with deliverer(clock, transport=transport, workers=4, timeout=0.3) as d:
        for call in range(8):
            d.submit(APP, "callEventAxb", "http://dead.example/status", _of_call("callin", f"dead-{call}"))
        assert d.wait_idle(3.0)  # every first attempt failed; each waits a minute for its retry
        clock.advance(60)  # eight retries are due at once, more than the four threads
        time.sleep(0.05)
        submitted = time.monotonic()
        d.submit(APP, "callEventAxb", "http://live.example/status", _of_call("callin", "live"))
        deadline = time.monotonic() + 2
        while not first_attempts and time.monotonic() < deadline:
            time.sleep(0.005)
        d.clear()
    assert first_attempts and first_attempts[0] - submitted < 0.15  # not one timeout (0.3 s) later


def test_pending_pushes_are_bounded_per_application_and_the_oldest_are_dropped_with_a_note() -> None:
    d = deliverer(transport=Transport((500, b"")), max_pending=3)
    pushes = [
        d.submit(APP, "callEventAxb", "http://down.example/status", _of_call("callin", f"c{n}"))
        for n in range(5)
    ]
    other = d.submit(OTHER_APP, "callEventAxb", "http://down.example/status", _of_call("callin", "o"))
    assert [p.state for p in d.pushes(app_key=APP)] == ["dropped", "dropped", "pending", "pending", "pending"]
    assert "max_pending_pushes" in (d.pushes(app_key=APP)[0].note or "")
    assert d.run_due() == 4  # three of APP, one of OTHER_APP: the dropped ones are not sent
    assert pushes[0].attempts == [] and other.state == "pending"
