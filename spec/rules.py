"""The business rules of the platform (`x-pns-rules`), each with the vendor page it comes from.

Schemas say what one field may hold; these are the rules a schema cannot say (uniqueness,
capacities, lifetimes, defaults, the order of two fields, the push retry schedule). The mock
raises every refusal of such a rule under the rule's id, and the docs show each rule next to
its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where the vendor states a rule: a page id (`privatenumber_02_0022`) and its section."""

    page: str
    section: str
    url: str


@dataclass(frozen=True)
class FieldOrder:
    """`larger` >= `smaller` (or >, unless `or_equal`) when a request carries both.

    With `zero_is_unlimited`, 0 stands for "no limit" and is compared as the largest value.
    """

    larger: str
    smaller: str
    or_equal: bool = True
    zero_is_unlimited: bool = False

    def broken_by(self, values: Mapping[str, Any]) -> str | None:
        """Why `values` break this order, or None (also when one of the two is absent)."""
        big, small = values.get(self.larger), values.get(self.smaller)
        if not isinstance(big, int) or not isinstance(small, int) or isinstance(big, bool):
            return None
        if self.zero_is_unlimited and (big == 0 or small == 0):
            return None if big == 0 or small != 0 else self._text(big, small)
        holds = big >= small if self.or_equal else big > small
        return None if holds else self._text(big, small)

    def _text(self, big: int, small: int) -> str:
        relation = ">=" if self.or_equal else ">"
        unlimited = " (0 means no limit)" if self.zero_is_unlimited else ""
        return f"{self.larger} {big} must be {relation} {self.smaller} {small}{unlimited}"


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    code: str
    operations: tuple[str, ...]
    source: Source
    field_order: FieldOrder | None = None
    setting: str = ""  # the `server:` configuration key that sets the rule's value, if any
    # Fields the vendor confirms for the operation; others are accepted but reported (a notice).
    confirmed_fields: tuple[str, ...] = ()


def rules_of(document: Mapping[str, Any]) -> dict[str, Rule]:
    """Every entry of the root `x-pns-rules`, by id."""
    sites = [(site["prefix"], site["url"]) for site in document.get("x-pns-source-sites", ())]
    return {raw["id"]: _rule(raw, sites) for raw in document.get("x-pns-rules", ())}


def source_of(raw: Mapping[str, Any], sites: list[tuple[str, str]]) -> Source:
    page, section = str(raw["page"]), str(raw["section"])
    base = next((url for prefix, url in sites if page.startswith(prefix)), "")
    return Source(page, section, f"{base}{page}.html" if base else "")


def _rule(raw: Mapping[str, Any], sites: list[tuple[str, str]]) -> Rule:
    order = raw.get("x-pns-field-order")
    return Rule(
        id=str(raw["id"]),
        summary=str(raw["summary"]),
        code=str(raw.get("code", "")),
        operations=tuple(raw.get("operations", ())),
        source=source_of(raw["x-pns-source"], sites),
        field_order=FieldOrder(
            larger=order["larger"],
            smaller=order["smaller"],
            or_equal=bool(order.get("orEqual", True)),
            zero_is_unlimited=bool(order.get("zeroIsUnlimited", False)),
        )
        if order
        else None,
        setting=str(raw.get("setting", "")),
        confirmed_fields=tuple(raw.get("x-pns-confirmed-fields", ())),
    )
