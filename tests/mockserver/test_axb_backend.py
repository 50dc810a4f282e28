"""AxbBackend: the AXB rules on plain Python objects, with a frozen clock and seeded ids."""

from __future__ import annotations

import ast
import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pns_mock.mockserver.domain import (
    Application,
    AxbBackend,
    AxbBinding,
    IdFactory,
    PnsError,
    PrivateNumber,
    VirtualClock,
)

from .expiry_watch import record_pop_due

START = 1_700_000_000.0
X1, X2, X_BJ = "+8617010000001", "+8617010000002", "+8617110000001"  # 0755, 0755, 010
OTHER_X, UNKNOWN_X = "+8617020000001", "+8617099999999"
A, B, C, D = "+8613800000001", "+8613900000002", "+8613800000003", "+8613900000004"
SZ_LANDLINE, BJ_LANDLINE, SH_LANDLINE = "+8675528000001", "+861062000001", "+862162000001"


def make_app(*numbers: PrivateNumber, recording: bool = True) -> Application:
    chosen = numbers or (PrivateNumber(X1, "0755"), PrivateNumber(X2, "0755"), PrivateNumber(X_BJ, "010"))
    return Application("axb-app", "secret", "AXB", numbers=list(chosen), recording=recording)


def make_backend(
    clock: VirtualClock, app: Application | None = None, *, max_pairs_per_x: int = 5000
) -> AxbBackend:
    app = app or make_app()
    owners = {n.number: app.app_key for n in app.numbers} | {OTHER_X: "other-app"}
    return AxbBackend(app, clock, IdFactory(seed=7), number_owner=owners.get, max_pairs_per_x=max_pairs_per_x)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START, frozen=True)


@pytest.fixture
def axb(clock: VirtualClock) -> AxbBackend:
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


def test_bind_on_given_x_keeps_every_field_as_given(axb: AxbBackend) -> None:
    binding = axb.bind(
        caller_num=A,
        callee_num=B,
        relation_num=X1,
        call_direction=1,
        duration=600,
        record_flag=True,
        record_hint_tone="hint.wav",
        max_duration=30,
        last_min_voice="last.wav",
        private_sms="false",
        pre_voice={"callerHintTone": "a.wav", "calleeHintTone": "b.wav"},
        user_data="order-17",
    )
    assert binding.subscription_id
    assert (binding.relation_num, binding.caller_num, binding.callee_num) == (X1, A, B)
    assert (binding.call_direction, binding.duration, binding.max_duration) == (1, 600, 30)
    assert (binding.record_flag, binding.record_hint_tone, binding.last_min_voice) == (
        True,
        "hint.wav",
        "last.wav",
    )
    assert binding.private_sms == "false"
    assert binding.pre_voice == {"callerHintTone": "a.wav", "calleeHintTone": "b.wav"}
    assert binding.user_data == "order-17"
    assert binding.subscribe_time == START
    assert axb.binding(binding.subscription_id) is binding


def test_bind_leaves_absent_optional_values_none(axb: AxbBackend) -> None:
    binding = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    assert (binding.duration, binding.max_duration, binding.private_sms, binding.pre_voice) == (
        None,
        None,
        None,
        None,
    )
    assert (binding.user_data, binding.record_hint_tone, binding.expire_time) == (None, None, None)
    assert (binding.call_direction, binding.record_flag) == (0, False)


def test_bind_gives_reproducible_subscription_ids_for_one_seed(clock: VirtualClock) -> None:
    first = make_backend(clock).bind(caller_num=A, callee_num=B, relation_num=X1)
    second = make_backend(clock).bind(caller_num=A, callee_num=B, relation_num=X1)
    assert first.subscription_id == second.subscription_id


def test_bind_rejects_x_of_another_application(axb: AxbBackend) -> None:
    with refused("1012001", "relationNum", OTHER_X, "another application"):
        axb.bind(caller_num=A, callee_num=B, relation_num=OTHER_X)


def test_bind_rejects_x_unknown_on_the_platform(axb: AxbBackend) -> None:
    with refused("1012001", "relationNum", UNKNOWN_X, "not a number of the platform"):
        axb.bind(caller_num=A, callee_num=B, relation_num=UNKNOWN_X)


