"""Call flows: every push the platform sends for one call, in order, ready to replay.

A flow is the call events of one call (in X mode the Block `callin` and the customer's reply come
first), then its CDR: one `sessionId` throughout, event times that never go back, and CDR times
equal to the events they record. Which webhook carries which push, and the text of each hang-up
cause, come from the spec; the values come from a `PnsProvider`, so a seed gives the same flow.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import spec

from .providers import PnsProvider

__all__ = ["OUTCOMES", "CallFlow", "Outcome", "Push", "call_flow", "outcomes", "webhook_for"]


@dataclass(frozen=True)
class Outcome:
    """How a call ends: the disconnect `stateCode` (= CDR `ulFailReason`) and the forwarded leg."""

    name: str
    state_code: int
    q850: int  # CDR fwdUnaswRsn
    sip_status: int
    reached: str  # last event of the forwarded leg: "", "callout", "alerting" or "answer"
    direction: int | None = None  # CDR direction when it is not the mode's usual one
    bound: bool = True  # whether a binding matched the call


_COMMON = (
    Outcome("answered", 0, 0, 0, "answer"),
    Outcome("busy", 8102, 17, 486, "callout"),
    Outcome("no-answer", 8101, 19, 480, "alerting"),
    Outcome("rejected", 7504, 21, 603, "alerting"),
)

# The outcomes each mode has: the common ones, plus how a call without a usable binding ends.
OUTCOMES: dict[str, tuple[Outcome, ...]] = {
    "AXB": (*_COMMON, Outcome("no-binding", 8014, 0, 0, "", direction=2, bound=False)),
    # AX: A dials X while no temporary callee is set; the binding exists.
    "AX": (*_COMMON, Outcome("no-binding", 8013, 0, 0, "", direction=1)),
    "AXE": (
        *_COMMON,
        Outcome("no-binding", 8022, 0, 0, "", direction=2, bound=False),
        Outcome("no-extension", 7516, 0, 0, "", direction=2, bound=False),
    ),
    "AXYB": (*_COMMON, Outcome("no-binding", 8030, 0, 0, "", direction=2, bound=False)),
    # X keeps no bindings: the customer's `close` reply is what refuses a call.
    "X": (*_COMMON, Outcome("closed", 8017, 0, 0, "", direction=2, bound=False)),
}

# CDR direction of an ordinary call: AXB counts A calling B, the other modes a call towards A.
_DIRECTION = {"AXB": 1, "AX": 0, "AXE": 0, "AXYB": 0, "X": 0}
_LEG = ("callout", "alerting", "answer")


def outcomes(mode: str) -> tuple[str, ...]:
    return tuple(o.name for o in OUTCOMES[mode])


def webhook_for(mode: str, prefix: str) -> str:
    """The spec's webhook of `mode` whose name starts with `prefix` (`callEvent`, `fee`, `callinBlock`)."""
    for name, hook in spec.load().webhooks.items():
        if hook.mode == mode and name.startswith(prefix):
            return name
    raise KeyError(f"the spec has no {prefix} webhook for mode {mode}")


@dataclass(frozen=True)
class Push:
    webhook: str
    body: dict[str, Any]
    reply: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"webhook": self.webhook, "body": self.body}
        if self.reply is not None:
            out["reply"] = self.reply
        return out


@dataclass(frozen=True)
class CallFlow:
    mode: str
    outcome: str
    session_id: str
    events: tuple[Push, ...]
    cdr: Push

    def pushes(self) -> Iterator[Push]:
        yield from self.events
        yield self.cdr

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "outcome": self.outcome,
            "sessionId": self.session_id,
            "events": [e.to_json() for e in self.events],
            "cdr": self.cdr.to_json(),
        }


@dataclass
class _Call:
    fake: PnsProvider
    mode: str
    outcome: Outcome
    x: str
    display: str
    caller: str
    callee: str
    session_id: str
    subscription_id: str | None
    user_data: str
    extension: str | None
    times: dict[str, datetime] = field(default_factory=dict)

    def info(self, event: str, called: str) -> dict[str, Any]:
        info: dict[str, Any] = {
            "timestamp": self.fake.pns_timestamp("pns-datetime", self.times[event]),
            "sessionId": self.session_id,
            "caller": self.caller,
            "called": called,
        }
        if self.subscription_id and not (self.mode == "AXE" and event in ("callin", "collectInfo")):
            info["subscriptionId"] = self.subscription_id
        return info


def call_flow(
    fake: PnsProvider,
    mode: str,
    outcome: str,
    *,
    app_key: str | None = None,
    x_number: str | None = None,
    y_number: str | None = None,
    start: datetime | None = None,
    recorded: bool = True,
    extension_length: int = 4,
) -> CallFlow:
    """The pushes of one call of an application of `mode` that ends as `outcome` (see `OUTCOMES`)."""
    try:
        how = next(o for o in OUTCOMES[mode] if o.name == outcome)
    except (KeyError, StopIteration):
        known = {m: outcomes(m) for m in OUTCOMES}
        raise ValueError(f"no call outcome {outcome!r} for mode {mode!r}; known: {known}") from None
    app_key = app_key or fake.pns_app_key()
    start = start or fake.pns_moment()
    x = x_number or fake.pns_x_number()
    has_binding = how.bound and mode != "X"
    call = _Call(
        fake=fake,
        mode=mode,
        outcome=how,
        x=x,
        display=(y_number or fake.pns_x_number()) if mode == "AXYB" else x,
        caller=fake.pns_mobile(),
        callee=fake.pns_number(),
        session_id=fake.pns_session_id(at=start),
        subscription_id=fake.pns_subscription_id() if has_binding else None,
        user_data=fake.pns_user_data(at=start),
        extension=fake.pns_extension(extension_length)
        if mode == "AXE" and how.name != "no-extension"
        else None,
    )
    _timeline(call, start)
    events = _events(call)
    cdr = _cdr(call, app_key, fake.pns_sp_id(), recorded and how.reached == "answer")
    return CallFlow(mode, how.name, call.session_id, tuple(events), cdr)


