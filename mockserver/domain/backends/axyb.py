"""AXYB mode: A holds X (the AX step), each B gets a Y on that binding (the YB step).

One X serves one A, one A holds at most `max_x_per_a` X; a Y serves many bindings but each at most
once, and at most `max_relations_per_y` in all. The vendor publishes no code for these limits: the
mock answers 1012008 with a detail naming the limit.

Order of checks (our choice): AX step: lifetimes (1010002), recording (1012012), the A's limit and
the allocation of X (1012008). YB step: the binding (1016001), B (1010002), the allocation of Y
(1012008).
"""

from __future__ import annotations

from itertools import islice

from ..apps import Application
from ..clock import Clock, ExpiryQueue
from ..errors import PnsError
from ..ids import IdFactory
from .axyb_model import AxybBinding, YbRelation, capped, default_duration, seconds
from .common import INVALID, Backend, NumberOwner, blank_to_none, no_idle_detail, public

NO_RESOURCE = "1012008"
NO_RECORDING = "1012012"
NOT_FOUND = "1016001"

MAX_ITEMS = 5  # a query lists at most five relations (no paging in AXYB)
QUERY_RULE = "axyb.query-lists-five"  # where the spec says so (x-pns-rules)


class AxybBackend(Backend):
    def __init__(
        self,
        app: Application,
        clock: Clock,
        ids: IdFactory,
        *,
        number_owner: NumberOwner,
        max_x_per_a: int = 5,
        max_relations_per_y: int = 1000,
    ) -> None:
        super().__init__(app, clock, ids, number_owner=number_owner)
        self.max_x_per_a = max_x_per_a
        self.max_relations_per_y = max_relations_per_y
        self._bindings: dict[str, AxybBinding] = {}
        self._on_x: dict[str, AxybBinding] = {}
        self._of_a: dict[str, dict[str, AxybBinding]] = {}  # A -> its bindings, in bind order
        self._y_load: dict[str, int] = {}  # Y -> how many bindings use it
        self._reach: dict[tuple[str, str], dict[str, YbRelation]] = {}  # (Y, A) -> YB by binding id
        # Keys: (subscription id, "") for a binding, (subscription id, Y) for one of its YB.
        self._expiry: ExpiryQueue[tuple[str, str]] = ExpiryQueue()

    @public
    def bind(
        self,
        *,
        orig_num: str,
        subscription_id: str | None = None,
        area_code: str | None = None,
        area_match_mode: str = "0",
        call_direction: int | None = None,
        duration: int | str | None = None,
        yb_duration: int | str | None = None,
        record_flag: bool = False,
        record_hint_tone: str | None = None,
        pre_voice_x: str | None = None,
        pre_voice_y: str | None = None,
        user_data: str | None = None,
    ) -> AxybBinding | YbRelation:
        """The AX step without `subscription_id` (A is `orig_num`); the YB step with it (B is `orig_num`).

        Each step ignores the other step's fields, as the platform ignores fields it does not document.
        """
        area_code = blank_to_none(area_code)
        if subscription_id is not None:
            return self._bind_yb(
                subscription_id, orig_num, area_code, area_match_mode, yb_duration, pre_voice_y
            )
        lifetime = seconds("duration", duration, default_duration())
        yb_lifetime = capped(seconds("ybDuration", yb_duration, 0), lifetime)
        self._check_recording(record_flag, NO_RECORDING)
        held = self._of_a.get(orig_num, {})
        if len(held) >= self.max_x_per_a:
            raise PnsError(
                NO_RESOURCE,
                f"origNum {orig_num} already holds {self.max_x_per_a} X, the limit per A",
                rule="axyb.max-x-per-a",
            )
        x = self.allocate_x(area_code, area_match_mode, lambda x: x not in self._on_x)
        if x is None:
            what = f"origNum {orig_num} (an X serves one A)"
            raise PnsError(
                NO_RESOURCE,
                no_idle_detail(self.app, what, area_code, area_match_mode, "areaCode"),
                rule="axyb.no-idle-x",
            )
        now = self.clock.now()
        binding = AxybBinding(
            subscription_id=self.ids.subscription_id(),
            num_a=orig_num,
            num_x=x,
            subscribe_time=now,
            call_direction=call_direction or 0,
            duration=lifetime,
            yb_duration=yb_lifetime,
            record_flag=record_flag,
            record_hint_tone=record_hint_tone,
            pre_voice_x=pre_voice_x,
            user_data=user_data,
            expire_time=now + lifetime if lifetime else None,
        )
        self._bindings[binding.subscription_id] = binding
        self._on_x[x] = binding
        self._of_a.setdefault(orig_num, {})[binding.subscription_id] = binding
        if binding.expire_time is not None:
            self._expiry.push(binding.expire_time, (binding.subscription_id, ""))
        return binding

    @public
    def unbind(
        self, *, subscription_id: str | None = None, y_num: str | None = None, b_num: str | None = None
    ) -> AxybBinding | YbRelation:
        """With `y_num` (which wins) or `b_num` only that YB goes; alone, the binding and all its YB."""
        if subscription_id is None:
            raise PnsError(INVALID, "unbind needs subscriptionId", rule="axyb.identify")
        binding = self._find(subscription_id)
        if y_num is None and b_num is None:
            self._remove(binding)
            return binding
        yb = binding.ybs.get(y_num) if y_num is not None else binding.yb_of(b_num or "")
        if yb is None:
            wanted = f"yNum {y_num}" if y_num is not None else f"bNum {b_num}"
            raise PnsError(
                NOT_FOUND,
                f"subscriptionId {subscription_id} has no YB relation with {wanted}",
                rule="axyb.not-found",
            )
        self._remove_yb(yb)
        return yb

    @public
    def query(
        self, *, subscription_id: str | None = None, relation_num: str | None = None
    ) -> list[AxybBinding | YbRelation]:
        """One item per YB (the first five, in bind order), or the binding alone while it has no YB."""
        if subscription_id is not None:
            binding = self._find(subscription_id)
        elif relation_num is not None:
            found = self._on_x.get(relation_num)
            if found is None:
                why = "has no binding" if self.app.owns(relation_num) else self._not_mine(relation_num)
                raise PnsError(NOT_FOUND, f"relationNum {relation_num} {why}", rule="axyb.not-found")
            binding = found
        else:
            raise PnsError(INVALID, "query needs subscriptionId or relationNum", rule="axyb.identify")
        items: list[AxybBinding | YbRelation] = [binding]
        if binding.ybs:
            items = list(islice(binding.ybs.values(), MAX_ITEMS))
        return items

    @public
    def by_x(self, x: str) -> AxybBinding | None:
        """The binding a call to X goes through (B dials X to reach A); None when no A holds X."""
        return self._on_x.get(x)

    @public
    def by_y(self, y: str, a: str) -> YbRelation | None:
        """The YB relation A reaches by dialling Y; None when A has no B behind Y.

        A may hold the same Y on two of its X (the vendor's rule is one Y per binding): the most
        recently bound of them wins.
        """
        reached = self._reach.get((y, a))
        return next(reversed(reached.values())) if reached else None

    @public
    def bindings(self) -> list[AxybBinding]:
        return list(self._bindings.values())

    @public
    def binding(self, subscription_id: str) -> AxybBinding | None:
        return self._bindings.get(subscription_id)

    def _bind_yb(
        self,
        subscription_id: str,
        b: str,
        area_code: str | None,
        area_match_mode: str,
        yb_duration: int | str | None,
        pre_voice_y: str | None,
    ) -> YbRelation:
        binding = self._find(subscription_id)
        if b == binding.num_a:
            raise PnsError(
                INVALID, f"origNum {b} (B) is the A of subscriptionId {subscription_id}", rule="axyb.b-not-a"
            )
        if binding.yb_of(b) is not None:
            raise PnsError(
                INVALID,
                f"origNum {b} (B) already has a Y on subscriptionId {subscription_id}",
                rule="axyb.one-y-per-b",
            )
        default = binding.yb_duration
        lifetime = capped(seconds("ybDuration", yb_duration, default), binding.duration)

        def idle(y: str) -> bool:
            load = self._y_load.get(y, 0)
            return y != binding.num_x and y not in binding.ybs and load < self.max_relations_per_y

        y = self.allocate_x(area_code, area_match_mode, idle)
        if y is None:
            what = (
                f"origNum {b} (B) on subscriptionId {subscription_id} (a Y serves a binding once "
                f"and at most {self.max_relations_per_y} bindings in all)"
            )
            raise PnsError(
                NO_RESOURCE,
                no_idle_detail(self.app, what, area_code, area_match_mode, "areaCode"),
                rule="axyb.no-idle-y",
            )
        now = self.clock.now()
        yb = YbRelation(
            binding=binding,
            num_y=y,
            num_b=b,
            subscribe_time=now,
            yb_duration=lifetime,
            pre_voice_y=pre_voice_y,
            expire_time=now + lifetime if lifetime else None,
        )
        binding.add(yb)
        self._y_load[y] = self._y_load.get(y, 0) + 1
        self._reach.setdefault((y, binding.num_a), {})[subscription_id] = yb
        if yb.expire_time is not None:
            self._expiry.push(yb.expire_time, (subscription_id, y))
        return yb

    def _expire(self) -> None:
        for expired_at, (subscription_id, y) in self._expiry.pop_due(self.clock.now()):
            binding = self._bindings.get(subscription_id)
            if binding is None:
                continue  # unbound or expired already: a stale entry
            if not y:
                if binding.expire_time == expired_at:
                    self._remove(binding)
                continue
            yb = binding.ybs.get(y)
            # An unbind and a new YB on the same Y leave the old deadline behind; only the current counts.
            if yb is not None and yb.expire_time == expired_at:
                self._remove_yb(yb)

    def _remove(self, binding: AxybBinding) -> None:
        for yb in list(binding.ybs.values()):
            self._remove_yb(yb)
        del self._bindings[binding.subscription_id]
        del self._on_x[binding.num_x]
        held = self._of_a[binding.num_a]
        del held[binding.subscription_id]
        if not held:
            del self._of_a[binding.num_a]

    def _remove_yb(self, yb: YbRelation) -> None:
        binding, y = yb.binding, yb.num_y
        binding.drop(yb)
        self._y_load[y] -= 1
        if not self._y_load[y]:
            del self._y_load[y]
        key = (y, binding.num_a)
        del self._reach[key][binding.subscription_id]
        if not self._reach[key]:
            del self._reach[key]

    def _find(self, subscription_id: str) -> AxybBinding:
        binding = self._bindings.get(subscription_id)
        if binding is None:
            raise PnsError(
                NOT_FOUND,
                f"subscriptionId {subscription_id} does not exist (or has expired)",
                rule="axyb.not-found",
            )
        return binding
