"""All mock state in one place: applications, their backends, the clock, the journal, faults."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

from pns_mock.spec import Spec
from pns_mock.spec import load as load_spec

from .config import Config, Settings
from .domain.apps import Application, PrivateNumber
from .domain.auth import Authenticator
from .domain.backends import AxBackend, AxbBackend, AxeBackend, AxybBackend
from .domain.clock import VirtualClock
from .domain.errors import ConfigError
from .domain.faults import Faults
from .domain.ids import IdFactory
from .pushes.delivery import Deliverer
from .pushes.send import Transport
from .report.journal import Journal
from .traffic.calls import Calls
from .traffic.hub import Traffic
from .traffic.numstatus import NumberStatuses
from .traffic.recordings import Recordings

Backend = Any  # one class per mode; each exposes the methods its handlers call


class Platform:
    """The simulated PNS platform. Thread-safe: every state change runs under `lock`."""

    # `persistence` swaps in subclasses that record and replay (see `durable`)
    ids_class: type[IdFactory] = IdFactory
    deliverer_class: type[Deliverer] = Deliverer

    def __init__(
        self,
        config: Config | None = None,
        *,
        clock: VirtualClock | None = None,
        wall_clock: Callable[[], float] = time.time,
        spec: Spec | None = None,
        push_transport: Transport | None = None,
    ) -> None:
        self._initial = config or Config()
        self.spec = spec or load_spec()
        self.clock = clock or VirtualClock()
        self.lock = threading.RLock()
        self.journal = Journal()
        self.faults = Faults()
        self._wall_clock = wall_clock
        # Outlives resets, so a server's delivery worker keeps running.
        self.deliverer = self.deliverer_class(
            self.spec,
            self.clock,
            self._secret_of,
            scheme_of=self._push_scheme_of,
            timeout=self._initial.settings.push_timeout_seconds,
            max_pending=self._initial.settings.max_pending_pushes,
            wall_clock=wall_clock,
            transport=push_transport,
        )
        self._load(self._initial)

    def _load(self, config: Config) -> None:
        self.settings: Settings = config.settings
        self.ids = self.ids_class(self.settings.seed)
        self._apps: dict[str, Application] = {}
        self._backends: dict[str, Backend] = {}
        self._owners: dict[str, str] = {}
        self.recordings = Recordings(self.clock)
        self.calls = Calls()
        self.numbers = NumberStatuses()
        self.authenticator = Authenticator(
            secret_of=self._secret_of,
            window=self.settings.auth_window_seconds,
            wall_clock=self._wall_clock,
            lockout_after=self.settings.lockout_after,
            lockout_seconds=self.settings.lockout_seconds,
            replay_window=self.settings.nonce_replay_seconds,
            replay_code=_replay_code(self.spec),
        )
        for app in config.apps:
            # copies: numbers added later must not outlive a reset to this configuration
            self.add_app(dataclasses.replace(app, numbers=list(app.numbers), callbacks=dict(app.callbacks)))
        running = getattr(self, "traffic", None)
        self.traffic = Traffic(
            self.spec, self.clock, self.ids, self.calls, self.recordings, self.numbers, self.deliverer, self
        )
        if running is not None and running.running:  # a reset keeps a server pumping
            running.stop()
            self.traffic.start()

    def reset(self, config: Config | None = None) -> None:
        """Back to the start-up applications (or to `config`): no bindings, empty journal."""
        with self.lock:
            if config is not None:
                self._initial = config
            self._load(self._initial)
            self.journal.clear()
            self.faults.clear()
            self.deliverer.clear()

    def _secret_of(self, app_key: str) -> str | None:
        app = self._apps.get(app_key)
        return app.app_secret if app else None

    def _push_scheme_of(self, app_key: str) -> str | None:
        app = self._apps.get(app_key)
        return app.push_auth.upper() if app else None

    def add_app(self, app: Application) -> Application:
        with self.lock:
            if app.app_key in self._apps:
                raise ConfigError(f"app_key {app.app_key!r} exists already")
            for n in app.numbers:
                self._claim(n.number, app.app_key)
            self._apps[app.app_key] = app
            backend = self._make_backend(app)
            if backend is not None:
                backend.bindable = self.numbers.bindable
            self._backends[app.app_key] = backend
            return app

    def add_numbers(self, app_key: str, numbers: list[PrivateNumber]) -> None:
        with self.lock:
            app = self.app(app_key)
            for n in numbers:
                self._claim(n.number, app_key)
                app.numbers.append(n)

    def _claim(self, number: str, app_key: str) -> None:
        owner = self._owners.get(number)
        if owner is not None:
            raise ConfigError(f"{number} already belongs to {owner}")
        self._owners[number] = app_key

    def _make_backend(self, app: Application) -> Backend:
        if app.mode == "AXB":
            return AxbBackend(
                app,
                self.clock,
                self.ids,
                number_owner=self.number_owner,
                max_pairs_per_x=self.settings.max_pairs_per_x,
            )
        if app.mode == "AX":
            return AxBackend(
                app,
                self.clock,
                self.ids,
                number_owner=self.number_owner,
                max_x_per_a=self.settings.max_x_per_a,
            )
        if app.mode == "AXE":
            return AxeBackend(
                app,
                self.clock,
                self.ids,
                number_owner=self.number_owner,
                modify_restarts_clock=self.settings.axe_modify_restarts_clock,
                query_shows_bind_values=self.settings.axe_query_shows_bind_values,
            )
        if app.mode == "AXYB":
            return AxybBackend(
                app,
                self.clock,
                self.ids,
                number_owner=self.number_owner,
                max_x_per_a=self.settings.max_x_per_a,
                max_relations_per_y=self.settings.max_relations_per_y,
            )
        return None  # X mode keeps no bindings

    def number_owner(self, number: str) -> str | None:
        return self._owners.get(number)

    def app(self, app_key: str) -> Application:
        try:
            return self._apps[app_key]
        except KeyError:
            raise ConfigError(f"no application {app_key!r}") from None

    def apps(self) -> list[Application]:
        return list(self._apps.values())

    def backend(self, app_key: str) -> Backend:
        return self._backends.get(app_key)

    def dump(self) -> dict[str, Any]:
        """Applications and their live bindings, for the admin API and tests."""
        with self.lock:
            out: dict[str, Any] = {"clock": self.clock.now(), "apps": []}
            for app in self._apps.values():
                backend = self._backends.get(app.app_key)
                bindings = backend.bindings() if backend is not None else []
                out["apps"].append(
                    {
                        "app_key": app.app_key,
                        "mode": app.mode,
                        "numbers": [{"number": n.number, "area_code": n.area_code} for n in app.numbers],
                        "bindings": [_public(b) for b in bindings],
                    }
                )
            return out


def _public(binding: Any) -> dict[str, Any]:
    values = ((f.name, getattr(binding, f.name)) for f in dataclasses.fields(binding))
    return {k: _plain(v) for k, v in values if not k.startswith("_") and v is not None}


def _plain(value: Any) -> Any:
    """JSON-ready: nested records (an AXYB binding's YB relations) without their back references."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.repr and not f.name.startswith("_") and getattr(value, f.name) is not None
        }
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _replay_code(spec: Spec) -> str:
    """The code a replayed Nonce gets when the replay window is on (the spec's choice)."""
    conditions = spec.document["x-pns-undocumented-conditions"]
    return str(next(entry["mockCode"] for entry in conditions if entry.get("id") == "nonce-replay"))
