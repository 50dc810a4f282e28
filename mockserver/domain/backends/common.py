"""What every binding backend shares: one lock, lazy expiry before each call, number ownership and
the choice of an idle X by area."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

from pns_mock.spec import load

from ..apps import Application, PrivateNumber
from ..clock import Clock, ExpiryQueue
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
        self._cursor: dict[str, int] = {}  # allocation pool -> where the next search starts
        # Reentrant: a server may run handlers in threads, and guarded methods may share helpers.
        self._lock = threading.RLock()

    def allocate_x(
        self, area_code: str | None, area_match_mode: str, idle: Callable[[str], bool]
    ) -> str | None:
        """An idle number that may take new bindings: of `area_code` (any area when None), and in
        non-strict mode of any area when that one has none; round-robin within each pool."""

        def acceptable(x: str) -> bool:
            return self.bindable(x) and idle(x)

        pools = [] if area_code is None else [(area_code, self.app.numbers_in(area_code))]
        if area_code is None or area_match_mode != STRICT:
            pools.append(("*", self.app.sorted_numbers()))
        for key, numbers in pools:
            index = pick_x(numbers, acceptable, self._cursor.get(key, 0)) if numbers else None
            if index is not None:
                self._cursor[key] = index + 1
                return numbers[index].number
        return None

    def _check_bindable(self, number: str) -> None:
        """A paused, unavailable or binding-frozen number takes no new bindings."""
        if not self.bindable(number):
            raise PnsError(
                NUMBER_ABNORMAL,
                f"{number} takes no new bindings (its status is not normal)",
                rule="number-status",
            )

    def _expire(self) -> None:
        """Drop what has expired by now; modes whose bindings never expire keep this no-op."""

    def _drop_due(
        self, expiry: ExpiryQueue[str], bindings: Mapping[str, Any], remove: Callable[[Any], None]
    ) -> None:
        """Remove the bindings (keyed by subscription id, each with an `expire_time`) now due.

        The queue holds subscription ids, not the bindings: an entry of a float and a str holds
        nothing the garbage collector must follow, so a million of them add nothing to its passes.
        """
        for deadline, subscription_id in expiry.pop_due(self.clock.now()):
            binding = bindings.get(subscription_id)
            # A modify or unbind leaves the old deadline in the queue; only the current one counts.
            if binding is not None and binding.expire_time == deadline:
                remove(binding)

    def _check_recording(self, record_flag: bool, code: str) -> None:
        if record_flag and not self.app.recording:
            raise PnsError(
                code,
                f"recordFlag is true but application {self.app.app_key} has no recording",
                rule="recording-enabled",
            )

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


def query_parameter(operation_id: str, name: str) -> Mapping[str, Any]:
    """A query parameter of an operation as the spec declares it (its schema under `schema`)."""
    op = load().operations[operation_id]
    raw = next(p for p in op.raw.get("parameters", ()) if p.get("name") == name)
    return dict(raw)


def blank_to_none(value: str | None) -> str | None:
    """`areaCode` may be sent empty (String(0-32)); empty means not given."""
    return value or None


def pick_x(numbers: list[PrivateNumber], acceptable: Callable[[str], bool], start: int) -> int | None:
    """Index of the first acceptable number at or after `start`, going round; None if there is none.

    Round-robin from where the last allocation stopped spreads bindings over the numbers like a
    least-loaded choice would, stays deterministic, and costs O(1) when numbers are free.
    """
    count = len(numbers)
    for step in range(count):
        index = (start + step) % count
        if acceptable(numbers[index].number):
            return index
    return None


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
