"""Watch what the expiry queues hand back, to check that an expiry costs only what is due."""

from __future__ import annotations

from typing import Any

import pytest

from pns_mock.mockserver.domain import ExpiryQueue


def record_pop_due(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, Any]]:
    """Every entry any ExpiryQueue hands back from now on (until monkeypatch undoes it)."""
    handed: list[tuple[float, Any]] = []
    real_pop_due = ExpiryQueue.pop_due

    def recording_pop_due(self: ExpiryQueue[Any], now: float) -> list[tuple[float, Any]]:
        due = real_pop_due(self, now)
        handed.extend(due)
        return due

    monkeypatch.setattr(ExpiryQueue, "pop_due", recording_pop_due)
    return handed
