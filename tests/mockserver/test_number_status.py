"""X-number status: what a paused, unavailable or binding-frozen number still allows."""

from __future__ import annotations

import pytest

from pns_mock.mockserver.http import Engine
from pns_mock.mockserver.traffic import CallPlan

from .helpers import AX, AXB, X1, X2, A, B, C, ax_client, axb_client, make_engine


@pytest.fixture
def engine() -> Engine:
    return make_engine()


@pytest.mark.parametrize("status", ["9", "10", "11"])
def test_a_number_that_is_not_normal_takes_no_new_bindings(engine: Engine, status: str) -> None:
    engine.platform.traffic.number_status([{"number": X1, "status": status}])
    r = axb_client(engine).call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    assert (r.status, r.json()["resultcode"]) == (403, "1012102")
    ax = ax_client(engine).call("POST", AX, json={"origNum": A, "privateNum": "+8617010000101"})
    assert ax.json()["resultcode"] == "0"  # another application's number is untouched


def test_allocation_passes_over_numbers_that_take_no_bindings(engine: Engine) -> None:
    engine.platform.traffic.number_status([{"number": X1, "status": "11"}])
    r = axb_client(engine).call("POST", AXB, json={"callerNum": A, "calleeNum": B, "areaCode": "0755"})
    assert r.json()["relationNum"] == X2


def test_binding_frozen_keeps_existing_calls_and_unavailable_stops_them(engine: Engine) -> None:
    platform = engine.platform
    axb_client(engine).call("POST", AXB, json={"callerNum": A, "calleeNum": B, "relationNum": X1})
    platform.traffic.number_status([{"number": X1, "status": "11"}])
    frozen = platform.traffic.call(CallPlan(caller=A, dialled=X1))
    assert frozen.route.callee == B
    platform.traffic.number_status([{"number": X1, "status": "10", "cause": "2"}])
    stopped = platform.traffic.call(CallPlan(caller=A, dialled=X1))
    platform.clock.advance(60)
    platform.traffic.pump()
    assert stopped.state_code == 8055
    sms = platform.traffic.sms(C, X1, "hi")
    assert sms.forwarded_to is None


def test_a_status_change_is_pushed_to_the_owner_as_num_status(engine: Engine) -> None:
    platform = engine.platform
    platform.app("demo-axb").callbacks["status"] = "http://127.0.0.1:9/status"
    items = platform.traffic.number_status(
        [{"number": X1, "status": "10", "cause": "3"}, {"number": X2, "status": "5"}]
    )
    assert items[0] == {"number": X1, "status": "10", "cause": "3"}
    push = platform.deliverer.pushes(webhook="numStatus")[0]
    assert push.body == {"eventType": "numStatus", "numInfo": items}
