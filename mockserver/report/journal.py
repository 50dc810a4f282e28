"""The request journal: what each request was, how it validated, what the mock answered."""

from __future__ import annotations

import dataclasses
import itertools
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pns_mock.spec.fielddoc import field_description
from pns_mock.spec.i18n import ENGLISH

from ..domain.auth import SCHEMES
from ..domain.errors import PROBLEM_HEADER, Problem


@dataclass
class Entry:
    id: int
    wall_time: float
    platform_time: float
    method: str
    path: str
    query: str
    operation_id: str | None
    app_key: str | None
    status: int
    resultcode: str | None
    problem: str | None
    rule: str | None
    request_body: str
    response_body: str
    headers: dict[str, str] = field(default_factory=dict)
    # The first problem of a refused request, as the fields above and below show it; `problems`
    # has every one of them (several bad fields of one body), the first included.
    field: str | None = None  # the offending wire field of a refused request
    sent: Any = None  # what the client sent there (None also when it sent nothing: see `problems`)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    # names the spec does not document in an accepted request (server setting strict_fields)
    undocumented: list[str] = dataclasses.field(default_factory=list)
    notice: str | None = None  # an accepted request's reliance on what the vendor does not confirm
    # the field's spec description, English / the journal's language (PNS_MOCK_LANG); ASCII headers
    # never carry it
    field_description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# What the hot path records per request: a plain tuple of the request's and reply's parts, built
# into an `Entry` only when someone reads the journal (most entries never are). Fields:
# operation_id, id, wall_time, platform_time, method, path, query, app_key, request headers (raw),
# request body (bytes, first 4 KiB), status, resultcode, reply headers, reply body (str, first
# 4 KiB), problems (None, or the refusal's `Problem`s, the first being the error's own),
# notice (None or str: what an accepted request relied on that the vendor does not confirm),
# undocumented (names of an accepted request that the spec does not document).
Raw = tuple[Any, ...]

_TOKEN_HEADERS = frozenset(scheme.token_header.lower() for scheme in SCHEMES.values())
# Shown first when an entry's headers must be cut to its budget (see `bounded`).
_KEPT_HEADERS = ("authorization", *_TOKEN_HEADERS, "content-type", "user-agent", "host", "content-length")
# Headers that carry a credential of another kind: journaled by name only.
_SECRET_HEADERS = frozenset(("x-pns-admin-token", "proxy-authorization", "cookie"))
# A digest wherever it stands (a token sent under another header name, e.g. "2: X-WSSE: ...").
_DIGEST = re.compile(r'(passworddigest\s*=\s*"?)[^",\s]*', re.IGNORECASE)

# Per entry: every header name, up to HEADER_COUNT_LIMIT of them, values cut to HEADER_VALUE_LIMIT.
HEADER_COUNT_LIMIT = 64
HEADER_VALUE_LIMIT = 256
MORE_HEADERS = "(more headers)"


# What one entry may keep of a request's headers (names and values together): the journal holds
# 10,000 entries, so whatever the client sends, it stays within a known size.
ENTRY_HEADER_BYTES = 4096
_HEADERS = 8  # where the request headers stand in a Raw entry
_CUT = "...(cut)"


def bounded(headers: Mapping[str, str], budget: int = ENTRY_HEADER_BYTES) -> dict[str, str]:
    """A copy of `headers` within `budget` characters: values cut first, then later names dropped."""
    out: dict[str, str] = {}
    share = max(budget // max(len(headers), 1), 64)
    left = budget
    # the headers the journal shows first (auth, content type), then the rest in order
    for name, value in sorted(headers.items(), key=lambda pair: pair[0] not in _KEPT_HEADERS):
        name = name[:256]
        if len(value) > share:
            value = value[: share - len(_CUT)] + _CUT
        if len(name) + len(value) > left:
            break
        out[name] = value
        left -= len(name) + len(value)
    return out


def redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """Every request header, without secrets: tokens keep only their Username, `Authorization`
    its scheme, other credentials their name; digests are blanked wherever they appear."""
    out = {}
    for index, (key, value) in enumerate(headers.items()):
        if index == HEADER_COUNT_LIMIT:
            out[MORE_HEADERS] = f"{len(headers) - HEADER_COUNT_LIMIT} not journaled"
            break
        if key in _TOKEN_HEADERS:
            user = value.split('Username="', 1)[-1].split('"', 1)[0] if 'Username="' in value else "?"
            kept = f'UsernameToken Username="{user}" (digest hidden)'
        elif key == "authorization":
            kept = value.split(" ", 1)[0]
        elif key in _SECRET_HEADERS:
            kept = "(hidden)"
        else:
            kept = _DIGEST.sub(r"\1(hidden)", value)
        out[_bounded(key)] = _bounded(kept)
    return out


def _bounded(text: str) -> str:
    return text if len(text) <= HEADER_VALUE_LIMIT else text[: HEADER_VALUE_LIMIT - 3] + "..."


def entry_of(raw: Raw) -> Entry:
    (operation_id, entry_id, wall, platform_time, method, path, query, app_key, headers, sent_body,
     status, resultcode, reply_headers, reply_body, problem, notice, undocumented) = raw  # fmt: skip
    first = problem[0] if problem else None
    return Entry(
        id=entry_id,
        wall_time=wall,
        platform_time=platform_time,
        method=method,
        path=path,
        query=query,
        operation_id=operation_id,
        app_key=app_key,
        status=status,
        resultcode=resultcode,
        problem=first.detail if first else _header(reply_headers, PROBLEM_HEADER),
        rule=first.rule if first else None,
        request_body=sent_body.decode("utf-8", "replace"),
        response_body=reply_body,
        headers=redacted(headers),
        field=first.field or None if first else None,
        sent=first.value if first and first.field else None,
        problems=list(problem or ()),
        undocumented=list(undocumented),
        notice=notice,
    )


def _header(headers: list[tuple[str, str]] | None, name: str) -> str | None:
    return next((v for k, v in headers or () if k.lower() == name.lower()), None)


class Journal:
    """A bounded, thread-safe log. What it hands out holds no secrets: auth headers are reduced to
    their user when an entry is read."""

    def __init__(self, capacity: int = 10000, lang: str = ENGLISH) -> None:
        self.lang = lang  # entries read in another language carry the field's description in it too
        self._entries: deque[Entry | Raw] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry | Raw) -> None:
        if type(entry) is tuple:
            headers = entry[_HEADERS]
            if sum(map(len, headers)) + sum(map(len, headers.values())) > ENTRY_HEADER_BYTES:
                entry = (*entry[:_HEADERS], bounded(headers), *entry[_HEADERS + 1 :])
        # no lock: deque.append is atomic, and readers copy the deque in one step (list())
        self._entries.append(entry)

    def entries(self, operation_id: str | None = None, limit: int | None = None) -> list[Entry]:
        with self._lock:
            snapshot = list(self._entries)  # one C-level copy: safe against concurrent appends
        found = [
            e
            for e in snapshot
            if operation_id is None or (e.operation_id if isinstance(e, Entry) else e[0]) == operation_id
        ]
        found = found[-limit:] if limit else found
        entries = [e if isinstance(e, Entry) else entry_of(e) for e in found]
        if self.lang != ENGLISH:
            for entry in entries:
                if entry.field and entry.operation_id and entry.field_description is None:
                    entry.field_description = field_description(entry.operation_id, entry.field, self.lang)
        return entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
