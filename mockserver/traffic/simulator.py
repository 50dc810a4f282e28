"""Simulated calls: the events and the CDR the platform pushes, in order, on the virtual clock.

`place()` routes the call through the binding state (see `routing`), lays its events out on a
timeline starting now, and registers it as a call in progress. `tick()` emits the events whose
time has come, so a test that moves the clock watches the call unfold; `stop` (the stop-call
operation) releases it at once. Bodies are shaped as the spec's webhooks describe; the sink
(delivery) validates them before anything is sent.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Any

from pns_mock.spec import Spec

from ..domain.apps import Application
from ..domain.clock import Clock, format_time
from ..domain.ids import IdFactory
from .calls import ActiveCall, Calls
from .cdr import build_cdr
from .model import OUTCOMES, RECORD_DOMAIN, CallPlan, SimulatedCall, Sink
from .recordings import Recordings
from .routing import Route
from .xmode import route_from_reply

MAX_DURATION_REACHED = 8010
STOPPED_BY_CUSTOMER = 8017  # the customer ended the call (stop call before answer)


Router = Callable[[Application, CallPlan, float], Route]


class Simulator:
    def __init__(
        self,
        spec: Spec,
        clock: Clock,
        ids: IdFactory,
        calls: Calls,
        recordings: Recordings,
        sink: Sink,
        router: Router,
    ) -> None:
        self._spec = spec
        # the binding modes' userData rides on the events that carry this field (spec)
        status = spec.document["components"]["schemas"]["EventCallStatusInfo"]["properties"]
        self._user_data_with: str = status["userData"]["x-pns-travels-with"]
        self._clock = clock
        self._ids = ids
        self._calls = calls
        self._recordings = recordings
        self._sink = sink
        self._router = router
        self._queue: list[tuple[float, int, str, SimulatedCall]] = []
        self._seq = itertools.count()
        self._lock = threading.RLock()
        self.history: list[SimulatedCall] = []

    def webhook(self, kind: str, mode: str) -> str:
        """The spec's webhook of this kind ("callEvent", "fee", "callinBlock") for a mode."""
        for name, hook in self._spec.webhooks.items():
            if name.startswith(kind) and hook.mode == mode:
                return name
        raise LookupError(f"the spec has no {kind} webhook for mode {mode}")

    def place(self, app: Application, plan: CallPlan) -> SimulatedCall:
        if plan.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}")
        with self._lock:
            now = self._clock.now()
            call = SimulatedCall(self._session_id(now), app, plan, Route(plan.dialled), now)
            self.history.append(call)
            if app.mode != "X":
                call.route = self._router(app, plan, now)
                self._start(call)
        if app.mode == "X":
            # the customer's Block decision is awaited without the lock: other calls go on meanwhile
            route = self._block_route(call)
            with self._lock:
                call.route = route
                self._start(call)
        self.tick()
        return call

    def _start(self, call: SimulatedCall) -> None:
        self._lay_out(call)
        self._calls.started(ActiveCall(call.session_id, call.app.app_key, lambda: self._stop(call)))

    def _session_id(self, now: float) -> str:
        stamp = format_time(now, "pns-datetime").replace("-", "").replace(":", "").replace(" ", "")
        return f"1200_{self._ids.hex_id(4)}_4294967295_{stamp}@callenabler.pns-mock.local"

    def _block_route(self, call: SimulatedCall) -> Route:
        """X mode: the customer's reply to the Block `callin` decides where the call goes."""

        body = self._event_body(call, "callin", call.start)
        reply = self._sink.block(call.app, self.webhook("callinBlock", "X"), body)
        call.sent.append("callin")
        return route_from_reply(call.plan, reply)

    def _lay_out(self, call: SimulatedCall) -> None:
        plan, route, t = call.plan, call.route, call.start
        outcome = OUTCOMES[plan.outcome]
        steps: list[tuple[str, float]] = [] if call.sent else [("callin", t)]
        if call.app.mode == "AXE" and plan.digits is not None:
            t += 3
            steps.append(("collectInfo", t))
        if not route.forwarded:
            call.state_code = route.failure
            steps.append(("disconnect", t + 1))
        else:
            steps.append(("callout", t + 1))
            t += 1
            if outcome.rings:
                steps.append(("alerting", t + 1))
                t += 1
            if outcome.answered:
                t += plan.answer_after
                steps.append(("answer", t))
                talk = plan.talk
                call.state_code = 0
                if route.max_duration and talk >= route.max_duration * 60:
                    talk = route.max_duration * 60
                    call.state_code = MAX_DURATION_REACHED
                    if route.last_min_voice:
                        call.last_min_voice_at = t + talk - 60
                steps.append(("disconnect", t + talk))
            else:
                call.state_code = outcome.state_code
                steps.append(("disconnect", t + (plan.answer_after if outcome.rings else 1)))
        for step, at in steps:
            heapq.heappush(self._queue, (at, next(self._seq), step, call))

    def tick(self) -> int:
        """Emit every event whose time has come; returns how many."""
        emitted = 0
        with self._lock:
            now = self._clock.now()
            while self._queue and self._queue[0][0] <= now:
                at, _, step, call = heapq.heappop(self._queue)
                if call.ended:
                    continue
                self._emit(call, step, at)
                emitted += 1
        return emitted

    def _stop(self, call: SimulatedCall) -> None:
        with self._lock:
            if call.ended:
                return
            answered = "answer" in call.sent
            call.state_code = 0 if answered else STOPPED_BY_CUSTOMER
            self._emit(call, "disconnect", self._clock.now())

    def _emit(self, call: SimulatedCall, step: str, at: float) -> None:
        call.times[step] = at
        call.sent.append(step)
        mode = call.app.mode
        self._sink.event(call.app, self.webhook("callEvent", mode), self._event_body(call, step, at))
        if step == "disconnect":
            call.ended = True
            self._calls.ended(call.session_id)

            fee = build_cdr(self._spec, call, self._record(call))
            self._sink.cdr(call.app, self.webhook("fee", mode), fee)

    def _record(self, call: SimulatedCall) -> str | None:
        """The recording file of an answered, recorded call (the application must allow it)."""
        if not (call.route.record and call.app.recording and "answer" in call.times):
            return None
        name = f"{call.session_id.split('@')[0]}.wav"
        seconds = call.times["disconnect"] - call.times["answer"]
        self._recordings.add(call.app.app_key, RECORD_DOMAIN, name, seconds)
        return name

    def _event_body(self, call: SimulatedCall, step: str, at: float) -> dict[str, Any]:
        mode, route, plan = call.app.mode, call.route, call.plan
        forwarded = route.forwarded and step != "callin" and step != "collectInfo"
        info: dict[str, Any] = {
            "timestamp": format_time(at, "pns-datetime"),
            "sessionId": call.session_id,
        }
        if step != "collectInfo":
            info["caller"] = plan.caller
            info["called"] = route.callee if forwarded and route.callee else plan.dialled
        if (
            route.subscription_id
            and mode != "X"
            and not (mode == "AXE" and step in ("callin", "collectInfo"))
        ):
            info["subscriptionId"] = route.subscription_id
        if mode == "X":
            info["notifyMode"] = "Block" if step == "callin" else "Notify"
            if step != "callin" and route.user_data:
                info["userData"] = route.user_data
        elif route.user_data and self._user_data_with in info:
            info["userData"] = route.user_data
        if step == "collectInfo":
            info["digitInfo"] = plan.digits or ""
        if step == "disconnect":
            code = call.state_code or 0
            info["stateCode"] = code
            info["stateDesc"] = self._spec.hangup_causes[code].text
        return {"eventType": step, "statusInfo": info}
