"""The spec's descriptions are small Markdown: paragraphs, `*` lists, `code`, **bold**, links.

`to_html` renders exactly that subset, escaping everything first; `to_markdown_inline` makes a
description safe for one Markdown table cell.
"""

from __future__ import annotations

import html
import re

_ITEM = re.compile(r"^\s*[*-]\s+(.*)$")
_CODE = re.compile(r"(`[^`]+`)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
# Chinese has no spaces between words: a line break next to a CJK character or full-width
# punctuation joins without one.
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def join(lines: list[str]) -> str:
    """Lines of one paragraph as one line: a space between them, except next to Chinese text."""
    out = ""
    for line in lines:
        if out and not (_CJK.match(out[-1]) or _CJK.match(line[:1])):
            out += " "
        out += line
    return out


def inline(text: str) -> str:
    """One line of prose as HTML: code spans verbatim, then bold and links in the rest."""
    out = []
    for part in _CODE.split(text):
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
        else:
            escaped = html.escape(part)
            escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
            out.append(_LINK.sub(r'<a href="\2">\1</a>', escaped))
    return "".join(out)


def to_html(text: str) -> str:
    """Paragraphs and bullet lists; an indented line continues the list item above it."""
    blocks: list[str] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(f"<p>{inline(join(para))}</p>")
            para.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        stripped = line.strip()
        item = _ITEM.match(line)
        if not stripped:
            flush()
        elif item:
            if para:
                flush()
            items.append(item.group(1).strip())
        elif items and line[:1] in (" ", "\t"):
            items[-1] = join([items[-1], stripped])
        else:
            if items:
                flush()
            para.append(stripped)
    flush()
    return "\n".join(blocks)


def markdown(text: str) -> str:
    """A description as a Markdown block: `<` and `>` outside code spans escaped, so `<app_key>` shows."""
    return "".join(
        part if part.startswith("`") else part.replace("<", "&lt;").replace(">", "&gt;")
        for part in _CODE.split(text)
    )


def markdown_cell(text: str) -> str:
    """A description for one table cell: one line, pipes escaped."""
    lines = [" ".join(line.split()) for line in markdown(text).splitlines() if line.strip()]
    return join(lines).replace("|", "\\|")