def _timeline(call: _Call, start: datetime) -> None:
    rnd: random.Random = call.fake.generator.random
    t = call.times
    t["callin"] = start
    now = start
    if call.extension is not None:
        now = t["collectInfo"] = now + timedelta(seconds=rnd.randint(3, 8))
    gaps = {"callout": (0, 1), "alerting": (1, 3), "answer": (3, 15)}
    reached = _LEG[: _LEG.index(call.outcome.reached) + 1] if call.outcome.reached else ()
    for event in reached:
        now = t[event] = now + timedelta(seconds=rnd.randint(*gaps[event]))
    after = {"answered": (10, 600), "busy": (1, 2), "no-answer": (45, 60), "rejected": (3, 10)}
    now += timedelta(seconds=rnd.randint(*after.get(call.outcome.name, (1, 5))))
    t["disconnect"] = now


def _events(call: _Call) -> list[Push]:
    hook = webhook_for(call.mode, "callEvent")
    callin = call.info("callin", call.x)
    if call.mode == "X":
        callin["notifyMode"] = "Block"
        events = [Push(webhook_for("X", "callinBlock"), _body("callin", callin), _block_reply(call))]
    else:
        if call.subscription_id and call.mode != "AXE":
            callin["userData"] = call.user_data
        events = [Push(hook, _body("callin", callin))]
    if call.extension is not None and "collectInfo" in call.times:
        digits = {**call.info("collectInfo", call.x), "digitInfo": call.extension}
        events.append(Push(hook, _body("collectInfo", digits)))
    called = call.callee if "callout" in call.times else call.x
    for event in (*(e for e in _LEG if e in call.times), "disconnect"):
        status = call.info(event, called)
        if event == "disconnect":
            code = call.outcome.state_code
            status |= {"stateCode": code, "stateDesc": spec.load().hangup_causes[code].text}
        if call.mode == "X":
            status |= {"notifyMode": "Notify", "userData": call.user_data}
        events.append(Push(hook, _body(event, status)))
    return events


def _body(event: str, status: dict[str, Any]) -> dict[str, Any]:
    return {"eventType": event, "statusInfo": status}


def _block_reply(call: _Call) -> dict[str, Any]:
    """What the customer answers to the X-mode callin: end the call, or connect it to the callee."""
    if call.outcome.name == "closed":
        return {"operation": "close", "closeInfo": {"userData": call.user_data}}
    connect = {"calleeNum": call.callee, "displayCalleeNum": call.x, "userData": call.user_data}
    return {"operation": "connect", "connectInfo": connect}


def _cdr(call: _Call, app_key: str, sp_id: str, recorded: bool) -> Push:
    fake, how, times = call.fake, call.outcome, call.times
    when = {k: fake.pns_timestamp("pns-datetime", v) for k, v in times.items()}
    fee: dict[str, Any] = {
        "direction": _DIRECTION[call.mode] if how.direction is None else how.direction,
        "spId": sp_id,
        "appKey": app_key,
        "icid": fake.pns_icid(),
        "bindNum": call.x,
        "sessionId": call.session_id,
    }
    if call.subscription_id:
        fee["subscriptionId"] = call.subscription_id
    fee |= {"callerNum": call.caller, "calleeNum": call.x}
    if "callout" in times:
        fee |= {"fwdDisplayNum": call.display, "fwdDstNum": call.callee}
    fee["callInTime"] = when["callin"]
    names = {"callout": "fwdStartTime", "alerting": "fwdAlertingTime", "answer": "fwdAnswerTime"}
    fee |= {names[e]: when[e] for e in _LEG if e in times}
    fee |= {"callEndTime": when["disconnect"], "fwdUnaswRsn": how.q850}
    if how.reached != "answer":
        fee["failTime"] = when["disconnect"]
    if how.state_code in spec.load().disconnect_points:
        fee["ulFailReason"] = how.state_code
    fee |= {"sipStatusCode": how.sip_status, "recordFlag": int(recorded)}
    if recorded:
        fee |= {
            "recordStartTime": when["answer"],
            "recordDomain": "ostor.huawei.com",
            "recordBucketName": f"sp-{app_key}"[:31],
            "recordObjectName": fake.pns_record_object_name(at=times["answer"]),
        }
    fee["hostName"] = call.session_id.partition("@")[2]
    if call.extension is not None:
        fee["extendNum"] = call.extension
    if call.mode == "X" or call.subscription_id:
        fee["userData"] = call.user_data
    if call.mode == "X":
        fee["notifyMode"] = "Block"
    return Push(webhook_for(call.mode, "fee"), {"eventType": "fee", "feeLst": [fee]})
