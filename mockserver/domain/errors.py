"""The one error root of the mock's domain: a vendor result code plus what exactly was wrong."""

from __future__ import annotations

from dataclasses import dataclass

# The header in which the mock says, in words, why it answered as it did (every reply may carry it).
PROBLEM_HEADER = "X-PNS-Mock-Problem"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: a refusal may carry several (every bad field of a body)."""

    detail: str
    rule: str = ""
    # The offending wire field (e.g. "callerNum", "query.relationNum", "X-AKSK.Created")
    # and what was sent there, for messages that show sent vs expected.
    field: str = ""
    value: object = None
    absent: bool = False  # the field was not sent at all (`value` is then meaningless)
    # The short reason that codes carrying one (1010002) append to `resultdesc`, as the vendor does.
    reason: str = ""


class PnsError(Exception):
    """A platform refusal, carried as the vendor's result code.

    `detail` is for the developer reading the mock's reply (it goes into a response header and the
    journal); the wire body keeps the vendor's text for the code, plus a short `reason` for the
    codes the catalogue says carry one. `more` holds the request's further problems, found in the
    same validation pass.
    """

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        rule: str = "",
        field: str = "",
        value: object = None,
        absent: bool = False,
        more: tuple[Problem, ...] = (),
        reason: str = "",
    ) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.rule = rule
        self.field = field
        self.value = value
        self.absent = absent
        self.more = more
        self.app_key: str | None = None  # the application that sent it, once authenticated
        self.delay = 0.0  # seconds the reply waits (an injected latency)
        # The short reason a code that carries one (1010002) appends to `resultdesc`, as the
        # vendor does; `detail` stands in when it is empty.
        self.reason = reason

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem of the request, this error's own first."""
        own = Problem(self.detail, self.rule, self.field, self.value, self.absent, self.reason)
        return (own, *self.more)

    @classmethod
    def of(cls, code: str, problems: list[Problem]) -> PnsError:
        first, *more = problems
        return cls(
            code,
            first.detail,
            rule=first.rule,
            field=first.field,
            value=first.value,
            absent=first.absent,
            more=tuple(more),
            reason=first.reason,
        )


class ConfigError(ValueError):
    """An invalid server configuration (names the offending key)."""
