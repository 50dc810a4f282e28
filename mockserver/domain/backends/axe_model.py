"""The AXE record, and the rules that need no state: lifetimes in `timeUnit` units, paging cursors,
the shape of an extension."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass

from pns_mock.spec import FieldOrder, load

from ..errors import PnsError
from .common import INVALID, query_parameter

HOURS, MINUTES = "0", "1"
_SECONDS = {HOURS: 3600, MINUTES: 60}


@functools.cache
def _ceilings() -> dict[str, int]:
    """The largest lifetime per `timeUnit`: the if/then/else of the bind request's schema."""
    schema = load().document["components"]["schemas"]["AxeCreateBindingRequest"]
    branch = next(b for b in schema["allOf"] if "if" in b)
    unit = str(branch["if"]["properties"]["timeUnit"]["const"])
    other = HOURS if unit == MINUTES else MINUTES
    ceiling = {key: int(branch[key]["properties"]["bindExpiredTime"]["maximum"]) for key in ("then", "else")}
    return {unit: ceiling["then"], other: ceiling["else"]}


_NAMES = {HOURS: "hours", MINUTES: "minutes"}

FIRST_CURSOR = "0000000000000_0"
_CURSOR = re.compile(r"^(\d{13})_(\d{1,20})$")


@functools.cache
def page_limits() -> tuple[int, int, int]:
    """(default, smallest, largest) `limit` of the AXE v2 query, from the spec (read on first use)."""
    schema = query_parameter("queryAxeBindingV2", "limit")["schema"]
    default, low, high = (int(schema[k]) for k in ("default", "minimum", "maximum"))
    return default, low, high


@dataclass(slots=True)  # a million of them: no per-instance dict
class AxeBinding:
    subscription_id: str
    virtual_num: str
    extend_num: str
    bind_num: str
    bound_at: float
    sequence: int  # bind order within the backend; the second half of a paging cursor
    display_num_mode: str = "0"
    record_flag: bool = False
    record_hint_tone: str | None = None
    callback_tone: str | None = None
    callback_num: str | None = None
    time_unit: str = HOURS
    bind_expired_time: int = 0
    callback_expired_time: int | None = None
    user_data: str | None = None
    # Not wire fields: the lifetime as the bind set it (what `query_shows_bind_values` reports),
    # and the instant the platform drops the binding (None: never).
    bound_time_unit: str = HOURS
    bound_expired_time: int = 0
    expire_time: float | None = None

    @property
    def position(self) -> str:
        """This binding's place in bind order, as a v2 paging cursor."""
        return position(self.bound_at, self.sequence)


def as_queried(shows_bind_values: bool, binding: AxeBinding) -> AxeBinding:
    """What a query reports: the binding itself, or (`shows_bind_values`, after a modify of the
    lifetime) a copy with the bind-time lifetime."""
    if not shows_bind_values or (
        binding.time_unit == binding.bound_time_unit
        and binding.bind_expired_time == binding.bound_expired_time
    ):
        return binding
    return dataclasses.replace(
        binding, time_unit=binding.bound_time_unit, bind_expired_time=binding.bound_expired_time
    )


@dataclass
class AxePage:
    items: list[AxeBinding]
    next_cursor: str | None


def check_lifetime(time_unit: str, bind_expired_time: int, callback_expired_time: int | None) -> None:
    """Both lifetimes count in `time_unit`: 0 to 720 hours or 0 to 43200 minutes (the schema's).

    The schema checks this when the request carries `timeUnit`; a modify without it uses the
    binding's stored unit, which only the backend knows.
    """
    if time_unit not in _SECONDS:
        raise PnsError(
            INVALID, f"timeUnit {time_unit!r} is neither 0 (hours) nor 1 (minutes)", rule="axe.lifetime-range"
        )
    ceiling = _ceilings()[time_unit]
    for name, value in (
        ("bindExpiredTime", bind_expired_time),
        ("callbackExpiredTime", callback_expired_time),
    ):
        if value is not None and not 0 <= value <= ceiling:
            raise PnsError(
                INVALID,
                f"{name} {value} is outside 0 to {ceiling} {_NAMES[time_unit]} (timeUnit {time_unit})",
                rule="axe.lifetime-range",
            )


@functools.cache
def _lifetime_order() -> tuple[str, FieldOrder]:
    rule = load().rules[LIFETIME_ORDER]
    assert rule.field_order is not None, "x-pns-rules axe.lifetime-order lost its x-pns-field-order"
    return rule.code, rule.field_order


LIFETIME_ORDER = "axe.lifetime-order"


def check_lifetime_order(bind_expired_time: int, callback_expired_time: int | None) -> None:
    """The binding outlives its call-back records (the spec's `axe.lifetime-order`); a modify is
    checked on the values the binding would have after it."""
    code, order = _lifetime_order()
    broken = order.broken_by({order.larger: bind_expired_time, order.smaller: callback_expired_time})
    if broken:
        raise PnsError(code, broken, rule=LIFETIME_ORDER, field=order.larger, value=bind_expired_time)


def deadline(start: float, time_unit: str, lifetime: int) -> float | None:
    """When a binding made (or restarted) at `start` expires; None when `lifetime` is 0 (never)."""
    return start + lifetime * _SECONDS[time_unit] if lifetime else None


def position(bound_at: float, sequence: int) -> str:
    """A cursor: the bind time in milliseconds (13 digits) and the bind sequence number."""
    return f"{round(bound_at * 1000):013d}_{sequence}"


def parse_cursor(cursor: str | None) -> int:
    """The sequence number a page starts after.

    The sequence number alone orders the bindings (the clock may be set back, bind order may not);
    the time half only gives the cursor the vendor's shape.
    """
    match = _CURSOR.match(cursor or FIRST_CURSOR)
    if match is None:
        raise PnsError(
            INVALID,
            f"cursor {cursor!r} is not 13 digits, '_', 1 to 20 digits (e.g. {FIRST_CURSOR})",
            rule="axe.page-cursor",
        )
    return int(match.group(2))


def check_limit(limit: int | None) -> int:
    if limit is None:
        return page_limits()[0]
    _, smallest, largest = page_limits()
    if not smallest <= limit <= largest:
        raise PnsError(INVALID, f"limit {limit} is outside {smallest} to {largest}", rule="axe.page-limit")
    return limit


def check_callback(callback_tone: str | None, callback_num: str | None) -> None:
    if callback_tone is not None and callback_num is not None:
        raise PnsError(
            INVALID,
            "callbackTone and callbackNum exclude each other; send one of them",
            rule="axe.callback-exclusive",
        )


def check_extension(extend_num: str, length: int) -> None:
    """An asked-for extension has 1 to `length` digits (the application's setting), not all zeros.

    It is kept as sent: "1" and "0001" are two extensions (no zero-padded comparison).
    """
    if (
        not (extend_num.isascii() and extend_num.isdigit())
        or len(extend_num) > length
        or int(extend_num) == 0
    ):
        raise PnsError(
            INVALID,
            f"extendNum {extend_num!r} must be at most {length} digits (the application's extension "
            "length), not all zeros",
            rule="axe.extension-shape",
        )
