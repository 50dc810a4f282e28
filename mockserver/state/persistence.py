"""`pns-mock serve --state FILE`: applications, bindings, the clock and undelivered pushes survive
a restart, `kill -9` included.

Design: a log of acknowledged changes, replayed on start.

- What is logged: every binding change the API acknowledged (a non-GET operation of a binding
  mode: its operationId, app_key, validated parameters, the clock reading it acted at and the
  ids it drew), and every admin change (reset, applications, numbers, number statuses, clock
  moves). Reads, calls, SMS, recordings, faults and the request journal are not kept.
- When: the change runs and is queued under one lock, so the log has the order in which changes
  happened; the reply waits until the change is on disk (`StateFile.wait`, group commits shared
  by concurrent requests). A binding the client saw acknowledged is never lost.
- Replay instead of snapshots: the backends stay plain domain objects with no serialisation
  code. Given the same calls, clock readings and ids they reach the same state, so replay calls
  the same handlers with the clock pinned (`PinnableClock`) and the recorded ids handed out
  again (`RecordedIds`). The clock reading kept is the first one the change made, which happens
  under the backend's lock: no earlier request on that backend read a later time, so expiry on
  replay removes exactly what it removed live. Before the clock moves, every backend drops what
  expired by then, live and on replay, so moving the clock back cannot make the two differ.
- Compaction: a reset starts the log afresh (the configuration it resets to and the clock go to
  `meta`). Between resets replay costs some microseconds per change; see the README.
- Pushes: a `DurableDeliverer` reports every push whose state may have changed; pending ones are
  kept in `pushes` (committed by the background thread within 50 ms, and before the admin API
  answers a route that creates pushes). After a restart they are submitted again, due at once:
  at-least-once delivery, as the platform's own retries are.
- Why SQLite: in the standard library, one file, atomic commits that survive `kill -9` with
  `synchronous=FULL`, and an exclusive lock that keeps two servers off one file.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pns_mock.spec import Operation

from ..config import Config, app_from_dict, config_schema, parse_config, parse_numbers
from ..domain.clock import LATEST, checked_epoch
from ..domain.errors import ConfigError, PnsError
from ..http.handlers import HANDLERS, Context
from ..platform import Platform
from ..pushes.delivery import DeliveryError
from ..pushes.journal import Push
from .durable import DurableDeliverer, PinnableClock, RecordedIds
from .statefile import StateFile, StateFileError

if TYPE_CHECKING:
    from ..http.engine import Engine

T = TypeVar("T")
REPLAY_BASE_URL = "http://127.0.0.1"  # links handed out on replay are not shown to anyone
_KEPT = ("reset", "apps", "numbers", "number-status", "clock")  # admin POST routes that are logged
# other admin routes that create or drop pushes: their push records are on disk before the reply
_PUSHING = {("POST", "calls"), ("POST", "sms"), ("POST", "pushes-flush"), ("DELETE", "pushes")}

__all__ = ["DurablePlatform", "Recorder", "StateFileError", "open_state"]


class DurablePlatform(Platform):
    """A `Platform` made of the parts a replay needs (see `durable`)."""

    ids_class = RecordedIds
    deliverer_class = DurableDeliverer
    clock: PinnableClock
    ids: RecordedIds
    deliverer: DurableDeliverer

    def __init__(self, config: Config | None = None, *, clock: PinnableClock | None = None) -> None:
        super().__init__(config, clock=clock or PinnableClock())


class Recorder:
    """Logs what the engine and the admin API acknowledge; `Engine.recorder` calls it."""

    def __init__(self, platform: DurablePlatform, store: StateFile, config: Config) -> None:
        self.platform = platform
        self.store = store
        self._config = config  # what a reset without a body goes back to
        self._lock = threading.Lock()
        platform.deliverer.on_change = self._push_changed
        platform.deliverer.on_clear = store.drop_pushes

    def attach(self, engine: Engine) -> None:
        engine.recorder = self

    # hooks

    def operation(self, op: Operation, app_key: str, params: dict[str, Any], call: Callable[[], T]) -> T:
        if op.method == "get" or op.mode == "common":  # reads; stopCall ends a call, not kept
            return call()
        platform = self.platform
        with self._lock:
            with platform.clock.latched() as latch, platform.ids.recording() as ids:
                result = call()
            data = {"op": op.operation_id, "app_key": app_key, "params": params, "at": latch.at, "ids": ids}
            ticket = self.store.append("op", data)
        self._wait(ticket)
        return result

    def admin(
        self, method: str, name: str, args: list[str], body: dict[str, Any], call: Callable[[], T]
    ) -> T:
        if method != "POST" or name not in _KEPT:
            result = call()
            if (method, name) in _PUSHING:
                self._wait(None)
            return result
        with self._lock:
            if name == "clock":
                before = self._sweep(None)
            result = call()
            if name == "reset":
                self._config = parse_config(body, source="reset body") if body else self._config
                self.store.clear_events()
                self.store.set_meta("config", config_to_dict(self._config))
            elif name == "apps":
                self.store.append("app", body)
            elif name == "numbers":
                self.store.append("numbers", {"app_key": args[0], "numbers": body.get("numbers", [])})
            elif name == "number-status":
                change = {"number": args[0], "status": str(body["status"]), "cause": body.get("cause")}
                self.store.append("number-status", change)
            else:
                self.store.append("sweep", {"at": before})
            if name in ("reset", "clock"):
                self.store.set_meta("clock", clock_state(self.platform.clock))
        self._wait(None)
        return result

    def _push_changed(self, push: Push) -> None:
        if push.state == "pending":
            self.store.put_push(push.id, {k: getattr(push, k) for k in ("app_key", "webhook", "url", "body")})
        else:
            self.store.drop_push(push.id)

    def _sweep(self, at: float | None) -> float:
        """Every backend drops what has expired by `at` (None: now); returns the time used."""
        platform = self.platform
        with platform.clock.pinned(at) as latch:
            for app in platform.apps():
                backend = platform.backend(app.app_key)
                if backend is not None:
                    backend.bindings()  # public backend methods expire first
            return latch.at if latch.at is not None else platform.clock.now()

    def _wait(self, ticket: int | None) -> None:
        try:
            self.store.wait(ticket)
        except StateFileError as err:
            raise PnsError("1010001", f"the change was made but not saved: {err}", rule="--state") from err

    # start-up

    def replay(self, notice: Callable[[str], None]) -> None:
        """Apply the log to a platform built from the logged configuration, then the clock and pushes."""
        platform = self.platform
        latest = 0.0
        diverged = 0
        events = self.store.events()
        for kind, data in events:
            try:
                at = self._apply(kind, data)
                latest = 0.0 if kind == "sweep" else max(latest, at)  # a clock move may go back
            except (PnsError, ConfigError, KeyError, ValueError) as err:
                diverged += 1
                notice(f"pns-mock: state: could not replay a {kind} change ({err}); skipped")
        try:
            restore_clock(platform.clock, self.store.meta("clock"), not_before=latest)
        except (KeyError, TypeError, ValueError) as err:
            notice(f"pns-mock: state: the saved clock is unusable ({err}); the clock starts afresh")
        pending = self.store.pushes()
        self.store.drop_pushes()  # the ids of this process start again at 1
        for push in pending:
            try:
                platform.deliverer.submit(push["app_key"], push["webhook"], push["url"], push["body"])
            except DeliveryError as err:
                notice(f"pns-mock: state: a pending {push['webhook']} push was dropped ({err})")
        self.store.wait()
        notice(
            f"pns-mock: state: {self.store.path}: {len(events) - diverged} change(s) replayed, "
            f"{len(pending)} pending push(es) queued again"
        )

    def _apply(self, kind: str, data: dict[str, Any]) -> float:
        platform = self.platform
        if kind == "op":
            app = platform.app(data["app_key"])
            context = Context(platform, app, platform.backend(app.app_key), REPLAY_BASE_URL)
            at = None if data["at"] is None else checked_epoch(float(data["at"]), "a logged time")
            with platform.clock.pinned(at), platform.ids.replaying(data["ids"]):
                HANDLERS[data["op"]](context, data["params"])
            return float(data["at"] or 0.0)
        if kind == "app":
            parse_config({"apps": [data]}, source="logged application")
            platform.add_app(app_from_dict(data))
        elif kind == "numbers":
            platform.add_numbers(data["app_key"], parse_numbers(data["numbers"], source="logged numbers"))
        elif kind == "number-status":
            platform.numbers.set(data["number"], data["status"], data["cause"])
        elif kind == "sweep":
            return self._sweep(None if data["at"] is None else checked_epoch(float(data["at"]), "a sweep"))
        else:
            raise KeyError(f"unknown change {kind!r}")
        return 0.0

    def close(self) -> None:
        self.store.close()


def open_state(
    path: Path,
    config: Config,
    *,
    frozen_clock: bool = False,
    notice: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True),
) -> tuple[DurablePlatform, Recorder]:
    """The platform as FILE left it (or as `config` starts it, for a new FILE), and its recorder."""
    store = StateFile(path)
    try:
        logged = store.meta("config")
        clock = PinnableClock(frozen=frozen_clock)  # a logged clock replaces it in `replay`
        if logged is None:
            base = config
            store.set_meta("config", config_to_dict(config))
            store.set_meta("clock", clock_state(clock))
        else:
            base = parse_config(logged, source=f"{path} (logged configuration)")
            if logged != config_to_dict(config):
                notice(f"pns-mock: state: {path} was started with another configuration; it wins")
        platform = DurablePlatform(base, clock=clock)
        recorder = Recorder(platform, store, base)
        recorder.replay(notice)
    except BaseException:
        store.close()
        raise
    return platform, recorder


# plain-data forms of the configuration and the clock


def config_to_dict(config: Config) -> dict[str, Any]:
    """The `--config` shape, key by key as the config schema lists them (checked when read back)."""
    shape = cast(dict[str, Any], config_schema()["properties"])
    server_keys = shape["server"]["properties"]
    app_keys = shape["apps"]["items"]["properties"]
    number_keys = app_keys["numbers"]["items"]["properties"]
    settings = dataclasses.asdict(config.settings)
    apps = []
    for app in config.apps:
        fields = {key: getattr(app, key) for key in app_keys}
        fields["numbers"] = [{key: getattr(n, key) for key in number_keys} for n in app.numbers]
        fields["callbacks"] = dict(app.callbacks)
        apps.append(fields)
    return {"server": {key: settings[key] for key in server_keys}, "apps": apps}


def clock_state(clock: PinnableClock) -> dict[str, Any]:
    return {"frozen": clock.frozen, "now": clock.now(), "wall": time.time()}


def restore_clock(clock: PinnableClock, state: dict[str, Any] | None, *, not_before: float) -> None:
    """A frozen clock reads what it read; a running one kept running while the server was down.

    Raises ValueError, before the clock moves, when the saved reading is no usable time."""
    if state is not None:
        saved = checked_epoch(float(state["now"]), "the saved clock")
        wall = checked_epoch(float(state["wall"]), "the saved wall time")
        now = saved if state["frozen"] else min(saved + max(time.time() - wall, 0.0), LATEST)
        clock.freeze(True)
        clock.set(now)
        clock.freeze(bool(state["frozen"]))
    if clock.now() < not_before:  # the wall clock went back meanwhile: never behind a logged change
        clock.set(not_before)
