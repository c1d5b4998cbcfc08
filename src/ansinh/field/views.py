"""The offline pages' server side: the service worker, the offline page, and the conflicts
staff resolve (items of a phone's outbox that met a changed record)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ansinh.core.errors import Refused
from ansinh.core.permissions import refusal_status, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import get_scoped_or_404, scoped

from .actions import resolve_conflict
from .conflicts import describe
from .models import SyncItem, SyncStatus

RESOLVED_SHOWN = 20  # the latest resolved conflicts shown under the open ones



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


@role_required("resolve_sync_conflicts")
@require_GET
def conflicts(request: HttpRequest) -> HttpResponse:
    """Xung đột đồng bộ: items of the phones of the user's territory that met a record changed
    on the server since the phone's download; each waits for someone to handle it."""
    return _page(request)


def _page(request: HttpRequest, *, error_for: int | None = None, error: str = "",
          status: int = 200) -> HttpResponse:
    user = _user(request)
    rows = (scoped(user, SyncItem.objects.filter(status=SyncStatus.CONFLICT))
            .select_related("user", "device", "person", "village", "resolved_by"))
    open_items = list(rows.filter(resolved_at__isnull=True).order_by("created_at", "id"))
    resolved = list(rows.filter(resolved_at__isnull=False)
                    .order_by("-resolved_at", "-id")[:RESOLVED_SHOWN])
    return render(request, "field/conflicts.html", {
        "open": [(item, describe(item)) for item in open_items],
        "resolved": [(item, describe(item)) for item in resolved],
        "error_for": error_for, "error": error,
    }, status=status)


@role_required("resolve_sync_conflicts")
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Đã xử lý: the conflict is handled, with a note saying how."""
    user = _user(request)
    item = get_scoped_or_404(user, SyncItem.objects.all(), pk=pk)
    try:
        resolve_conflict(item, actor=user, note=request.POST.get("note", ""))
    except Refused as exc:
        return _page(request, error_for=item.pk, error=exc.message,
                     status=refusal_status(exc))
    messages.success(request, _("Đã ghi nhận xử lý xung đột"))
    return redirect("sync_conflicts:list")
