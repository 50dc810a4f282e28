"""The AXYB records and their lifetimes.

Both records answer to the names of a query item (`bindId`, `numA`, `numX`, `numY`, `numB`, ...) and
of a bind reply (`subscriptionId`, `relationNumber`), so either can be handed to the reply shaper.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from pns_mock.spec import load

from ..errors import PnsError
from .common import INVALID


@functools.cache
def lifetime_range() -> tuple[int, int]:
    """(smallest, largest) lifetime in seconds besides 0: the integer form of `AxybDuration`."""
    integer = next(b for b in _schemas()["AxybDuration"]["anyOf"] if b.get("type") == "integer")
    bounded = next(b for b in integer["anyOf"] if "maximum" in b)
    return int(bounded["minimum"]), int(bounded["maximum"])


@functools.cache
def default_duration() -> int:
    """The AX lifetime when `duration` is not sent (its `default` in the AX step's schema)."""
    return int(_schemas()["AxybBindAxRequest"]["properties"]["duration"]["default"])


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = load().document["components"]["schemas"]
    return schemas


@dataclass(slots=True)  # a million of them: no per-instance dict
class AxybBinding:
    """The AX part (A holds X) and the YB relations added to it, by Y in bind order."""

    subscription_id: str
    num_a: str
    num_x: str
    subscribe_time: float
    call_direction: int = 0
    duration: int = 7200  # seconds, 0 = never expires
    yb_duration: int = 0  # seconds, 0 = a YB lives as long as the binding
    record_flag: bool = False
    record_hint_tone: str | None = None
    pre_voice_x: str | None = None
    user_data: str | None = None
    # Not a wire field: the instant the platform drops the binding (None: never).
    expire_time: float | None = None
    ybs: dict[str, YbRelation] = field(default_factory=dict)
    _by_b: dict[str, YbRelation] = field(default_factory=dict, repr=False, compare=False)

    @property
    def bind_id(self) -> str:
        return self.subscription_id

    @property
    def relation_number(self) -> str:
        return self.num_x

    # A binding without YB is listed alone: no Y, no B.
    @property
    def num_y(self) -> None:
        return None

    @property
    def num_b(self) -> None:
        return None

    @property
    def pre_voice_y(self) -> None:
        return None

    def yb_of(self, b: str) -> YbRelation | None:
        """The YB relation of B on this binding (a B has at most one per binding)."""
        return self._by_b.get(b)

    def add(self, yb: YbRelation) -> None:
        self.ybs[yb.num_y] = yb
        self._by_b[yb.num_b] = yb

    def drop(self, yb: YbRelation) -> None:
        del self.ybs[yb.num_y], self._by_b[yb.num_b]


@dataclass(slots=True)
class YbRelation:
    """B holds Y on a binding; the binding's own fields read through."""

    binding: AxybBinding = field(repr=False, compare=False)
    num_y: str
    num_b: str
    subscribe_time: float  # when the YB step was made
    yb_duration: int  # seconds, 0 = as long as the binding
    pre_voice_y: str | None = None
    # Not a wire field: the instant the platform drops this YB (None: with the binding).
    expire_time: float | None = None

    @property
    def subscription_id(self) -> str:
        return self.binding.subscription_id

    @property
    def bind_id(self) -> str:
        return self.binding.subscription_id

    @property
    def relation_number(self) -> str:
        return self.num_y

    @property
    def num_a(self) -> str:
        return self.binding.num_a

    @property
    def num_x(self) -> str:
        return self.binding.num_x

    @property
    def call_direction(self) -> int:
        return self.binding.call_direction

    @property
    def duration(self) -> int:
        return self.binding.duration

    @property
    def record_flag(self) -> bool:
        return self.binding.record_flag

    @property
    def record_hint_tone(self) -> str | None:
        return self.binding.record_hint_tone

    @property
    def pre_voice_x(self) -> str | None:
        return self.binding.pre_voice_x

    @property
    def user_data(self) -> str | None:
        return self.binding.user_data


def seconds(name: str, value: int | str | None, default: int) -> int:
    """A lifetime sent as a JSON integer or a numeric string: 0, or `lifetime_range()` seconds."""
    if value is None:
        return default
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            raise PnsError(
                INVALID, f"{name} {value!r} is not a number of seconds", rule="axyb.lifetime-range"
            )
        value = int(value)
    smallest, largest = lifetime_range()
    if value != 0 and not smallest <= value <= largest:
        raise PnsError(
            INVALID,
            f"{name} {value} is neither 0 nor {smallest} to {largest} seconds",
            rule="axyb.lifetime-range",
        )
    return value


def capped(yb_duration: int, duration: int) -> int:
    """A YB may not outlive its binding: a longer `ybDuration` counts as `duration` (0 = no limit)."""
    return duration if duration and yb_duration > duration else yb_duration
