"""Markdown building blocks of the reference: anchors, fences, inline code, tables, conflict notes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pns_mock.spec import Conflict

from . import prose
from .ui import Words

_TICKS = re.compile(r"`+")


def anchor(name: str) -> str:
    return f'<a id="{name}"></a>'


def fence(text: str, lang: str = "") -> str:
    longest = max((len(m) for m in _TICKS.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def code(text: object) -> str:
    value = str(text)
    ticks = "``" if "`" in value else "`"
    return f"{ticks}{value}{ticks}".replace("|", "\\|")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def conflict_cell(w: Words, conflict: Conflict | None) -> str:
    if conflict is None:
        return ""
    return prose.markdown_cell(
        f" **{w('Vendor pages disagree:')}** {conflict.summary} **{w('Accepted:')}** {conflict.accepted}"
    )


def conflict_note(w: Words, conflict: Conflict | None) -> str:
    if conflict is None:
        return ""
    text = (
        f"**{w('Vendor pages disagree:')}** {conflict.summary}\n\n"
        f"**{w('Accepted:')}** {conflict.accepted} {conflict.why}"
    )
    return "\n".join(f"> {line}" if line else ">" for line in prose.markdown(text).splitlines())
