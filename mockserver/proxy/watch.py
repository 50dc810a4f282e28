"""What the proxy learns from the traffic it passed on: the contract verdict, drift, the recording.

It runs after the client has its reply (on one worker thread), so nothing here delays or alters
traffic. Requests are judged by the mock's own validators (auth header form, query and body) and
journaled as the mock would have answered them, so `verdict.build` finds the same violations as
for the mock; the replies' drift is counted once per distinct finding. Everything kept is masked.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from pns_mock.spec import Operation, Spec

from ..domain import auth
from ..domain.errors import PnsError
from ..http.api import runtime_for
from ..report.journal import Entry, Journal
from ..report.verdict import Drift, Verdict, build
from .cassettes import CassetteWriter, Interaction, grouped
from .drift import Finding, reply_findings
from .masking import Masker


@dataclass
class Exchange:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]  # as the client sent them
    body: bytes
    status: int
    reply_headers: list[tuple[str, str]]
    reply_body: bytes
    uri: str  # the upstream URL it went to
    wall_time: float = field(default_factory=time.time)

    @property
    def lowered(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers}


class Watch:
    def __init__(
        self,
        spec: Spec,
        masker: Masker,
        recorder: CassetteWriter | None = None,
        *,
        log: TextIO | None = None,
        capacity: int = 10000,
    ) -> None:
        self.spec = spec
        self.masker = masker
        self.recorder = recorder
        self.journal = Journal(capacity)
        self._runtime = runtime_for(spec)
        self._drift: dict[tuple[str, str, str | None, str], list[Any]] = {}  # key -> [count, Drift]
        self._lock = threading.Lock()
        self._log = log if log is not None else sys.stderr
        self.record_errors = 0
        self.upstream_failures: dict[str, int] = {}

    def observe(self, exchange: Exchange) -> None:
        op = self.spec.routes.get((exchange.method, exchange.path))
        with self._lock:
            headers = exchange.lowered
            self.masker.learn_from_headers(headers, op.mode if op else None)
            self.journal.add(self._judged(op, exchange, headers))
            if op is not None:
                for finding in reply_findings(
                    self.spec, self._runtime.schemas, op, exchange.status, exchange.reply_body
                ):
                    self._count(op, exchange, finding)
            if self.recorder is not None:
                self._record(exchange)

    def failed(self, kind: str) -> None:
        with self._lock:
            self.upstream_failures[kind] = self.upstream_failures.get(kind, 0) + 1

    def verdict(self) -> Verdict:
        with self._lock:
            entries = self.journal.entries()
            drift = tuple(dataclasses.replace(d, count=count) for count, d in self._drift.values())
        return dataclasses.replace(build(self.spec, entries), drift=drift)

    def _judged(self, op: Operation | None, exchange: Exchange, headers: Mapping[str, str]) -> Entry:
        masker = self.masker
        entry = Entry(
            id=self.journal.next_id(),
            wall_time=exchange.wall_time,
            platform_time=exchange.wall_time,
            method=exchange.method,
            path=exchange.path,
            query=masker.query(exchange.query),
            operation_id=op.operation_id if op else None,
            app_key=None,
            status=200 if op else 404,
            resultcode="0" if op else None,
            problem=None,
            rule=None,
            request_body=masker.body(exchange.body[:4096]),
            response_body="",
        )
        if op is None:
            return entry
        try:
            credentials = auth.parse(headers)
            entry.app_key = masker.learn_app_key(credentials.app_key, op.mode)
            self._runtime.validator.validate(
                op, exchange.query, headers.get("content-type"), exchange.body, None
            )
        except PnsError as err:
            code = self.spec.result_codes.get(err.code) or self.spec.result_codes["1010001"]
            problems = [
                dataclasses.replace(p, detail=masker.text(p.detail), value=masker.value(p.value))
                for p in err.problems
            ]
            first = problems[0]
            entry.status, entry.resultcode = code.http_status, code.code
            entry.problem, entry.rule, entry.problems = first.detail, first.rule or None, problems
            entry.field, entry.sent = first.field or None, None if first.absent else first.value
        return entry

    def _count(self, op: Operation, exchange: Exchange, finding: Finding) -> None:
        key = (op.operation_id, *finding.key)
        seen = self._drift.get(key)
        if seen is not None:
            seen[0] += 1
            return
        drift = Drift(
            kind=finding.kind,
            operation=op.operation_id,
            request=f"{exchange.method} {exchange.path}",
            problem=self.masker.text(finding.problem),
            pointer=finding.pointer,
            count=1,
            field=finding.field,
            example=self.masker.value(finding.value),
        )
        self._drift[key] = [1, drift]

    def _record(self, exchange: Exchange) -> None:
        assert self.recorder is not None
        masker = self.masker
        reply_body = masker.body(exchange.reply_body)
        reply_headers = [
            (k, v)
            for k, v in masker.headers(exchange.reply_headers)
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding", "date")
        ]
        reply_headers.append(("Content-Length", str(len(reply_body.encode()))))
        request_headers = [
            (k, v) for k, v in masker.headers(exchange.headers) if k.lower() not in ("content-length", "host")
        ]
        query = masker.query(exchange.query)
        uri = exchange.uri.split("?", 1)[0] + (f"?{query}" if query else "")
        interaction = Interaction(
            method=exchange.method,
            uri=uri,
            request_headers=grouped(request_headers),
            request_body=masker.body(exchange.body) if exchange.body else None,
            status=exchange.status,
            response_headers=grouped(reply_headers),
            response_body=reply_body,
        )
        try:
            self.recorder.add(interaction)
        except OSError as err:
            self.record_errors += 1
            print(
                f"pns-mock proxy: cannot write {self.recorder.path.name}: {err.strerror or err}; "
                "the interaction is kept and written with the next one, traffic goes on",
                file=self._log,
                flush=True,
            )
