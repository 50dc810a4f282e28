"""Batched pushes still filling: one per (app, webhook, URL) and whole second of the virtual clock.

Records for one target submitted while the virtual clock reads the same whole second share one
push. It is sent once full (the list's `maxItems` in the body schema: 50 CDRs), on `flush()`,
or once the clock is seen in a later second (by the worker, `run_due` or the next record). With
a frozen clock nothing is sent until the test flushes or moves the clock: deterministic.

Plain data: every method expects the caller to hold the journal's lock (`batching_of` excepted).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pns_mock.spec import Spec, Webhook

from .batching import Batching, batching_of
from .journal import Push

Target = tuple[str, str, str]  # (app_key, webhook, URL)


class FillingBatches:
    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        self._open: dict[Target, tuple[int, Push]] = {}  # target -> (its second, its push)
        self._batching: dict[str, Batching] = {}

    def batching_of(self, hook: Webhook) -> Batching:
        """How `hook`'s batched body is shaped; raises `NotBatched` for a push that is not batched."""
        found = self._batching.get(hook.name)
        if found is None:
            found = self._batching[hook.name] = batching_of(self._spec, hook)
        return found

    def add(
        self, target: Target, now: float, batching: Batching, item: Any, new: Callable[[], Push]
    ) -> tuple[Push, bool]:
        """Add `item` to `target`'s batch of this second (`new()` starts one); with whether it is
        now full, and so no longer filling."""
        if target in self._open:
            push = self._open[target][1]
        else:
            push = new()
            self._open[target] = (math.floor(now), push)
        items = push.body[batching.list_key]
        items.append(item)
        if len(items) >= batching.max_items:
            del self._open[target]
            return push, True
        return push, False

    def close(self, now: float, *, everything: bool = False) -> list[Push]:
        """Stop filling the batches of earlier seconds (or all of them); they are due now."""
        closed = []
        for target, (second, push) in list(self._open.items()):
            if everything or second != math.floor(now):
                del self._open[target]
                closed.append(push)
        return closed

    def __bool__(self) -> bool:
        return bool(self._open)

    def clear(self) -> None:
        self._open.clear()
