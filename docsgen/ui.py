"""The reference's own words (navigation, headings, labels), per language.

The texts of the API come from the spec (translated by its `x-pns-i18n` overlay); the words of the
page around them live in `assets/ui.<lang>.yaml`, keyed by the English text with `{name}`
placeholders, so a renderer writes `w("{n} operations", n=3)` and gets the page's language.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

ENGLISH = "en"


@functools.cache
def _table(lang: str) -> dict[str, str]:
    if lang == ENGLISH:
        return {}
    text = resources.files(__package__).joinpath("assets", f"ui.{lang}.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text) or {}
    return {str(k): str(v) for k, v in loaded.items()}


class Words:
    """`w(english, **values)`: the page's wording of one phrase (English when untranslated)."""

    def __init__(self, lang: str = ENGLISH) -> None:
        self.lang = lang
        self._table = _table(lang)

    def __call__(self, english: str, **values: object) -> str:
        template = self._table.get(english, english)
        return template.format(**values) if values else template

    def missing(self, phrases: list[str]) -> list[str]:
        return [p for p in phrases if p not in self._table]
