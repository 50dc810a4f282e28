"""The AXB record and its query pages: page sizes from the spec, one page of an X's bindings."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .common import query_parameter

NOT_FOUND = "1012007"


@functools.cache
def page_sizes() -> tuple[int, int, int]:
    """(default, smallest, largest) pageSize of the AXB query, from the spec (read on first use)."""
    param = query_parameter("queryAxbBinding", "pageSize")
    low, high = (int(param["x-pns-effective-range"][k]) for k in ("minimum", "maximum"))
    return int(param["schema"]["default"]), low, high


PAGE_RULE = "axb.page-size"  # where the spec says so (x-pns-rules)


@dataclass(slots=True)  # a million of them: no per-instance dict
class AxbBinding:
    subscription_id: str
    relation_num: str
    caller_num: str
    callee_num: str
    subscribe_time: float
    call_direction: int = 0
    duration: int | None = None
    record_flag: bool = False
    record_hint_tone: str | None = None
    max_duration: int | None = None
    last_min_voice: str | None = None
    private_sms: str | None = None
    pre_voice: dict[str, Any] | None = None
    user_data: str | None = None
    # Not a wire field: the instant the platform drops the binding (None: never).
    expire_time: float | None = None


@dataclass
class AxbPage:
    items: list[AxbBinding]
    page_index: int
    page_size: int
    total_count: int


def page_of(on_x: Iterable[AxbBinding], total: int, page_index: int | None, page_size: int | None) -> AxbPage:
    """One page of an X's `total` bindings, given in bind order; a page size outside the spec's
    range means the default, a page index below 1 means the first page."""
    index = max(page_index or 1, 1)
    default, smallest, largest = page_sizes()
    size = page_size if page_size is not None and smallest <= page_size <= largest else default
    items = list(islice(on_x, (index - 1) * size, index * size))
    return AxbPage(items=items, page_index=index, page_size=size, total_count=total)


def single(binding: AxbBinding) -> AxbPage:
    # Single-binding lookups ignore paging: report the defaults.
    return AxbPage(items=[binding], page_index=1, page_size=page_sizes()[0], total_count=1)