def test_bind_rejects_the_same_number_as_caller_and_callee(axb: AxbBackend) -> None:
    with refused("1010002", "callerNum", "calleeNum", A):
        axb.bind(caller_num=A, callee_num=A, relation_num=X1)


def test_bind_rejects_recording_when_the_application_has_none(clock: VirtualClock) -> None:
    axb = make_backend(clock, make_app(PrivateNumber(X1, "0755"), recording=False))
    with refused("1012012", "recordFlag", "axb-app"):
        axb.bind(caller_num=A, callee_num=B, relation_num=X1, record_flag=True)
    assert axb.bind(caller_num=A, callee_num=B, relation_num=X1, record_flag=False).record_flag is False


def test_bind_rejects_given_x_at_max_pairs(clock: VirtualClock) -> None:
    axb = make_backend(clock, max_pairs_per_x=1)
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    with refused("1012009", "relationNum", X1, "1 pairs"):
        axb.bind(caller_num=C, callee_num=D, relation_num=X1)


def test_bind_rejects_second_pair_with_same_caller_on_one_x(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    with refused("1012010", f"callerNum {A} is already bound on {X1}"):
        axb.bind(caller_num=A, callee_num=D, relation_num=X1)


def test_bind_rejects_second_pair_with_same_callee_on_one_x(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    with refused("1012010", f"calleeNum {B} is already bound on {X1}"):
        axb.bind(caller_num=C, callee_num=B, relation_num=X1)


def test_bind_rejects_former_callee_as_caller_on_one_x(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    with refused("1012010", f"callerNum {B}"):
        axb.bind(caller_num=B, callee_num=C, relation_num=X1)


def test_bind_allows_disjoint_pairs_on_one_x(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    assert axb.bind(caller_num=C, callee_num=D, relation_num=X1).relation_num == X1


def test_bind_allows_the_same_caller_on_another_x(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    assert axb.bind(caller_num=A, callee_num=C, relation_num=X2).relation_num == X2


def test_bind_prefers_relation_num_over_area_code(axb: AxbBackend) -> None:
    assert axb.bind(caller_num=A, callee_num=B, relation_num=X1, area_code="010").relation_num == X1


def test_bind_by_area_code_picks_an_x_of_that_city(axb: AxbBackend) -> None:
    assert axb.bind(caller_num=A, callee_num=B, area_code="010").relation_num == X_BJ


def test_bind_by_area_code_breaks_ties_by_number_order(clock: VirtualClock) -> None:
    axb = make_backend(clock, make_app(PrivateNumber(X2, "0755"), PrivateNumber(X1, "0755")))
    assert axb.bind(caller_num=A, callee_num=B, area_code="0755").relation_num == X1


def test_bind_by_area_code_goes_round_the_city_numbers_in_number_order(axb: AxbBackend) -> None:
    picked = [
        axb.bind(
            caller_num=f"+86138000001{i:02d}", callee_num=f"+86139000001{i:02d}", area_code="0755"
        ).relation_num
        for i in range(3)
    ]
    assert picked == [X1, X2, X1]


def test_bind_by_area_code_skips_an_x_where_caller_or_callee_is_bound(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    axb.bind(caller_num=C, callee_num=D, relation_num=X2)
    axb.bind(caller_num="+8613800000005", callee_num="+8613900000006", relation_num=X2)
    # X1 is the least loaded and first in order, but it already holds A (then B).
    assert axb.bind(caller_num=A, callee_num="+8613900000007", area_code="0755").relation_num == X2
    assert axb.bind(caller_num="+8613800000008", callee_num=B, area_code="0755").relation_num == X2


def test_bind_by_area_code_skips_a_full_x(clock: VirtualClock) -> None:
    axb = make_backend(clock, max_pairs_per_x=1)
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    assert axb.bind(caller_num=C, callee_num=D, area_code="0755").relation_num == X2


def test_bind_by_area_code_in_strict_mode_fails_when_the_city_has_no_idle_x(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X_BJ)
    with refused("1012008", "areaCode 010", "strict"):
        axb.bind(caller_num=A, callee_num=C, area_code="010", area_match_mode="0")


def test_bind_by_area_code_is_strict_by_default(axb: AxbBackend) -> None:
    with refused("1012008", "areaCode 021"):
        axb.bind(caller_num=A, callee_num=B, area_code="021")


def test_bind_by_area_code_in_non_strict_mode_falls_back_to_another_city(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X_BJ)
    assert axb.bind(caller_num=A, callee_num=C, area_code="010", area_match_mode="1").relation_num == X1


def test_bind_by_area_code_in_non_strict_mode_fails_when_no_x_is_idle(clock: VirtualClock) -> None:
    axb = make_backend(clock, make_app(PrivateNumber(X1, "0755"), PrivateNumber(X_BJ, "010")))
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    axb.bind(caller_num=A, callee_num=B, relation_num=X_BJ)
    with refused("1012008", "areaCode 010", "nor elsewhere"):
        axb.bind(caller_num=A, callee_num=C, area_code="010", area_match_mode="1")


def test_bind_treats_an_empty_area_code_as_absent(axb: AxbBackend) -> None:
    assert axb.bind(caller_num=A, callee_num=B, area_code="").relation_num == X1


def test_bind_without_x_or_area_uses_the_area_of_a_landline_caller(axb: AxbBackend) -> None:
    assert axb.bind(caller_num=BJ_LANDLINE, callee_num=B).relation_num == X_BJ
    assert axb.bind(caller_num=SZ_LANDLINE, callee_num=B).relation_num == X1


def test_bind_without_x_or_area_is_strict_about_the_landline_callers_area(axb: AxbBackend) -> None:
    with refused("1012008", SH_LANDLINE, "021", "strict"):
        axb.bind(caller_num=SH_LANDLINE, callee_num=B)
    assert axb.bind(caller_num=SH_LANDLINE, callee_num=B, area_match_mode="1").relation_num == X1


def test_bind_without_x_or_area_picks_any_idle_x_for_a_mobile_caller(axb: AxbBackend) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    axb.bind(caller_num=A, callee_num=B, relation_num=X2)
    assert axb.bind(caller_num=A, callee_num=C).relation_num == X_BJ


def test_bind_without_x_fails_when_no_x_of_the_application_is_idle(clock: VirtualClock) -> None:
    axb = make_backend(clock, make_app(PrivateNumber(X1, "0755")))
    axb.bind(caller_num=A, callee_num=B)
    with refused("1012008", "axb-app", A):
        axb.bind(caller_num=A, callee_num=C)


# --- expiry -------------------------------------------------------------------------------------


def test_binding_lives_until_the_second_before_its_duration_ends(
    axb: AxbBackend, clock: VirtualClock
) -> None:
    binding = axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=60)
    assert binding.expire_time == START + 60
    clock.advance(59.999)
    assert axb.binding(binding.subscription_id) is binding


def test_binding_expires_exactly_at_bind_time_plus_duration(axb: AxbBackend, clock: VirtualClock) -> None:
    binding = axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=60)
    clock.advance(60)
    assert axb.binding(binding.subscription_id) is None
    assert axb.bindings() == []


@pytest.mark.parametrize("duration", [None, 0])
def test_binding_without_duration_never_expires(
    axb: AxbBackend, clock: VirtualClock, duration: int | None
) -> None:
    binding = axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=duration)
    clock.advance(10 * 365 * 86400)
    assert axb.bindings() == [binding]


def test_expired_binding_frees_its_numbers_on_the_x(axb: AxbBackend, clock: VirtualClock) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=5)
    clock.advance(5)
    assert axb.bind(caller_num=A, callee_num=B, relation_num=X1).relation_num == X1


def test_expired_binding_is_not_found_by_any_method(axb: AxbBackend, clock: VirtualClock) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=5).subscription_id
    axb.bind(caller_num=C, callee_num=D, relation_num=X2)
    clock.advance(5)
    calls: list[Callable[[], Any]] = [
        lambda: axb.query(subscription_id=sid),
        lambda: axb.query(relation_num=X1),
        lambda: axb.modify(subscription_id=sid, user_data="late"),
        lambda: axb.unbind(subscription_id=sid),
        lambda: axb.unbind(relation_num=X1),
    ]
    for call in calls:
        with refused("1012007"):
            call()


# --- unbind -------------------------------------------------------------------------------------


def test_unbind_by_subscription_id_removes_only_that_binding(axb: AxbBackend) -> None:
    first = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    second = axb.bind(caller_num=C, callee_num=D, relation_num=X1)
    assert axb.unbind(subscription_id=first.subscription_id) == [first]
    assert axb.bindings() == [second]


def test_unbind_prefers_subscription_id_over_relation_num(axb: AxbBackend) -> None:
    first = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    second = axb.bind(caller_num=C, callee_num=D, relation_num=X1)
    assert axb.unbind(subscription_id=first.subscription_id, relation_num=OTHER_X) == [first]
    assert axb.bindings() == [second]


def test_unbind_by_relation_num_removes_every_pair_on_that_x(axb: AxbBackend) -> None:
    first = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    second = axb.bind(caller_num=C, callee_num=D, relation_num=X1)
    elsewhere = axb.bind(caller_num=A, callee_num=B, relation_num=X2)
    assert axb.unbind(relation_num=X1) == [first, second]
    assert axb.bindings() == [elsewhere]
    assert axb.bind(caller_num=A, callee_num=B, relation_num=X1).relation_num == X1


def test_unbind_rejects_relation_num_of_another_application(axb: AxbBackend) -> None:
    with refused("1012001", "relationNum", OTHER_X):
        axb.unbind(relation_num=OTHER_X)


def test_unbind_reports_a_relation_num_without_bindings(axb: AxbBackend) -> None:
    with refused("1012007", "relationNum", X1):
        axb.unbind(relation_num=X1)


def test_unbind_reports_an_unknown_subscription_id(axb: AxbBackend) -> None:
    with refused("1012007", "subscriptionId", "nope"):
        axb.unbind(subscription_id="nope")


def test_unbind_requires_subscription_id_or_relation_num(axb: AxbBackend) -> None:
    with refused("1010002", "subscriptionId", "relationNum"):
        axb.unbind()


def test_unbind_frees_the_numbers_for_a_new_pair(axb: AxbBackend) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    axb.unbind(subscription_id=sid)
    assert axb.bind(caller_num=B, callee_num=A, relation_num=X1).relation_num == X1


# --- modify -------------------------------------------------------------------------------------


def test_modify_changes_only_the_given_fields_and_stamps_the_modify_time(
    axb: AxbBackend, clock: VirtualClock
) -> None:
    binding = axb.bind(caller_num=A, callee_num=B, relation_num=X1, user_data="u1", max_duration=10)
    clock.advance(30)
    changed = axb.modify(
        subscription_id=binding.subscription_id,
        callee_num=C,
        call_direction=2,
        private_sms="true",
        pre_voice={"calleeHintTone": "b.wav"},
    )
    assert changed is binding
    assert (changed.caller_num, changed.callee_num, changed.call_direction) == (A, C, 2)
    assert (changed.private_sms, changed.pre_voice) == ("true", {"calleeHintTone": "b.wav"})
    assert (changed.user_data, changed.max_duration) == ("u1", 10)
    assert changed.subscribe_time == START + 30


def test_modify_reports_an_unknown_subscription_id(axb: AxbBackend) -> None:
    with refused("1012007", "subscriptionId", "nope"):
        axb.modify(subscription_id="nope", user_data="x")


@pytest.mark.parametrize(
    ("changes", "clash"),
    [({"caller_num": C}, f"callerNum {C}"), ({"callee_num": D}, f"calleeNum {D}")],
)
def test_modify_rejects_a_number_bound_in_another_pair_on_the_same_x(
    axb: AxbBackend, changes: dict[str, Any], clash: str
) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    axb.bind(caller_num=C, callee_num=D, relation_num=X1)
    with refused("1012010", clash, X1):
        axb.modify(subscription_id=sid, **changes)


def test_modify_allows_a_number_bound_only_on_another_x(axb: AxbBackend) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    axb.bind(caller_num=C, callee_num=D, relation_num=X2)
    assert axb.modify(subscription_id=sid, callee_num=C).callee_num == C


def test_modify_may_swap_caller_and_callee_of_the_same_binding(axb: AxbBackend) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    swapped = axb.modify(subscription_id=sid, caller_num=B, callee_num=A)
    assert (swapped.caller_num, swapped.callee_num) == (B, A)


def test_modify_releases_the_replaced_number_on_the_x(axb: AxbBackend) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    axb.modify(subscription_id=sid, callee_num=C)
    assert axb.bind(caller_num=B, callee_num=D, relation_num=X1).relation_num == X1
    with refused("1012010", f"calleeNum {C}"):
        axb.bind(caller_num="+8613800000009", callee_num=C, relation_num=X1)


def test_modify_rejects_the_same_number_as_caller_and_callee(axb: AxbBackend) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    with refused("1010002", A):
        axb.modify(subscription_id=sid, callee_num=A)


def test_modify_rejects_recording_when_the_application_has_none(clock: VirtualClock) -> None:
    axb = make_backend(clock, make_app(PrivateNumber(X1, "0755"), recording=False))
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    with refused("1012012", "recordFlag"):
        axb.modify(subscription_id=sid, record_flag=True)


def test_modify_duration_restarts_the_timer_from_the_modify_time(
    axb: AxbBackend, clock: VirtualClock
) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=60).subscription_id
    clock.advance(50)
    axb.modify(subscription_id=sid, duration=60)
    clock.advance(59)  # past the old deadline: its stale queue entry must not remove the binding
    binding = axb.binding(sid)
    assert binding is not None
    assert (binding.duration, binding.expire_time) == (60, START + 110)
    clock.advance(1)
    assert axb.binding(sid) is None


