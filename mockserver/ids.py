"""Identifiers shaped like the platform's, reproducible when seeded."""

from __future__ import annotations

import random
import threading
import uuid


class IdFactory:
    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def subscription_id(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def hex_id(self, length: int = 32) -> str:
        with self._lock:
            return f"{self._random.getrandbits(length * 4):0{length}x}"
