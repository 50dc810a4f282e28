"""Push receivers: the platform POSTs call events and CDRs here, signed with the app secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import CallEvent, CallRecord

_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def signed_by_platform(request: HttpRequest) -> bool:
    token = dict(_ATTRIBUTE.findall(request.headers.get("X-AKSK", "")))
    if not {"Nonce", "Created", "PasswordDigest"} <= token.keys():
        return False
    message = (token["Nonce"] + token["Created"]).encode()
    mac = hmac.new(settings.PNS_APP_SECRET.encode(), message, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), token["PasswordDigest"])


@csrf_exempt
@require_POST
def call_event(request: HttpRequest) -> HttpResponse:
    if not signed_by_platform(request):
        return HttpResponse(status=401)
    push = json.loads(request.body)
    CallEvent.objects.create(session_id=push["statusInfo"]["sessionId"], event_type=push["eventType"])
    return HttpResponse(status=200)  # Notify pushes: 200 and an empty body


@csrf_exempt
@require_POST
def call_record(request: HttpRequest) -> HttpResponse:
    if not signed_by_platform(request):
        return HttpResponse(status=401)
    for record in json.loads(request.body)["feeLst"]:
        CallRecord.objects.update_or_create(
            session_id=record["sessionId"],
            defaults={"caller_num": record["callerNum"], "bind_num": record["bindNum"]},
        )
    return HttpResponse(status=200)
