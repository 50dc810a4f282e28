"""The one error root of the mock's domain: a vendor result code plus what exactly was wrong."""

from __future__ import annotations


class PnsError(Exception):
    """A platform refusal, carried as the vendor's result code.

    `detail` is for the developer reading the mock's reply (it goes into a response header and the
    journal); the wire body keeps the vendor's text for the code, plus a short `reason` for the
    codes the catalogue says carry one.
    """

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        rule: str = "",
        field: str = "",
        value: object = None,
        reason: str = "",
    ) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.rule = rule
        # The offending wire field (e.g. "callerNum", "query.relationNum", "X-AKSK.Created")
        # and what was sent there, for messages that show sent vs expected.
        self.field = field
        self.value = value
        # The short reason a code that carries one (1010002) appends to `resultdesc`, as the
        # vendor does; `detail` stands in when it is empty.
        self.reason = reason


class ConfigError(ValueError):
    """An invalid server configuration (names the offending key)."""
