"""Cassettes in VCR.py's YAML format (version 1), so vcrpy and pytest-recording replay them as is.

A recording is a series of files `pns-<UTC start>-<n>.yaml` of at most `PER_FILE` interactions.
Every write is a whole file written beside the target and renamed over it: a reader (or a crash)
sees the cassette before or after an interaction, never half of one. Reading checks the shape
and names the file and the place that is wrong.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

from ..report.files import write_atomic

PER_FILE = 200  # interactions per cassette file: each write rewrites one file, so it stays small
SUFFIXES = (".yaml", ".yml")


class CassetteError(ValueError):
    """A cassette file that cannot be read (names the file and what is wrong)."""


@dataclass(frozen=True)
class Interaction:
    method: str
    uri: str
    request_headers: Mapping[str, list[str]]
    request_body: str | None
    status: int
    response_headers: Mapping[str, list[str]]
    response_body: str
    source: str = ""  # "file.yaml#3" once read back

    def as_vcr(self) -> dict[str, Any]:
        reason = HTTPStatus(self.status).phrase if self.status in HTTPStatus._value2member_map_ else ""
        return {
            "request": {
                "body": self.request_body,
                "headers": dict(self.request_headers),
                "method": self.method,
                "uri": self.uri,
            },
            "response": {
                "status": {"code": self.status, "message": reason},
                "headers": dict(self.response_headers),
                "body": {"string": self.response_body},
            },
        }


def grouped(headers: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name, []).append(value)
    return out


class CassetteWriter:
    """Appends interactions to the recording's current file; thread-safe."""

    def __init__(self, directory: Path, clock: Any = time.time) -> None:
        self.directory = directory
        self._stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock()))
        self._part = 1
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.written = 0  # interactions on disk

    @property
    def path(self) -> Path:
        return self.directory / f"pns-{self._stamp}-{self._part:03d}.yaml"

    def problem(self) -> str | None:
        """Why nothing can be recorded in the directory (checked at start), or None."""
        if not self.directory.is_dir():
            return f"--record {self.directory}: no such folder"
        if not os.access(self.directory, os.W_OK | os.X_OK):
            return f"--record {self.directory}: the folder is not writable"
        return None

    def add(self, interaction: Interaction) -> None:
        """Write the current file again with `interaction` in it; OSError when that fails (the
        interaction stays pending and goes out with the next successful write)."""
        with self._lock:
            self._pending.append(interaction.as_vcr())
            text = yaml.safe_dump(
                {"interactions": self._pending, "version": 1}, allow_unicode=True, sort_keys=False, width=120
            )
            write_atomic(self.path, text)
            self.written += 1
            if len(self._pending) >= PER_FILE:
                self._pending = []
                self._part += 1


def read_cassette(path: Path) -> list[Interaction]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise CassetteError(f"{path.name}: cannot be read as YAML ({_first_line(err)})") from err
    if not isinstance(document, dict) or not isinstance(document.get("interactions"), list):
        raise CassetteError(f"{path.name}: not a VCR.py cassette (no `interactions` list)")
    found = []
    for index, item in enumerate(document["interactions"]):
        try:
            request, response = item["request"], item["response"]
            body = response["body"]
            found.append(
                Interaction(
                    method=str(request["method"]).upper(),
                    uri=str(request["uri"]),
                    request_headers=_headers(request.get("headers")),
                    request_body=_text(request.get("body")),
                    status=int(response["status"]["code"]),
                    response_headers=_headers(response.get("headers")),
                    response_body=_text(body.get("string") if isinstance(body, dict) else body) or "",
                    source=f"{path.name}#{index}",
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise CassetteError(f"{path.name}: interaction {index} is not complete ({err!r})") from err
    return found


def read_directory(directory: Path) -> tuple[list[Interaction], list[str]]:
    """Every interaction of the cassettes in `directory`, and one line per file that is unreadable."""
    interactions: list[Interaction] = []
    problems: list[str] = []
    try:
        files = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and not p.name.startswith("."))
    except OSError as err:
        return [], [f"{directory}: {err.strerror or err}"]
    for path in files:
        try:
            interactions += read_cassette(path)
        except CassetteError as err:
            problems.append(str(err))
    return interactions, problems


def _headers(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in value.items()}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"a body is a {type(value).__name__}, not text")


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
