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
from .axb_index import XPairs, find_pair
from .axb_model import NOT_FOUND, AxbBinding, AxbPage, page_of, single
from .common import INVALID, Backend, NumberOwner, blank_to_none, no_idle_detail, public

NOT_APPLIED = "1012001"
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
        self._on_x: dict[str, XPairs] = {}  # X -> its bindings (none: no entry)
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
            if self._load(relation_num) >= self.max_pairs_per_x:
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
        pairs = self._on_x.get(x)
        if pairs is None:
            pairs = self._on_x[x] = XPairs()
        pairs.add(binding)
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
        removed = list(self._on_x.pop(relation_num))
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
        self._check_clash(x, caller, callee, own=binding)
        self._on_x[x].renumber(binding, caller, callee)
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
            return single(find_pair(self._on_x.get(relation_num), relation_num, caller_num, callee_num))
        on_x = self._on_x.get(relation_num)
        if not on_x:
            raise PnsError(NOT_FOUND, f"relationNum {relation_num} has no bindings", rule="axb.not-found")
        return page_of(on_x, len(on_x), page_index, page_size)

    @public
    def bindings(self) -> list[AxbBinding]:
        return list(self._bindings.values())

    @public
    def binding(self, subscription_id: str) -> AxbBinding | None:
        return self._bindings.get(subscription_id)

    @public
    def pair_of(self, x: str, number: str) -> AxbBinding | None:
        """The live pair on X that `number` belongs to (as A or B): how a call to X is routed."""
        return self._holder(x, number)

    def _expire(self) -> None:
        self._drop_due(self._expiry, self._bindings, self._remove)

    def _remove(self, binding: AxbBinding) -> None:
        del self._bindings[binding.subscription_id]
        if self._on_x[binding.relation_num].discard(binding):
            del self._on_x[binding.relation_num]

    def _holder(self, x: str, number: str) -> AxbBinding | None:
        pairs = self._on_x.get(x)
        return pairs.parties.get(number) if pairs is not None else None

    def _load(self, x: str) -> int:
        pairs = self._on_x.get(x)
        return len(pairs) if pairs is not None else 0

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

    def _check_pair(self, caller_num: str, callee_num: str) -> None:
        if caller_num == callee_num:
            raise PnsError(
                INVALID, f"callerNum and calleeNum are both {caller_num}", rule="axb.caller-not-callee"
            )

    def _check_mine(self, x: str) -> None:
        if not self.app.owns(x):
            raise PnsError(NOT_APPLIED, f"relationNum {x} {self._not_mine(x)}", rule="axb.not-applied")

    def _check_clash(self, x: str, caller_num: str, callee_num: str, *, own: AxbBinding | None) -> None:
        pairs = self._on_x.get(x)
        parties = pairs.parties if pairs is not None else {}
        for name, number in (("callerNum", caller_num), ("calleeNum", callee_num)):
            holder = parties.get(number)
            if holder is not None and holder is not own:
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
            pairs = self._on_x.get(x)
            if pairs is None:
                return self.max_pairs_per_x > 0
            return (
                len(pairs) < self.max_pairs_per_x
                and caller_num not in pairs.parties
                and (callee_num not in pairs.parties)
            )

        x = self.allocate_x(area_code, area_match_mode, idle)
        if x is None:
            what = f"callerNum {caller_num} and calleeNum {callee_num}"
            raise PnsError(
                NO_RESOURCE,
                no_idle_detail(self.app, what, area_code, area_match_mode, origin),
                rule="axb.no-idle-x",
            )
        return x
