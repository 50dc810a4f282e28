"""Simulated SMS: per-mode forwarding and the Notify / Block pushes, every body spec-valid."""

from __future__ import annotations

from typing import Any

import pytest

from pns_mock.mockserver.config import default_config
from pns_mock.mockserver.domain import IdFactory, VirtualClock
from pns_mock.mockserver.platform import Platform
from pns_mock.mockserver.traffic import SmsRouter

from .helpers import WALL, X1, A, B, C
from .sinks import SPEC, RecordingSink

AX_X, X_X = "+8617010000101", "+8617010000401"


@pytest.fixture
def platform() -> Platform:
    return Platform(default_config(), clock=VirtualClock(start=WALL, frozen=True))


def _router(platform: Platform, sink: RecordingSink) -> SmsRouter:
    return SmsRouter(SPEC, platform.clock, IdFactory(3), sink, platform.backend, lambda x: True)


def test_axb_a_texts_x_and_b_receives_it_with_a_notify_push(platform: Platform) -> None:
    sid = platform.backend("demo-axb").bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    sink = RecordingSink()
    result = _router(platform, sink).send(platform.app("demo-axb"), A, X1, "on my way")
    assert (result.forwarded_to, result.pushes) == (B, ["smsNotifyAxb"])
    event = sink.sms()
    assert (event["calling"], event["called"], event["virtualNumber"], event["subscriptionId"]) == (
        A,
        B,
        X1,
        sid,
    )
    assert event["timeStamp"] == "2026-11-24T10:00:00.000Z"


def test_axb_private_sms_false_is_not_forwarded_and_notify_has_no_called(platform: Platform) -> None:
    platform.backend("demo-axb").bind(caller_num=A, callee_num=B, relation_num=X1, private_sms="false")
    sink = RecordingSink()
    result = _router(platform, sink).send(platform.app("demo-axb"), A, X1, "hi")
    assert result.forwarded_to is None
    assert "called" not in sink.sms()


def test_ax_others_reach_a_with_from_suffix_and_a_reaches_the_at_number(platform: Platform) -> None:
    platform.backend("demo-ax").bind(orig_num=A, private_num=AX_X)
    router = _router(platform, RecordingSink())
    inbound = router.send(platform.app("demo-ax"), B, AX_X, "hello")
    assert (inbound.forwarded_to, inbound.delivered_text) == (A, f"hello[From{B}]")
    outbound = router.send(platform.app("demo-ax"), A, AX_X, f"see you @{C}")
    assert (outbound.forwarded_to, outbound.delivered_text) == (C, "see you ")
    refused = router.send(platform.app("demo-ax"), A, AX_X, "no target")
    assert refused.forwarded_to is None


@pytest.mark.parametrize(
    ("reply", "forwarded"),
    [
        ({"actions": [{"operation": "vNumberRoute", "message": {"called": C, "calling": B}}]}, C),
        ({"actions": {"operation": "vNumberRoute", "message": {"called": C, "calling": B}}}, C),
        ({"actions": [{"operation": "DiscardMessage"}]}, None),
        (None, None),
    ],
)
def test_ax_block_mode_lets_the_reply_decide(
    platform: Platform, reply: dict[str, Any] | None, forwarded: str | None
) -> None:
    app = platform.app("demo-ax")
    app.sms_mode = "block"
    platform.backend("demo-ax").bind(orig_num=A, private_num=AX_X)
    sink = RecordingSink(block_reply=reply)
    result = _router(platform, sink).send(app, B, AX_X, "hello")
    assert result.forwarded_to == forwarded
    assert result.pushes == ["smsBlockAx"]
    assert "called" not in sink.sms("Block")


def test_x_mode_blocks_first_then_notifies_after_forwarding(platform: Platform) -> None:
    reply = {"actions": [{"operation": "vNumberRoute", "message": {"called": B}}]}
    sink = RecordingSink(block_reply=reply)
    result = _router(platform, sink).send(platform.app("demo-x"), A, X_X, "hi")
    assert result.pushes == ["smsBlockX", "smsNotifyX"]
    assert sink.sms("Notify")["called"] == B


def test_axe_has_no_sms(platform: Platform) -> None:
    result = _router(platform, RecordingSink()).send(platform.app("demo-axe"), A, "+8617010000201", "x")
    assert (result.forwarded_to, result.pushes) == (None, [])


def test_an_application_without_sms_forwards_nothing(platform: Platform) -> None:
    platform.backend("demo-axb").bind(caller_num=A, callee_num=B, relation_num=X1)
    app = platform.app("demo-axb")
    app.sms = False
    result = _router(platform, RecordingSink()).send(app, A, X1, "x")
    assert result.forwarded_to is None
    assert result.reason and "no SMS" in result.reason
