"""The CDR (`fee` push) of a simulated call: every field agrees with the events that were sent."""

from __future__ import annotations

from typing import Any

from pns_mock.spec import Spec

from ..domain.clock import format_time
from .model import OUTCOMES, RECORD_DOMAIN, SimulatedCall

HOST_NAME = "callenabler.pns-mock.local"


def build_cdr(spec: Spec, call: SimulatedCall, record_file: str | None) -> dict[str, Any]:
    route, plan, times, app = call.route, call.plan, call.times, call.app
    mode = app.mode
    code = call.state_code or 0
    outcome = OUTCOMES[plan.outcome]

    def at(step: str) -> str | None:
        return format_time(times[step], "pns-datetime") if step in times else None

    fee: dict[str, Any] = {
        "direction": route.direction,
        "spId": "pns-mock",
        "appKey": app.app_key,
        "icid": f"{call.session_id.split('@')[0]}.{len(call.sent)}",
        "bindNum": route.x,
        "sessionId": call.session_id,
        "callerNum": plan.caller,
        "calleeNum": plan.dialled,
        "callInTime": format_time(call.start, "pns-datetime"),
        "callEndTime": at("disconnect"),
        # the disconnect point, when the table has the cause (0: released normally)
        "ulFailReason": code if code in spec.disconnect_points else None,
        "fwdUnaswRsn": 0 if "answer" in times or not route.forwarded else outcome.q850,
        "sipStatusCode": 0 if "answer" in times or not route.forwarded else outcome.sip,
        "recordFlag": 1 if record_file else 0,
        "hostName": HOST_NAME,
    }
    if route.subscription_id and mode != "X":
        fee["subscriptionId"] = route.subscription_id
    if route.forwarded:
        fee["fwdDisplayNum"] = route.display
        fee["fwdDstNum"] = route.callee
        fee["fwdStartTime"] = at("callout")
        fee["fwdAlertingTime"] = at("alerting")
        fee["fwdAnswerTime"] = at("answer")
    if "answer" not in times:
        fee["failTime"] = at("disconnect")
    if record_file:
        fee["recordStartTime"] = at("answer")
        fee["recordObjectName"] = record_file
        fee["recordBucketName"] = "pns-mock"
        fee["recordDomain"] = RECORD_DOMAIN
    if route.user_data:
        fee["userData"] = route.user_data
    if mode == "AXE" and route.extend_num:
        fee["extendNum"] = route.extend_num
    if mode == "X":
        fee["notifyMode"] = "Block"
    return {k: v for k, v in fee.items() if v is not None}
