"""Suite-wide rule: every reply the mock produces is validated against the spec."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pns_mock.mockserver.http import Api, HttpRequest, HttpResponse, reply_problems

VALIDATED = {"replies": 0}


@pytest.fixture(autouse=True, scope="session")
def _every_reply_is_validated_against_the_spec() -> Iterator[None]:
    original = Api.handle

    def checked(self: Api, request: HttpRequest) -> HttpResponse:
        response = original(self, request)
        op = self.spec.routes.get((request.method, request.path))
        if op is not None:
            problems = reply_problems(self.spec, self.schemas, op, response)
            assert not problems, f"the mock's reply breaks the spec: {problems}"
            VALIDATED["replies"] += 1
        return response

    Api.handle = checked  # type: ignore[method-assign]
    yield
    Api.handle = original  # type: ignore[method-assign]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if VALIDATED["replies"]:
        terminalreporter.write_line(
            f"pns-mock: {VALIDATED['replies']} mock replies validated against the spec"
        )
