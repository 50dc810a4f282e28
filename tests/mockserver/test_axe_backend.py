"""AxeBackend: the AXE rules on plain Python objects, with a frozen clock and seeded ids."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from pns_mock.mockserver.domain import (
    Application,
    AxeBackend,
    AxeBinding,
    IdFactory,
    PnsError,
    PrivateNumber,
    VirtualClock,
)

from .expiry_watch import record_pop_due

START = 1_700_000_000.0
HOUR, MINUTE = 3600, 60
X1, X2, X_BJ = "+8617010000301", "+8617010000302", "+8617110000301"  # 0755, 0755, 010
OTHER_X, UNKNOWN_X = "+8617020000301", "+8617099999999"
A, B, C, D = "+8613800000001", "+8613900000002", "+8613700000003", "+8613600000004"


def a(i: int) -> str:
    """The i-th of many distinct A numbers: one A holds at most one extension per X."""
    return f"+86135{i:08d}"


def make_app(*numbers: PrivateNumber, recording: bool = True, extension_length: int = 4) -> Application:
    chosen = numbers or (PrivateNumber(X2, "0755"), PrivateNumber(X1, "0755"), PrivateNumber(X_BJ, "010"))
    return Application(
        "axe-app",
        "secret",
        "AXE",
        numbers=list(chosen),
        recording=recording,
        extension_length=extension_length,
    )


def make_backend(
    clock: VirtualClock,
    app: Application | None = None,
    *,
    modify_restarts_clock: bool = True,
    query_shows_bind_values: bool = True,
) -> AxeBackend:
    app = app or make_app()
    owners = {n.number: app.app_key for n in app.numbers} | {OTHER_X: "other-app"}
    return AxeBackend(
        app,
        clock,
        IdFactory(seed=13),
        number_owner=owners.get,
        modify_restarts_clock=modify_restarts_clock,
        query_shows_bind_values=query_shows_bind_values,
    )


def short_extensions(clock: VirtualClock, length: int = 1) -> AxeBackend:
    return make_backend(clock, make_app(extension_length=length))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START, frozen=True)


@pytest.fixture
def axe(clock: VirtualClock) -> AxeBackend:
    return make_backend(clock)


@contextmanager
def refused(code: str, *mentions: str) -> Iterator[None]:
    """Expect a PnsError with `code` whose detail mentions every given text."""
    with pytest.raises(PnsError) as caught:
        yield
    assert caught.value.code == code, caught.value
    for text in mentions:
        assert text in caught.value.detail, caught.value.detail


# --- bind: choosing X ---------------------------------------------------------------------------


def test_bind_on_given_x_keeps_every_field_as_given(axe: AxeBackend) -> None:
    binding = axe.bind(
        bind_num=A,
        virtual_num=X1,
        extend_num="1234",
        display_num_mode="1",
        record_flag=True,
        record_hint_tone="hint.wav",
        callback_num=B,
        time_unit="1",
        bind_expired_time=90,
        callback_expired_time=30,
        user_data="order-17",
    )
    assert binding.subscription_id
    assert (binding.virtual_num, binding.extend_num, binding.bind_num) == (X1, "1234", A)
    assert (binding.display_num_mode, binding.record_flag, binding.record_hint_tone) == (
        "1",
        True,
        "hint.wav",
    )
    assert (binding.callback_num, binding.callback_tone) == (B, None)
    assert (binding.time_unit, binding.bind_expired_time, binding.callback_expired_time) == ("1", 90, 30)
    assert binding.user_data == "order-17"
    assert (binding.bound_at, binding.expire_time) == (START, START + 90 * MINUTE)
    assert axe.binding(binding.subscription_id) is binding


def test_bind_fills_the_documented_defaults(axe: AxeBackend) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1, callback_tone="tone.wav")
    assert (binding.display_num_mode, binding.record_flag, binding.time_unit) == ("0", False, "0")
    assert (binding.bind_expired_time, binding.callback_expired_time, binding.expire_time) == (0, None, None)
    assert (binding.callback_tone, binding.callback_num, binding.user_data) == ("tone.wav", None, None)


def test_bind_gives_reproducible_subscription_ids_for_one_seed(clock: VirtualClock) -> None:
    first = make_backend(clock).bind(bind_num=A, virtual_num=X1)
    second = make_backend(clock).bind(bind_num=A, virtual_num=X1)
    assert first.subscription_id == second.subscription_id


def test_bind_prefers_virtual_num_over_area_code(axe: AxeBackend) -> None:
    assert axe.bind(bind_num=A, virtual_num=X1, area_code="010").virtual_num == X1


def test_bind_rejects_x_of_another_application(axe: AxeBackend) -> None:
    with refused("1012001", "virtualNum", OTHER_X, "another application"):
        axe.bind(bind_num=A, virtual_num=OTHER_X)


def test_bind_rejects_x_unknown_on_the_platform(axe: AxeBackend) -> None:
    with refused("1012001", "virtualNum", UNKNOWN_X, "not a number of the platform"):
        axe.bind(bind_num=A, virtual_num=UNKNOWN_X)


@pytest.mark.parametrize("area_code", [None, ""])
def test_bind_needs_virtual_num_or_area_code(axe: AxeBackend, area_code: str | None) -> None:
    with refused("1010002", "virtualNum", "areaCode"):
        axe.bind(bind_num=A, area_code=area_code)


def test_bind_by_area_code_picks_an_x_of_that_city(axe: AxeBackend) -> None:
    assert axe.bind(bind_num=A, area_code="010").virtual_num == X_BJ


def test_bind_by_area_code_breaks_ties_by_number_order(axe: AxeBackend) -> None:
    assert axe.bind(bind_num=A, area_code="0755").virtual_num == X1


def test_bind_by_area_code_goes_round_the_city_numbers(axe: AxeBackend) -> None:
    first = axe.bind(bind_num=A, area_code="0755")
    second = axe.bind(bind_num=B, area_code="0755")
    assert (first.virtual_num, second.virtual_num) == (X1, X2)


def test_bind_by_area_code_treats_an_x_with_a_free_extension_as_idle(clock: VirtualClock) -> None:
    axe = short_extensions(clock)
    for i in range(9):
        axe.bind(bind_num=a(i), virtual_num=X_BJ)
    with refused("1012008", "areaCode 010", "strict"):
        axe.bind(bind_num=A, area_code="010")
    axe.unbind(virtual_num=X_BJ, extend_num="5")
    assert axe.bind(bind_num=A, area_code="010").extend_num == "5"


def test_bind_by_area_code_is_strict_by_default(axe: AxeBackend) -> None:
    with refused("1012008", "areaCode 021", "strict"):
        axe.bind(bind_num=A, area_code="021")


def test_bind_by_area_code_in_non_strict_mode_falls_back_to_another_city(axe: AxeBackend) -> None:
    assert axe.bind(bind_num=A, area_code="021", area_match_mode="1").virtual_num == X1


def test_bind_by_area_code_in_non_strict_mode_fails_when_every_x_is_full(clock: VirtualClock) -> None:
    axe = make_backend(clock, make_app(PrivateNumber(X1, "0755"), extension_length=1))
    for i in range(9):
        axe.bind(bind_num=a(i), area_code="0755")
    with refused("1012008", "areaCode 010", "nor elsewhere", "9 extensions"):
        axe.bind(bind_num=A, area_code="010", area_match_mode="1")


# --- bind: choosing E ---------------------------------------------------------------------------


def test_bind_without_extension_takes_the_lowest_free_one_zero_padded(axe: AxeBackend) -> None:
    assert [axe.bind(bind_num=a(i), virtual_num=X1).extend_num for i in range(3)] == ["0001", "0002", "0003"]


def test_bind_without_extension_skips_extensions_asked_for_explicitly(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1, extend_num="0001")
    axe.bind(bind_num=B, virtual_num=X1, extend_num="0003")
    assert [axe.bind(bind_num=a(i), virtual_num=X1).extend_num for i in range(2)] == ["0002", "0004"]


def test_bind_without_extension_reuses_the_lowest_freed_extension(axe: AxeBackend) -> None:
    bound = [axe.bind(bind_num=a(i), virtual_num=X1) for i in range(5)]
    axe.unbind(subscription_id=bound[3].subscription_id)
    axe.unbind(subscription_id=bound[1].subscription_id)
    again = [axe.bind(bind_num=a(10 + i), virtual_num=X1).extend_num for i in range(3)]
    assert again == ["0002", "0004", "0006"]


def test_bind_numbers_extensions_per_x(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1)
    assert axe.bind(bind_num=A, virtual_num=X2).extend_num == "0001"


@pytest.mark.parametrize(("length", "first", "capacity"), [(1, "1", 9), (2, "01", 99), (3, "001", 999)])
def test_bind_writes_extensions_with_the_applications_digit_count(
    clock: VirtualClock, length: int, first: str, capacity: int
) -> None:
    axe = short_extensions(clock, length)
    assert axe.capacity == capacity
    assert axe.bind(bind_num=A, virtual_num=X1).extend_num == first


@pytest.mark.parametrize("length", [1, 2])
def test_bind_fails_once_every_extension_of_the_x_is_taken(clock: VirtualClock, length: int) -> None:
    axe = short_extensions(clock, length)
    taken = {axe.bind(bind_num=a(i), virtual_num=X1).extend_num for i in range(10**length - 1)}
    assert len(taken) == 10**length - 1
    with refused("1020167", X1, f"{10**length - 1} extensions"):
        axe.bind(bind_num=A, virtual_num=X1)


def test_bind_counts_capacity_in_bindings_so_unpadded_extensions_fill_the_x_too(clock: VirtualClock) -> None:
    axe = short_extensions(clock, 2)
    for i, extension in enumerate("123456789"):
        axe.bind(bind_num=a(i), virtual_num=X1, extend_num=extension)
    auto = [axe.bind(bind_num=a(100 + i), virtual_num=X1).extend_num for i in range(90)]
    assert (auto[0], auto[-1]) == ("01", "90")
    with refused("1020167", X1, "99 extensions"):
        axe.bind(bind_num=C, virtual_num=X1, extend_num="95")
    with refused("1016002", "extendNum 7"):  # a taken extension is reported before a full X
        axe.bind(bind_num=C, virtual_num=X1, extend_num="7")


def test_bind_keeps_an_asked_for_extension_as_sent_without_padding(axe: AxeBackend) -> None:
    short = axe.bind(bind_num=A, virtual_num=X1, extend_num="7")
    padded = axe.bind(bind_num=B, virtual_num=X1, extend_num="0007")
    assert (short.extend_num, padded.extend_num) == ("7", "0007")
    assert axe.by_extension(X1, "7") is short
    assert axe.by_extension(X1, "0007") is padded


@pytest.mark.parametrize("extend_num", ["12345", "0", "0000", "12a"])
def test_bind_rejects_an_extension_too_long_all_zeros_or_not_digits(axe: AxeBackend, extend_num: str) -> None:
    with refused("1010002", "extendNum", repr(extend_num), "at most 4 digits"):
        axe.bind(bind_num=A, virtual_num=X1, extend_num=extend_num)


def test_bind_rejects_an_extension_longer_than_the_applications_length(clock: VirtualClock) -> None:
    with refused("1010002", "'123'", "at most 2 digits"):
        short_extensions(clock, 2).bind(bind_num=A, virtual_num=X1, extend_num="123")


def test_bind_rejects_an_extension_already_taken_on_that_x(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1, extend_num="1234")
    with refused("1016002", "extendNum 1234", X1):
        axe.bind(bind_num=B, virtual_num=X1, extend_num="1234")


def test_bind_allows_the_same_extension_on_another_x(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1, extend_num="1234")
    assert axe.bind(bind_num=B, virtual_num=X2, extend_num="1234").extend_num == "1234"


def test_bind_refuses_a_second_extension_for_one_a_on_one_x(axe: AxeBackend) -> None:
    first = axe.bind(bind_num=A, virtual_num=X1)
    with refused("1016002", A, f"extension {first.extend_num}", "another X"):
        axe.bind(bind_num=A, virtual_num=X1)
    assert axe.bind(bind_num=A, virtual_num=X2).extend_num == "0001"
    assert axe.of_a(X1, A) is first


def test_bind_by_area_code_skips_an_x_where_a_has_an_extension(axe: AxeBackend) -> None:
    on_x1 = axe.bind(bind_num=A, virtual_num=X1)
    assert axe.bind(bind_num=A, area_code="0755").virtual_num == X2
    axe.unbind(subscription_id=on_x1.subscription_id)
    assert axe.bind(bind_num=A, virtual_num=X1).extend_num == "0001"


# --- bind: other parameters ---------------------------------------------------------------------


def test_bind_rejects_callback_tone_and_callback_num_together(axe: AxeBackend) -> None:
    with refused("1010002", "callbackTone", "callbackNum"):
        axe.bind(bind_num=A, virtual_num=X1, callback_tone="tone.wav", callback_num=B)


def test_bind_rejects_recording_when_the_application_has_none(clock: VirtualClock) -> None:
    axe = make_backend(clock, make_app(recording=False))
    with refused("1012012", "recordFlag", "axe-app"):
        axe.bind(bind_num=A, virtual_num=X1, record_flag=True)
    assert axe.bind(bind_num=A, virtual_num=X1, record_flag=False).record_flag is False


@pytest.mark.parametrize(
    ("time_unit", "value", "ceiling"),
    [(None, 721, "720 hours"), ("0", 721, "720 hours"), ("1", 43201, "43200")],
)
def test_bind_rejects_a_lifetime_beyond_the_ceiling_of_its_unit(
    axe: AxeBackend, time_unit: str | None, value: int, ceiling: str
) -> None:
    with refused("1010002", "bindExpiredTime", ceiling):
        axe.bind(bind_num=A, virtual_num=X1, time_unit=time_unit, bind_expired_time=value)
    with refused("1010002", "callbackExpiredTime", ceiling):
        axe.bind(bind_num=A, virtual_num=X1, time_unit=time_unit, callback_expired_time=value)


# --- expiry -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("time_unit", "unit"), [(None, HOUR), ("0", HOUR), ("1", MINUTE)])
def test_binding_expires_exactly_at_bind_time_plus_lifetime_in_its_unit(
    axe: AxeBackend, clock: VirtualClock, time_unit: str | None, unit: int
) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1, time_unit=time_unit, bind_expired_time=2)
    assert binding.expire_time == START + 2 * unit
    clock.advance(2 * unit - 0.001)
    assert axe.binding(binding.subscription_id) is binding
    clock.advance(0.001)
    assert axe.binding(binding.subscription_id) is None
    assert axe.bindings() == []


@pytest.mark.parametrize("lifetime", [None, 0])
def test_binding_without_lifetime_never_expires(
    axe: AxeBackend, clock: VirtualClock, lifetime: int | None
) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=lifetime)
    clock.advance(10 * 365 * 86400)
    assert axe.bindings() == [binding]


def test_expired_binding_frees_its_extension(axe: AxeBackend, clock: VirtualClock) -> None:
    axe.bind(bind_num=A, virtual_num=X1, extend_num="0001", bind_expired_time=1)
    clock.advance(HOUR)
    assert axe.bind(bind_num=B, virtual_num=X1).extend_num == "0001"


def test_expired_binding_is_not_found_by_any_method(axe: AxeBackend, clock: VirtualClock) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=1)
    sid, extension = binding.subscription_id, binding.extend_num
    clock.advance(HOUR)
    calls: list[Callable[[], Any]] = [
        lambda: axe.query(subscription_id=sid),
        lambda: axe.query(virtual_num=X1, extend_num=extension),
        lambda: axe.query_page(subscription_id=sid),
        lambda: axe.query_page(virtual_num=X1, extend_num=extension),
        lambda: axe.modify(subscription_id=sid, record_flag=False),
        lambda: axe.unbind(virtual_num=X1, extend_num=extension),
        lambda: axe.unbind(subscription_id=sid),
    ]
    for call in calls:
        with refused("1016001"):
            call()
    assert axe.by_extension(X1, extension) is None
    assert axe.query_page(virtual_num=X1).items == []


# --- unbind -------------------------------------------------------------------------------------


def test_unbind_by_subscription_id_removes_only_that_binding(axe: AxeBackend) -> None:
    first = axe.bind(bind_num=A, virtual_num=X1)
    second = axe.bind(bind_num=B, virtual_num=X1)
    assert axe.unbind(subscription_id=first.subscription_id) is first
    assert axe.bindings() == [second]


def test_unbind_prefers_subscription_id_over_virtual_num_and_extend_num(axe: AxeBackend) -> None:
    first = axe.bind(bind_num=A, virtual_num=X1)
    second = axe.bind(bind_num=B, virtual_num=X1)
    assert axe.unbind(subscription_id=first.subscription_id, virtual_num=OTHER_X, extend_num="0002") is first
    assert axe.bindings() == [second]


def test_unbind_by_virtual_num_and_extend_num(axe: AxeBackend) -> None:
    first = axe.bind(bind_num=A, virtual_num=X1)
    second = axe.bind(bind_num=B, virtual_num=X1)
    assert axe.unbind(virtual_num=X1, extend_num="0002") is second
    assert axe.bindings() == [first]


def test_unbind_reports_an_unknown_subscription_id(axe: AxeBackend) -> None:
    with refused("1016001", "subscriptionId", "nope"):
        axe.unbind(subscription_id="nope")


def test_unbind_reports_an_extension_without_binding(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1)
    with refused("1016001", X1, "extendNum 0002"):
        axe.unbind(virtual_num=X1, extend_num="0002")


@pytest.mark.parametrize(("x", "why"), [(OTHER_X, "another application"), (UNKNOWN_X, "not a number")])
def test_unbind_rejects_an_x_that_is_not_the_applications(axe: AxeBackend, x: str, why: str) -> None:
    with refused("1012001", x, why):
        axe.unbind(virtual_num=x, extend_num="0001")


@pytest.mark.parametrize("given", [{}, {"virtual_num": X1}, {"extend_num": "0001"}])
def test_unbind_needs_subscription_id_or_virtual_num_with_extend_num(
    axe: AxeBackend, given: dict[str, str]
) -> None:
    axe.bind(bind_num=A, virtual_num=X1)
    with refused("1010002", "subscriptionId", "virtualNum and extendNum together"):
        axe.unbind(**given)


# --- modify -------------------------------------------------------------------------------------


def test_modify_changes_only_the_given_fields(axe: AxeBackend) -> None:
    binding = axe.bind(
        bind_num=A,
        virtual_num=X1,
        callback_num=B,
        bind_expired_time=8,
        callback_expired_time=5,
        user_data="u",
    )
    changed = axe.modify(
        subscription_id=binding.subscription_id,
        display_num_mode="1",
        record_flag=True,
        record_hint_tone="hint.wav",
        callback_expired_time=7,
    )
    assert changed is binding
    assert (changed.display_num_mode, changed.record_flag, changed.record_hint_tone) == (
        "1",
        True,
        "hint.wav",
    )
    assert (changed.callback_num, changed.callback_expired_time, changed.user_data) == (B, 7, "u")
    assert (changed.time_unit, changed.bind_expired_time, changed.expire_time) == ("0", 8, START + 8 * HOUR)
    assert (changed.virtual_num, changed.extend_num, changed.bind_num) == (X1, "0001", A)


def test_modify_names_the_binding_by_virtual_num_and_extend_num(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1)
    second = axe.bind(bind_num=B, virtual_num=X1)
    assert axe.modify(virtual_num=X1, extend_num="0002", record_flag=True) is second
    assert second.record_flag is True


def test_modify_prefers_subscription_id_over_virtual_num_and_extend_num(axe: AxeBackend) -> None:
    first = axe.bind(bind_num=A, virtual_num=X1)
    axe.bind(bind_num=B, virtual_num=X1)
    assert axe.modify(subscription_id=first.subscription_id, virtual_num=X1, extend_num="0002") is first


@pytest.mark.parametrize(
    ("bound", "change", "expected"),
    [
        ({"callback_num": B}, {"callback_tone": "tone.wav"}, ("tone.wav", None)),
        ({"callback_tone": "tone.wav"}, {"callback_num": C}, (None, C)),
    ],
)
def test_modify_replaces_one_no_callback_treatment_by_the_other(
    axe: AxeBackend, bound: dict[str, Any], change: dict[str, Any], expected: tuple[str | None, str | None]
) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1, **bound)
    axe.modify(subscription_id=binding.subscription_id, **change)
    assert (binding.callback_tone, binding.callback_num) == expected


def test_modify_rejects_callback_tone_and_callback_num_together(axe: AxeBackend) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1).subscription_id
    with refused("1010002", "callbackTone", "callbackNum"):
        axe.modify(subscription_id=sid, callback_tone="tone.wav", callback_num=B)


def test_modify_rejects_recording_when_the_application_has_none(clock: VirtualClock) -> None:
    axe = make_backend(clock, make_app(recording=False))
    sid = axe.bind(bind_num=A, virtual_num=X1).subscription_id
    with refused("1012012", "recordFlag"):
        axe.modify(subscription_id=sid, record_flag=True)


def test_modify_reports_an_unknown_binding(axe: AxeBackend) -> None:
    with refused("1016001", "subscriptionId", "nope"):
        axe.modify(subscription_id="nope", record_flag=False)
    with refused("1016001", X1, "extendNum 0001"):
        axe.modify(virtual_num=X1, extend_num="0001", record_flag=False)


def test_modify_rejects_an_x_that_is_not_the_applications(axe: AxeBackend) -> None:
    with refused("1012001", OTHER_X):
        axe.modify(virtual_num=OTHER_X, extend_num="0001", record_flag=False)


def test_modify_lifetime_restarts_the_clock_at_the_modify_time(axe: AxeBackend, clock: VirtualClock) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=2).subscription_id
    clock.advance(HOUR)
    axe.modify(subscription_id=sid, bind_expired_time=2)
    clock.advance(HOUR)  # the bind-time deadline: its stale queue entry must not remove the binding
    binding = axe.binding(sid)
    assert binding is not None and binding.expire_time == START + 3 * HOUR
    clock.advance(HOUR - 0.001)
    assert axe.binding(sid) is binding
    clock.advance(0.001)
    assert axe.binding(sid) is None


def test_modify_lifetime_can_count_from_the_original_bind_time(clock: VirtualClock) -> None:
    axe = make_backend(clock, modify_restarts_clock=False)
    sid = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=2).subscription_id
    clock.advance(HOUR)
    axe.modify(subscription_id=sid, bind_expired_time=3)
    clock.advance(2 * HOUR - 0.001)
    assert axe.binding(sid) is not None
    clock.advance(0.001)
    assert axe.binding(sid) is None


def test_modify_lifetime_from_the_bind_time_that_has_already_passed_ends_the_binding(
    clock: VirtualClock,
) -> None:
    axe = make_backend(clock, modify_restarts_clock=False)
    sid = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=2).subscription_id
    clock.advance(90 * MINUTE)
    assert axe.modify(subscription_id=sid, bind_expired_time=1).expire_time == START + HOUR
    assert axe.binding(sid) is None


def test_modify_time_unit_alone_reinterprets_the_stored_lifetime(
    axe: AxeBackend, clock: VirtualClock
) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=2).subscription_id
    clock.advance(10)
    binding = axe.modify(subscription_id=sid, time_unit="1")
    assert (binding.time_unit, binding.bind_expired_time, binding.expire_time) == (
        "1",
        2,
        START + 10 + 2 * MINUTE,
    )


def test_modify_lifetime_without_time_unit_uses_the_stored_unit(axe: AxeBackend) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1, time_unit="1", bind_expired_time=30).subscription_id
    assert axe.modify(subscription_id=sid, bind_expired_time=10).expire_time == START + 10 * MINUTE


def test_modify_checks_the_lifetime_against_the_stored_unit(axe: AxeBackend) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1).subscription_id
    with refused("1010002", "bindExpiredTime 1000", "720 hours"):
        axe.modify(subscription_id=sid, bind_expired_time=1000)
    with refused("1010002", "callbackExpiredTime 1000", "720 hours"):
        axe.modify(subscription_id=sid, callback_expired_time=1000)


def test_modify_to_hours_rejects_a_stored_lifetime_too_long_in_hours(axe: AxeBackend) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1, time_unit="1", bind_expired_time=1000).subscription_id
    with refused("1010002", "bindExpiredTime 1000", "720 hours"):
        axe.modify(subscription_id=sid, time_unit="0")
    binding = axe.binding(sid)
    assert binding is not None and (binding.time_unit, binding.expire_time) == ("1", START + 1000 * MINUTE)


def test_modify_lifetime_zero_makes_the_binding_permanent(axe: AxeBackend, clock: VirtualClock) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=1).subscription_id
    axe.modify(subscription_id=sid, bind_expired_time=0)
    clock.advance(1000 * HOUR)
    assert axe.binding(sid) is not None


def test_modify_without_lifetime_keeps_the_deadline(axe: AxeBackend, clock: VirtualClock) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1, bind_expired_time=1).subscription_id
    clock.advance(30 * MINUTE)
    axe.modify(subscription_id=sid, callback_expired_time=1)
    clock.advance(30 * MINUTE)
    assert axe.binding(sid) is None


def test_query_can_show_the_modified_lifetime(clock: VirtualClock) -> None:
    axe = make_backend(clock, query_shows_bind_values=False)
    sid = axe.bind(bind_num=A, virtual_num=X1, time_unit="0", bind_expired_time=2).subscription_id
    axe.modify(subscription_id=sid, time_unit="1", bind_expired_time=30)
    shown = axe.query(subscription_id=sid)
    assert (shown.time_unit, shown.bind_expired_time) == ("1", 30)
    assert axe.query_page(virtual_num=X1).items == [shown]


def test_query_shows_the_bind_time_lifetime_by_default_while_expiry_follows_the_modify(
    axe: AxeBackend, clock: VirtualClock
) -> None:
    sid = axe.bind(bind_num=A, virtual_num=X1, time_unit="0", bind_expired_time=2).subscription_id
    axe.modify(subscription_id=sid, time_unit="1", bind_expired_time=30, callback_expired_time=5)
    for shown in (axe.query(subscription_id=sid), axe.query_page(virtual_num=X1).items[0]):
        assert (shown.time_unit, shown.bind_expired_time, shown.callback_expired_time) == ("0", 2, 5)
        assert shown.subscription_id == sid
    clock.advance(30 * MINUTE)
    assert axe.binding(sid) is None


# --- query v1 -----------------------------------------------------------------------------------


def test_query_by_subscription_id_returns_the_binding(axe: AxeBackend) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1)
    assert axe.query(subscription_id=binding.subscription_id) is binding


def test_query_prefers_subscription_id_over_virtual_num_and_extend_num(axe: AxeBackend) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1)
    assert axe.query(subscription_id=binding.subscription_id, virtual_num=OTHER_X, extend_num="9") is binding


def test_query_by_virtual_num_and_extend_num(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1)
    second = axe.bind(bind_num=B, virtual_num=X1)
    assert axe.query(virtual_num=X1, extend_num="0002") is second


def test_query_reports_an_unknown_binding(axe: AxeBackend) -> None:
    with refused("1016001", "nope"):
        axe.query(subscription_id="nope")
    with refused("1016001", X1, "0001"):
        axe.query(virtual_num=X1, extend_num="0001")


def test_query_rejects_an_x_that_is_not_the_applications(axe: AxeBackend) -> None:
    with refused("1012001", OTHER_X):
        axe.query(virtual_num=OTHER_X, extend_num="0001")


def test_query_needs_subscription_id_or_virtual_num_with_extend_num(axe: AxeBackend) -> None:
    with refused("1010002", "subscriptionId", "virtualNum and extendNum"):
        axe.query(virtual_num=X1)


# --- query v2 -----------------------------------------------------------------------------------


def test_query_page_by_subscription_id_returns_one_item_and_ignores_paging(axe: AxeBackend) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1)
    axe.bind(bind_num=B, virtual_num=X1)
    page = axe.query_page(subscription_id=binding.subscription_id, virtual_num=X2, cursor="bad", limit=0)
    assert (page.items, page.next_cursor) == ([binding], None)


def test_query_page_by_virtual_num_and_extend_num_returns_one_item(axe: AxeBackend) -> None:
    axe.bind(bind_num=A, virtual_num=X1)
    second = axe.bind(bind_num=B, virtual_num=X1)
    page = axe.query_page(virtual_num=X1, extend_num="0002", limit=1)
    assert (page.items, page.next_cursor) == ([second], None)


def test_query_page_single_lookup_reports_an_unknown_binding(axe: AxeBackend) -> None:
    with refused("1016001", "nope"):
        axe.query_page(subscription_id="nope")
    with refused("1016001", X1, "0001"):
        axe.query_page(virtual_num=X1, extend_num="0001")


def test_query_page_lists_the_bindings_of_one_x_in_bind_order(axe: AxeBackend) -> None:
    first = axe.bind(bind_num=A, virtual_num=X1, extend_num="0009")
    axe.bind(bind_num=B, virtual_num=X2)
    second = axe.bind(bind_num=C, virtual_num=X1, extend_num="0002")
    axe.modify(subscription_id=first.subscription_id, record_flag=True)  # keeps its place
    page = axe.query_page(virtual_num=X1)
    assert (page.items, page.next_cursor) == ([first, second], None)


def test_query_page_of_an_x_without_bindings_is_empty(axe: AxeBackend) -> None:
    page = axe.query_page(virtual_num=X2)
    assert (page.items, page.next_cursor) == ([], None)


def test_query_page_rejects_an_x_that_is_not_the_applications(axe: AxeBackend) -> None:
    with refused("1012001", OTHER_X):
        axe.query_page(virtual_num=OTHER_X)


@pytest.mark.parametrize("given", [{}, {"extend_num": "0001"}, {"cursor": "0000000000000_0"}])
def test_query_page_needs_subscription_id_or_virtual_num(axe: AxeBackend, given: dict[str, Any]) -> None:
    with refused("1010002", "subscriptionId", "virtualNum"):
        axe.query_page(**given)


def test_query_page_cursor_is_the_bind_time_in_ms_and_the_bind_sequence(
    axe: AxeBackend, clock: VirtualClock
) -> None:
    first = axe.bind(bind_num=A, virtual_num=X1)
    clock.advance(1.5)
    axe.bind(bind_num=B, virtual_num=X2)
    third = axe.bind(bind_num=C, virtual_num=X1)
    axe.bind(bind_num=D, virtual_num=X1)
    assert (first.position, third.position) == ("1700000000000_1", "1700000001500_3")
    page = axe.query_page(virtual_num=X1, limit=2)
    assert (page.items, page.next_cursor) == ([first, third], "1700000001500_3")


def test_query_page_walks_every_binding_page_by_page(axe: AxeBackend) -> None:
    bound = [axe.bind(bind_num=a(i), virtual_num=X1) for i in range(7)]
    pages, cursor = [], None
    while True:
        page = axe.query_page(virtual_num=X1, cursor=cursor, limit=3)
        pages.append(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == [bound[0:3], bound[3:6], bound[6:7]]


def test_query_page_ends_without_cursor_when_the_last_page_is_exactly_full(axe: AxeBackend) -> None:
    bound = [axe.bind(bind_num=a(i), virtual_num=X1) for i in range(6)]
    first = axe.query_page(virtual_num=X1, limit=3)
    assert first.next_cursor == bound[2].position
    last = axe.query_page(virtual_num=X1, cursor=first.next_cursor, limit=3)
    assert (last.items, last.next_cursor) == (bound[3:], None)


def test_query_page_shows_50_bindings_by_default_from_the_first_cursor(axe: AxeBackend) -> None:
    bound = [axe.bind(bind_num=a(i), virtual_num=X1) for i in range(60)]
    first = axe.query_page(virtual_num=X1, cursor="0000000000000_0")
    assert (first.items, first.next_cursor) == (bound[:50], bound[49].position)
    assert axe.query_page(virtual_num=X1, cursor=first.next_cursor).items == bound[50:]


def test_query_page_continues_after_the_cursor_even_when_its_binding_is_gone(axe: AxeBackend) -> None:
    bound = [axe.bind(bind_num=a(i), virtual_num=X1) for i in range(4)]
    cursor = axe.query_page(virtual_num=X1, limit=2).next_cursor
    axe.unbind(subscription_id=bound[1].subscription_id)
    assert axe.query_page(virtual_num=X1, cursor=cursor).items == bound[2:]


@pytest.mark.parametrize("cursor", ["1", "170000000000_1", "1700000000000-1", "1700000000000_"])
def test_query_page_rejects_a_malformed_cursor(axe: AxeBackend, cursor: str) -> None:
    with refused("1010002", "cursor", repr(cursor)):
        axe.query_page(virtual_num=X1, cursor=cursor)


@pytest.mark.parametrize("limit", [0, 101])
def test_query_page_rejects_a_limit_outside_1_to_100(axe: AxeBackend, limit: int) -> None:
    with refused("1010002", "limit", str(limit)):
        axe.query_page(virtual_num=X1, limit=limit)


# --- call routing -------------------------------------------------------------------------------


def test_by_extension_finds_the_binding_behind_x_and_e(axe: AxeBackend) -> None:
    binding = axe.bind(bind_num=A, virtual_num=X1, extend_num="42")
    assert axe.by_extension(X1, "42") is binding
    assert axe.by_extension(X1, "0042") is None
    assert axe.by_extension(X2, "42") is None


# --- scale --------------------------------------------------------------------------------------


def bind_many(axe: AxeBackend, count: int) -> list[AxeBinding]:
    return [
        axe.bind(
            bind_num=f"+86138{i:08d}", virtual_num=X1 if i % 2 else X2, time_unit="1", bind_expired_time=100
        )
        for i in range(count)
    ]


def test_a_call_that_expires_nothing_touches_no_other_binding_among_10000(
    axe: AxeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = bind_many(axe, 10_000)
    pops: list[object] = []
    touched: set[int] = set()
    real_pop = heapq.heappop

    def counting_pop(heap: list[Any]) -> Any:
        pops.append(heap[0])
        return real_pop(heap)

    def watched(self: AxeBinding, name: str) -> Any:
        touched.add(id(self))
        return object.__getattribute__(self, name)

    monkeypatch.setattr(heapq, "heappop", counting_pop)
    monkeypatch.setattr(AxeBinding, "__getattribute__", watched)
    target = bound[1234]
    sid, x, extension = target.subscription_id, target.virtual_num, target.extend_num
    axe.query(subscription_id=sid)
    axe.query(virtual_num=x, extend_num=extension)
    axe.query_page(subscription_id=sid)
    axe.modify(subscription_id=sid, bind_expired_time=200)
    axe.by_extension(x, extension)
    axe.binding(sid)
    axe.unbind(virtual_num=x, extend_num=extension)
    fresh = axe.bind(bind_num=A, area_code="0755")
    monkeypatch.undo()
    assert pops == []
    assert id(target) in touched  # the watch works
    assert touched <= {id(target), id(fresh)}
    assert fresh.virtual_num in {n.number for n in axe.app.numbers}


def test_expiring_one_binding_among_10000_takes_one_queue_entry(
    axe: AxeBackend, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = bind_many(axe, 10_000)
    axe.modify(subscription_id=bound[0].subscription_id, time_unit="1", bind_expired_time=1)
    handed = record_pop_due(monkeypatch)
    clock.advance(MINUTE)
    assert axe.binding(bound[0].subscription_id) is None
    assert handed == [(bound[0].expire_time, bound[0].subscription_id)]
    assert axe.binding(bound[1].subscription_id) is bound[1]
