"""The one error root of the mock's domain: a vendor result code plus what exactly was wrong."""

from __future__ import annotations


class PnsError(Exception):
    """A platform refusal, carried as the vendor's result code.

    `detail` is for the developer reading the mock's reply (it goes into a response header and the
    journal); the wire body keeps the vendor's text for the code.
    """

    def __init__(self, code: str, detail: str = "", *, rule: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.rule = rule


class ConfigError(ValueError):
    """An invalid server configuration (names the offending key)."""
