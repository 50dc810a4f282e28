"""The delivery loop: a dispatcher thread handing due pushes to a pool of sending threads.

The dispatcher polls every `POLL_SECONDS` (a heap peek when idle, or sooner when woken) and
claims no more pushes than there are free threads, so `stop()` waits at most one timeout;
retries get half the threads at most, so a dead receiver's retries never delay new pushes.
Threads rather than asyncio: the mock runs with no event loop in the plugin's in-process mode
and the `transport` hook is synchronous.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from .journal import Push

POLL_SECONDS = 0.02


class PushWorker:
    """Runs `claim(free, free_for_retries)` in a loop and `send(push)` for each claimed push.

    `lock` guards the in-flight counts (the deliverer's lock); `wake` cuts a poll short.
    """

    def __init__(
        self,
        workers: int,
        lock: AbstractContextManager[Any],
        wake: threading.Event,
        claim: Callable[[int, int], list[Push]],
        send: Callable[[Push], None],
    ) -> None:
        self._workers = workers
        self._retry_threads = max(1, workers // 2)
        self._lock = lock
        self._wake = wake
        self._claim = claim
        self._send = send
        self._in_flight = 0
        self._retries_in_flight = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="pns-push")
        self._thread = threading.Thread(target=self._loop, name="pns-delivery", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def stop(self) -> None:
        """Stop the dispatcher; waits for the attempts in flight."""
        thread, pool = self._thread, self._pool
        if thread is None or pool is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join()
        pool.shutdown(wait=True)
        self._thread = self._pool = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            pool = self._pool
            if pool is None:
                return
            free = self._workers - self._in_flight
            for push in self._claim(free, self._retry_threads - self._retries_in_flight):
                retry = bool(push.attempts)
                with self._lock:
                    self._in_flight += 1
                    self._retries_in_flight += retry
                pool.submit(self._work, push, retry)
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _work(self, push: Push, retry: bool) -> None:
        try:
            self._send(push)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._retries_in_flight -= retry
            self._wake.set()
