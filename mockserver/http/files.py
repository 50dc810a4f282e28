"""Serves the recordings behind the links the recording operation hands out."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

from ..domain.errors import PROBLEM_HEADER
from ..platform import Platform
from ..traffic.recordings import wav_bytes
from .message import FILES_PREFIX, HttpRequest, HttpResponse, header_safe


class Files:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _text(405, "method not allowed")
        domain, _, name = request.path.removeprefix(FILES_PREFIX).partition("/")
        domain, name = unquote(domain), unquote(name)
        query = dict(parse_qsl(request.query))
        recordings = self.platform.recordings
        problem = recordings.link_problem(domain, name, query.get("expires", ""), query.get("signature", ""))
        if problem is not None:
            return _text(403, problem, [(PROBLEM_HEADER, header_safe(problem))])
        recording = recordings.get(domain, name)
        if recording is None:
            return _text(404, "no such recording (or deleted after 7 days)")
        body = wav_bytes(recording.seconds)
        headers = [("Content-Type", "audio/wav"), ("Content-Length", str(len(body)))]
        return HttpResponse(200, headers, b"" if request.method == "HEAD" else body)


def _text(status: int, message: str, extra: list[tuple[str, str]] | None = None) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "text/plain"), *(extra or [])], message.encode())
