"""AXE mode: one X carries many A, each reached through its own extension E.

Order of checks on bind (our choice; the vendor documents the codes, not their order): the
parameters (1010002), recording (1012012), then the X: ownership (1012001) or allocation (1012008),
then A: one extension per X (1016002), then the extension: taken (1016002) or none free (1020167).
"""

from __future__ import annotations

from ..apps import Application
from ..clock import Clock, ExpiryQueue
from ..errors import PnsError
from ..ids import IdFactory
from .axe_callbacks import CallbackBook
from .axe_index import XIndex
from .axe_model import (
    HOURS,
    AxeBinding,
    AxePage,
    as_queried,
    check_callback,
    check_extension,
    check_lifetime,
    check_lifetime_order,
    check_limit,
    deadline,
    parse_cursor,
)
from .common import INVALID, Backend, NumberOwner, blank_to_none, no_idle_detail, public

NOT_APPLIED = "1012001"
NO_RESOURCE = "1012008"
NO_RECORDING = "1012012"
NOT_FOUND = "1016001"


class AxeBackend(Backend):
    def __init__(
        self,
        app: Application,
        clock: Clock,
        ids: IdFactory,
        *,
        number_owner: NumberOwner,
        modify_restarts_clock: bool = True,
        query_shows_bind_values: bool = True,
    ) -> None:
        super().__init__(app, clock, ids, number_owner=number_owner)
        self.modify_restarts_clock = modify_restarts_clock
        self.query_shows_bind_values = query_shows_bind_values
        self._bindings: dict[str, AxeBinding] = {}
        self._by_x = XIndex()
        self._sequence = 0
        self._expiry: ExpiryQueue[str] = ExpiryQueue()
        self.callbacks = CallbackBook(clock)

    @property
    def capacity(self) -> int:
        return int(10**self.app.extension_length - 1)

    @public
    def bind(
        self,
        *,
        bind_num: str,
        virtual_num: str | None = None,
        area_code: str | None = None,
        area_match_mode: str = "0",
        extend_num: str | None = None,
        display_num_mode: str | None = None,
        record_flag: bool = False,
        record_hint_tone: str | None = None,
        callback_tone: str | None = None,
        callback_num: str | None = None,
        time_unit: str | None = None,
        bind_expired_time: int | None = None,
        callback_expired_time: int | None = None,
        user_data: str | None = None,
    ) -> AxeBinding:
        area_code = blank_to_none(area_code)
        if virtual_num is None and area_code is None:
            raise PnsError(INVALID, "bind needs virtualNum or areaCode", rule="axe.x-or-area")
        check_callback(callback_tone, callback_num)
        if extend_num is not None:
            check_extension(extend_num, self.app.extension_length)
        unit = time_unit or HOURS
        lifetime = bind_expired_time or 0
        check_lifetime(unit, lifetime, callback_expired_time)
        check_lifetime_order(lifetime, callback_expired_time)
        self._check_recording(record_flag, NO_RECORDING)
        if virtual_num is not None:
            self._check_mine(virtual_num)
            self._check_bindable(virtual_num)
            x = virtual_num
        else:
            x = self._allocate(bind_num, area_code, area_match_mode)
        extension = self._by_x.claim(x, bind_num, extend_num, self.capacity, self.app.extension_length)
        now = self.clock.now()
        self._sequence += 1
        binding = AxeBinding(
            subscription_id=self.ids.subscription_id(),
            virtual_num=x,
            extend_num=extension,
            bind_num=bind_num,
            bound_at=now,
            sequence=self._sequence,
            display_num_mode=display_num_mode or "0",
            record_flag=record_flag,
            record_hint_tone=record_hint_tone,
            callback_tone=callback_tone,
            callback_num=callback_num,
            time_unit=unit,
            bind_expired_time=lifetime,
            callback_expired_time=callback_expired_time,
            user_data=user_data,
            bound_time_unit=unit,
            bound_expired_time=lifetime,
        )
        self._bindings[binding.subscription_id] = binding
        self._by_x.add(binding)
        self._set_timer(binding, now)
        return binding

    @public
    def unbind(
        self,
        *,
        subscription_id: str | None = None,
        virtual_num: str | None = None,
        extend_num: str | None = None,
    ) -> AxeBinding:
        binding = self._identify(subscription_id, virtual_num, extend_num, "unbind")
        self._remove(binding)
        return binding

    @public
    def modify(
        self,
        *,
        subscription_id: str | None = None,
        virtual_num: str | None = None,
        extend_num: str | None = None,
        display_num_mode: str | None = None,
        record_flag: bool | None = None,
        record_hint_tone: str | None = None,
        callback_tone: str | None = None,
        callback_num: str | None = None,
        time_unit: str | None = None,
        bind_expired_time: int | None = None,
        callback_expired_time: int | None = None,
    ) -> AxeBinding:
        check_callback(callback_tone, callback_num)
        binding = self._identify(subscription_id, virtual_num, extend_num, "modify")
        self._check_recording(bool(record_flag), NO_RECORDING)
        unit = time_unit or binding.time_unit
        lifetime = binding.bind_expired_time if bind_expired_time is None else bind_expired_time
        callback = binding.callback_expired_time if callback_expired_time is None else callback_expired_time
        check_lifetime(unit, lifetime, callback)
        check_lifetime_order(lifetime, callback)
        # The two no-call-back treatments exclude each other: setting one drops the other.
        if callback_tone is not None:
            binding.callback_tone, binding.callback_num = callback_tone, None
        if callback_num is not None:
            binding.callback_tone, binding.callback_num = None, callback_num
        changes = {
            "display_num_mode": display_num_mode,
            "record_flag": record_flag,
            "record_hint_tone": record_hint_tone,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(binding, name, value)
        binding.callback_expired_time = callback
        if time_unit is not None or bind_expired_time is not None:
            binding.time_unit, binding.bind_expired_time = unit, lifetime
            now = self.clock.now()
            self._set_timer(binding, now if self.modify_restarts_clock else binding.bound_at)
        return binding

    @public
    def query(
        self,
        *,
        subscription_id: str | None = None,
        virtual_num: str | None = None,
        extend_num: str | None = None,
    ) -> AxeBinding:
        found = self._identify(subscription_id, virtual_num, extend_num, "query")
        return as_queried(self.query_shows_bind_values, found)

    @public
    def query_page(
        self,
        *,
        subscription_id: str | None = None,
        virtual_num: str | None = None,
        extend_num: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> AxePage:
        """v2.0: one binding (by id, or by X + E), or the bindings of X after `cursor`, in bind order."""
        if subscription_id is not None or extend_num is not None:
            found = self._identify(subscription_id, virtual_num, extend_num, "query")
            return AxePage(items=[as_queried(self.query_shows_bind_values, found)], next_cursor=None)
        if virtual_num is None:
            raise PnsError(
                INVALID,
                "query needs subscriptionId, virtualNum + extendNum, or virtualNum",
                rule="axe.identify",
            )
        size = check_limit(limit)
        after = parse_cursor(cursor)
        self._check_mine(virtual_num)
        chosen, more = self._by_x.page(virtual_num, after, size)
        items = [as_queried(self.query_shows_bind_values, binding) for binding in chosen]
        return AxePage(items=items, next_cursor=items[-1].position if more else None)

    @public
    def by_extension(self, virtual_num: str, extend_num: str) -> AxeBinding | None:
        """The binding a caller reaches by dialling X and keying E (None: no such extension)."""
        return self._by_x.by_extension(virtual_num, extend_num)

    @public
    def of_a(self, virtual_num: str, bind_num: str) -> AxeBinding | None:
        """A's binding on X (A dialling X calls back); A holds at most one extension per X."""
        return self._by_x.of_a(virtual_num, bind_num)

    @public
    def bindings(self) -> list[AxeBinding]:
        return list(self._bindings.values())

    @public
    def binding(self, subscription_id: str) -> AxeBinding | None:
        return self._bindings.get(subscription_id)

    def _expire(self) -> None:
        self._drop_due(self._expiry, self._bindings, self._remove)

    def _remove(self, binding: AxeBinding) -> None:
        del self._bindings[binding.subscription_id]
        self._by_x.remove(binding, self.app.extension_length)

    def _set_timer(self, binding: AxeBinding, start: float) -> None:
        binding.expire_time = deadline(start, binding.time_unit, binding.bind_expired_time)
        if binding.expire_time is not None:
            self._expiry.push(binding.expire_time, binding.subscription_id)

    def _identify(
        self, subscription_id: str | None, virtual_num: str | None, extend_num: str | None, action: str
    ) -> AxeBinding:
        """The binding named by subscriptionId (which wins) or by its X and E together."""
        if subscription_id is not None:
            found = self._bindings.get(subscription_id)
            if found is None:
                raise PnsError(
                    NOT_FOUND,
                    f"subscriptionId {subscription_id} does not exist (or has expired)",
                    rule="axe.not-found",
                )
            return found
        if virtual_num is None or extend_num is None:
            raise PnsError(
                INVALID,
                f"{action} needs subscriptionId, or virtualNum and extendNum together",
                rule="axe.identify",
            )
        self._check_mine(virtual_num)
        found = self._by_x.by_extension(virtual_num, extend_num)
        if found is None:
            raise PnsError(
                NOT_FOUND,
                f"virtualNum {virtual_num} has no binding on extendNum {extend_num}",
                rule="axe.not-found",
            )
        return found

    def _check_mine(self, x: str) -> None:
        if not self.app.owns(x):
            raise PnsError(NOT_APPLIED, f"virtualNum {x} {self._not_mine(x)}", rule="axe.not-applied")

    def _allocate(self, bind_num: str, area_code: str | None, area_match_mode: str) -> str:
        def idle(x: str) -> bool:
            return self._by_x.load(x) < self.capacity and self._by_x.of_a(x, bind_num) is None

        x = self.allocate_x(area_code, area_match_mode, idle)
        if x is None:
            what = (
                f"bindNum {bind_num} (an X is idle while one of its {self.capacity} extensions is free "
                "and A has none of them)"
            )
            raise PnsError(
                NO_RESOURCE,
                no_idle_detail(self.app, what, area_code, area_match_mode, "areaCode"),
                rule="axe.no-idle-x",
            )
        return x
