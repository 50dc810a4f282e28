"""operationId -> handler. Each handler is one backend call; the engine shapes the reply from the spec.

A handler returns a mapping (or a domain object) whose keys are the reply schema's property names;
values may be domain objects, which the reply shaper renders through the item schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from ..domain.apps import Application
from .message import FILES_PREFIX
from .wire import call_with

if TYPE_CHECKING:
    from ..platform import Platform

Params = Mapping[str, Any]


class Context(NamedTuple):  # a tuple: made once per request, and cheap to make
    """What a handler may use: the application's backend, and the platform for shared stores."""

    platform: Platform
    app: Application
    backend: Any
    base_url: str  # scheme://host of the request, for links the platform hands out


@dataclass(frozen=True)
class Redirect:
    """A 301 reply with `Location`, how the recording operation answers."""

    location: str


Handler = Callable[[Context, Params], Any]

HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[operation_id] = func
        return func

    return register


# AXB


@handles("createAxbBinding")
def create_axb_binding(ctx: Context, params: Params) -> Any:
    return call_with(ctx.backend.bind, params)


@handles("deleteAxbBinding")
def delete_axb_binding(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.unbind, params)
    return {}


@handles("modifyAxbBinding")
def modify_axb_binding(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.modify, params)
    return {}


@handles("queryAxbBinding")
def query_axb_binding(ctx: Context, params: Params) -> Any:
    page = call_with(ctx.backend.query, params)
    return {
        "relationNumList": page.items,
        "pageIndex": page.page_index,
        "pageSize": page.page_size,
        "totalCount": page.total_count,
    }


# AX


@handles("createAxBinding")
def create_ax_binding(ctx: Context, params: Params) -> Any:
    return call_with(ctx.backend.bind, params)


@handles("deleteAxBinding")
def delete_ax_binding(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.unbind, params)
    return {}


@handles("modifyAxBinding")
def modify_ax_binding(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.modify, params)
    return {}


@handles("queryAxBinding")
def query_ax_binding(ctx: Context, params: Params) -> Any:
    return {"privateNumList": call_with(ctx.backend.query, params)}


@handles("setAxTemporaryCallee")
def set_ax_temporary_callee(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.set_temporary_callee, params)
    return {}


# Shared by the modes


@handles("getRecordingDownloadUrl")
def get_recording_download_url(ctx: Context, params: Params) -> Any:
    recordings = ctx.platform.recordings
    found = recordings.find(ctx.app.app_key, params["recordDomain"], params["fileName"])
    query = recordings.link_query(found)
    return Redirect(f"{ctx.base_url}{FILES_PREFIX}{quote(found.domain)}/{quote(found.file_name)}?{query}")


@handles("stopCall")
def stop_call(ctx: Context, params: Params) -> Any:
    ctx.platform.calls.stop(ctx.app.app_key, params["sessionid"])
    return {}


# AXE


@handles("createAxeBinding")
def create_axe_binding(ctx: Context, params: Params) -> Any:
    return call_with(ctx.backend.bind, params)


@handles("deleteAxeBinding")
def delete_axe_binding(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.unbind, params)
    return {}


@handles("modifyAxeBinding")
def modify_axe_binding(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.modify, params)
    return {}


@handles("queryAxeBinding")
def query_axe_binding(ctx: Context, params: Params) -> Any:
    return call_with(ctx.backend.query, params)


@handles("queryAxeBindingV2")
def query_axe_binding_v2(ctx: Context, params: Params) -> Any:
    page = call_with(ctx.backend.query_page, params)
    return {"extendNumList": page.items, "nextCursor": page.next_cursor}


# AXYB


@handles("createAxybBinding")
def create_axyb_binding(ctx: Context, params: Params) -> Any:
    return call_with(ctx.backend.bind, params)


@handles("deleteAxybBinding")
def delete_axyb_binding(ctx: Context, params: Params) -> Any:
    call_with(ctx.backend.unbind, params)
    return {}


@handles("queryAxybBinding")
def query_axyb_binding(ctx: Context, params: Params) -> Any:
    return {"xyRelationNumList": call_with(ctx.backend.query, params)}
