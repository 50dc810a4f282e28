"""Write the reference to a folder: `index.html` (self-contained) or `index.md` plus its SVG diagrams."""

from __future__ import annotations

from pathlib import Path

from pns_mock import spec

from .build import build_reference
from .examples import default_fixtures
from .html import render_html
from .markdown import diagram_files, render_markdown
from .model import Reference
from .ui import ENGLISH

FORMATS = ("html", "markdown")


def reference(fixtures: Path | None = None, lang: str = ENGLISH) -> Reference:
    """The reference of the bundled spec in `lang`, examples from `fixtures` (default: the checkout's)."""
    return build_reference(spec.load(lang), fixtures or default_fixtures())


def site_folder(out: Path, lang: str = ENGLISH) -> Path:
    """Where a language's pages go: English at the root of `out`, the others in `out/<lang>/`.

    The fixed layout is what lets the language switch of each page link the other.
    """
    return out if lang == ENGLISH else out / lang


def write_site(
    out: Path, fmt: str = "html", *, fixtures: Path | None = None, lang: str = ENGLISH
) -> list[Path]:
    """Render `lang` and write it under `site_folder(out, lang)`; returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if lang not in spec.languages():
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(spec.languages())}")
    ref = reference(fixtures, lang)
    out = site_folder(out, lang)
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
