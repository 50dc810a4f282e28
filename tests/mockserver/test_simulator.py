"""Simulated calls: routing through bindings, event order, CDR consistency, every body spec-valid."""

from __future__ import annotations

from typing import Any

import pytest

from pns_mock.mockserver.config import default_config
from pns_mock.mockserver.domain import Application, IdFactory, VirtualClock
from pns_mock.mockserver.platform import Platform
from pns_mock.mockserver.traffic import ROUTERS, CallPlan, Simulator

from .helpers import WALL, X1, A, B, C
from .sinks import SPEC, RecordingSink


@pytest.fixture
def platform() -> Platform:
    return Platform(default_config(), clock=VirtualClock(start=WALL, frozen=True))


def _simulator(platform: Platform, sink: RecordingSink) -> Simulator:
    def router(app: Application, plan: CallPlan, now: float) -> Any:
        backend = platform.backend(app.app_key)
        return ROUTERS[app.mode](backend, plan.caller, plan.dialled, plan.digits, now)

    return Simulator(SPEC, platform.clock, IdFactory(1), platform.calls, platform.recordings, sink, router)


def _bind(platform: Platform, **extra: Any) -> str:
    binding = platform.backend("demo-axb").bind(caller_num=A, callee_num=B, relation_num=X1, **extra)
    return str(binding.subscription_id)


def test_an_answered_axb_call_sends_five_events_in_order_then_one_consistent_cdr(platform: Platform) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    sid = _bind(platform, user_data="ride-42")
    sim.place(platform.app("demo-axb"), CallPlan(caller=A, dialled=X1, answer_after=4, talk=60))
    assert sink.events() == ["callin"]
    platform.clock.advance(100)
    sim.tick()
    assert sink.events() == ["callin", "callout", "alerting", "answer", "disconnect", "fee"]
    # the call-event table: every event naming the binding carries its userData (spec x-pns-conflict)
    assert [
        sink.status(e).get("userData") for e in ("callin", "callout", "alerting", "answer", "disconnect")
    ] == ["ride-42"] * 5
    assert {body["statusInfo"]["sessionId"] for _, body in sink.pushed[:5]} == {sink.fee()["sessionId"]}
    fee = sink.fee()
    assert (fee["subscriptionId"], fee["direction"], fee["fwdDstNum"], fee["bindNum"]) == (sid, 1, B, X1)
    assert fee["fwdAnswerTime"] == sink.status("answer")["timestamp"] == "2026-11-24 10:00:06"
    assert fee["callEndTime"] == sink.status("disconnect")["timestamp"] == "2026-11-24 10:01:06"
    assert sink.status("disconnect")["stateCode"] == 0
    assert sink.status("callout")["called"] == B


def test_b_calling_x_reaches_a_with_direction_zero(platform: Platform) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    _bind(platform)
    sim.place(platform.app("demo-axb"), CallPlan(caller=B, dialled=X1))
    platform.clock.advance(100)
    sim.tick()
    assert sink.status("callout")["called"] == A
    assert (sink.fee()["direction"], sink.fee()["fwdDstNum"]) == (0, A)


@pytest.mark.parametrize(
    ("outcome", "state_code", "q850", "events"),
    [
        ("busy", 8102, 17, ["callin", "callout", "disconnect", "fee"]),
        ("no-answer", 8101, 19, ["callin", "callout", "alerting", "disconnect", "fee"]),
        ("reject", 7504, 21, ["callin", "callout", "alerting", "disconnect", "fee"]),
    ],
)
def test_failed_outcomes_carry_the_vendor_codes(
    platform: Platform, outcome: str, state_code: int, q850: int, events: list[str]
) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    _bind(platform)
    sim.place(platform.app("demo-axb"), CallPlan(caller=A, dialled=X1, outcome=outcome))
    platform.clock.advance(300)
    sim.tick()
    assert sink.events() == events
    assert sink.status("disconnect")["stateCode"] == state_code
    fee = sink.fee()
    assert (fee["fwdUnaswRsn"], "fwdAnswerTime" in fee, fee["failTime"]) == (q850, False, fee["callEndTime"])


def test_a_stranger_calling_x_is_refused_with_8014_and_an_abnormal_cdr(platform: Platform) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    _bind(platform)
    sim.place(platform.app("demo-axb"), CallPlan(caller=C, dialled=X1))
    platform.clock.advance(10)
    sim.tick()
    assert sink.events() == ["callin", "disconnect", "fee"]
    assert sink.status("disconnect")["stateCode"] == 8014
    assert sink.fee()["direction"] == 2
    assert "subscriptionId" not in sink.fee()


