"""AxybBackend: the AXYB rules on plain Python objects, with a frozen clock and seeded ids."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from pns_mock.mockserver.domain import (
    Application,
    AxybBackend,
    AxybBinding,
    IdFactory,
    PnsError,
    PrivateNumber,
    VirtualClock,
    YbRelation,
)

from .expiry_watch import record_pop_due

START = 1_700_000_000.0
X1, X2, X_BJ = "+8617010000401", "+8617010000402", "+8617110000401"  # 0755, 0755, 010
OTHER_X = "+8617020000401"
A, B, C, D = "+8613800000001", "+8613900000002", "+8613700000003", "+8613600000004"
A2 = "+8613800000009"


def make_app(*numbers: PrivateNumber, recording: bool = True) -> Application:
    chosen = numbers or (PrivateNumber(X2, "0755"), PrivateNumber(X1, "0755"), PrivateNumber(X_BJ, "010"))
    return Application("axyb-app", "secret", "AXYB", numbers=list(chosen), recording=recording)


def make_backend(
    clock: VirtualClock,
    app: Application | None = None,
    *,
    max_x_per_a: int = 5,
    max_relations_per_y: int = 1000,
) -> AxybBackend:
    app = app or make_app()
    owners = {n.number: app.app_key for n in app.numbers} | {OTHER_X: "other-app"}
    return AxybBackend(
        app,
        clock,
        IdFactory(seed=17),
        number_owner=owners.get,
        max_x_per_a=max_x_per_a,
        max_relations_per_y=max_relations_per_y,
    )


def many_numbers(count: int) -> list[PrivateNumber]:
    return [PrivateNumber(f"+8617010{i:06d}", "0755") for i in range(count)]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START, frozen=True)


@pytest.fixture
def axyb(clock: VirtualClock) -> AxybBackend:
    return make_backend(clock)


@contextmanager
def refused(code: str, *mentions: str) -> Iterator[None]:
    """Expect a PnsError with `code` whose detail mentions every given text."""
    with pytest.raises(PnsError) as caught:
        yield
    assert caught.value.code == code, caught.value
    for text in mentions:
        assert text in caught.value.detail, caught.value.detail


def bind_ax(axyb: AxybBackend, a: str = A, **fields: Any) -> AxybBinding:
    binding = axyb.bind(orig_num=a, **fields)
    assert isinstance(binding, AxybBinding)
    return binding


def bind_yb(axyb: AxybBackend, binding: AxybBinding, b: str = B, **fields: Any) -> YbRelation:
    yb = axyb.bind(subscription_id=binding.subscription_id, orig_num=b, **fields)
    assert isinstance(yb, YbRelation)
    return yb


# --- AX step ------------------------------------------------------------------------------------


def test_ax_step_keeps_every_field_and_replies_with_x_as_relation_number(axyb: AxybBackend) -> None:
    binding = bind_ax(
        axyb,
        area_code="010",
        call_direction=2,
        duration=86400,
        yb_duration=3600,
        record_flag=True,
        record_hint_tone="hint.wav",
        pre_voice_x="x.wav",
        user_data="order-17",
    )
    assert binding.subscription_id and binding.bind_id == binding.subscription_id
    assert (binding.num_a, binding.num_x, binding.relation_number) == (A, X_BJ, X_BJ)
    assert (binding.call_direction, binding.duration, binding.yb_duration) == (2, 86400, 3600)
    assert (binding.record_flag, binding.record_hint_tone, binding.pre_voice_x) == (True, "hint.wav", "x.wav")
    assert (binding.user_data, binding.subscribe_time, binding.expire_time) == (
        "order-17",
        START,
        START + 86400,
    )
    assert (binding.num_y, binding.num_b, binding.pre_voice_y, binding.ybs) == (None, None, None, {})
    assert axyb.binding(binding.subscription_id) is binding


def test_ax_step_fills_the_documented_defaults(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    assert (binding.duration, binding.yb_duration, binding.call_direction) == (7200, 0, 0)
    assert (binding.record_flag, binding.expire_time) == (False, START + 7200)


def test_ax_step_gives_reproducible_subscription_ids_for_one_seed(clock: VirtualClock) -> None:
    assert bind_ax(make_backend(clock)).subscription_id == bind_ax(make_backend(clock)).subscription_id


def test_ax_step_accepts_lifetimes_as_numeric_strings(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb, duration="86400", yb_duration="3600")
    assert (binding.duration, binding.yb_duration) == (86400, 3600)


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration", "soon"), ("duration", 59), ("yb_duration", "7776001"), ("yb_duration", "-1")],
)
def test_ax_step_rejects_a_lifetime_outside_0_or_60_to_7776000(
    axyb: AxybBackend, field: str, value: Any
) -> None:
    name = "duration" if field == "duration" else "ybDuration"
    with refused("1010002", name, str(value)):
        bind_ax(axyb, **{field: value})


def test_ax_step_cuts_a_yb_duration_longer_than_the_duration(axyb: AxybBackend) -> None:
    assert bind_ax(axyb, duration=600, yb_duration=3600).yb_duration == 600


def test_ax_step_keeps_any_yb_duration_when_the_binding_never_expires(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb, duration=0, yb_duration=3600)
    assert (binding.yb_duration, binding.expire_time) == (3600, None)


def test_ax_step_rejects_recording_when_the_application_has_none(clock: VirtualClock) -> None:
    axyb = make_backend(clock, make_app(recording=False))
    with refused("1012012", "recordFlag", "axyb-app"):
        bind_ax(axyb, record_flag=True)
    assert bind_ax(axyb, record_flag=False).record_flag is False


def test_ax_step_by_area_code_picks_an_idle_x_of_that_city_in_number_order(axyb: AxybBackend) -> None:
    assert bind_ax(axyb, area_code="0755").num_x == X1


def test_ax_step_gives_each_x_to_one_a_only(axyb: AxybBackend) -> None:
    assert [bind_ax(axyb, a, area_code="0755").num_x for a in (A, A2)] == [X1, X2]
    with refused("1012008", "areaCode 0755", "strict", "an X serves one A"):
        bind_ax(axyb, C, area_code="0755")


def test_ax_step_by_area_code_in_non_strict_mode_falls_back_to_another_city(axyb: AxybBackend) -> None:
    assert bind_ax(axyb, area_code="021", area_match_mode="1").num_x == X1


def test_ax_step_in_non_strict_mode_fails_when_no_x_is_idle(clock: VirtualClock) -> None:
    axyb = make_backend(clock, make_app(PrivateNumber(X1, "0755")))
    bind_ax(axyb)
    with refused("1012008", "areaCode 010", "nor elsewhere"):
        bind_ax(axyb, A2, area_code="010", area_match_mode="1")


@pytest.mark.parametrize("area_code", [None, ""])
def test_ax_step_without_area_code_takes_any_idle_x(axyb: AxybBackend, area_code: str | None) -> None:
    assert [bind_ax(axyb, a, area_code=area_code).num_x for a in (A, A2, C)] == [X1, X2, X_BJ]
    with refused("1012008", "axyb-app", D):
        bind_ax(axyb, D, area_code=area_code)


def test_ax_step_prefers_an_x_that_serves_no_binding_as_y(axyb: AxybBackend) -> None:
    bind_yb(axyb, bind_ax(axyb))  # A holds X1, B's Y is X2
    assert bind_ax(axyb, A2).num_x == X_BJ  # X2 is idle as an X too, but carries a relation as Y
    assert bind_ax(axyb, C).num_x == X2


def test_ax_step_refuses_an_a_holding_the_maximum_of_x(clock: VirtualClock) -> None:
    axyb = make_backend(clock, max_x_per_a=2)
    bind_ax(axyb)
    bind_ax(axyb)
    with refused("1012008", f"origNum {A}", "2 X", "limit"):
        bind_ax(axyb)
    assert bind_ax(axyb, A2).num_x == X_BJ


def test_ax_step_allows_five_x_per_a_by_default(clock: VirtualClock) -> None:
    axyb = make_backend(clock, make_app(*many_numbers(6)))
    assert len({bind_ax(axyb).num_x for _ in range(5)}) == 5
    with refused("1012008", "5 X"):
        bind_ax(axyb)


# --- YB step ------------------------------------------------------------------------------------


def test_yb_step_gives_b_a_y_and_replies_with_the_ax_subscription_id(axyb: AxybBackend) -> None:
    binding = bind_ax(
        axyb, call_direction=1, duration=600, record_flag=True, pre_voice_x="x.wav", user_data="u"
    )
    yb = bind_yb(axyb, binding, pre_voice_y="y.wav")
    assert (yb.subscription_id, yb.bind_id) == (binding.subscription_id, binding.subscription_id)
    assert (yb.num_y, yb.relation_number, yb.num_b, yb.pre_voice_y) == (X2, X2, B, "y.wav")
    assert (yb.num_a, yb.num_x, yb.call_direction, yb.duration) == (A, X1, 1, 600)
    assert (yb.record_flag, yb.pre_voice_x, yb.user_data, yb.subscribe_time) == (True, "x.wav", "u", START)
    assert binding.ybs == {X2: yb}


def test_yb_step_reports_an_unknown_subscription_id(axyb: AxybBackend) -> None:
    with refused("1016001", "subscriptionId", "nope"):
        axyb.bind(subscription_id="nope", orig_num=B)


def test_yb_step_rejects_b_equal_to_a(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    with refused("1010002", f"origNum {A}", "is the A"):
        bind_yb(axyb, binding, A)


def test_yb_step_rejects_a_b_that_already_has_a_y_on_the_binding(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    bind_yb(axyb, binding)
    with refused("1010002", f"origNum {B}", "already has a Y"):
        bind_yb(axyb, binding)


def test_yb_step_never_gives_the_bindings_own_x_as_y(clock: VirtualClock) -> None:
    axyb = make_backend(clock, make_app(PrivateNumber(X1, "0755")))
    binding = bind_ax(axyb)
    with refused("1012008", f"origNum {B} (B)", binding.subscription_id):
        bind_yb(axyb, binding)


def test_yb_step_uses_a_y_at_most_once_per_binding(clock: VirtualClock) -> None:
    axyb = make_backend(clock, make_app(PrivateNumber(X1, "0755"), PrivateNumber(X2, "0755")))
    binding = bind_ax(axyb)
    assert bind_yb(axyb, binding, B).num_y == X2
    with refused("1012008", "a Y serves a binding once"):
        bind_yb(axyb, binding, C)  # A1X1Y1B1 + A1X1Y1B2 is refused


def test_yb_step_shares_a_y_between_bindings(clock: VirtualClock) -> None:
    axyb = make_backend(
        clock, make_app(PrivateNumber(X1, "0755"), PrivateNumber(X2, "0755"), PrivateNumber(X_BJ, "010"))
    )
    first = bind_ax(axyb, A, area_code="0755")
    second = bind_ax(axyb, A2, area_code="0755")
    # A1X1Y1B1 + A2X2Y1B2 is fine: X_BJ serves both bindings as Y.
    assert bind_yb(axyb, first, B, area_code="010").num_y == X_BJ
    assert bind_yb(axyb, second, C, area_code="010").num_y == X_BJ


def test_yb_step_goes_round_the_numbers_for_y(axyb: AxybBackend) -> None:
    first = bind_ax(axyb, A, area_code="010")  # X_BJ
    y1 = bind_yb(axyb, first, B).num_y  # X1, the first in number order
    y2 = bind_yb(axyb, first, C).num_y  # the next one round: X2
    assert (y1, y2) == (X1, X2)


def test_yb_step_refuses_a_y_carrying_the_maximum_of_relations(clock: VirtualClock) -> None:
    axyb = make_backend(clock, max_relations_per_y=1)
    first = bind_ax(axyb, A, area_code="0755")  # X1
    assert bind_yb(axyb, first, B, area_code="010").num_y == X_BJ
    second = bind_ax(axyb, A2, area_code="0755")  # X2
    with refused("1012008", "areaCode 010", "at most 1 bindings"):
        bind_yb(axyb, second, C, area_code="010")
    axyb.unbind(subscription_id=first.subscription_id)
    assert bind_yb(axyb, second, C, area_code="010").num_y == X_BJ


def test_yb_step_by_area_code_is_strict_by_default(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    with refused("1012008", "areaCode 021", "strict"):
        bind_yb(axyb, binding, area_code="021")
    assert bind_yb(axyb, binding, area_code="021", area_match_mode="1").num_y == X2


def test_yb_step_lifetime_defaults_to_the_ax_steps_yb_duration(axyb: AxybBackend) -> None:
    yb = bind_yb(axyb, bind_ax(axyb, yb_duration=600))
    assert (yb.yb_duration, yb.expire_time) == (600, START + 600)


def test_yb_step_yb_duration_wins_over_the_ax_steps(axyb: AxybBackend) -> None:
    yb = bind_yb(axyb, bind_ax(axyb, yb_duration=600), yb_duration="900")
    assert (yb.yb_duration, yb.expire_time) == (900, START + 900)


def test_yb_step_cuts_its_yb_duration_to_the_bindings_duration(axyb: AxybBackend) -> None:
    assert bind_yb(axyb, bind_ax(axyb, duration=600), yb_duration=3600).yb_duration == 600


def test_yb_step_ignores_the_ax_only_fields(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb, duration=600, user_data="u")
    yb = bind_yb(axyb, binding, duration=0, user_data="other", call_direction=2)
    assert (yb.duration, yb.user_data, yb.call_direction) == (600, "u", 0)


# --- expiry -------------------------------------------------------------------------------------


def test_binding_expires_exactly_at_bind_time_plus_duration_with_all_its_yb(
    axyb: AxybBackend, clock: VirtualClock
) -> None:
    binding = bind_ax(axyb, duration=600)
    bind_yb(axyb, binding, B)
    clock.advance(100)
    bind_yb(axyb, binding, C)
    clock.advance(499.999)
    assert axyb.binding(binding.subscription_id) is binding
    clock.advance(0.001)
    assert axyb.bindings() == []
    assert axyb.by_y(X2, A) is None
    # X and both Y are free again: one A may take X1 and its B the other numbers.
    again = bind_ax(axyb, A2)
    assert (again.num_x, bind_yb(axyb, again, B).num_y) == (X1, X2)


def test_yb_expires_exactly_at_its_own_deadline_and_leaves_the_binding(
    axyb: AxybBackend, clock: VirtualClock
) -> None:
    binding = bind_ax(axyb, duration=7200)
    clock.advance(100)
    yb = bind_yb(axyb, binding, yb_duration=60)
    other = bind_yb(axyb, binding, C)
    clock.advance(59.999)
    assert axyb.query(subscription_id=binding.subscription_id) == [yb, other]
    clock.advance(0.001)
    assert axyb.bindings() == [binding]
    assert binding.ybs == {other.num_y: other}


def test_yb_bound_again_after_an_unbind_is_not_removed_by_the_old_deadline(
    axyb: AxybBackend, clock: VirtualClock
) -> None:
    binding = bind_ax(axyb, duration=0, area_code="0755")
    first = bind_yb(axyb, binding, yb_duration=60, area_code="010")  # the only Y of 010
    axyb.unbind(subscription_id=binding.subscription_id, y_num=first.num_y)
    again = bind_yb(axyb, binding, yb_duration=120, area_code="010")
    assert again.num_y == first.num_y
    clock.advance(60)
    assert axyb.query(subscription_id=binding.subscription_id) == [again]
    clock.advance(60)
    assert axyb.query(subscription_id=binding.subscription_id) == [binding]


def test_binding_with_duration_zero_never_expires(axyb: AxybBackend, clock: VirtualClock) -> None:
    binding = bind_ax(axyb, duration="0")
    yb = bind_yb(axyb, binding)
    clock.advance(10 * 365 * 86400)
    assert axyb.bindings() == [binding]
    assert binding.ybs == {yb.num_y: yb}


def test_expired_binding_is_not_found_by_any_method(axyb: AxybBackend, clock: VirtualClock) -> None:
    sid = bind_ax(axyb, duration=60).subscription_id
    clock.advance(60)
    calls: list[Callable[[], Any]] = [
        lambda: axyb.query(subscription_id=sid),
        lambda: axyb.query(relation_num=X1),
        lambda: axyb.bind(subscription_id=sid, orig_num=B),
        lambda: axyb.unbind(subscription_id=sid),
    ]
    for call in calls:
        with refused("1016001"):
            call()
    assert axyb.by_x(X1) is None


# --- unbind -------------------------------------------------------------------------------------


def test_unbind_by_subscription_id_alone_removes_the_binding_and_every_yb(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    bind_yb(axyb, binding, B)
    bind_yb(axyb, binding, C)
    kept = bind_ax(axyb, A2)
    assert axyb.unbind(subscription_id=binding.subscription_id) is binding
    assert axyb.bindings() == [kept]
    assert bind_ax(axyb, C, area_code="0755").num_x == X1


def test_unbind_with_y_num_removes_only_that_yb(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    first = bind_yb(axyb, binding, B)
    second = bind_yb(axyb, binding, C)
    assert axyb.unbind(subscription_id=binding.subscription_id, y_num=first.num_y) is first
    assert binding.ybs == {second.num_y: second}
    assert axyb.bindings() == [binding]


def test_unbind_with_b_num_removes_only_that_bs_yb(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    first = bind_yb(axyb, binding, B)
    second = bind_yb(axyb, binding, C)
    assert axyb.unbind(subscription_id=binding.subscription_id, b_num=C) is second
    assert binding.ybs == {first.num_y: first}


def test_unbind_prefers_y_num_over_b_num(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    first = bind_yb(axyb, binding, B)
    second = bind_yb(axyb, binding, C)
    assert axyb.unbind(subscription_id=binding.subscription_id, y_num=first.num_y, b_num=C) is first
    assert binding.ybs == {second.num_y: second}


@pytest.mark.parametrize(("given", "wanted"), [({"y_num": X1}, f"yNum {X1}"), ({"b_num": D}, f"bNum {D}")])
def test_unbind_reports_no_yb_matching(axyb: AxybBackend, given: dict[str, str], wanted: str) -> None:
    binding = bind_ax(axyb)
    bind_yb(axyb, binding)
    with refused("1016001", binding.subscription_id, wanted):
        axyb.unbind(subscription_id=binding.subscription_id, **given)


def test_unbind_reports_an_unknown_subscription_id(axyb: AxybBackend) -> None:
    with refused("1016001", "nope"):
        axyb.unbind(subscription_id="nope", y_num=X1)


def test_unbind_requires_subscription_id(axyb: AxybBackend) -> None:
    with refused("1010002", "subscriptionId"):
        axyb.unbind(y_num=X1)


def test_unbind_frees_the_y_for_the_same_binding(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb, area_code="0755")
    yb = bind_yb(axyb, binding, area_code="0755")
    axyb.unbind(subscription_id=binding.subscription_id, b_num=B)
    assert bind_yb(axyb, binding, C, area_code="0755").num_y == yb.num_y


# --- query --------------------------------------------------------------------------------------


def test_query_of_a_binding_without_yb_lists_a_and_x_only(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    assert axyb.query(subscription_id=binding.subscription_id) == [binding]
    assert axyb.query(relation_num=binding.num_x)[0] is binding


def test_query_lists_one_item_per_yb_in_bind_order(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    first = bind_yb(axyb, binding, B)
    second = bind_yb(axyb, binding, C)
    items = axyb.query(subscription_id=binding.subscription_id)
    assert items == [first, second]
    assert [(i.bind_id, i.num_a, i.num_x, i.num_b) for i in items] == [
        (binding.subscription_id, A, X1, B),
        (binding.subscription_id, A, X1, C),
    ]


def test_query_lists_at_most_five_relations(clock: VirtualClock) -> None:
    axyb = make_backend(clock, make_app(*many_numbers(8)))
    binding = bind_ax(axyb)
    ybs = [bind_yb(axyb, binding, f"+8613900000{i:03d}") for i in range(6)]
    assert axyb.query(relation_num=binding.num_x) == ybs[:5]


def test_query_prefers_subscription_id_over_relation_num(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    bind_ax(axyb, A2)
    assert axyb.query(subscription_id=binding.subscription_id, relation_num=X2) == [binding]


def test_query_reports_an_unknown_subscription_id(axyb: AxybBackend) -> None:
    with refused("1016001", "nope"):
        axyb.query(subscription_id="nope")


@pytest.mark.parametrize(("x", "why"), [(X2, "has no binding"), (OTHER_X, "another application")])
def test_query_reports_a_relation_num_without_binding(axyb: AxybBackend, x: str, why: str) -> None:
    bind_ax(axyb)
    with refused("1016001", x, why):
        axyb.query(relation_num=x)


def test_query_does_not_find_a_binding_by_its_y(axyb: AxybBackend) -> None:
    yb = bind_yb(axyb, bind_ax(axyb, area_code="010"))
    with refused("1016001", yb.num_y):
        axyb.query(relation_num=yb.num_y)


def test_query_requires_subscription_id_or_relation_num(axyb: AxybBackend) -> None:
    with refused("1010002", "subscriptionId", "relationNum"):
        axyb.query()


# --- call routing -------------------------------------------------------------------------------


def test_by_x_finds_the_binding_holding_x(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    assert (axyb.by_x(X1), axyb.by_x(X2)) == (binding, None)


def test_by_y_finds_the_yb_a_reaches_by_dialling_y(axyb: AxybBackend) -> None:
    binding = bind_ax(axyb)
    yb = bind_yb(axyb, binding)
    assert axyb.by_y(yb.num_y, A) is yb
    assert axyb.by_y(yb.num_y, B) is None
    assert axyb.by_y(X_BJ, A) is None
    assert binding.yb_of(B) is yb


def test_by_y_prefers_the_newest_yb_when_a_holds_y_on_two_x(axyb: AxybBackend) -> None:
    first = bind_ax(axyb, area_code="0755")  # X1
    second = bind_ax(axyb, area_code="0755")  # X2
    old = bind_yb(axyb, first, B, area_code="010")
    new = bind_yb(axyb, second, C, area_code="010")
    assert old.num_y == new.num_y == X_BJ
    assert axyb.by_y(X_BJ, A) is new
    axyb.unbind(subscription_id=second.subscription_id)
    assert axyb.by_y(X_BJ, A) is old


# --- scale --------------------------------------------------------------------------------------

SCALE = 1000


def bind_many(axyb: AxybBackend) -> list[AxybBinding]:
    bound = [bind_ax(axyb, f"+86138{i:08d}", duration=1000 + i) for i in range(SCALE)]
    for i, binding in enumerate(bound):
        bind_yb(axyb, binding, f"+86139{i:08d}")
    return bound


@pytest.fixture
def crowded(clock: VirtualClock) -> AxybBackend:
    return make_backend(clock, make_app(*many_numbers(SCALE)))


def test_a_call_that_expires_nothing_touches_no_other_binding_among_1000(
    crowded: AxybBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = bind_many(crowded)
    target = bound[567]
    (yb,) = target.ybs.values()
    pops: list[object] = []
    touched: set[int] = set()
    real_pop = heapq.heappop

    def counting_pop(heap: list[Any]) -> Any:
        pops.append(heap[0])
        return real_pop(heap)

    def watched(self: Any, name: str) -> Any:
        touched.add(id(self))
        return object.__getattribute__(self, name)

    monkeypatch.setattr(heapq, "heappop", counting_pop)
    monkeypatch.setattr(AxybBinding, "__getattribute__", watched)
    monkeypatch.setattr(YbRelation, "__getattribute__", watched)
    sid = target.subscription_id
    crowded.query(subscription_id=sid)
    crowded.query(relation_num=target.num_x)
    crowded.by_x(target.num_x)
    crowded.by_y(yb.num_y, target.num_a)
    crowded.binding(sid)
    crowded.unbind(subscription_id=sid, y_num=yb.num_y)
    fresh_yb = crowded.bind(subscription_id=sid, orig_num=D)
    crowded.unbind(subscription_id=sid)
    fresh = crowded.bind(orig_num=A, duration=60)
    monkeypatch.undo()
    assert pops == []
    assert id(target) in touched  # the watch works
    assert touched <= {id(target), id(yb), id(fresh_yb), id(fresh)}


def test_expiring_one_binding_among_1000_takes_one_queue_entry(
    crowded: AxybBackend, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = bind_many(crowded)
    handed = record_pop_due(monkeypatch)
    clock.advance(1000)
    assert crowded.binding(bound[0].subscription_id) is None
    assert handed == [(bound[0].expire_time, (bound[0].subscription_id, ""))]
    assert crowded.binding(bound[1].subscription_id) is bound[1]
