"""The expiry queue hands back exactly the due deadlines, in deadline order, however they mix."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pns_mock.mockserver.domain import ExpiryQueue

# A step either adds a deadline (seconds ahead of the current time, fractions included, spans
# crossed) or moves the time forward and drains what is due.
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("push"), st.floats(min_value=0, max_value=400, allow_nan=False)),
        st.tuples(st.just("pop"), st.floats(min_value=0, max_value=300, allow_nan=False)),
    ),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(steps=_STEPS, start=st.floats(min_value=1.7e9, max_value=1.8e9, allow_nan=False))
def test_pop_due_matches_a_sorted_reference(steps: list[tuple[str, float]], start: float) -> None:
    queue: ExpiryQueue[int] = ExpiryQueue()
    pending: list[tuple[float, int]] = []  # (deadline, push order)
    now = start
    for index, (kind, amount) in enumerate(steps):
        if kind == "push":
            queue.push(now + amount, index)
            pending.append((now + amount, index))
        else:
            now += amount
            expected = sorted(p for p in pending if p[0] <= now)
            pending = [p for p in pending if p[0] > now]
            assert queue.pop_due(now) == expected
        assert len(queue) == len(pending)
    assert queue.pop_due(float("inf")) == sorted(pending)
    assert len(queue) == 0


def test_nothing_due_leaves_everything_in_place() -> None:
    queue: ExpiryQueue[str] = ExpiryQueue()
    queue.push(1_000_100.5, "a")
    queue.push(1_000_000.25, "b")
    assert queue.pop_due(1_000_000.0) == []
    assert queue.pop_due(1_000_000.25) == [(1_000_000.25, "b")]
    queue.push(1_000_050.0, "c")  # lands in a span that is being drained
    assert queue.pop_due(1_000_200.0) == [(1_000_050.0, "c"), (1_000_100.5, "a")]


def test_many_deadlines_in_one_second_come_back_in_push_order() -> None:
    queue: ExpiryQueue[int] = ExpiryQueue()
    for key in range(500):
        queue.push(2_000_000.0 + (key % 3) * 0.25, key)  # three instants of one second, interleaved
    due = queue.pop_due(2_000_000.25)
    assert due == [(2_000_000.0, k) for k in range(0, 500, 3)] + [(2_000_000.25, k) for k in range(1, 500, 3)]
    assert len(queue) == 500 - len(due)
    queue.push(2_000_000.5, 1000)  # into the span being drained, after the equal deadlines already there
    assert queue.pop_due(2_000_001.0) == [(2_000_000.5, k) for k in [*range(2, 500, 3), 1000]]
    assert len(queue) == 0


def test_each_entry_is_handed_back_once_across_spans_and_partial_drains() -> None:
    queue: ExpiryQueue[int] = ExpiryQueue()
    deadlines = [3_000_000.0 + (k * 37) % 1000 for k in range(1000)]  # ~16 spans, shuffled
    for key, deadline in enumerate(deadlines):
        queue.push(deadline, key)
    seen: list[tuple[float, int]] = []
    for now in range(3_000_000, 3_001_000, 10):
        seen += queue.pop_due(float(now))
    seen += queue.pop_due(3_001_000.0)
    assert seen == sorted((d, k) for k, d in enumerate(deadlines))