def test_call_direction_one_refuses_b_with_8016(platform: Platform) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    _bind(platform, call_direction=1)
    sim.place(platform.app("demo-axb"), CallPlan(caller=B, dialled=X1))
    platform.clock.advance(10)
    sim.tick()
    assert sink.status("disconnect")["stateCode"] == 8016


def test_max_duration_cuts_the_call_with_8010(platform: Platform) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    _bind(platform, max_duration=1, last_min_voice="last.wav")
    call = sim.place(platform.app("demo-axb"), CallPlan(caller=A, dialled=X1, answer_after=0, talk=600))
    platform.clock.advance(700)
    sim.tick()
    disconnect = sink.status("disconnect")
    assert disconnect["stateCode"] == 8010
    assert call.times["disconnect"] - call.times["answer"] == 60
    assert call.last_min_voice_at == call.times["answer"]


def test_a_recorded_call_leaves_a_downloadable_recording(platform: Platform) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    _bind(platform, record_flag=True)
    sim.place(platform.app("demo-axb"), CallPlan(caller=A, dialled=X1, talk=20))
    platform.clock.advance(100)
    sim.tick()
    fee = sink.fee()
    assert fee["recordFlag"] == 1
    assert platform.recordings.find("demo-axb", fee["recordDomain"], fee["recordObjectName"]).seconds == 20


def test_stop_call_releases_a_call_in_progress_at_once(platform: Platform) -> None:
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    _bind(platform)
    call = sim.place(platform.app("demo-axb"), CallPlan(caller=A, dialled=X1, answer_after=2, talk=600))
    platform.clock.advance(10)
    sim.tick()
    platform.calls.stop("demo-axb", call.session_id)
    platform.clock.advance(1000)
    sim.tick()
    assert sink.events() == ["callin", "callout", "alerting", "answer", "disconnect", "fee"]
    assert sink.status("disconnect")["timestamp"] == "2026-11-24 10:00:10"
    assert platform.calls.active() == []


def test_ax_owner_calling_x_without_temporary_callee_is_8013_and_with_one_reaches_it(
    platform: Platform,
) -> None:
    backend = platform.backend("demo-ax")
    x = "+8617010000101"
    binding = backend.bind(orig_num=A, private_num=x)
    sink = RecordingSink()
    sim = _simulator(platform, sink)
    sim.place(platform.app("demo-ax"), CallPlan(caller=A, dialled=x))
    platform.clock.advance(10)
    sim.tick()
    assert sink.status("disconnect")["stateCode"] == 8013
    backend.set_temporary_callee(subscription_id=binding.subscription_id, callee_num=C, duration=600)
    sink2 = RecordingSink()
    sim2 = _simulator(platform, sink2)
    sim2.place(platform.app("demo-ax"), CallPlan(caller=A, dialled=x))
    platform.clock.advance(100)
    sim2.tick()
    assert sink2.fee()["fwdDstNum"] == C


@pytest.mark.parametrize(
    ("reply", "state_code", "callee"),
    [
        ({"operation": "connect", "connectInfo": {"calleeNum": B, "userData": "order-7"}}, 0, B),
        ({"operation": "connect", "connectInfo": [{"calleeNum": B}]}, 0, B),
        ({"operation": "close", "closeInfo": {"closeHintTone": "bye.wav"}}, 8017, None),
        (None, 8014, None),
    ],
)
def test_x_mode_block_reply_decides_the_route(
    platform: Platform, reply: dict[str, Any] | None, state_code: int, callee: str | None
) -> None:
    sink = RecordingSink(block_reply=reply)
    sim = _simulator(platform, sink)
    sim.place(platform.app("demo-x"), CallPlan(caller=A, dialled="+8617010000401"))
    platform.clock.advance(100)
    sim.tick()
    assert sink.pushed[0][0] == "callinBlockX"
    assert sink.status("disconnect")["stateCode"] == state_code
    assert sink.fee().get("fwdDstNum") == callee
    if reply and reply.get("connectInfo") and isinstance(reply["connectInfo"], dict):
        assert sink.status("answer")["userData"] == "order-7"


def test_outcome_codes_exist_in_the_spec_tables() -> None:
    from pns_mock.mockserver.traffic import OUTCOMES

    for outcome in OUTCOMES.values():
        assert outcome.state_code in SPEC.hangup_causes
        assert outcome.q850 in SPEC.q850_causes


AXE_X = "+8617010000201"


