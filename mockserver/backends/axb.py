"""AXB mode: many (A, B) pairs share one X; a number appears at most once per X.

Order of checks on bind (our choice; the vendor documents the codes, not their order): the
parameters (1010002), recording (1012012), then the X: ownership (1012001), capacity (1012009),
clash (1012010), or allocation (1012008).
"""

from __future__ import annotations

from typing import Any

from ..apps import Application, landline_area_code
from ..clock import Clock, ExpiryQueue
from ..errors import PnsError
from ..ids import IdFactory
from .axb_model import AxbBinding, AxbPage, page_of, single
from .common import INVALID, Backend, NumberOwner, blank_to_none, no_idle_detail, public

NOT_APPLIED = "1012001"
NOT_FOUND = "1012007"
NO_RESOURCE = "1012008"
X_FULL = "1012009"
ALREADY_BOUND = "1012010"
NO_RECORDING = "1012012"


class AxbBackend(Backend):
    def __init__(
        self,
        app: Application,
        clock: Clock,
        ids: IdFactory,
        *,
        number_owner: NumberOwner,
        max_pairs_per_x: int = 5000,
    ) -> None:
        super().__init__(app, clock, ids, number_owner=number_owner)
        self.max_pairs_per_x = max_pairs_per_x
        self._bindings: dict[str, AxbBinding] = {}
        self._on_x: dict[str, dict[str, AxbBinding]] = {}  # X -> its bindings, in bind order
        self._parties: dict[str, dict[str, str]] = {}  # X -> A or B number -> subscription id
        self._expiry: ExpiryQueue[str] = ExpiryQueue()

    @public
    def bind(
        self,
        *,
        caller_num: str,
        callee_num: str,
        relation_num: str | None = None,
        area_code: str | None = None,
        area_match_mode: str = "0",
        call_direction: int = 0,
        duration: int | None = None,
        record_flag: bool = False,
        record_hint_tone: str | None = None,
        max_duration: int | None = None,
        last_min_voice: str | None = None,
        private_sms: str | None = None,
        pre_voice: dict[str, Any] | None = None,
        user_data: str | None = None,
    ) -> AxbBinding:
        self._check_pair(caller_num, callee_num)
        self._check_recording(record_flag, NO_RECORDING)
        if relation_num is not None:
            self._check_mine(relation_num)
            self._check_bindable(relation_num)
            if len(self._on_x.get(relation_num, ())) >= self.max_pairs_per_x:
                raise PnsError(
                    X_FULL,
                    f"relationNum {relation_num} already holds {self.max_pairs_per_x} pairs",
                    rule="axb.max-pairs-per-x",
                )
            self._check_clash(relation_num, caller_num, callee_num, own=None)
            x = relation_num
        else:
            x = self._allocate(caller_num, callee_num, blank_to_none(area_code), area_match_mode)
        now = self.clock.now()
        binding = AxbBinding(
            subscription_id=self.ids.subscription_id(),
            relation_num=x,
            caller_num=caller_num,
            callee_num=callee_num,
            subscribe_time=now,
            call_direction=call_direction,
            duration=duration,
            record_flag=record_flag,
            record_hint_tone=record_hint_tone,
            max_duration=max_duration,
            last_min_voice=last_min_voice,
            private_sms=private_sms,
            pre_voice=pre_voice,
            user_data=user_data,
        )
        self._bindings[binding.subscription_id] = binding
        self._on_x.setdefault(x, {})[binding.subscription_id] = binding
        parties = self._parties.setdefault(x, {})
        parties[caller_num] = parties[callee_num] = binding.subscription_id
        self._set_timer(binding, duration, now)
        return binding

    @public
    def unbind(
        self, *, subscription_id: str | None = None, relation_num: str | None = None
    ) -> list[AxbBinding]:
        if subscription_id is not None:
            binding = self._find(subscription_id)
            self._remove(binding)
            return [binding]
        if relation_num is None:
            raise PnsError(INVALID, "unbind needs subscriptionId or relationNum", rule="axb.identify")
        self._check_mine(relation_num)
        if relation_num not in self._on_x:
            raise PnsError(NOT_FOUND, f"relationNum {relation_num} has no bindings", rule="axb.not-found")
        removed = list(self._on_x.pop(relation_num).values())
        del self._parties[relation_num]
        for binding in removed:
            del self._bindings[binding.subscription_id]
        return removed

    @public
    def modify(
        self,
        *,
        subscription_id: str,
        caller_num: str | None = None,
        callee_num: str | None = None,
        call_direction: int | None = None,
        duration: int | None = None,
        record_flag: bool | None = None,
        record_hint_tone: str | None = None,
        max_duration: int | None = None,
        last_min_voice: str | None = None,
        private_sms: str | None = None,
        pre_voice: dict[str, Any] | None = None,
        user_data: str | None = None,
    ) -> AxbBinding:
        binding = self._find(subscription_id)
        caller = binding.caller_num if caller_num is None else caller_num
        callee = binding.callee_num if callee_num is None else callee_num
        self._check_pair(caller, callee)
        self._check_recording(bool(record_flag), NO_RECORDING)
        x = binding.relation_num
        self._check_clash(x, caller, callee, own=binding.subscription_id)
        parties = self._parties[x]
        del parties[binding.caller_num], parties[binding.callee_num]
        parties[caller] = parties[callee] = binding.subscription_id
        binding.caller_num, binding.callee_num = caller, callee
        changes = {
            "call_direction": call_direction,
            "record_flag": record_flag,
            "record_hint_tone": record_hint_tone,
            "max_duration": max_duration,
            "last_min_voice": last_min_voice,
            "private_sms": private_sms,
            "pre_voice": pre_voice,
            "user_data": user_data,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(binding, name, value)
        now = self.clock.now()
        binding.subscribe_time = now
        if duration is not None:
            binding.duration = duration
            self._set_timer(binding, duration, now)
        return binding

    @public
    def query(
        self,
        *,
        subscription_id: str | None = None,
        relation_num: str | None = None,
        caller_num: str | None = None,
        callee_num: str | None = None,
        page_index: int | None = None,
        page_size: int | None = None,
    ) -> AxbPage:
        if subscription_id is not None:
            return single(self._find(subscription_id))
        if relation_num is None:
            raise PnsError(INVALID, "query needs subscriptionId or relationNum", rule="axb.identify")
        self._check_mine(relation_num)
        if caller_num is not None or callee_num is not None:
            return single(self._find_pair(relation_num, caller_num, callee_num))
        on_x = self._on_x.get(relation_num)
        if not on_x:
            raise PnsError(NOT_FOUND, f"relationNum {relation_num} has no bindings", rule="axb.not-found")
        return page_of(on_x, page_index, page_size)

    @public
    def bindings(self) -> list[AxbBinding]:
        return list(self._bindings.values())

    @public
    def binding(self, subscription_id: str) -> AxbBinding | None:
        return self._bindings.get(subscription_id)

    @public
    def pair_of(self, x: str, number: str) -> AxbBinding | None:
        """The live pair on X that `number` belongs to (as A or B): how a call to X is routed."""
        subscription_id = self._parties.get(x, {}).get(number)
        return self._bindings.get(subscription_id) if subscription_id else None

    def _expire(self) -> None:
        self._drop_due(self._expiry, self._bindings, self._remove)

    def _remove(self, binding: AxbBinding) -> None:
        x = binding.relation_num
        del self._bindings[binding.subscription_id]
        del self._on_x[x][binding.subscription_id]
        del self._parties[x][binding.caller_num], self._parties[x][binding.callee_num]
        if not self._on_x[x]:
            del self._on_x[x], self._parties[x]

    def _set_timer(self, binding: AxbBinding, duration: int | None, now: float) -> None:
        binding.expire_time = now + duration if duration else None
        if binding.expire_time is not None:
            self._expiry.push(binding.expire_time, binding.subscription_id)

    def _find(self, subscription_id: str) -> AxbBinding:
        binding = self._bindings.get(subscription_id)
        if binding is None:
            raise PnsError(
                NOT_FOUND,
                f"subscriptionId {subscription_id} does not exist (or has expired)",
                rule="axb.not-found",
            )
        return binding

    def _find_pair(self, x: str, caller_num: str | None, callee_num: str | None) -> AxbBinding:
        number = caller_num if caller_num is not None else callee_num
        sid = self._parties.get(x, {}).get(number or "")
        binding = self._bindings.get(sid or "")
        if (
            binding is None
            or (caller_num is not None and binding.caller_num != caller_num)
            or (callee_num is not None and binding.callee_num != callee_num)
        ):
            wanted = ", ".join(
                f"{name} {value}"
                for name, value in (("callerNum", caller_num), ("calleeNum", callee_num))
                if value is not None
            )
            raise PnsError(NOT_FOUND, f"relationNum {x} has no binding with {wanted}", rule="axb.not-found")
        return binding

    def _check_pair(self, caller_num: str, callee_num: str) -> None:
        if caller_num == callee_num:
            raise PnsError(
                INVALID, f"callerNum and calleeNum are both {caller_num}", rule="axb.caller-not-callee"
            )

    def _check_mine(self, x: str) -> None:
        if not self.app.owns(x):
            raise PnsError(NOT_APPLIED, f"relationNum {x} {self._not_mine(x)}", rule="axb.not-applied")

    def _check_clash(self, x: str, caller_num: str, callee_num: str, *, own: str | None) -> None:
        parties = self._parties.get(x, {})
        for name, number in (("callerNum", caller_num), ("calleeNum", callee_num)):
            holder = parties.get(number)
            if holder is not None and holder != own:
                raise PnsError(
                    ALREADY_BOUND,
                    f"{name} {number} is already bound on {x}",
                    rule="axb.number-once-per-x",
                    field=name,
                    value=number,
                )

    def _allocate(self, caller_num: str, callee_num: str, area_code: str | None, area_match_mode: str) -> str:
        origin = "areaCode"
        if area_code is None:
            area_code, origin = landline_area_code(caller_num), f"callerNum {caller_num}'s area"

        def idle(x: str) -> bool:
            parties = self._parties.get(x, {})
            return load(x) < self.max_pairs_per_x and caller_num not in parties and callee_num not in parties

        def load(x: str) -> int:
            return len(self._on_x.get(x, ()))

        x = self.allocate_x(area_code, area_match_mode, idle)
        if x is None:
            what = f"callerNum {caller_num} and calleeNum {callee_num}"
            raise PnsError(
                NO_RESOURCE,
                no_idle_detail(self.app, what, area_code, area_match_mode, origin),
                rule="axb.no-idle-x",
            )
        return x
