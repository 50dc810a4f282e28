"""Identifiers shaped like the platform's, reproducible when seeded."""

from __future__ import annotations

import random
import threading

_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))  # variant and version bits
_UUID_SET = (0x8000 << 48) | (4 << 76)  # RFC 4122 variant, version 4


class IdFactory:
    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def subscription_id(self) -> str:
        with self._lock:
            bits = self._random.getrandbits(128)
        # what str(uuid.UUID(int=bits, version=4)) gives, without building the object
        bits = (bits & _UUID_CLEAR) | _UUID_SET
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex_id(self, length: int = 32) -> str:
        with self._lock:
            return f"{self._random.getrandbits(length * 4):0{length}x}"