def test_modify_duration_zero_makes_the_binding_permanent(axb: AxbBackend, clock: VirtualClock) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=60).subscription_id
    axb.modify(subscription_id=sid, duration=0)
    clock.advance(86400)
    assert axb.binding(sid) is not None


def test_modify_duration_gives_a_lifetime_to_a_binding_bound_without_one(
    axb: AxbBackend, clock: VirtualClock
) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1).subscription_id
    clock.advance(1000)
    axb.modify(subscription_id=sid, duration=10)
    clock.advance(10)
    assert axb.binding(sid) is None


def test_modify_without_duration_keeps_the_deadline(axb: AxbBackend, clock: VirtualClock) -> None:
    sid = axb.bind(caller_num=A, callee_num=B, relation_num=X1, duration=60).subscription_id
    clock.advance(30)
    axb.modify(subscription_id=sid, user_data="still 30 s left")
    clock.advance(30)
    assert axb.binding(sid) is None


# --- query --------------------------------------------------------------------------------------


def test_query_by_subscription_id_returns_that_binding_ignoring_paging(axb: AxbBackend) -> None:
    binding = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    page = axb.query(subscription_id=binding.subscription_id, page_index=3, page_size=10)
    assert (page.items, page.page_index, page.page_size, page.total_count) == ([binding], 1, 50, 1)


