"""The offline queue's server side: the sync endpoint and the service worker."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ansinh.core.permissions import role_required
from ansinh.core.permissions import signed_in as _user

from .devices import devices_for, revoke_device
from .sync import MAX_ITEMS, apply_queue


@role_required("field_work")
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """POST {"items": [...]} → {"results": [...]} in the same order (see sync.py); each item
    meets its action's own checks."""
    try:
        payload = json.loads(request.body or b"{}")
        items = payload["items"]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("Dữ liệu gửi lên không hợp lệ")}, status=400)
    if len(items) > MAX_ITEMS:
        return JsonResponse({"error": _("Tối đa %(n)s mục mỗi lần gửi") % {"n": MAX_ITEMS}},
                            status=400)
    results = apply_queue(_user(request), items)
    return JsonResponse({"results": [r.as_dict() for r in results]})


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so it may cache every field page."""
    response = render(request, "field/sw.js", {
        "shell": [static("ansinh/app.css"), static("vendor/htmx/htmx.min.js"),
                  static("field/offline.js")],
    }, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page was never opened while online."""
    return render(request, "field/offline.html")


@role_required("field_work")
@require_GET
def devices(request: HttpRequest) -> HttpResponse:
    """Thiết bị: the user's phones (and, for a manager, their office's) with a Revoke button."""
    user = _user(request)
    shown = devices_for(user).order_by("-created_at", "-id")
    return render(request, "field/devices.html", {
        "mine": [device for device in shown if device.user_id == user.pk],
        "office": [device for device in shown if device.user_id != user.pk],
    })


@role_required("field_work")
@require_POST
def device_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    device = devices_for(user).filter(pk=pk).first()
    if device is None:
        raise Http404
    revoke_device(device, actor=user)
    messages.success(request, _("Đã thu hồi thiết bị %(name)s: mã của thiết bị này không còn "
                                "dùng được") % {"name": device.name})
    return redirect("devices")
