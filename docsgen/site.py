"""Write the reference to a folder: `index.html` (self-contained) or `index.md` plus its SVG diagrams."""

from __future__ import annotations

from pathlib import Path

import spec

from .build import build_reference
from .examples import default_fixtures
from .html import render_html
from .markdown import diagram_files, render_markdown
from .model import Reference

FORMATS = ("html", "markdown")


def reference(fixtures: Path | None = None) -> Reference:
    """The reference of the bundled spec, with the examples of `fixtures` (default: the checkout's)."""
    return build_reference(spec.load(), fixtures or default_fixtures())


def write_site(out: Path, fmt: str = "html", *, fixtures: Path | None = None) -> list[Path]:
    """Render and write; returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    ref = reference(fixtures)
    out.mkdir(parents=True, exist_ok=True)
    files = {"index.html": render_html(ref)} if fmt == "html" else {"index.md": render_markdown(ref)}
    if fmt == "markdown":
        files |= diagram_files(ref)
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
