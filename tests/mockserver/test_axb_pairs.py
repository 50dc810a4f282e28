"""An X's pairs stay exact under any mix of bind, unbind, modify and expiry: paging in bind order,
routing by party number, the listing by id, whatever tombstones the bind order holds meanwhile."""

from __future__ import annotations

import gc
import random
from collections import deque
from dataclasses import dataclass

import pytest

from pns_mock.mockserver.domain import AxbBackend, AxbBinding, VirtualClock
from pns_mock.mockserver.domain.backends import axb_model

from .test_axb_backend import START, X1, X2, make_backend


@dataclass
class Expected:
    binding: AxbBinding
    caller: str
    callee: str
    expire_time: float | None


def all_pages(axb: AxbBackend, x: str, size: int) -> list[AxbBinding]:
    """Every binding of X as the paged query lists them (nothing when X has none)."""
    first = (
        axb.query(relation_num=x, page_size=size) if x in {b.relation_num for b in axb.bindings()} else None
    )
    if first is None:
        return []
    items = list(first.items)
    for index in range(2, -(-first.total_count // size) + 1):
        items += axb.query(relation_num=x, page_index=index, page_size=size).items
    assert len(items) == first.total_count
    return items


def check(axb: AxbBackend, clock: VirtualClock, model: dict[str, list[Expected]], size: int) -> None:
    now = clock.now()
    for x, pairs in model.items():
        pairs[:] = [p for p in pairs if p.expire_time is None or p.expire_time > now]
        assert [b.subscription_id for b in all_pages(axb, x, size)] == [
            p.binding.subscription_id for p in pairs
        ]
        for p in pairs:
            assert axb.pair_of(x, p.caller) is p.binding
            assert axb.pair_of(x, p.callee) is p.binding
            assert (p.binding.caller_num, p.binding.callee_num, p.binding.expire_time) == (
                p.caller,
                p.callee,
                p.expire_time,
            )
    live = {p.binding.subscription_id for pairs in model.values() for p in pairs}
    assert {b.subscription_id for b in axb.bindings()} == live


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_mix_keeps_pages_parties_and_ids_exact(seed: int) -> None:
    rng = random.Random(seed)
    clock = VirtualClock(start=START, frozen=True)
    axb = make_backend(clock)
    model: dict[str, list[Expected]] = {X1: [], X2: []}
    gone: dict[str, list[str]] = {X1: [], X2: []}  # numbers of pairs no longer live, for reuse
    size = rng.choice([axb_model.page_sizes()[1], 3, axb_model.page_sizes()[0]])
    serial = 0
    for _ in range(400):
        x = rng.choice([X1, X2])
        pairs = model[x]
        action = rng.random()
        if action < 0.45 or not pairs:
            serial += 1
            caller = gone[x].pop() if gone[x] and rng.random() < 0.3 else f"+86138{serial:08d}"
            callee = f"+86139{serial:08d}"
            duration = rng.choice([None, 5, 10, 10, 10, 30])  # many pairs due in the same second
            binding = axb.bind(caller_num=caller, callee_num=callee, relation_num=x, duration=duration)
            expire = clock.now() + duration if duration else None
            pairs.append(Expected(binding, caller, callee, expire))
        elif action < 0.65:
            victim = pairs.pop(rng.randrange(len(pairs)))  # out of turn: a tombstone in bind order
            axb.unbind(subscription_id=victim.binding.subscription_id)
            gone[x].append(victim.caller)
        elif action < 0.8:
            target = rng.choice(pairs)
            serial += 1
            duration = rng.choice([None, 1, 40])  # shorter or longer: the old deadline goes stale
            callee = f"+86137{serial:08d}"
            axb.modify(subscription_id=target.binding.subscription_id, callee_num=callee, duration=duration)
            if duration is not None:
                target.expire_time = clock.now() + duration
            target.callee = callee
        else:
            clock.advance(rng.choice([1, 2, 5, 10]))
        check(axb, clock, model, size)
    clock.advance(100)
    check(axb, clock, model, size)
    assert {b.expire_time for b in axb.bindings()} <= {None}  # only the pairs without a duration


def test_out_of_turn_unbinds_past_half_of_an_x_then_expiry_of_the_rest(clock: VirtualClock) -> None:
    axb = make_backend(clock)
    bound = [
        axb.bind(caller_num=f"+86138{i:08d}", callee_num=f"+86139{i:08d}", relation_num=X1, duration=100 + i)
        for i in range(40)
    ]
    kept = bound[::3]  # every third stays: the unbinds outnumber the live pairs part way
    for binding in bound:
        if binding not in kept:
            axb.unbind(subscription_id=binding.subscription_id)
    assert all_pages(axb, X1, 3) == kept
    clock.advance(100 + 20)  # the oldest kept ones (bound 0 .. 20) expire, in bind order
    assert all_pages(axb, X1, 3) == [b for b in kept if b.expire_time and b.expire_time > clock.now()]
    clock.advance(100)
    assert axb.bindings() == [] and axb.pair_of(X1, kept[-1].caller_num) is None


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START, frozen=True)


def held_by_a_deque(binding: AxbBinding) -> bool:
    return any(isinstance(holder, deque) for holder in gc.get_referrers(binding))


def test_a_removed_pair_is_released_from_bind_order_in_turn_at_once_out_of_turn_by_the_sweep(
    clock: VirtualClock,
) -> None:
    axb = make_backend(clock)
    bound = [
        axb.bind(caller_num=f"+86138{i:08d}", callee_num=f"+86139{i:08d}", relation_num=X1, duration=10 + i)
        for i in range(10)
    ]
    assert all(held_by_a_deque(b) for b in bound)  # the probe sees the bind order
    axb.unbind(subscription_id=bound[1].subscription_id)  # out of turn: a tombstone for now
    axb.unbind(subscription_id=bound[3].subscription_id)
    assert held_by_a_deque(bound[1]) and held_by_a_deque(bound[3])
    clock.advance(10)  # bound[0] expires: it and the tombstone of bound[1] behind it leave
    assert axb.binding(bound[0].subscription_id) is None
    assert not held_by_a_deque(bound[0]) and not held_by_a_deque(bound[1])
    assert held_by_a_deque(bound[3])
    for i in (5, 6, 7, 8):  # 5 tombstones (3, 5, 6, 7, 8) against 3 live pairs (2, 4, 9): swept
        axb.unbind(subscription_id=bound[i].subscription_id)
    assert [b.subscription_id for b in all_pages(axb, X1, 3)] == [bound[i].subscription_id for i in (2, 4, 9)]
    assert not any(held_by_a_deque(bound[i]) for i in (3, 5, 6, 7, 8))
