"""What every binding backend shares: one lock, lazy expiry before each call, number ownership and
the choice of an idle X by area."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Concatenate, ParamSpec, TypeVar

from ..apps import Application, PrivateNumber
from ..clock import Clock
from ..errors import PnsError
from ..ids import IdFactory

NumberOwner = Callable[[str], "str | None"]

# Shared by every mode: a missing or contradictory parameter; a number whose status is abnormal.
INVALID = "1010002"
NUMBER_ABNORMAL = "1012102"

STRICT = "0"  # areaMatchMode: only the asked city; "1" may fall back to any city


class Backend:
    """State holder for one application; subclasses keep the bindings of one mode."""

    def __init__(self, app: Application, clock: Clock, ids: IdFactory, *, number_owner: NumberOwner) -> None:
        self.app = app
        self.clock = clock
        self.ids = ids
        self.number_owner = number_owner
        # Whether a number may take new bindings (its X-number status); the platform sets it.
        self.bindable: Callable[[str], bool] = lambda _number: True
        # Reentrant: a server may run handlers in threads, and guarded methods may share helpers.
        self._lock = threading.RLock()

    def allocate_x(
        self,
        area_code: str | None,
        area_match_mode: str,
        idle: Callable[[str], bool],
        load: Callable[[str], int] = lambda _x: 0,
    ) -> str | None:
        """An idle number that may take new bindings (see `allocate`)."""
        return allocate(self.app, area_code, area_match_mode, lambda x: self.bindable(x) and idle(x), load)

    def _check_bindable(self, number: str) -> None:
        """A paused, unavailable or binding-frozen number takes no new bindings."""
        if not self.bindable(number):
            raise PnsError(NUMBER_ABNORMAL, f"{number} takes no new bindings (its status is not normal)")

    def _expire(self) -> None:
        """Drop what has expired by now; modes whose bindings never expire keep this no-op."""

    def _check_recording(self, record_flag: bool, code: str) -> None:
        if record_flag and not self.app.recording:
            raise PnsError(code, f"recordFlag is true but application {self.app.app_key} has no recording")

    def _owner(self, number: str) -> str | None:
        """The app_key owning `number` on the platform; the application's own list decides for it."""
        return self.app.app_key if self.app.owns(number) else self.number_owner(number)

    def _not_mine(self, number: str) -> str:
        """Why a number is not this application's, for an error detail."""
        if self._owner(number) is None:
            return f"is not a number of the platform (application {self.app.app_key})"
        return f"belongs to another application, not to {self.app.app_key}"


B = TypeVar("B", bound=Backend)
P = ParamSpec("P")
R = TypeVar("R")


def public(method: Callable[Concatenate[B, P], R]) -> Callable[Concatenate[B, P], R]:
    """Mark a backend entry point: it runs under the lock, after expired bindings are gone."""

    @functools.wraps(method)
    def guarded(self: B, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            self._expire()
            return method(self, *args, **kwargs)

    return guarded


def blank_to_none(value: str | None) -> str | None:
    """`areaCode` may be sent empty (String(0-32)); empty means not given."""
    return value or None


def pick_x(
    numbers: Iterable[PrivateNumber],
    idle: Callable[[str], bool],
    load: Callable[[str], int] = lambda _x: 0,
) -> str | None:
    """The least-loaded idle X, ties broken by number order, so allocation is reproducible."""
    candidates = [n.number for n in numbers if idle(n.number)]
    return min(candidates, key=lambda x: (load(x), x), default=None)


def allocate(
    app: Application,
    area_code: str | None,
    area_match_mode: str,
    idle: Callable[[str], bool],
    load: Callable[[str], int] = lambda _x: 0,
) -> str | None:
    """An idle X of `area_code` (any area when None); non-strict mode falls back to the whole app."""
    if area_code is not None:
        found = pick_x(app.numbers_in(area_code), idle, load)
        if found is not None or area_match_mode == STRICT:
            return found
    return pick_x(app.numbers, idle, load)


def no_idle_detail(
    app: Application, what: str, area_code: str | None, area_match_mode: str, origin: str
) -> str:
    """Say where allocation looked, so the developer knows whether a non-strict retry could help."""
    lacking = f"application {app.app_key} has no idle number"
    if area_code is None:
        return f"{lacking} for {what}"
    if area_match_mode == STRICT:
        return f"{lacking} in {origin} {area_code} for {what} (areaMatchMode 0 is strict)"
    return f"{lacking} in {origin} {area_code} nor elsewhere for {what}"
