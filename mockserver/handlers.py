"""operationId -> handler. Each handler is one backend call; the engine shapes the reply from the spec.

A handler returns a mapping (or a domain object) whose keys are the reply schema's property names;
values may be domain objects, which the reply shaper renders through the item schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .wire import call_with

Params = Mapping[str, Any]
Handler = Callable[[Any, Params], Any]

HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[operation_id] = func
        return func

    return register


# AXB


@handles("createAxbBinding")
def create_axb_binding(backend: Any, params: Params) -> Any:
    return call_with(backend.bind, params)


@handles("deleteAxbBinding")
def delete_axb_binding(backend: Any, params: Params) -> Any:
    call_with(backend.unbind, params)
    return {}


@handles("modifyAxbBinding")
def modify_axb_binding(backend: Any, params: Params) -> Any:
    call_with(backend.modify, params)
    return {}


@handles("queryAxbBinding")
def query_axb_binding(backend: Any, params: Params) -> Any:
    page = call_with(backend.query, params)
    return {
        "relationNumList": page.items,
        "pageIndex": page.page_index,
        "pageSize": page.page_size,
        "totalCount": page.total_count,
    }


# AX


@handles("createAxBinding")
def create_ax_binding(backend: Any, params: Params) -> Any:
    return call_with(backend.bind, params)


@handles("deleteAxBinding")
def delete_ax_binding(backend: Any, params: Params) -> Any:
    call_with(backend.unbind, params)
    return {}


@handles("modifyAxBinding")
def modify_ax_binding(backend: Any, params: Params) -> Any:
    call_with(backend.modify, params)
    return {}


@handles("queryAxBinding")
def query_ax_binding(backend: Any, params: Params) -> Any:
    return {"privateNumList": call_with(backend.query, params)}


@handles("setAxTemporaryCallee")
def set_ax_temporary_callee(backend: Any, params: Params) -> Any:
    call_with(backend.set_temporary_callee, params)
    return {}