def test_query_prefers_subscription_id_over_relation_num(axb: AxbBackend) -> None:
    binding = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    assert axb.query(subscription_id=binding.subscription_id, relation_num=OTHER_X).items == [binding]


def test_query_reports_an_unknown_subscription_id(axb: AxbBackend) -> None:
    with refused("1012007", "subscriptionId", "nope"):
        axb.query(subscription_id="nope", relation_num=X1)


def test_query_by_relation_num_lists_the_pairs_on_that_x_in_bind_order(axb: AxbBackend) -> None:
    first = axb.bind(caller_num=C, callee_num=D, relation_num=X1)
    axb.bind(caller_num=C, callee_num=D, relation_num=X2)
    second = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    axb.modify(subscription_id=first.subscription_id, user_data="modified keeps its place")
    page = axb.query(relation_num=X1)
    assert (page.items, page.page_index, page.page_size, page.total_count) == ([first, second], 1, 50, 2)


def test_query_narrows_by_caller_num_and_callee_num(axb: AxbBackend) -> None:
    first = axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    second = axb.bind(caller_num=C, callee_num=D, relation_num=X1)
    assert axb.query(relation_num=X1, caller_num=C).items == [second]
    assert axb.query(relation_num=X1, callee_num=B).items == [first]
    assert axb.query(relation_num=X1, caller_num=A, callee_num=B, page_size=10).items == [first]


