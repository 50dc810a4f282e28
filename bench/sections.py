"""Sections of RESULTS.md that scripts measured apart write between their own markers.

bench/run_overhead.py and bench/proxy_overhead.py each replace their section in place;
bench/report.py carries both over when it rewrites the rest of the file.
"""

from __future__ import annotations

from pathlib import Path

SEPARATE = ("run-overhead", "proxy-overhead")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def write_section(results: Path, name: str, section: str) -> None:
    """Put `section` (which opens and closes with the markers of `name`) in place of the old one."""
    begin, end = markers(name)
    text = results.read_text(encoding="utf-8")
    if begin in text and end in text:
        text = text[: text.index(begin)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


def kept_sections(results: Path) -> list[str]:
    """The separately measured sections of `results`, as they stand, each followed by a blank line."""
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    kept = []
    for name in SEPARATE:
        begin, end = markers(name)
        if begin in old and end in old:
            kept += [old[old.index(begin) : old.index(end) + len(end)], ""]
    return kept
