"""AX mode: one A per X, at most `max_x_per_a` X per A, and no lifetime (AX bindings never expire).

Order of checks on bind (our choice; the vendor documents the codes, not their order): the
parameters and recording (1010002), then a given X (1011001, 1011004, 1011005), the A's limit
(1011003), and last the allocation by area (1011002).
"""

from __future__ import annotations

from typing import Any

from ..apps import Application
from ..clock import Clock
from ..errors import PnsError
from ..ids import IdFactory
from .ax_model import AxBinding, temporary_callee_default
from .common import INVALID, Backend, NumberOwner, blank_to_none, no_idle_detail, public

UNKNOWN_NUMBER = "1011001"
NO_RESOURCE = "1011002"
A_LIMIT = "1011003"
NOT_APPLIED = "1011004"
X_TAKEN = "1011005"
NOT_FOUND = "1016001"
TEMPORARY_CALLEE_RULE = "ax.temporary-callee-duration"  # x-pns-rules


class AxBackend(Backend):
    def __init__(
        self,
        app: Application,
        clock: Clock,
        ids: IdFactory,
        *,
        number_owner: NumberOwner,
        max_x_per_a: int = 5,
    ) -> None:
        super().__init__(app, clock, ids, number_owner=number_owner)
        self.max_x_per_a = max_x_per_a
        self._bindings: dict[str, AxBinding] = {}
        self._on_x: dict[str, AxBinding] = {}
        self._of_a: dict[str, dict[str, AxBinding]] = {}  # A -> its bindings, in bind order

    @public
    def bind(
        self,
        *,
        orig_num: str,
        private_num: str | None = None,
        area_code: str | None = None,
        private_num_type: str | None = None,
        area_match_mode: str = "0",
        record_flag: bool = False,
        record_hint_tone: str | None = None,
        callee_num_display: str | None = None,
        private_sms: str | None = None,
        pre_voice: dict[str, Any] | None = None,
        max_duration: int | None = None,
        last_min_voice: str | None = None,
        user_data: str | None = None,
        turn_flag: str | None = None,
        call_direction: int | None = None,
    ) -> AxBinding:
        area_code = blank_to_none(area_code)
        if private_num is None:
            if area_code is None:
                raise PnsError(INVALID, "bind needs privateNum or areaCode", rule="ax.x-or-area")
            if private_num_type is None:
                raise PnsError(
                    INVALID,
                    f"areaCode {area_code} needs privateNumType (mobile-virtual)",
                    rule="ax.area-needs-type",
                )
        self._check_recording(record_flag, INVALID)
        if private_num is not None:
            self._check_mine(private_num)
            self._check_bindable(private_num)
            taken = self._on_x.get(private_num)
            if taken is not None:
                raise PnsError(
                    X_TAKEN,
                    f"privateNum {private_num} is already bound to {taken.orig_num}",
                    rule="ax.one-a-per-x",
                )
        self._check_limit(orig_num)
        binding = AxBinding(
            subscription_id=self.ids.subscription_id(),
            orig_num=orig_num,
            private_num=private_num or self._allocate(orig_num, area_code, area_match_mode),
            subscribe_time=self.clock.now(),
            private_num_type=private_num_type,
            record_flag=record_flag,
            record_hint_tone=record_hint_tone,
            callee_num_display=callee_num_display,
            private_sms=private_sms,
            pre_voice=pre_voice,
            max_duration=max_duration,
            last_min_voice=last_min_voice,
            user_data=user_data,
            turn_flag=turn_flag,
            call_direction=call_direction,
        )
        self._bindings[binding.subscription_id] = binding
        self._on_x[binding.private_num] = binding
        self._of_a.setdefault(orig_num, {})[binding.subscription_id] = binding
        return binding

    @public
    def unbind(
        self,
        *,
        subscription_id: str | None = None,
        private_num: str | None = None,
        orig_num: str | None = None,  # accepted and ignored, as the platform does
    ) -> AxBinding:
        binding = self._identify(subscription_id, private_num, "unbind")
        del self._bindings[binding.subscription_id]
        del self._on_x[binding.private_num]
        self._leave_a(binding)
        return binding

    @public
    def modify(
        self,
        *,
        subscription_id: str | None = None,
        private_num: str | None = None,
        orig_num: str | None = None,
        private_sms: str | None = None,
        max_duration: int | None = None,
        record_flag: bool | None = None,
        last_min_voice: str | None = None,
        pre_voice: dict[str, Any] | None = None,
        user_data: str | None = None,
        call_direction: int | None = None,
        turn_flag: str | None = None,
        callee_num_display: str | None = None,
        record_hint_tone: str | None = None,
    ) -> AxBinding:
        binding = self._identify(subscription_id, private_num, "modify")
        self._check_recording(bool(record_flag), INVALID)
        if orig_num is not None and orig_num != binding.orig_num:
            self._check_limit(orig_num)
            self._leave_a(binding)
            binding.orig_num = orig_num
            self._of_a.setdefault(orig_num, {})[binding.subscription_id] = binding
        changes = {
            "private_sms": private_sms,
            "max_duration": max_duration,
            "record_flag": record_flag,
            "last_min_voice": last_min_voice,
            "pre_voice": pre_voice,
            "user_data": user_data,
            "call_direction": call_direction,
            "turn_flag": turn_flag,
            "callee_num_display": callee_num_display,
            "record_hint_tone": record_hint_tone,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(binding, name, value)
        return binding

    @public
    def query(
        self,
        *,
        subscription_id: str | None = None,
        orig_num: str | None = None,
        private_num: str | None = None,
    ) -> list[AxBinding]:
        if subscription_id is None and orig_num is not None:
            held = self._of_a.get(orig_num)
            if not held:
                raise PnsError(NOT_FOUND, f"origNum {orig_num} has no binding", rule="ax.not-found")
            return list(held.values())
        return [self._identify(subscription_id, private_num, "query", alternatives="origNum or privateNum")]

    @public
    def set_temporary_callee(
        self,
        *,
        subscription_id: str | None = None,
        private_num: str | None = None,
        callee_num: str,
        duration: int | None = None,
    ) -> AxBinding:
        """Each call replaces the previous callee; it lapses after `duration` seconds (spec default 60)."""
        binding = self._identify(subscription_id, private_num, "setting a callee")
        if callee_num == binding.orig_num:
            raise PnsError(
                INVALID, f"calleeNum {callee_num} is the origNum of the binding", rule="ax.callee-not-a"
            )
        binding.temporary_callee = callee_num
        binding.temporary_callee_until = self.clock.now() + (
            temporary_callee_default() if duration is None else duration
        )
        return binding

    @public
    def bindings(self) -> list[AxBinding]:
        return list(self._bindings.values())

    @public
    def binding(self, subscription_id: str) -> AxBinding | None:
        return self._bindings.get(subscription_id)

    @public
    def on_x(self, private_num: str) -> AxBinding | None:
        """The binding that holds X, if any: how a call to X is routed."""
        return self._on_x.get(private_num)

    def _identify(
        self,
        subscription_id: str | None,
        private_num: str | None,
        action: str,
        *,
        alternatives: str = "privateNum",
    ) -> AxBinding:
        """The binding named by subscriptionId (which wins) or by its X."""
        if subscription_id is not None:
            found = self._bindings.get(subscription_id)
            if found is None:
                raise PnsError(
                    NOT_FOUND, f"subscriptionId {subscription_id} does not exist", rule="ax.not-found"
                )
            return found
        if private_num is None:
            raise PnsError(INVALID, f"{action} needs subscriptionId or {alternatives}", rule="ax.identify")
        owner = self._owner(private_num)
        if owner is not None and owner != self.app.app_key:
            raise PnsError(
                NOT_APPLIED, f"privateNum {private_num} {self._not_mine(private_num)}", rule="ax.not-applied"
            )
        found = self._on_x.get(private_num)
        if found is None:
            raise PnsError(NOT_FOUND, f"privateNum {private_num} has no binding", rule="ax.not-found")
        return found

    def _check_mine(self, private_num: str) -> None:
        owner = self._owner(private_num)
        if owner != self.app.app_key:
            code = UNKNOWN_NUMBER if owner is None else NOT_APPLIED
            raise PnsError(
                code, f"privateNum {private_num} {self._not_mine(private_num)}", rule="ax.not-applied"
            )

    def _check_limit(self, orig_num: str) -> None:
        if len(self._of_a.get(orig_num, ())) >= self.max_x_per_a:
            raise PnsError(
                A_LIMIT,
                f"origNum {orig_num} already holds {self.max_x_per_a} private numbers",
                rule="ax.max-x-per-a",
            )

    def _leave_a(self, binding: AxBinding) -> None:
        held = self._of_a[binding.orig_num]
        del held[binding.subscription_id]
        if not held:
            del self._of_a[binding.orig_num]

    def _allocate(self, orig_num: str, area_code: str | None, area_match_mode: str) -> str:
        x = self.allocate_x(area_code, area_match_mode, lambda x: x not in self._on_x)
        if x is None:
            what = f"origNum {orig_num}"
            raise PnsError(
                NO_RESOURCE,
                no_idle_detail(self.app, what, area_code, area_match_mode, "areaCode"),
                rule="ax.no-idle-x",
            )
        return x
