"""Report files: each written whole and then renamed into place, and checked writable before a run starts."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .verdict import Verdict, as_json, junit

if TYPE_CHECKING:
    pass


def write_atomic(path: Path, text: str) -> None:
    """Write whole or not at all: a temporary file beside the target, then a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(
    verdict: Verdict, *, json_path: Path | None, junit_path: Path | None, coverage_min: float | None
) -> None:
    if json_path is not None:
        write_atomic(
            json_path, json.dumps(as_json(verdict, coverage_min), indent=2, ensure_ascii=False) + "\n"
        )
    if junit_path is not None:
        write_atomic(junit_path, junit(verdict, coverage_min))


def check_writable(path: Path) -> str | None:
    """Why a report cannot be written to `path` (checked before the run), or None."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        return f"{path} is a directory"
    if not parent.is_dir():
        return f"folder {parent} does not exist"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{path} is not writable"
    return None
