"""Answer requests from recorded cassettes; pass the others to the stateful mock (or refuse them).

`Replayer` installs itself as the `Api.answer` hook of the mock's one request handler: the mock
authenticates and validates every request first, as the platform would, and journals it (so the
plugin and the verdict judge replayed traffic too); only a request the platform would admit is
answered from a cassette. A request matches an interaction by method and path (the operation),
then by its query parameters and JSON body field by field, customer data aside. Phone numbers are
compared by their place, not their digits: the cassette holds fakes, the client its own numbers,
and "the caller of this request is the callee of that one" is what must agree. The reply's numbers
are translated back into the client's. Each interaction answers once, in the order recorded; when
all that match are used, the last one answers again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from pns_mock.spec import Spec

from ..domain.errors import PROBLEM_HEADER
from ..http.message import HttpRequest, HttpResponse, header_safe, json_response
from .cassettes import Interaction, read_directory
from .masking import NUMBER, customer_fields, in_form, number_of


class Answering(Protocol):
    """The mock's request handler with its replay hook (`http.api.Api`)."""

    answer: Callable[[HttpRequest], HttpResponse | str | None] | None


_NOT_REPLAYED = frozenset(("content-length", "transfer-encoding", "connection", "date"))


@dataclass
class _Recorded:
    interaction: Interaction
    path: str
    fields: dict[str, Any]
    numbers: list[str]  # the interaction's request numbers, global form, in order of first appearance
    used: bool = False


class Replayer:
    def __init__(self, spec: Spec, directory: Path, api: Answering, *, strict: bool = False) -> None:
        self.spec = spec
        api.answer = self._answer
        self.strict = strict
        self._customer = customer_fields(spec)
        interactions, self.problems = read_directory(directory)
        self._recorded: dict[tuple[str, str], list[_Recorded]] = {}
        for item in interactions:
            parts = urlsplit(item.uri)
            numbers: list[str] = []
            fields = self._fields(parts.query, (item.request_body or "").encode(), numbers)
            recorded = _Recorded(item, parts.path, fields, numbers)
            self._recorded.setdefault((item.method, parts.path), []).append(recorded)
        self.misses: list[str] = []  # one line per request no cassette answered
        self._known: dict[str, str] = {}  # cassette number -> the client's, learned while replaying
        self._lock = threading.Lock()

    @property
    def interactions(self) -> int:
        return sum(map(len, self._recorded.values()))

    def _answer(self, request: HttpRequest) -> HttpResponse | str:
        """The recorded reply to an admitted request, the refusal of `--replay-strict`, or the note
        for the stateful mock's reply that says which cassette came nearest."""
        numbers: list[str] = []
        fields = self._fields(request.query, request.body, numbers)
        with self._lock:
            candidates = self._recorded.get((request.method, request.path), [])
            matching = [r for r in candidates if r.fields == fields]
            if matching:
                chosen = next((r for r in matching if not r.used), matching[-1])
                chosen.used = True
                self._known.update(zip(chosen.numbers, numbers, strict=False))
                return self._reply(chosen.interaction)
            why = self._mismatch(request, candidates, fields)
            self.misses.append(why)
        return self._refusal(why) if self.strict else f"{why}; answered by the stateful mock"

    def _fields(self, query: str, body: bytes, numbers: list[str]) -> dict[str, Any]:
        """What is compared: query parameters and body fields, every number as `#k` (its place, in
        the order of the sorted field names, so that the order of a JSON object does not count)."""
        fields: dict[str, Any] = {}
        for name, value in sorted(parse_qsl(query, keep_blank_values=True)):
            if name not in self._customer:
                fields[f"query.{name}"] = self._placed(value, numbers)
        if body.strip():
            text = body.decode("utf-8", "replace")
            try:
                document: Any = json.loads(text)
            except ValueError:
                fields["body"] = self._placed(text, numbers)
            else:
                if isinstance(document, dict):
                    for name, value in sorted(document.items()):
                        if name not in self._customer:
                            fields[name] = self._placed(value, numbers)
                else:
                    fields["body"] = self._placed(document, numbers)
        return fields

    def _placed(self, value: Any, numbers: list[str]) -> Any:
        if isinstance(value, str):

            def place(match: Any) -> str:
                number, _ = number_of(match)
                if number not in numbers:
                    numbers.append(number)
                return f"#{numbers.index(number) + 1}"

            return NUMBER.sub(place, value)
        if isinstance(value, dict):
            return {k: self._placed(v, numbers) for k, v in sorted(value.items()) if k not in self._customer}
        if isinstance(value, list):
            return [self._placed(v, numbers) for v in value]
        return value

    def _reply(self, interaction: Interaction) -> HttpResponse:
        def back(match: Any) -> str:
            number, form = number_of(match)
            return in_form(self._known.get(number, number), form, match)

        body = NUMBER.sub(back, interaction.response_body).encode()
        headers = [
            (name, value)
            for name, values in interaction.response_headers.items()
            if name.lower() not in _NOT_REPLAYED
            for value in values
        ]
        response = HttpResponse(interaction.status, headers, body)
        try:
            code = json.loads(body).get("resultcode")
        except (ValueError, AttributeError):
            code = None
        response.resultcode = code if isinstance(code, str) else None
        return response

    def _mismatch(self, request: HttpRequest, candidates: list[_Recorded], fields: Mapping[str, Any]) -> str:
        where = f"replay: no cassette answers {request.method} {request.path}"
        if not candidates:
            routes = sorted({f"{m} {p}" for (m, p) in self._recorded})
            return (
                f"{where}: the cassettes hold no such operation (they hold {', '.join(routes) or 'nothing'})"
            )
        nearest = min(candidates, key=lambda r: len(_differences(r.fields, fields)))
        differences = _differences(nearest.fields, fields)
        shown = "; ".join(differences[:5]) + ("; ..." if len(differences) > 5 else "")
        return f"{where}: nearest is {nearest.interaction.source}, which differs in {shown}"

    def _refusal(self, why: str) -> HttpResponse:
        rule = self.spec.document["x-pns-proxy"]["replayMiss"]
        code = self.spec.result_codes[rule["resultcode"]]
        problem = f"{code.code} {code.text} {why} [rule: x-pns-proxy.replayMiss]"
        response = json_response(code.http_status, code.body(), [(PROBLEM_HEADER, header_safe(problem))])
        response.resultcode = code.code
        return response


def _differences(recorded: Mapping[str, Any], sent: Mapping[str, Any]) -> list[str]:
    out = []
    for name in sorted(set(recorded) | set(sent)):
        if name not in sent:
            out.append(f"{name} (the cassette has {_short(recorded[name])}, the request none)")
        elif name not in recorded:
            out.append(f"{name} (the request has {_short(sent[name])}, the cassette none)")
        elif recorded[name] != sent[name]:
            out.append(f"{name} (cassette {_short(recorded[name])}, request {_short(sent[name])})")
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
