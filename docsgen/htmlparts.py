"""Small HTML pieces shared by the page: escaping, highlighted code, field tables, conflict notes.

Every text that comes from the spec or an example goes through `esc` (or `prose`, which escapes
first); nothing is concatenated into markup unescaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from pns_mock.spec import Conflict

from . import prose
from .model import Field
from .ui import Words

_JSON_TOKEN = re.compile(
    r'(?P<key>"(?:\\.|[^"\\])*")(?=\s*:)|(?P<str>"(?:\\.|[^"\\])*")'
    r"|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<lit>\b(?:true|false|null)\b)"
)
MANY_VALUES = 12


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def highlight_json(text: str) -> str:
    out, last = [], 0
    for match in _JSON_TOKEN.finditer(text):
        out.append(esc(text[last : match.start()]))
        out.append(f'<span class="j-{match.lastgroup}">{esc(match.group())}</span>')
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def code_block(text: str, *, json_after_blank_line: bool = False, json: bool = False) -> str:
    """A `<pre>`; an HTTP message's body (after the blank line) or a whole JSON text highlighted."""
    if json:
        inner = highlight_json(text)
    elif json_after_blank_line and "\n\n" in text:
        head, _, body = text.partition("\n\n")
        inner = f"{esc(head)}\n\n{highlight_json(body)}"
    else:
        inner = esc(text)
    return f"<pre><code>{inner}</code></pre>"


def conflict_note(conflict: Conflict | None, w: Words, *, folded: bool = False) -> str:
    """Where the vendor's pages disagree; `folded` (inside tables) shows only a one-line summary."""
    if conflict is None:
        return ""
    accepted = (
        f"<p><strong>{esc(w('Accepted:'))}</strong> {prose.inline(conflict.accepted)}</p>"
        f'<p class="muted">{prose.inline(conflict.why)}</p>'
    )
    if folded:
        return (
            f'<details class="conflict"><summary>{esc(w("Vendor pages disagree"))}</summary>'
            f"<p>{prose.inline(conflict.summary)}</p>{accepted}</details>"
        )
    return (
        f'<div class="conflict"><p><strong>{esc(w("Vendor pages disagree:"))}</strong> '
        f"{prose.inline(conflict.summary)}</p>{accepted}</div>"
    )


def table(headers: Sequence[str], rows: Iterable[str], *, cls: str = "cards") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return (
        f'<div class="table-wrap"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def cell(label: str, content: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<td data-label="{esc(label)}"{klass}>{content}</td>'


def fields_table(fields: Sequence[Field], w: Words) -> str:
    heads = (w("Field"), w("Type"), w("Required"), w("Description"))
    rows = []
    for f in fields:
        nested = ' class="nested"' if f.depth or "[]" in f.path else ""
        where = f' <span class="badge">{esc(f.location)}</span>' if f.location == "query" else ""
        required = (
            f'<span class="badge req">{esc(w("required"))}</span>'
            if f.required
            else f'<span class="muted">{esc(w("optional"))}</span>'
        )
        rows.append(
            f"<tr{nested}>"
            + cell(heads[0], f"<code>{esc(f.path)}</code>{where}", "path")
            + cell(heads[1], _type(f, w))
            + cell(heads[2], required)
            + cell(
                heads[3],
                prose.to_html(f.description) + _values(f, w) + conflict_note(f.conflict, w, folded=True),
            )
            + "</tr>"
        )
    return table(heads, rows)


def constraint_label(w: Words, label: str) -> str:
    """The page's word for a constraint (`length`, `range`, `items`, `pattern`, `default`)."""
    words = {
        "length": w("length"),
        "range": w("range"),
        "items": w("items"),
        "pattern": w("pattern"),
        "default": w("default"),
    }
    return words.get(label, label)


def _type(f: Field, w: Words) -> str:
    out = f"<code>{esc(f.type)}</code>"
    if f.timestamp_format:
        out += f' <a href="#ts-{esc(f.timestamp_format)}">{esc(f.timestamp_format)}</a>'
    for constraint in f.constraints:
        label, _, value = constraint.partition(" ")
        name = esc(constraint_label(w, label))
        shown = f"{name} <code>{esc(value)}</code>" if label == "pattern" else f"{name} {esc(value)}"
        out += f'<br><span class="muted">{shown}</span>'
    return out


def _values(f: Field, w: Words) -> str:
    if not f.values:
        return ""
    if not any(meaning for _, meaning in f.values):
        listed = ", ".join(f"<code>{esc(v)}</code>" for v, _ in f.values)
        return (
            f'<p class="values">{esc(w("One of"))} {listed}</p>'
            if len(f.values) <= MANY_VALUES
            else (
                f"<details><summary>{esc(w('{n} allowed values', n=len(f.values)))}</summary>"
                f"<p>{listed}</p></details>"
            )
        )
    items = "".join(
        f"<li><code>{esc(v)}</code>{': ' + prose.inline(m) if m else ''}</li>" for v, m in f.values
    )
    if len(f.values) > MANY_VALUES:
        summary = esc(w("{n} values", n=len(f.values)))
        return f'<details><summary>{summary}</summary><ul class="values">{items}</ul></details>'
    return f'<ul class="values">{items}</ul>'


def link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'
