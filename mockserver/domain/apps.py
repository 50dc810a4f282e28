"""Applications and the private numbers they own: plain data, no HTTP."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from pns_mock.spec import load as load_spec


@functools.cache
def modes() -> tuple[str, ...]:
    """The modes: the spec's tags, less the tag of the shared operations (read on first use)."""
    return tuple(tag["name"] for tag in load_spec().document["tags"] if tag["name"] != "Common")


@dataclass(frozen=True)
class PrivateNumber:
    number: str
    area_code: str
    sms: bool = True


@dataclass
class Application:
    app_key: str
    app_secret: str
    mode: str
    numbers: list[PrivateNumber] = field(default_factory=list)
    recording: bool = False
    sms: bool = False
    callbacks: dict[str, str] = field(default_factory=dict)
    # AXE: digits per extension (1..4) set on the application; capacity per X is 10**n - 1.
    extension_length: int = 4
    # AX: whether SMS are pushed in Notify mode or wait for the customer's Block reply
    sms_mode: str = "notify"
    # how the platform signs this application's pushes: "aksk" (current pages) or "wsse" (older)
    push_auth: str = "aksk"
    _indexed: tuple[set[str], dict[str, list[PrivateNumber]]] = field(
        default=(set(), {}), repr=False, compare=False
    )
    _indexed_count: int = field(default=-1, repr=False, compare=False)
    status: str = "normal"

    def owns(self, number: str) -> bool:
        return number in self._index()[0]

    def numbers_in(self, area_code: str) -> list[PrivateNumber]:
        """The area's numbers, in number order."""
        return self._index()[1].get(area_code, [])

    def sorted_numbers(self) -> list[PrivateNumber]:
        """All numbers, in number order."""
        return self._index()[1]["*"]

    def _index(self) -> tuple[set[str], dict[str, list[PrivateNumber]]]:
        """Numbers by value and by area, rebuilt only when the list of numbers has grown."""
        if self._indexed_count != len(self.numbers):
            ordered = sorted(self.numbers, key=lambda n: n.number)
            by_area: dict[str, list[PrivateNumber]] = {"*": ordered}
            for n in ordered:
                by_area.setdefault(n.area_code, []).append(n)
            self._indexed = ({n.number for n in self.numbers}, by_area)
            self._indexed_count = len(self.numbers)
        return self._indexed


def landline_area_code(number: str) -> str | None:
    """The area code (with its 0) of a +86 landline number, None for a mobile or foreign number.

    Beijing, Tianjin and the 02x cities use two digits after the 0, every other city three.
    """
    if not number.startswith("+86") or len(number) < 5:
        return None
    rest = number[3:]
    if rest.startswith("1"):
        return "010" if rest.startswith("10") else None
    if rest.startswith("2"):
        return "0" + rest[:2]
    return "0" + rest[:3]
