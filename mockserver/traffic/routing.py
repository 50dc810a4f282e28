"""Where a call to a private number goes, per mode: the platform's call rules over binding state.

A router reads one application's backend and answers with a `Route`: the real callee and what
the callee sees, or the hang-up cause (`stateCode`, from the spec's table) when the call cannot
be forwarded. No HTTP, no time of its own: `now` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.errors import PnsError

# Hang-up causes used here (their texts live in the spec's x-pns-hangup-causes table).
INVALID_AX_CALL = 8013  # AX: A dialled X but no temporary callee is set
INVALID_AXB_CALL = 8014  # AXB/X: no binding for this caller on X (or a bad Block reply)
DIRECTION_NOT_ALLOWED = 8016  # the binding's callDirection forbids this way
NO_PERMISSION = 8018  # AX: nobody holds X
CALLBACK_MISSING = 8019  # AXE: A dialled X with no call-back record
AXE_BINDING_MISSING = 8022  # AXE: no binding for the extension keyed
AXE_EXTENSION_EMPTY = 8033
AXYB_BINDING_MISSING = 8030
AXYB_Y_UNAVAILABLE = 8031  # AXYB: no Y could be allocated during the call
AXYB_OWN_NUMBER = 8032  # AXYB: A dialled its own X

# CDR `direction` (spec: FeeInfo*.direction)
TOWARDS_A, FROM_A, ABNORMAL = 0, 1, 2


@dataclass(frozen=True)
class Route:
    x: str  # the private number dialled (CDR bindNum)
    subscription_id: str | None = None
    callee: str | None = None  # the real number the call is forwarded to (fwdDstNum)
    display: str | None = None  # the number the callee sees (fwdDisplayNum)
    user_data: str | None = None
    record: bool = False
    max_duration: int = 0  # minutes from answer; 0 = no limit
    last_min_voice: str | None = None
    direction: int = ABNORMAL
    failure: int | None = None  # stateCode when the call cannot be forwarded
    extend_num: str | None = None

    @property
    def forwarded(self) -> bool:
        return self.failure is None and self.callee is not None


def _known(binding: Any, direction: int) -> dict[str, Any]:
    """What a route carries even when the call is refused: the binding and the direction."""
    return {
        "subscription_id": binding.subscription_id,
        "user_data": binding.user_data,
        "direction": direction,
    }


def route_axb(backend: Any, caller: str, x: str, digits: str | None, now: float) -> Route:
    """A dials X: B answers, B dials X: A answers; nobody else gets through (8014)."""
    pair = backend.pair_of(x, caller)
    if pair is None:
        return Route(x, failure=INVALID_AXB_CALL)
    from_a = caller == pair.caller_num
    direction = FROM_A if from_a else TOWARDS_A
    allowed = pair.call_direction in ((0, 1) if from_a else (0, 2))
    common = _known(pair, direction)
    if not allowed:
        return Route(x, failure=DIRECTION_NOT_ALLOWED, **common)
    return Route(
        x,
        callee=pair.callee_num if from_a else pair.caller_num,
        display=x,
        record=pair.record_flag,
        max_duration=pair.max_duration or 0,
        last_min_voice=pair.last_min_voice,
        **common,
    )


def route_ax(backend: Any, caller: str, x: str, digits: str | None, now: float) -> Route:
    """Anyone dials X: A answers. A dials X: the temporary callee answers, if one is set (8013)."""
    binding = backend.on_x(x)
    if binding is None:
        return Route(x, failure=NO_PERMISSION)
    from_a = caller == binding.orig_num
    direction = FROM_A if from_a else TOWARDS_A
    allowed = (binding.call_direction or 0) in ((0, 1) if from_a else (0, 2))
    common = {
        "subscription_id": binding.subscription_id,
        "user_data": binding.user_data,
        "direction": direction,
    }
    if not allowed:
        return Route(x, failure=DIRECTION_NOT_ALLOWED, **common)
    if from_a:
        callee = binding.current_callee(now)
        if callee is None:
            return Route(x, failure=INVALID_AX_CALL, **common)
        display = x
    else:
        callee = binding.orig_num
        display = caller if binding.callee_num_display == "1" else x
    return Route(
        x,
        callee=callee,
        display=display,
        record=binding.record_flag,
        max_duration=binding.max_duration or 0,
        last_min_voice=binding.last_min_voice,
        **common,
    )


def route_axe(backend: Any, caller: str, x: str, digits: str | None, now: float) -> Route:
    """B dials X and keys E: A answers (and may call B back). A dials X: the call-back record,
    else the binding's callbackNum, else its callbackTone and the end (8019)."""
    own = backend.of_a(x, caller)
    if own is not None:
        callee = backend.callbacks.callee_for(x, caller) or own.callback_num
        common = _known(own, FROM_A)
        if callee is None:
            return Route(x, failure=CALLBACK_MISSING, extend_num=own.extend_num, **common)
        return Route(x, callee=callee, display=x, record=own.record_flag, extend_num=own.extend_num, **common)
    if not digits:
        return Route(x, failure=AXE_EXTENSION_EMPTY)
    binding = backend.by_extension(x, digits)
    if binding is None:
        return Route(x, failure=AXE_BINDING_MISSING, extend_num=digits)
    backend.callbacks.record(binding, caller)
    return Route(
        x,
        callee=binding.bind_num,
        display=caller if binding.display_num_mode == "1" else x,
        record=binding.record_flag,
        extend_num=binding.extend_num,
        **_known(binding, TOWARDS_A),
    )


def route_axyb(backend: Any, caller: str, dialled: str, digits: str | None, now: float) -> Route:
    """A dials Y: B answers and sees X. B dials X: A answers and sees Y (B without a Y gets one)."""
    binding = backend.by_x(dialled)
    if binding is not None:  # someone dialled X
        if caller == binding.num_a:
            return Route(dialled, failure=AXYB_OWN_NUMBER, **_known(binding, FROM_A))
        relation = binding.yb_of(caller)
        if relation is None:
            try:
                relation = backend.bind(subscription_id=binding.subscription_id, orig_num=caller)
            except PnsError:
                return Route(dialled, failure=AXYB_Y_UNAVAILABLE, **_known(binding, TOWARDS_A))
        if binding.call_direction == 1:
            return Route(dialled, failure=DIRECTION_NOT_ALLOWED, **_known(binding, TOWARDS_A))
        return Route(
            dialled,
            callee=binding.num_a,
            display=relation.num_y,
            record=binding.record_flag,
            **_known(binding, TOWARDS_A),
        )
    relation = backend.by_y(dialled, caller)
    if relation is None:
        return Route(dialled, failure=AXYB_BINDING_MISSING)
    binding = relation.binding
    if binding.call_direction == 2:
        return Route(dialled, failure=DIRECTION_NOT_ALLOWED, **_known(binding, FROM_A))
    return Route(
        dialled,
        callee=relation.num_b,
        display=binding.num_x,
        record=binding.record_flag,
        **_known(binding, FROM_A),
    )


ROUTERS = {"AXB": route_axb, "AX": route_ax, "AXE": route_axe, "AXYB": route_axyb}
