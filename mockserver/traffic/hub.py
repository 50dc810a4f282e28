"""Simulated traffic on the platform: calls, SMS and X-number status changes, and their pushes.

`pump()` moves everything whose virtual time has come: call events, then push attempts. The
standalone server pumps from a background thread; in-process users (the pytest plugin, tests)
pump after each step, so what happens is decided by the virtual clock alone.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.errors import ConfigError
from ..pushes.sink import DeliverySink
from .model import CallPlan, SimulatedCall
from .numstatus import push_bodies
from .routing import ROUTERS, Route
from .simulator import Simulator
from .sms import SmsResult, SmsRouter

if TYPE_CHECKING:
    from pns_mock.spec import Spec

    from ..domain.apps import Application
    from ..domain.clock import Clock
    from ..domain.ids import IdFactory
    from ..pushes.delivery import Deliverer
    from .calls import Calls
    from .numstatus import NumberStatuses
    from .recordings import Recordings

NUMBER_UNAVAILABLE = 8055  # X has no call/SMS permission (its status stops traffic)
TICK_SECONDS = 0.02


class Directory(Protocol):
    """What traffic asks the platform: who owns a number, an application, its backend."""

    def number_owner(self, number: str) -> str | None: ...

    def app(self, app_key: str) -> Application: ...

    def backend(self, app_key: str) -> Any: ...


class Traffic:
    """Handed everything by its owner (the platform): it imports nothing above it."""

    def __init__(
        self,
        spec: Spec,
        clock: Clock,
        ids: IdFactory,
        calls: Calls,
        recordings: Recordings,
        numbers: NumberStatuses,
        deliverer: Deliverer,
        directory: Directory,
    ) -> None:
        self._directory = directory
        self._deliverer = deliverer
        self.numbers = numbers
        self.sink = DeliverySink(deliverer)
        self.simulator = Simulator(spec, clock, ids, calls, recordings, self.sink, self._route)
        self.sms_router = SmsRouter(spec, clock, ids, self.sink, directory.backend, numbers.carries_traffic)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _owner(self, number: str) -> Application:
        app_key = self._directory.number_owner(number)
        if app_key is None:
            raise ConfigError(f"{number} is not a private number of any application")
        return self._directory.app(app_key)

    def _route(self, app: Application, plan: CallPlan, now: float) -> Route:
        if not self.numbers.carries_traffic(plan.dialled):
            return Route(plan.dialled, failure=NUMBER_UNAVAILABLE)
        router = ROUTERS[app.mode]
        return router(self._directory.backend(app.app_key), plan.caller, plan.dialled, plan.digits, now)

    def call(self, plan: CallPlan) -> SimulatedCall:
        """Someone dials a private number: the call unfolds on the virtual clock."""
        call = self.simulator.place(self._owner(plan.dialled), plan)
        self.pump()
        return call

    def calls(self) -> list[SimulatedCall]:
        """Every call placed since the last reset, oldest first."""
        return list(self.simulator.history)

    def sms(self, sender: str, to: str, text: str) -> SmsResult:
        result = self.sms_router.send(self._owner(to), sender, to, text)
        self.pump()
        return result

    def number_status(self, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Status changes by the administrator: `{"number", "status", "cause"?}` each; pushed to owners."""
        by_app: dict[str, list[dict[str, Any]]] = {}
        for change in changes:
            app = self._owner(change["number"])
            item = self.numbers.set(change["number"], str(change["status"]), change.get("cause"))
            by_app.setdefault(app.app_key, []).append(item)
        for app_key, items in by_app.items():
            app = self._directory.app(app_key)
            for body in push_bodies(items):
                self.sink.event(app, "numStatus", body)
        self.pump()
        return [item for items in by_app.values() for item in items]

    def pump(self) -> int:
        """Emit call events that are due, then make the push attempts that are due.

        CDRs of calls that end in the same pump share one `fee` push (up to 50 per POST).
        """
        emitted = self._tick()
        if self.running:  # the delivery worker sends; a hanging receiver must not hold this thread
            return emitted
        return emitted + self._deliverer.run_due()

    def _tick(self) -> int:
        emitted = self.simulator.tick()
        if emitted:
            self._deliverer.flush()
        return emitted

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Pump in the background, for a server whose clock runs with the wall clock."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._deliverer.start()
        self._thread = threading.Thread(target=self._run, name="pns-mock-traffic", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self._tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._deliverer.stop()
