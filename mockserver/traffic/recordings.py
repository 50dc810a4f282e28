"""Recordings the simulated calls leave behind, and the short-lived links that serve them."""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import secrets
import struct
import threading
import wave
from dataclasses import dataclass
from urllib.parse import urlencode

from ..domain.clock import Clock
from ..domain.errors import PnsError

KEPT_SECONDS = 7 * 24 * 3600  # the platform deletes a recording 7 days after its CDR
LINK_SECONDS = 3 * 24 * 3600  # a download link is valid for 3 days
NOT_FOUND = "1012007"


@dataclass(frozen=True)
class Recording:
    app_key: str
    domain: str
    file_name: str
    created: float
    seconds: float


class Recordings:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        # signs download links as an object store does: the link names its expiry, and a
        # signature over path and expiry proves the platform issued it unchanged
        self._link_key = secrets.token_bytes(32)
        self._items: dict[tuple[str, str], Recording] = {}
        self._lock = threading.Lock()

    def add(self, app_key: str, domain: str, file_name: str, seconds: float) -> Recording:
        recording = Recording(app_key, domain, file_name, self._clock.now(), seconds)
        with self._lock:
            self._items[(domain, file_name)] = recording
        return recording

    def get(self, domain: str, file_name: str) -> Recording | None:
        """The recording, unless it is unknown or older than the 7 days the platform keeps it."""
        with self._lock:
            recording = self._items.get((domain, file_name))
        if recording is None or self._clock.now() - recording.created >= KEPT_SECONDS:
            return None
        return recording

    def find(self, app_key: str, domain: str, file_name: str) -> Recording:
        """The application's recording, or 1012007 (unknown, another application's, or deleted)."""
        recording = self.get(domain, file_name)
        if recording is None or recording.app_key != app_key:
            raise PnsError(
                NOT_FOUND,
                f"no recording {file_name!r} in {domain!r} for this application (kept 7 days)",
                rule="recording.kept-7-days",
            )
        return recording

    def link_query(self, recording: Recording) -> str:
        """`expires=<epoch>&signature=<hex>` for a link to `recording`, valid `LINK_SECONDS`."""
        expires = str(int(self._clock.now() + LINK_SECONDS))
        return urlencode(
            {"expires": expires, "signature": self._sign(recording.domain, recording.file_name, expires)}
        )

    def link_problem(self, domain: str, file_name: str, expires: str, signature: str) -> str | None:
        """Why a download link may not be served (None: it may)."""
        if not (expires.isascii() and expires.isdigit() and len(expires) <= 12):
            return "the download link has no valid expires"
        expected = self._sign(domain, file_name, expires)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return "the download link's signature does not match (tampered, or not issued by this server)"
        if int(expires) < self._clock.now():
            return "the download link has expired (links are valid 3 days)"
        return None

    def _sign(self, domain: str, file_name: str, expires: str) -> str:
        message = f"{domain}\n{file_name}\n{expires}".encode("utf-8", "surrogatepass")
        return hmac.new(self._link_key, message, hashlib.sha256).hexdigest()

    def all(self) -> list[Recording]:
        with self._lock:
            return list(self._items.values())


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    """A small valid WAV: a quiet 440 Hz tone, 8 kHz mono 16-bit, like a telephone recording."""
    frames = int(max(seconds, 0.1) * rate)
    samples = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(frames)
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples)
    return out.getvalue()
