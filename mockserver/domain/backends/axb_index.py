"""The bindings of one AXB number X: in bind order (for paging) and by party number (for routing
and the once-per-X rule)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from ..errors import PnsError
from .axb_model import NOT_FOUND, AxbBinding


class XPairs:
    """The live pairs of one X.

    Bind order is a deque that a removed binding leaves lazily: the oldest go first when they
    expire (one pop from the left, next to the previous one in memory, instead of a deletion at a
    random slot of a dict keyed by subscription id). A binding removed out of turn (an unbind, a
    longer duration) is noted as a tombstone and dropped when it reaches the left end, or when
    tombstones outnumber the live pairs and one pass drops them all (amortized O(1) per removal).
    Nothing here reads another binding's fields, so a removal touches no other binding. The party
    numbers are a plain dict, kept exact.
    """

    __slots__ = ("_dead", "_order", "parties")

    def __init__(self) -> None:
        self._order: deque[AxbBinding] = deque()
        self.parties: dict[str, AxbBinding] = {}  # A or B number -> its pair (read it, never write)
        self._dead: set[int] = set()  # id() of removed bindings still in _order (they are alive there)

    def __len__(self) -> int:
        return len(self._order) - len(self._dead)

    def add(self, binding: AxbBinding) -> None:
        self._order.append(binding)
        self.parties[binding.caller_num] = self.parties[binding.callee_num] = binding

    def discard(self, binding: AxbBinding) -> bool:
        """Forget `binding`, one of the live pairs; True when no pair is left."""
        del self.parties[binding.caller_num], self.parties[binding.callee_num]
        order, dead = self._order, self._dead
        if order[0] is binding:
            order.popleft()
            while dead and order and id(order[0]) in dead:
                dead.remove(id(order.popleft()))
            return not order
        dead.add(id(binding))
        if 2 * len(dead) > len(order):  # more tombstones than live pairs
            self._order = deque(self)
            dead.clear()
        return False

    def renumber(self, binding: AxbBinding, caller_num: str, callee_num: str) -> None:
        """Give `binding` new party numbers (the caller checked they are free on this X)."""
        del self.parties[binding.caller_num], self.parties[binding.callee_num]
        self.parties[caller_num] = self.parties[callee_num] = binding
        binding.caller_num, binding.callee_num = caller_num, callee_num

    def __iter__(self) -> Iterator[AxbBinding]:
        """The live pairs in bind order."""
        dead = self._dead
        if not dead:
            return iter(self._order)
        return (binding for binding in self._order if id(binding) not in dead)


def find_pair(pairs: XPairs | None, x: str, caller_num: str | None, callee_num: str | None) -> AxbBinding:
    """The pair on X (whose pairs are `pairs`) with the given caller and/or callee number."""
    number = caller_num if caller_num is not None else callee_num
    binding = pairs.parties.get(number or "") if pairs is not None else None
    if (
        binding is None
        or (caller_num is not None and binding.caller_num != caller_num)
        or (callee_num is not None and binding.callee_num != callee_num)
    ):
        wanted = ", ".join(
            f"{name} {value}"
            for name, value in (("callerNum", caller_num), ("calleeNum", callee_num))
            if value is not None
        )
        raise PnsError(NOT_FOUND, f"relationNum {x} has no binding with {wanted}", rule="axb.not-found")
    return binding
