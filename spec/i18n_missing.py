"""Print a YAML skeleton of the texts a language's overlay still lacks.

    python -m pns_mock.spec.i18n_missing [zh-CN]  >> spec/i18n/zh-CN.yaml   # then translate each value

Each entry carries the English text as its value, so an entry left untranslated still fails the
coverage test (identical to English). Exit status 1 while anything is missing; also lists the
overlay entries whose English text no longer exists (to delete).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from . import i18n
from .loader import load, overlay


def missing(document: Mapping[str, Any], table: i18n.Overlay) -> Iterator[i18n.Text]:
    """The required texts of `document` with no translation in `table`, or one identical to the English."""
    for text in i18n.texts(document):
        if not i18n.required(text):
            continue
        translated = i18n.lookup(table, text)
        if translated is None or translated.strip() == text.english.strip():
            yield text


def stale(document: Mapping[str, Any], table: i18n.Overlay) -> list[str]:
    """Overlay entries (`owner/key`) that translate no text of `document` any more."""
    known = {(t.owner, t.key) for t in i18n.texts(document)}
    return [
        f"{owner}/{i18n.escape(key)}"
        for owner, keys in table.items()
        for key in keys
        if (owner, key) not in known
    ]


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def skeleton(texts: list[i18n.Text]) -> str:
    """The overlay entries for `texts`, English values in place, ready to translate."""
    grouped: dict[str, dict[str, str]] = {}
    for text in texts:
        grouped.setdefault(text.owner, {})[text.key] = text.english.strip()
    if not grouped:
        return ""
    return yaml.dump(grouped, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    lang = args[0] if args else "zh-CN"
    document, table = load().document, overlay(lang)
    todo = list(missing(document, table))
    sys.stdout.write(skeleton(todo))
    for entry in stale(document, table):
        print(f"# stale, delete from the overlay: {entry}", file=sys.stderr)
    print(f"# {len(todo)} texts missing in {lang}", file=sys.stderr)
    return 1 if todo else 0


if __name__ == "__main__":
    raise SystemExit(main())
