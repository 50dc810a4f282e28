"""Runs the Django example's tests with Django's own runner (`manage.py test`), in this process,
with every reply of the mock checked against the spec as in the rest of the suite.

Usage: python -m tests.examples.django_runner [manage.py test arguments]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pns_mock.mockserver.http import Api, HttpRequest, HttpResponse, reply_problems

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "django_rides"


def main() -> None:
    original = Api.handle
    validated = [0]

    def checked(self: Api, request: HttpRequest) -> HttpResponse:
        response = original(self, request)
        op = self.spec.routes.get((request.method, request.path))
        if op is not None:
            problems = reply_problems(self.spec, self.schemas, op, response)
            assert not problems, f"the mock's reply breaks the spec: {problems}"
            validated[0] += 1
        return response

    Api.handle = checked  # type: ignore[method-assign]
    os.chdir(EXAMPLE)
    sys.path.insert(0, str(EXAMPLE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rides_site.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["manage.py", "test", *sys.argv[1:]])
    finally:
        print(f"pns-mock: {validated[0]} mock replies validated against the spec")


if __name__ == "__main__":
    main()