def _run(platform: Platform, sink: RecordingSink, app_key: str, plan: CallPlan) -> None:
    sim = _simulator(platform, sink)
    sim.place(platform.app(app_key), plan)
    platform.clock.advance(300)
    sim.tick()


def test_axe_b_keys_the_extension_and_reaches_a_then_a_calls_b_back(platform: Platform) -> None:
    binding = platform.backend("demo-axe").bind(bind_num=A, virtual_num=AXE_X, callback_expired_time=1)
    inbound = RecordingSink()
    _run(platform, inbound, "demo-axe", CallPlan(caller=B, dialled=AXE_X, digits=binding.extend_num))
    assert inbound.events() == ["callin", "collectInfo", "callout", "alerting", "answer", "disconnect", "fee"]
    assert inbound.status("collectInfo")["digitInfo"] == binding.extend_num
    assert "subscriptionId" not in inbound.status("callin")
    assert inbound.status("answer")["subscriptionId"] == binding.subscription_id
    assert inbound.fee()["extendNum"] == binding.extend_num
    back = RecordingSink()
    _run(platform, back, "demo-axe", CallPlan(caller=A, dialled=AXE_X))
    assert back.fee()["fwdDstNum"] == B
    assert back.fee()["direction"] == 1


def test_axe_call_back_record_lapses_after_its_lifetime(platform: Platform) -> None:
    binding = platform.backend("demo-axe").bind(bind_num=A, virtual_num=AXE_X, callback_expired_time=1)
    _run(platform, RecordingSink(), "demo-axe", CallPlan(caller=B, dialled=AXE_X, digits=binding.extend_num))
    platform.clock.advance(3600)
    late = RecordingSink()
    _run(platform, late, "demo-axe", CallPlan(caller=A, dialled=AXE_X))
    assert late.status("disconnect")["stateCode"] == 8019


@pytest.mark.parametrize(("digits", "state_code"), [("", 8033), ("9999", 8022)])
def test_axe_empty_or_unknown_extension_fails(platform: Platform, digits: str, state_code: int) -> None:
    platform.backend("demo-axe").bind(bind_num=A, virtual_num=AXE_X)
    sink = RecordingSink()
    _run(platform, sink, "demo-axe", CallPlan(caller=B, dialled=AXE_X, digits=digits))
    assert sink.status("disconnect")["stateCode"] == state_code


def test_axyb_a_dials_y_to_reach_b_who_sees_x_and_b_dials_x_to_reach_a_who_sees_y(platform: Platform) -> None:
    backend = platform.backend("demo-axyb")
    ax = backend.bind(orig_num=A)
    yb = backend.bind(subscription_id=ax.subscription_id, orig_num=B)
    out = RecordingSink()
    _run(platform, out, "demo-axyb", CallPlan(caller=A, dialled=yb.relation_number))
    assert (out.fee()["fwdDstNum"], out.fee()["fwdDisplayNum"], out.fee()["direction"]) == (
        B,
        ax.relation_number,
        1,
    )
    back = RecordingSink()
    _run(platform, back, "demo-axyb", CallPlan(caller=B, dialled=ax.relation_number))
    assert (back.fee()["fwdDstNum"], back.fee()["fwdDisplayNum"]) == (A, yb.relation_number)


def test_axyb_a_stranger_dialling_x_is_given_a_y_automatically(platform: Platform) -> None:
    backend = platform.backend("demo-axyb")
    ax = backend.bind(orig_num=A)
    sink = RecordingSink()
    _run(platform, sink, "demo-axyb", CallPlan(caller=C, dialled=ax.relation_number))
    assert sink.fee()["fwdDstNum"] == A
    assert ax.yb_of(C) is not None


def test_axyb_a_dialling_its_own_x_is_8032(platform: Platform) -> None:
    ax = platform.backend("demo-axyb").bind(orig_num=A)
    sink = RecordingSink()
    _run(platform, sink, "demo-axyb", CallPlan(caller=A, dialled=ax.relation_number))
    assert sink.status("disconnect")["stateCode"] == 8032


def test_axe_user_data_rides_on_the_events_that_name_the_binding(platform: Platform) -> None:
    binding = platform.backend("demo-axe").bind(bind_num=A, virtual_num=AXE_X, user_data="parcel-9")
    sink = RecordingSink()
    _run(platform, sink, "demo-axe", CallPlan(caller=B, dialled=AXE_X, digits=binding.extend_num))
    carried = {e: "userData" in sink.status(e) for e in ("callin", "collectInfo", "callout", "disconnect")}
    assert carried == {"callin": False, "collectInfo": False, "callout": True, "disconnect": True}
    assert sink.status("answer")["userData"] == "parcel-9"
