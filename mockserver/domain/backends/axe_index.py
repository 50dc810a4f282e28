"""Where AXE finds its bindings per X: extension -> binding, A -> binding, the bind order its v2
query pages through, and where the search for a free extension starts."""

from __future__ import annotations

from bisect import bisect_right

from ..errors import PnsError
from .axe_model import AxeBinding

EXTENSION_TAKEN = "1016002"
NO_EXTENSION = "1020167"


class XIndex:
    """The AXE bindings by X. The backend keeps them by subscription id and adds or removes a
    binding here and there together."""

    def __init__(self) -> None:
        self._on_x: dict[str, dict[str, AxeBinding]] = {}  # X -> extension -> binding
        self._of_a: dict[tuple[str, str], AxeBinding] = {}  # (X, A) -> A's one binding on X
        self._order: dict[str, list[int]] = {}  # X -> sequence numbers of its bindings, ascending
        self._by_sequence: dict[int, AxeBinding] = {}
        # X -> no zero-padded extension below this is free. The hint only moves forward past taken
        # extensions and back when one is freed, so allocation costs little more than one lookup.
        self._lowest_free: dict[str, int] = {}

    def add(self, binding: AxeBinding) -> None:
        """`binding` is the newest: its sequence number is the largest so far."""
        x = binding.virtual_num
        self._on_x.setdefault(x, {})[binding.extend_num] = binding
        self._of_a[(x, binding.bind_num)] = binding
        self._order.setdefault(x, []).append(binding.sequence)
        self._by_sequence[binding.sequence] = binding

    def remove(self, binding: AxeBinding, extension_length: int) -> None:
        x, extension = binding.virtual_num, binding.extend_num
        del self._by_sequence[binding.sequence]
        del self._on_x[x][extension]
        del self._of_a[(x, binding.bind_num)]
        order = self._order[x]
        del order[bisect_right(order, binding.sequence) - 1]
        if not self._on_x[x]:
            del self._on_x[x], self._order[x]
        if len(extension) == extension_length:
            self._lowest_free[x] = min(self._lowest_free.get(x, 1), int(extension))

    def by_extension(self, x: str, extend_num: str) -> AxeBinding | None:
        return self._on_x.get(x, {}).get(extend_num)

    def of_a(self, x: str, bind_num: str) -> AxeBinding | None:
        return self._of_a.get((x, bind_num))

    def load(self, x: str) -> int:
        """How many extensions of X are bound."""
        return len(self._on_x.get(x, ()))

    def page(self, x: str, after: int, size: int) -> tuple[list[AxeBinding], bool]:
        """Up to `size` bindings of X bound after sequence number `after`, and whether more follow."""
        order = self._order.get(x, [])
        start = bisect_right(order, after)
        chosen = [self._by_sequence[sequence] for sequence in order[start : start + size]]
        return chosen, start + size < len(order)

    def claim(self, x: str, bind_num: str, extend_num: str | None, capacity: int, length: int) -> str:
        """For A on X: the asked-for extension if it is free, else the lowest free one of `length`
        digits. A holds at most one extension per X."""
        held = self._of_a.get((x, bind_num))
        if held is not None:
            raise PnsError(
                EXTENSION_TAKEN,
                f"bindNum {bind_num} already has extension {held.extend_num} on virtualNum {x} "
                "(one extension per A on an X): bind A on another X",
                rule="axe.one-extension-per-a",
            )
        taken = self._on_x.get(x, {})
        if extend_num is not None and extend_num in taken:
            raise PnsError(
                EXTENSION_TAKEN,
                f"extendNum {extend_num} is already bound on virtualNum {x}",
                rule="axe.extension-taken",
            )
        if len(taken) >= capacity:
            raise PnsError(
                NO_EXTENSION,
                f"virtualNum {x} holds {capacity} extensions, its application's maximum",
                rule="axe.extension-capacity",
            )
        if extend_num is not None:
            return extend_num
        candidate = self._lowest_free.get(x, 1)
        while f"{candidate:0{length}d}" in taken:
            candidate += 1
        self._lowest_free[x] = candidate
        return f"{candidate:0{length}d}"
