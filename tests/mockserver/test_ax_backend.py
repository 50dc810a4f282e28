"""AxBackend: the AX rules on plain Python objects, with a frozen clock and seeded ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from pns_mock.mockserver.domain import (
    Application,
    AxBackend,
    IdFactory,
    PnsError,
    PrivateNumber,
    VirtualClock,
)

START = 1_700_000_000.0
X1, X2, X_BJ = "+8617010000101", "+8617010000102", "+8617110000101"  # 0755, 0755, 010
OTHER_X, UNKNOWN_X = "+8617020000101", "+8617099999999"
A, B, C = "+8613800000001", "+8613900000002", "+8613700000003"
MOBILE_VIRTUAL = "mobile-virtual"


def make_app(*numbers: PrivateNumber, recording: bool = True) -> Application:
    chosen = numbers or (PrivateNumber(X2, "0755"), PrivateNumber(X1, "0755"), PrivateNumber(X_BJ, "010"))
    return Application("ax-app", "secret", "AX", numbers=list(chosen), recording=recording)


def make_backend(clock: VirtualClock, app: Application | None = None, *, max_x_per_a: int = 5) -> AxBackend:
    app = app or make_app()
    owners = {n.number: app.app_key for n in app.numbers} | {OTHER_X: "other-app"}
    return AxBackend(app, clock, IdFactory(seed=11), number_owner=owners.get, max_x_per_a=max_x_per_a)


def many_numbers(count: int) -> list[PrivateNumber]:
    return [PrivateNumber(f"+86170100002{i:02d}", "0755") for i in range(count)]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START, frozen=True)


@pytest.fixture
def ax(clock: VirtualClock) -> AxBackend:
    return make_backend(clock)


@contextmanager
def refused(code: str, *mentions: str) -> Iterator[None]:
    """Expect a PnsError with `code` whose detail mentions every given text."""
    with pytest.raises(PnsError) as caught:
        yield
    assert caught.value.code == code, caught.value
    for text in mentions:
        assert text in caught.value.detail, caught.value.detail


# --- bind ---------------------------------------------------------------------------------------


def test_bind_on_given_private_num_keeps_every_field_as_given(ax: AxBackend) -> None:
    binding = ax.bind(
        orig_num=A,
        private_num=X1,
        private_num_type=MOBILE_VIRTUAL,
        record_flag=True,
        record_hint_tone="hint.wav",
        callee_num_display="0",
        private_sms="false",
        pre_voice={"callerHintTone": "a.wav"},
        max_duration=20,
        last_min_voice="last.wav",
        user_data="ticket-9",
        turn_flag="on",
        call_direction=1,
    )
    assert binding.subscription_id
    assert (binding.orig_num, binding.private_num, binding.private_num_type) == (A, X1, MOBILE_VIRTUAL)
    assert (binding.record_flag, binding.record_hint_tone, binding.callee_num_display) == (
        True,
        "hint.wav",
        "0",
    )
    assert (binding.private_sms, binding.pre_voice) == ("false", {"callerHintTone": "a.wav"})
    assert (binding.max_duration, binding.last_min_voice, binding.user_data) == (20, "last.wav", "ticket-9")
    assert (binding.turn_flag, binding.call_direction, binding.subscribe_time) == ("on", 1, START)
    assert binding.temporary_callee is None
    assert ax.binding(binding.subscription_id) is binding


def test_bind_leaves_absent_optional_values_none(ax: AxBackend) -> None:
    binding = ax.bind(orig_num=A, private_num=X1)
    assert (binding.private_num_type, binding.private_sms, binding.pre_voice, binding.user_data) == (
        None,
        None,
        None,
        None,
    )
    assert (binding.turn_flag, binding.call_direction, binding.max_duration) == (None, None, None)
    assert binding.record_flag is False


def test_bind_prefers_private_num_over_area_code(ax: AxBackend) -> None:
    assert ax.bind(orig_num=A, private_num=X1, area_code="010").private_num == X1


def test_bind_by_area_code_requires_private_num_type(ax: AxBackend) -> None:
    with refused("1010002", "areaCode 0755", "privateNumType"):
        ax.bind(orig_num=A, area_code="0755")


@pytest.mark.parametrize("area_code", [None, ""])
def test_bind_requires_private_num_or_area_code(ax: AxBackend, area_code: str | None) -> None:
    with refused("1010002", "privateNum", "areaCode"):
        ax.bind(orig_num=A, area_code=area_code, private_num_type=MOBILE_VIRTUAL)


def test_bind_rejects_private_num_unknown_on_the_platform(ax: AxBackend) -> None:
    with refused("1011001", "privateNum", UNKNOWN_X):
        ax.bind(orig_num=A, private_num=UNKNOWN_X)


def test_bind_rejects_private_num_of_another_application(ax: AxBackend) -> None:
    with refused("1011004", "privateNum", OTHER_X, "another application"):
        ax.bind(orig_num=A, private_num=OTHER_X)


def test_bind_rejects_private_num_already_bound_to_an_a(ax: AxBackend) -> None:
    ax.bind(orig_num=A, private_num=X1)
    with refused("1011005", f"privateNum {X1}", A):
        ax.bind(orig_num=B, private_num=X1)


def test_bind_rejects_a_sixth_private_number_for_one_a(clock: VirtualClock) -> None:
    numbers = many_numbers(6)
    ax = make_backend(clock, make_app(*numbers))
    for n in numbers[:5]:
        ax.bind(orig_num=A, private_num=n.number)
    with refused("1011003", f"origNum {A}", "5"):
        ax.bind(orig_num=A, private_num=numbers[5].number)
    assert ax.bind(orig_num=B, private_num=numbers[5].number).orig_num == B


def test_bind_checks_the_limit_of_a_before_allocating_by_area(clock: VirtualClock) -> None:
    ax = make_backend(clock, max_x_per_a=1)
    ax.bind(orig_num=A, private_num=X1)
    with refused("1011003", f"origNum {A}", "1 private numbers"):
        ax.bind(orig_num=A, area_code="0755", private_num_type=MOBILE_VIRTUAL)


def test_bind_rejects_recording_without_application_recording_as_1010002(clock: VirtualClock) -> None:
    ax = make_backend(clock, make_app(PrivateNumber(X1, "0755"), recording=False))
    with refused("1010002", "recordFlag", "ax-app", "no recording"):
        ax.bind(orig_num=A, private_num=X1, record_flag=True)


def test_bind_by_area_code_picks_the_first_idle_x_in_number_order(ax: AxBackend) -> None:
    first = ax.bind(orig_num=A, area_code="0755", private_num_type=MOBILE_VIRTUAL)
    second = ax.bind(orig_num=B, area_code="0755", private_num_type=MOBILE_VIRTUAL)
    assert (first.private_num, second.private_num) == (X1, X2)


def test_bind_by_area_code_in_strict_mode_fails_when_the_city_has_no_idle_x(ax: AxBackend) -> None:
    ax.bind(orig_num=A, private_num=X_BJ)
    with refused("1011002", "areaCode 010", "strict"):
        ax.bind(orig_num=B, area_code="010", private_num_type=MOBILE_VIRTUAL, area_match_mode="0")
    with refused("1011002", "areaCode 021"):
        ax.bind(orig_num=B, area_code="021", private_num_type=MOBILE_VIRTUAL)


def test_bind_by_area_code_in_non_strict_mode_falls_back_to_another_city(ax: AxBackend) -> None:
    ax.bind(orig_num=A, private_num=X_BJ)
    fallback = ax.bind(orig_num=B, area_code="010", private_num_type=MOBILE_VIRTUAL, area_match_mode="1")
    assert fallback.private_num == X1


def test_bind_by_area_code_in_non_strict_mode_fails_when_no_x_is_idle(clock: VirtualClock) -> None:
    ax = make_backend(clock, make_app(PrivateNumber(X1, "0755")))
    ax.bind(orig_num=A, private_num=X1)
    with refused("1011002", "areaCode 010", "nor elsewhere"):
        ax.bind(orig_num=B, area_code="010", private_num_type=MOBILE_VIRTUAL, area_match_mode="1")


def test_bindings_never_expire(ax: AxBackend, clock: VirtualClock) -> None:
    binding = ax.bind(orig_num=A, private_num=X1)
    clock.advance(10 * 365 * 86400)
    assert ax.bindings() == [binding]


# --- unbind -------------------------------------------------------------------------------------


def test_unbind_by_subscription_id_frees_the_x_and_the_slot_of_a(clock: VirtualClock) -> None:
    ax = make_backend(clock, max_x_per_a=1)
    binding = ax.bind(orig_num=A, private_num=X1)
    assert ax.unbind(subscription_id=binding.subscription_id) is binding
    assert ax.bindings() == []
    assert ax.bind(orig_num=A, private_num=X1).private_num == X1


def test_unbind_prefers_subscription_id_over_private_num(ax: AxBackend) -> None:
    first = ax.bind(orig_num=A, private_num=X1)
    second = ax.bind(orig_num=B, private_num=X2)
    assert ax.unbind(subscription_id=first.subscription_id, private_num=X2) is first
    assert ax.bindings() == [second]


def test_unbind_by_private_num_ignores_orig_num(ax: AxBackend) -> None:
    binding = ax.bind(orig_num=A, private_num=X1)
    assert ax.unbind(private_num=X1, orig_num=C) is binding


def test_unbind_rejects_private_num_of_another_application(ax: AxBackend) -> None:
    with refused("1011004", "privateNum", OTHER_X):
        ax.unbind(private_num=OTHER_X)


@pytest.mark.parametrize(
    ("identity", "mention"),
    [
        ({"subscription_id": "nope"}, "subscriptionId nope"),
        ({"private_num": X2}, f"privateNum {X2}"),
        ({"private_num": UNKNOWN_X}, f"privateNum {UNKNOWN_X}"),
    ],
)
def test_unbind_reports_a_binding_that_does_not_exist(
    ax: AxBackend, identity: dict[str, str], mention: str
) -> None:
    ax.bind(orig_num=A, private_num=X1)
    with refused("1016001", mention):
        ax.unbind(**identity)


def test_unbind_requires_subscription_id_or_private_num(ax: AxBackend) -> None:
    ax.bind(orig_num=A, private_num=X1)
    with refused("1010002", "subscriptionId", "privateNum"):
        ax.unbind(orig_num=A)


# --- modify -------------------------------------------------------------------------------------


def test_modify_changes_only_the_given_fields(ax: AxBackend) -> None:
    binding = ax.bind(orig_num=A, private_num=X1, user_data="u1", max_duration=5)
    changed = ax.modify(
        subscription_id=binding.subscription_id,
        private_sms="false",
        record_flag=True,
        turn_flag="off",
        callee_num_display="1",
        pre_voice={"calleeHintTone": "b.wav"},
    )
    assert changed is binding
    assert (changed.private_sms, changed.record_flag, changed.turn_flag) == ("false", True, "off")
    assert (changed.callee_num_display, changed.pre_voice) == ("1", {"calleeHintTone": "b.wav"})
    assert (changed.orig_num, changed.user_data, changed.max_duration) == (A, "u1", 5)


def test_modify_finds_the_binding_by_private_num(ax: AxBackend) -> None:
    ax.bind(orig_num=A, private_num=X1)
    assert ax.modify(private_num=X1, max_duration=30).max_duration == 30


def test_modify_prefers_subscription_id_over_private_num(ax: AxBackend) -> None:
    first = ax.bind(orig_num=A, private_num=X1)
    second = ax.bind(orig_num=B, private_num=X2)
    ax.modify(subscription_id=first.subscription_id, private_num=X2, user_data="first")
    assert (first.user_data, second.user_data) == ("first", None)


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        ({"subscription_id": "nope"}, "1016001"),
        ({"private_num": X2}, "1016001"),
        ({"private_num": OTHER_X}, "1011004"),
        ({}, "1010002"),
    ],
)
def test_modify_refuses_a_binding_it_cannot_identify(
    ax: AxBackend, identity: dict[str, Any], code: str
) -> None:
    ax.bind(orig_num=A, private_num=X1)
    with refused(code):
        ax.modify(**identity, user_data="x")


def test_modify_moves_the_binding_to_a_new_orig_num(ax: AxBackend) -> None:
    binding = ax.bind(orig_num=A, private_num=X1)
    ax.modify(subscription_id=binding.subscription_id, orig_num=B)
    assert ax.query(orig_num=B) == [binding]
    with refused("1016001", f"origNum {A}"):
        ax.query(orig_num=A)


def test_modify_rejects_a_new_orig_num_that_holds_the_maximum(clock: VirtualClock) -> None:
    ax = make_backend(clock, max_x_per_a=1)
    ax.bind(orig_num=A, private_num=X1)
    binding = ax.bind(orig_num=B, private_num=X2)
    with refused("1011003", f"origNum {A}"):
        ax.modify(subscription_id=binding.subscription_id, orig_num=A)
    assert ax.modify(subscription_id=binding.subscription_id, orig_num=B).orig_num == B


def test_modify_rejects_recording_without_application_recording_as_1010002(clock: VirtualClock) -> None:
    ax = make_backend(clock, make_app(PrivateNumber(X1, "0755"), recording=False))
    ax.bind(orig_num=A, private_num=X1)
    with refused("1010002", "recordFlag"):
        ax.modify(private_num=X1, record_flag=True)
    assert ax.modify(private_num=X1, record_flag=False).record_flag is False


# --- query --------------------------------------------------------------------------------------


def test_query_by_orig_num_lists_the_bindings_of_a_in_bind_order(ax: AxBackend) -> None:
    first = ax.bind(orig_num=A, private_num=X2)
    ax.bind(orig_num=B, private_num=X_BJ)
    second = ax.bind(orig_num=A, private_num=X1)
    assert ax.query(orig_num=A) == [first, second]


def test_query_prefers_subscription_id_then_orig_num_then_private_num(ax: AxBackend) -> None:
    first = ax.bind(orig_num=A, private_num=X1)
    second = ax.bind(orig_num=B, private_num=X2)
    assert ax.query(subscription_id=first.subscription_id, orig_num=B, private_num=X2) == [first]
    assert ax.query(orig_num=B, private_num=X1) == [second]
    assert ax.query(private_num=X1) == [first]


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        ({"subscription_id": "nope", "orig_num": A}, "1016001"),
        ({"orig_num": B, "private_num": X1}, "1016001"),
        ({"private_num": X2}, "1016001"),
        ({"private_num": OTHER_X}, "1011004"),
        ({}, "1010002"),
    ],
)
def test_query_refuses_what_it_cannot_find(ax: AxBackend, identity: dict[str, str], code: str) -> None:
    ax.bind(orig_num=A, private_num=X1)
    with refused(code):
        ax.query(**identity)


# --- temporary callee ---------------------------------------------------------------------------


def test_set_temporary_callee_stores_the_callee_on_the_binding(ax: AxBackend) -> None:
    binding = ax.bind(orig_num=A, private_num=X1)
    assert ax.set_temporary_callee(subscription_id=binding.subscription_id, callee_num=B) is binding
    assert binding.temporary_callee == B
    ax.set_temporary_callee(private_num=X1, callee_num=C)
    assert binding.temporary_callee == C


def test_set_temporary_callee_rejects_the_orig_num_itself(ax: AxBackend) -> None:
    ax.bind(orig_num=A, private_num=X1)
    with refused("1010002", f"calleeNum {A}"):
        ax.set_temporary_callee(private_num=X1, callee_num=A)


def test_set_temporary_callee_identifies_the_binding_as_modify_does(ax: AxBackend) -> None:
    first = ax.bind(orig_num=A, private_num=X1)
    ax.bind(orig_num=B, private_num=X2)
    calls: list[tuple[Callable[[], Any], str]] = [
        (lambda: ax.set_temporary_callee(subscription_id="nope", private_num=X1, callee_num=C), "1016001"),
        (lambda: ax.set_temporary_callee(private_num=X_BJ, callee_num=C), "1016001"),
        (lambda: ax.set_temporary_callee(private_num=OTHER_X, callee_num=C), "1011004"),
        (lambda: ax.set_temporary_callee(callee_num=C), "1010002"),
    ]
    for call, code in calls:
        with refused(code):
            call()
    ax.set_temporary_callee(subscription_id=first.subscription_id, private_num=X2, callee_num=C)
    assert first.temporary_callee == C
