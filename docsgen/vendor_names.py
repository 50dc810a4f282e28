"""The table of README.zh-CN.md: the vendor's Chinese interface names next to our operationIds.

Generated from the spec (`x-vendor-name` in the zh-CN overlay), so it cannot drift:

    python -m pns_mock.docsgen.vendor_names      # rewrites the table between its markers in README.zh-CN.md

A test compares the file with `table(spec.load("zh-CN"))`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pns_mock import spec
from pns_mock.spec import Spec

from .build import operation_order

README = "README.zh-CN.md"
START, END = "<!-- vendor-names:start -->", "<!-- vendor-names:end -->"


def table(s: Spec) -> str:
    """Two Markdown tables: the interfaces you call, then the pushes the platform sends you."""
    modes = [str(tag["name"]) for tag in s.document["tags"]]
    ops = sorted(
        s.operations.values(),
        key=lambda op: (modes.index("Common" if op.mode == "common" else op.mode), operation_order(op)),
    )
    lines = [
        "| 华为云接口名称 | operationId | 模式 | 请求 |",
        "|---|---|---|---|",
        *(
            f"| {op.vendor_name} | `{op.operation_id}` | {op.mode} | `{op.method.upper()} {op.path}` |"
            for op in ops
        ),
        "",
        "| 华为云接口名称 | 推送 (webhook) | 模式 | 推送到 |",
        "|---|---|---|---|",
        *(
            f"| {hook.raw.get('x-vendor-name', '')} | `{hook.name}` | {hook.mode} | "
            f"`{hook.raw.get('x-pns-target', '')}` |"
            for hook in s.webhooks.values()
        ),
    ]
    return "\n".join(lines)


def block(text: str) -> str:
    """The generated part of a README text (between the markers), without the markers."""
    start, end = text.index(START) + len(START), text.index(END)
    return text[start:end].strip("\n")


def rewrite(path: Path, s: Spec) -> bool:
    """Put the current table between the markers of `path`; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    new = text[: text.index(START) + len(START)] + "\n" + table(s) + "\n" + text[text.index(END) :]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(README)
    changed = rewrite(path, spec.load("zh-CN"))
    print(f"{path}: {'updated' if changed else 'up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
