"""Call flows: every push the platform sends for one call, in order, ready to replay.

A flow is produced by the mock itself: a throwaway platform with one application of the mode,
the binding state the outcome needs, and the call simulator of `pns-mock serve` placing one call
on a frozen virtual clock. So fixtures, Hypothesis strategies and the server can never disagree
about what a call looks like. The values (numbers, times, user data) come from a `PnsProvider`,
so a seed gives the same flow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pns_mock import spec
from pns_mock.mockserver.config import parse_config
from pns_mock.mockserver.domain import Application, IdFactory, VirtualClock
from pns_mock.mockserver.platform import Platform
from pns_mock.mockserver.traffic import ROUTERS, CallPlan, Route, Simulator

from .providers import PnsProvider

__all__ = ["OUTCOMES", "CallFlow", "Outcome", "Push", "call_flow", "outcomes", "webhook_for"]


@dataclass(frozen=True)
class Outcome:
    """A way a call can end, and the simulator outcome that produces it."""

    name: str
    simulated: str  # CallPlan.outcome
    bound: bool = True  # whether the call finds a usable binding


_COMMON = (
    Outcome("answered", "answer"),
    Outcome("busy", "busy"),
    Outcome("no-answer", "no-answer"),
    Outcome("rejected", "reject"),
)

# The outcomes each mode has: the common ones, plus how a call without a usable binding ends.
OUTCOMES: dict[str, tuple[Outcome, ...]] = {
    "AXB": (*_COMMON, Outcome("no-binding", "answer", bound=False)),
    # AX: A dials X while no temporary callee is set; the binding exists.
    "AX": (*_COMMON, Outcome("no-binding", "answer", bound=False)),
    "AXE": (
        *_COMMON,
        Outcome("no-binding", "answer", bound=False),
        Outcome("no-extension", "answer", bound=False),
    ),
    "AXYB": (*_COMMON, Outcome("no-binding", "answer", bound=False)),
    # X keeps no bindings: the customer's `close` reply is what refuses a call.
    "X": (*_COMMON, Outcome("closed", "answer", bound=False)),
}


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


class _Collector:
    """The simulator's sink: keeps the pushes, and gives the X-mode Block reply."""

    def __init__(self, reply: dict[str, Any] | None) -> None:
        self.pushes: list[Push] = []
        self._reply = reply

    def event(self, app: Application, webhook: str, body: dict[str, Any]) -> None:
        self.pushes.append(Push(webhook, body))

    def cdr(self, app: Application, webhook: str, fee_info: dict[str, Any]) -> None:
        self.pushes.append(Push(webhook, {"eventType": "fee", "feeLst": [fee_info]}))

    def block(self, app: Application, webhook: str, body: dict[str, Any]) -> dict[str, Any] | None:
        self.pushes.append(Push(webhook, body, self._reply))
        return self._reply


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
    x = x_number or fake.pns_x_number()
    numbers = [x] + ([y_number or fake.pns_x_number()] if mode == "AXYB" else [])
    when = (start or fake.pns_moment()).replace(tzinfo=start.tzinfo if start and start.tzinfo else UTC)
    app_key = app_key or fake.pns_app_key()
    config = parse_config(
        {
            "server": {"seed": fake.generator.random.randrange(2**31)},
            "apps": [
                {
                    "app_key": app_key,
                    "app_secret": "flows",
                    "mode": mode,
                    "recording": recorded,
                    "extension_length": extension_length,
                    "numbers": [{"number": n, "area_code": "0755"} for n in dict.fromkeys(numbers)],
                }
            ],
        },
        source="call_flow",
    )
    platform = Platform(config, clock=VirtualClock(start=when.timestamp(), frozen=True))
    app = platform.app(app_key)
    caller, callee = fake.pns_mobile(), fake.pns_number()
    user_data = fake.pns_user_data(at=when)
    reply = _block_reply(how, callee, x, user_data) if mode == "X" else None
    plan = _prepare(platform.backend(app_key), mode, how, x, caller, callee, user_data, recorded)
    rnd = fake.generator.random
    plan = CallPlan(
        caller=plan.caller,
        dialled=plan.dialled,
        digits=plan.digits,
        outcome=how.simulated,
        answer_after=rnd.randint(3, 15),
        talk=rnd.randint(10, 600),
    )
    collector = _Collector(reply)

    def route(app: Application, plan: CallPlan, now: float) -> Route:
        return ROUTERS[app.mode](platform.backend(app.app_key), plan.caller, plan.dialled, plan.digits, now)

    simulator = Simulator(
        spec.load(),
        platform.clock,
        IdFactory(rnd.randrange(2**31)),
        platform.calls,
        platform.recordings,
        collector,
        route,
    )
    call = simulator.place(app, plan)
    platform.clock.advance(3600)
    simulator.tick()
    *events, cdr = collector.pushes
    return CallFlow(mode, how.name, call.session_id, tuple(events), cdr)


def _prepare(
    backend: Any,
    mode: str,
    how: Outcome,
    x: str,
    caller: str,
    callee: str,
    user_data: str,
    recorded: bool,
) -> CallPlan:
    """The binding state the outcome needs, and who dials what."""
    record = {"record_flag": recorded}
    if mode == "AXB":
        if how.bound:
            backend.bind(caller_num=caller, callee_num=callee, relation_num=x, user_data=user_data, **record)
        return CallPlan(caller, x)
    if mode == "AX":
        backend.bind(orig_num=callee, private_num=x, user_data=user_data, **record)
        return CallPlan(callee if not how.bound else caller, x)  # A dialling X with no callee: 8013
    if mode == "AXE":
        binding = backend.bind(bind_num=callee, virtual_num=x, user_data=user_data, **record)
        digits = {"no-binding": "9" * len(binding.extend_num), "no-extension": ""}.get(how.name)
        return CallPlan(caller, x, digits=binding.extend_num if digits is None else digits)
    if mode == "AXYB":
        ax = backend.bind(orig_num=caller, user_data=user_data, **record)
        if not how.bound:
            return CallPlan(
                caller, next(n.number for n in backend.app.numbers if n.number != ax.relation_number)
            )
        yb = backend.bind(subscription_id=ax.subscription_id, orig_num=callee)
        return CallPlan(caller, yb.relation_number)
    return CallPlan(caller, x)  # X mode: the Block reply decides


def _block_reply(how: Outcome, callee: str, x: str, user_data: str) -> dict[str, Any]:
    """What the customer answers to the X-mode callin: end the call, or connect it to the callee."""
    if how.name == "closed":
        return {"operation": "close", "closeInfo": {"userData": user_data}}
    connect = {"calleeNum": callee, "displayCalleeNum": x, "userData": user_data, "recordFlag": "true"}
    return {"operation": "connect", "connectInfo": connect}
