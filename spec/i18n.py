"""Translations of the spec's prose: overlay files declared by the root `x-pns-i18n`.

The English text stays where it is; a translation overlay (`spec/i18n/<lang>.yaml`) maps the
JSON pointer of a text's *owner* (the object that has the `description`, `summary`, ... key) to
the translated values of those keys (`x-vendor-name` included: the vendor's Chinese page title):

    "/paths/~1rest~1caas~1relationnumber~1partners~1v1.0/post":
      summary: ...
      description: ...

Pointer tokens are the usual RFC 6901 ones, with one addition that keeps keys stable while the
lists grow: an item of a list of objects is named `key=value` by its identifying key (`code` in
the result-code catalogue, `name` in parameter lists and tags, `id` in the rules of
`x-pns-rules`), e.g. `/x-pns-result-codes/code=1010002` or `/x-pns-rules/id=axb.page-size`;
other list items keep their index. The owners of enum value
texts are the `x-enumDescriptions` mappings themselves (keys: the enum values); a named example's
caption is owned by the example (`.../examples/success`: {summary}); a row of a cause table by the
row (`/x-pns-hangup-causes/code=8014`: {text, category}).

`texts` walks the document and yields every translatable text with its owner pointer; `localize`
returns a copy of the document with a language's texts put in place (English where one is
missing), so every reader of the spec (docsgen, the plugin) reads translated text the same way it
reads English.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

ENGLISH = "en"
# Keys whose string value is prose meant for a reader.
TEXT_KEYS = frozenset(
    {"summary", "description", "meaning", "handling", "handlingReason", "trigger", "accepted", "why"}
    | {"retryScheduleNote", "replyTimeoutNote"}
    # The vendor's own name of an operation or push: its Chinese page title in zh-CN.
    | {"x-vendor-name"}
)
# Mappings whose every value is prose (keyed by an enum value or a target name).
TEXT_MAPS = frozenset({"x-enumDescriptions"})
# Subtrees that hold data (payload examples, defaults), never prose.
_DATA_KEYS = frozenset({"example", "examples", "default", "const", "enum", "x-pns-worked-examples", "value"})
# Root tables whose rows carry prose in `text` and `category` (elsewhere `text` is wire data, e.g.
# a result code's resultdesc, and is never translated).
TABLES = frozenset({"x-pns-hangup-causes", "x-pns-disconnect-points", "x-pns-q850-causes"})
_ROW_KEYS = ("text", "category")
# The identifying key of an item in a list of objects, first match wins: a rule of `x-pns-rules`
# is named by its `id` (several rules share one result `code`).
_ITEM_KEYS = ("id", "code", "name")

Overlay = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Text:
    owner: str  # pointer of the object holding the text
    key: str  # `description`, `summary`, ... or an enum value inside an x-enumDescriptions
    english: str

    @property
    def pointer(self) -> str:
        return f"{self.owner}/{escape(self.key)}"


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def item_token(index: int, item: Any) -> str:
    """How a list item is named in an overlay pointer: `code=1010002`, `name=relationNum`, or `3`."""
    if isinstance(item, Mapping):
        for key in _ITEM_KEYS:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return escape(f"{key}={value}")
    return str(index)


def texts(node: Any, pointer: str = "") -> Iterator[Text]:
    """Every translatable text under `node`, depth first, in document order."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{pointer}/{escape(str(key))}"
            if (key in TEXT_KEYS or (key == "title" and pointer == "/info")) and isinstance(value, str):
                yield Text(pointer, str(key), value)
            elif key in TEXT_MAPS and isinstance(value, Mapping):
                yield from (Text(here, str(k), v) for k, v in value.items() if isinstance(v, str))
            elif key == "examples" and isinstance(value, Mapping):
                # named media-type examples: the summary is a caption, the value is payload
                yield from (
                    Text(f"{here}/{escape(str(name))}", "summary", ex["summary"])
                    for name, ex in value.items()
                    if isinstance(ex, Mapping) and isinstance(ex.get("summary"), str)
                )
            elif key == "targets" and pointer == "/x-pns-delivery" and isinstance(value, Mapping):
                # where each kind of push goes: the console's setting, explained
                yield from (Text(here, str(k), v) for k, v in value.items() if isinstance(v, str))
            elif key not in _DATA_KEYS or pointer.endswith(("/properties", "/responses")):
                # a property may be named `value`; a `default` response is prose, not a default
                yield from texts(value, here)
    elif isinstance(node, list):
        table = pointer.lstrip("/") in TABLES
        for index, value in enumerate(node):
            here = f"{pointer}/{item_token(index, value)}"
            if table and isinstance(value, Mapping):
                yield from (Text(here, k, value[k]) for k in _ROW_KEYS if isinstance(value.get(k), str))
            else:
                yield from texts(value, here)


def localize(document: Mapping[str, Any], overlay: Overlay) -> dict[str, Any]:
    """A deep copy of `document` with the overlay's texts in place of the English ones."""
    out: dict[str, Any] = copy.deepcopy(dict(document))
    if not overlay:
        return out
    for text in list(texts(out)):
        translated = lookup(overlay, text)
        if translated is not None:
            _owner(out, text.owner)[text.key] = translated
    return out


def lookup(overlay: Overlay, text: Text) -> str | None:
    """The translation of one text, None when the overlay has none (the caller keeps English)."""
    entry = overlay.get(text.owner)
    value = entry.get(text.key) if isinstance(entry, Mapping) else None
    return (
        value.strip("\n") + ("\n" if text.english.endswith("\n") else "") if isinstance(value, str) else None
    )


def _owner(document: Any, pointer: str) -> Any:
    node = document
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[_index(node, token)] if isinstance(node, list) else node[token]
    return node


def _index(items: list[Any], token: str) -> int:
    if token.isdigit():
        return int(token)
    key, _, value = token.partition("=")
    return next(
        i for i, item in enumerate(items) if isinstance(item, Mapping) and str(item.get(key)) == value
    )


def resolve(document: Mapping[str, Any], pointer: str) -> Any:
    """Resolve an overlay pointer (`key=value` tokens allowed) in the English document."""
    return _owner(document, pointer)


def required(text: Text) -> bool:
    """Whether the coverage test demands a translation of this text: every text `texts` walks.

    That is everything a reader of the reference sees: operations, parameters, schemas and their
    properties, pushes, replies, result codes, conflict notes, enum meanings, the rows of the
    cause tables and the captions of the named examples. Empty texts need none.
    """
    return bool(text.english.strip())
