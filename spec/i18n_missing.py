"""Print a YAML skeleton of the texts a language's overlay still lacks: `python -m spec.i18n_missing`.

    python -m spec.i18n_missing [zh-CN]  >> spec/i18n/zh-CN.yaml   # then translate each value

Each entry carries the English text as its value, so a left-over entry fails the coverage test
(identical to English) until it is translated.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import yaml

from . import i18n
from .loader import _english, overlay


def missing(lang: str) -> Iterator[i18n.Text]:
    """The required texts that have no translation in `lang`, or one identical to the English."""
    table = overlay(lang)
    for text in i18n.texts(_english().document):
        if not i18n.required(text):
            continue
        translated = i18n.lookup(table, text)
        if translated is None or translated.strip() == text.english.strip():
            yield text


def skeleton(texts: list[i18n.Text]) -> str:
    grouped: dict[str, dict[str, str]] = {}
    for text in texts:
        grouped.setdefault(text.owner, {})[text.key] = text.english.strip()
    return yaml.safe_dump(grouped, allow_unicode=True, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    lang = args[0] if args else "zh-CN"
    todo = list(missing(lang))
    if todo:
        sys.stdout.write(skeleton(todo))
    print(f"# {len(todo)} texts missing in {lang}", file=sys.stderr)
    return 1 if todo else 0


if __name__ == "__main__":
    raise SystemExit(main())