@pytest.mark.parametrize(
    "narrowing",
    [{"caller_num": B}, {"callee_num": A}, {"caller_num": A, "callee_num": D}, {"caller_num": C}],
)
def test_query_reports_no_pair_matching_the_narrowing(axb: AxbBackend, narrowing: dict[str, Any]) -> None:
    axb.bind(caller_num=A, callee_num=B, relation_num=X1)
    axb.bind(caller_num=C, callee_num=D, relation_num=X2)
    with refused("1012007", X1, *narrowing.values()):
        axb.query(relation_num=X1, **narrowing)


def test_query_rejects_relation_num_of_another_application(axb: AxbBackend) -> None:
    with refused("1012001", "relationNum", OTHER_X):
        axb.query(relation_num=OTHER_X)


def test_query_reports_an_x_without_bindings(axb: AxbBackend) -> None:
    with refused("1012007", "relationNum", X2):
        axb.query(relation_num=X2)


def test_query_requires_subscription_id_or_relation_num(axb: AxbBackend) -> None:
    with refused("1010002", "subscriptionId", "relationNum"):
        axb.query(caller_num=A)


@pytest.mark.parametrize(
    ("page_index", "page_size", "expected"),
    [
        (None, None, (1, 50, 0, 50)),
        (2, None, (2, 50, 50, 60)),
        (0, 10, (1, 10, 0, 10)),
        (-4, 10, (1, 10, 0, 10)),
        (3, 10, (3, 10, 20, 30)),
        (1, 100, (1, 100, 0, 60)),
        (1, 9, (1, 50, 0, 50)),
        (1, 101, (1, 50, 0, 50)),
        (7, 10, (7, 10, 60, 60)),
    ],
)
def test_query_pages_with_defaults_and_out_of_range_sizes_as_50(
    axb: AxbBackend, page_index: int | None, page_size: int | None, expected: tuple[int, int, int, int]
) -> None:
    bound = [
        axb.bind(caller_num=f"+86138{i:08d}", callee_num=f"+86139{i:08d}", relation_num=X1) for i in range(60)
    ]
    index, size, start, stop = expected
    page = axb.query(relation_num=X1, page_index=page_index, page_size=page_size)
    assert (page.page_index, page.page_size, page.total_count) == (index, size, 60)
    assert page.items == bound[start:stop]


