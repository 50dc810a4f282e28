"""Identifiers: subscription ids are version-4 UUIDs in canonical form, reproducible when seeded."""

from __future__ import annotations

import uuid

from pns_mock.mockserver.domain import IdFactory


def test_subscription_ids_are_canonical_version_4_uuids() -> None:
    ids = IdFactory(seed=11)
    for _ in range(2000):
        text = ids.subscription_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # canonical: lower-case hex, 8-4-4-4-12
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_seeded_factories_repeat_and_unseeded_ones_differ() -> None:
    one, again = IdFactory(seed=3), IdFactory(seed=3)
    first = [one.subscription_id() for _ in range(3)]
    assert first == [again.subscription_id() for _ in range(3)]
    assert len(set(first)) == 3
    a, b = IdFactory(), IdFactory()
    assert len({a.subscription_id() for _ in range(500)} | {b.subscription_id() for _ in range(500)}) == 1000
