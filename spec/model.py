"""Typed views of the parts of the spec the rest of the toolkit reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Conflict:
    """A point where the vendor's pages disagree, and what the toolkit accepts."""

    pointer: str
    summary: str
    accepted: str
    why: str


# What a client must do when the platform answers a result code: the catalogue's `handlingClass`.
HANDLING_CLASSES: dict[str, str] = {
    "success": "nothing: the request succeeded",
    "transient": "retry the same request later, unchanged",
    "fix-request": "change the request (a field, a rule) before sending it again",
    "conflict": "the platform's state refuses it (number taken, pool or X full, already bound): "
    "change the request or release what holds it first",
    "fix-account": "fix the configuration or the account (console, quota, number, app) first",
    "not-found": "the named object does not exist (any more): stop, do not retry",
    "auth": "fix the credentials or the signature (app key, secret, token, clock)",
}


RESULTDESC_MAX = 256  # the vendor's String(1-256); a test keeps it equal to the spec's ResultDesc
PLACEHOLDER_MAX = 64  # what fills a placeholder: a number, a name


@dataclass(frozen=True)
class ReasonRule:
    """How a code that carries a reason appends it to its text (the catalogue's `reason`)."""

    joiner: str
    max_length: int
    phrases: Mapping[str, str]
    example: str = ""  # a reason as the mock gives it, for examples in fixtures and docs

    def phrase(self, key: str, field: str = "", limit: object = "") -> str:
        """The catalogue's phrase for `key` (a JSON Schema keyword or a kind of refusal)."""
        template = self.phrases.get(key) or self.phrases["other"]
        return template.replace("{field}", field or "the request").replace("{limit}", str(limit))

    def suffix(self, reason: str) -> str:
        """`reason` as it travels: printable ASCII on one line, at most `max_length` characters."""
        return printable(reason, self.max_length)


def printable(text: str, limit: int) -> str:
    """`text` as printable ASCII on one line (other characters as "?"), at most `limit` long."""
    out = "".join(c if " " <= c <= "~" else "?" for c in " ".join(text.split()))
    if len(out) > limit:
        out = out[: limit - 3].rstrip() + "..."
    return out


@dataclass(frozen=True)
class ResultCode:
    code: str
    http_status: int
    text: str
    meaning: str
    trigger: str
    handling: str
    # True only for the transient class: the same request may succeed later, unchanged
    retryable: bool
    family: str
    scope: str
    source: str
    alternative_texts: tuple[str, ...] = ()
    conflict: Conflict | None = None
    # One of HANDLING_CLASSES (the catalogue's `handlingClass`): what a client must do on this code.
    handling_class: str = ""
    # Why the code has that class, from the vendor's handling text (the catalogue's `handlingReason`).
    handling_reason: str = ""
    # Set for codes whose `resultdesc` names what was wrong (1010002): how the reason is appended.
    reason: ReasonRule | None = None
    # The marker in `text` that stands for a value (1012010's `$`: the number already bound).
    placeholder: str = ""
    placeholder_example: str = ""

    @property
    def retry_unchanged_can_succeed(self) -> bool:
        """True when the same request, sent again later, may succeed (the class says transient)."""
        return self.handling_class == "transient"

    @property
    def is_success(self) -> bool:
        return self.code == "0"

    def example_body(self) -> dict[str, str]:
        """A body as the mock sends it, reason and placeholder filled with the catalogue's examples."""
        return self.body(self.reason.example if self.reason else None, self.placeholder_example or None)

    def body(self, reason: str | None = None, fill: object = None) -> dict[str, str]:
        """The reply body the platform sends for this code; a code that carries a reason names it.

        A text with a placeholder gets `fill` in its place, or, with nothing to fill in, the first
        of the vendor's texts that has none.
        """
        text = self.text
        if self.placeholder and self.placeholder in text:
            if fill is not None and str(fill).strip():
                text = text.replace(self.placeholder, printable(str(fill), PLACEHOLDER_MAX))
            else:
                text = next((t for t in self.alternative_texts if self.placeholder not in t), text)
        if reason and self.reason is not None:
            text = f"{text}{self.reason.joiner}{self.reason.suffix(reason)}"
        return {"resultcode": self.code, "resultdesc": text[:RESULTDESC_MAX]}


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]
    description: str


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    mode: str
    vendor_name: str
    vendor_doc: str
    pointer: str
    parameters: tuple[Parameter, ...]
    specific_codes: tuple[str, ...]
    common_codes: tuple[str, ...]
    one_of: tuple[tuple[str, ...], ...]
    has_body: bool
    body_required: bool
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def result_codes(self) -> tuple[str, ...]:
        """Every code this operation can return: its own plus the common ones."""
        return tuple(dict.fromkeys(("0", *self.specific_codes, *self.common_codes)))

    @property
    def request_schema_pointer(self) -> str | None:
        if not self.has_body:
            return None
        return f"{self.pointer}/requestBody/content/application~1json/schema"

    def response_schema_pointer(self, status: int) -> str | None:
        responses = self.raw.get("responses", {})
        resp = responses.get(str(status))
        if resp is None:
            return None
        if "$ref" in resp:
            base = resp["$ref"].removeprefix("#")
            return f"{base}/content/application~1json/schema"
        if "application/json" not in resp.get("content", {}):
            return None
        return f"{self.pointer}/responses/{status}/content/application~1json/schema"


@dataclass(frozen=True)
class Webhook:
    name: str
    mode: str
    vendor_doc: str
    pointer: str
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def body_schema_pointer(self) -> str:
        return f"{self.pointer}/requestBody/content/application~1json/schema"

    @property
    def reply_schema_pointer(self) -> str | None:
        """Schema of the JSON reply the customer owes (Block pushes); None for an empty 200."""
        content = self.raw.get("responses", {}).get("200", {}).get("content", {})
        if "application/json" not in content:
            return None
        return f"{self.pointer}/responses/200/content/application~1json/schema"


@dataclass(frozen=True)
class TableRow:
    code: int
    text: str
    category: str = ""


class ResultCatalogue(Mapping[str, ResultCode]):
    """The result-code table of the spec, by code."""

    def __init__(self, codes: Mapping[str, ResultCode]) -> None:
        self._codes = dict(codes)

    def __getitem__(self, code: str) -> ResultCode:
        return self._codes[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def common(self) -> tuple[str, ...]:
        return tuple(c for c, rc in self._codes.items() if rc.scope == "common")