# --- scale and layering -------------------------------------------------------------------------


def bind_many(axb: AxbBackend, count: int) -> list[AxbBinding]:
    return [
        axb.bind(
            caller_num=f"+86138{i:08d}",
            callee_num=f"+86139{i:08d}",
            relation_num=X1 if i % 2 else X2,
            duration=1000 + i,
        )
        for i in range(count)
    ]


def test_a_call_that_expires_nothing_touches_no_other_binding_among_10000(
    axb: AxbBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = bind_many(axb, 10_000)
    pops: list[object] = []
    touched: set[int] = set()
    real_pop = heapq.heappop

    def counting_pop(heap: list[Any]) -> Any:
        pops.append(heap[0])
        return real_pop(heap)

    def watched(self: AxbBinding, name: str) -> Any:
        touched.add(id(self))
        return object.__getattribute__(self, name)

    monkeypatch.setattr(heapq, "heappop", counting_pop)
    monkeypatch.setattr(AxbBinding, "__getattribute__", watched)
    target = bound[1234]
    axb.query(subscription_id=target.subscription_id)
    axb.modify(subscription_id=target.subscription_id, user_data="x")
    axb.binding(target.subscription_id)
    axb.unbind(subscription_id=target.subscription_id)
    fresh = axb.bind(caller_num=A, callee_num=B, relation_num=X_BJ, duration=5)
    monkeypatch.undo()
    assert pops == []
    assert touched <= {id(target), id(fresh)}


def test_expiring_one_binding_among_10000_takes_one_queue_entry_and_touches_one_binding(
    axb: AxbBackend, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = bind_many(axb, 10_000)
    touched: set[int] = set()

    def watched(self: AxbBinding, name: str) -> Any:
        touched.add(id(self))
        return object.__getattribute__(self, name)

    handed = record_pop_due(monkeypatch)
    clock.advance(1000)
    monkeypatch.setattr(AxbBinding, "__getattribute__", watched)
    assert axb.binding(bound[0].subscription_id) is None
    monkeypatch.undo()
    assert [deadline for deadline, _ in handed] == [bound[0].expire_time]
    assert touched == {id(bound[0])}
    assert axb.binding(bound[1].subscription_id) is bound[1]


def test_backends_import_no_http_library() -> None:
    import pns_mock.mockserver.domain.backends as package

    for source in Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            else:
                continue
            for name in names:
                top = name.lstrip(".").split(".")[0]
                assert top not in {"starlette", "httpx", "uvicorn", "http", "urllib", "requests"}, source
                assert not name.startswith("..") or name in {"..apps", "..clock", "..errors", "..ids"}, (
                    source,
                    name,
                )
