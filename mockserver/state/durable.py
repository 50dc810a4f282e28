"""The three platform parts `persistence` swaps in so that a logged change can be replayed exactly.

- `PinnableClock`: a `VirtualClock` whose reading can be pinned for one thread. While a change
  is recorded, the first reading is kept and repeated (`latched`); on replay every reading is
  the recorded one (`pinned`). Other threads see the clock as usual.
- `RecordedIds`: an `IdFactory` that writes down the ids one change draws (`recording`) and
  hands the same ids out again on replay (`replaying`). Ids seen on replay are never drawn
  again, so a seeded factory that starts over after a restart does not repeat them.
- `DurableDeliverer`: a `Deliverer` that reports each push whose state may have changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..domain.clock import VirtualClock
from ..domain.ids import IdFactory
from ..pushes.delivery import Deliverer
from ..pushes.journal import Push


class Latch:
    """The clock reading a recorded change saw first (None: it never read the clock)."""

    def __init__(self) -> None:
        self.at: float | None = None


class PinnableClock(VirtualClock):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def now(self) -> float:
        latch: Latch | None = getattr(self._local, "latch", None)
        if latch is not None and latch.at is not None:
            return latch.at
        value = super().now()
        if latch is not None:
            latch.at = value
        return value

    @contextmanager
    def latched(self) -> Iterator[Latch]:
        """In this thread, the first reading is kept and every later one repeats it."""
        latch = Latch()
        self._local.latch = latch
        try:
            yield latch
        finally:
            self._local.latch = None

    @contextmanager
    def pinned(self, at: float | None) -> Iterator[Latch]:
        """In this thread, the clock reads `at` (None: as `latched`)."""
        with self.latched() as latch:
            latch.at = at
            yield latch


class RecordedIds(IdFactory):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed)
        self._local = threading.local()
        self._handed_out: set[str] = set()

    def subscription_id(self) -> str:
        return self._next(super().subscription_id)

    def hex_id(self, length: int = 32) -> str:
        return self._next(lambda: super(RecordedIds, self).hex_id(length))

    def _next(self, draw: Callable[[], str]) -> str:
        script: list[str] | None = getattr(self._local, "script", None)
        if script:
            value = script.pop(0)
            self._handed_out.add(value)
        else:
            value = draw()
            while value in self._handed_out:
                value = draw()
        tape: list[str] | None = getattr(self._local, "tape", None)
        if tape is not None:
            tape.append(value)
        return value

    @contextmanager
    def recording(self) -> Iterator[list[str]]:
        """The ids this thread draws meanwhile, in order."""
        tape: list[str] = []
        self._local.tape = tape
        try:
            yield tape
        finally:
            self._local.tape = None

    @contextmanager
    def replaying(self, ids: list[str]) -> Iterator[None]:
        """This thread gets `ids`, in order, before any new one."""
        self._local.script = list(ids)
        try:
            yield
        finally:
            self._local.script = None


class DurableDeliverer(Deliverer):
    """Calls `on_change(push)` (under the journal's lock) after anything that may change a push."""

    on_change: Callable[[Push], None] | None = None
    on_clear: Callable[[], object] | None = None

    def submit(self, app_key: str, webhook: str, url: str, body: dict[str, Any]) -> Push:
        return self._changed(super().submit(app_key, webhook, url, body))

    def submit_batched(self, app_key: str, webhook: str, url: str, item: dict[str, Any]) -> Push:
        return self._changed(super().submit_batched(app_key, webhook, url, item))

    def clear(self) -> None:
        with self.journal.lock:
            super().clear()
            if self.on_clear is not None:
                self.on_clear()

    def _dropped(self, push: Push) -> None:
        self._changed(push)

    def _attempt(self, push: Push) -> None:  # every attempt of every push passes here
        super()._attempt(push)
        self._changed(push)

    def _changed(self, push: Push) -> Push:
        if self.on_change is not None:
            with self.journal.lock:
                self.on_change(push)
        return push
