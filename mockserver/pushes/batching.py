"""How a batched push is shaped, read from its body schema: one bounded list plus fixed fields.

CDRs (`fee*`: `feeLst`, at most 50) and number states (`numStatus`: `numInfo`, at most 100) are
the pushes the platform batches; the list's name and bound come from the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pns_mock.spec import Spec, Webhook


class NotBatched(ValueError):
    """The webhook's body has no bounded list: it is not a batched push."""


@dataclass(frozen=True)
class Batching:
    fixed: dict[str, Any]  # the single-valued fields, e.g. eventType
    list_key: str
    max_items: int

    def body(self, items: list[Any]) -> dict[str, Any]:
        return {**self.fixed, self.list_key: items}


def batching_of(spec: Spec, hook: Webhook) -> Batching:
    schema = spec.deref(spec.resolve(hook.body_schema_pointer))
    fixed: dict[str, Any] = {}
    lists: list[tuple[str, int]] = []
    for name, prop in schema.get("properties", {}).items():
        prop = spec.deref(prop)
        if prop.get("type") == "array" and "maxItems" in prop:
            lists.append((name, int(prop["maxItems"])))
        elif len(prop.get("enum", ())) == 1:
            fixed[name] = prop["enum"][0]
    if len(lists) != 1:
        raise NotBatched(f"{hook.name} is not a batched push: its body has no bounded list")
    return Batching(fixed, *lists[0])
