"""The result codes an operation can return, read from the spec: for `pns.inject` and for tests
parametrized over every refusal a client must handle.

    @pytest.mark.parametrize("code", result_codes("createAxbBinding"))
    def test_bind_handles(pns, code): ...
"""

from __future__ import annotations

from pns_mock import spec

from .violations import PnsToolkitError

ANY_OPERATION = "*"


def result_codes(operation_id: str, *, handling_class: str | None = None) -> list[str]:
    """The error codes `operation_id` can return (its own and the common ones), success excluded.

    With "*", the codes every operation can return. `handling_class` keeps only the codes of one
    class of `spec.HANDLING_CLASSES` (e.g. "transient": those worth retrying unchanged).
    """
    loaded = spec.load()
    if handling_class is not None and handling_class not in spec.HANDLING_CLASSES:
        known = ", ".join(spec.HANDLING_CLASSES)
        raise PnsToolkitError(f"no handling class {handling_class!r}; known: {known}")
    if operation_id == ANY_OPERATION:
        codes: tuple[str, ...] = loaded.result_codes.common()
    elif operation_id in loaded.operations:
        codes = loaded.operations[operation_id].result_codes
    else:
        known = ", ".join(sorted(loaded.operations))
        raise PnsToolkitError(f"no operation {operation_id!r} in the spec; known: {known}")
    return [c for c in codes if c != "0" and handling_class in (None, loaded.result_codes[c].handling_class)]


def check_returnable(operation_id: str, code: str) -> None:
    """Refuse a code the operation never returns, naming those it can."""
    returnable = result_codes(operation_id)
    if code in returnable:
        return
    which = "every operation" if operation_id == ANY_OPERATION else operation_id
    if code == "0":
        why = "is success, not a fault"
    elif code not in spec.load().result_codes:
        why = "is not a documented PNS result code"
    else:
        why = (
            f"is not returned by {which}"
            if operation_id == ANY_OPERATION
            else f"is never returned by {which}"
        )
    raise PnsToolkitError(f"pns.inject: {code!r} {why}; {which} can return: {', '.join(returnable)}")
