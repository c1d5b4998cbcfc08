"""The field app's pages: the offline-first app (`/thuc-dia/`), its manifest, the service worker,
and the conflicts staff resolve (items of a phone's outbox that met a changed record)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from ansinh.core.errors import Refused
from ansinh.core.permissions import refusal_status, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import get_scoped_or_404, scoped

from .actions import resolve_conflict
from .app_texts import texts
from .conflicts import describe
from .devices import devices_for, revoke_device
from .models import SyncItem, SyncStatus

# What the service worker keeps from its install on: the app's shell and every script a page
# needs offline. engine.js and words.js come from the calculator and the receipts; a missing
# one must not stop the install, so they are listed apart (cached when they answer).
APP_SCRIPTS = ("vendor/idb/umd.js", "field/store.js", "field/sync.js", "field/app.js")
APP_STYLE = "field/app.css"
OPTIONAL_SCRIPTS = ("calculator/engine.js", "ansinh/words.js")
RESOLVED_SHOWN = 20  # the latest resolved conflicts shown under the open ones


def _calculator_pages() -> list[str]:
    """The public calculator's pages, which answer offline with engine.js."""
    return [reverse(name) for name in ("calculator:home", "calculator:pay", "calculator:benefits")]


def _present(names: tuple[str, ...]) -> list[str]:
    """The optional scripts that exist (the manifest storage refuses a URL for a missing file);
    without them the app falls back to the amounts the download gave."""
    return [name for name in names if finders.find(name)]




def _version(urls: list[str]) -> str:
    """Changes when a precached file changes, so phones drop the old copies: the static names are
    hashed in production, and in development the app's own files are read."""
    digest = hashlib.sha256("\n".join(urls).encode())
    for name in (APP_STYLE, *APP_SCRIPTS, *OPTIONAL_SCRIPTS):
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    template = Path(__file__).parent / "templates" / "field" / "app.html"
    digest.update(template.read_bytes())
    return digest.hexdigest()[:12]


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so it may cache every field page."""
    shell = [reverse("field_app"), reverse("field_manifest"), static(APP_STYLE),
             *(static(name) for name in APP_SCRIPTS), static("field/icon.svg")]
    # the calculator answers offline (engine.js) once its pages are on the phone
    optional = [static("ansinh/app.css"), static("vendor/htmx/htmx.min.js"),
                static("ansinh/page-actions.js"),
                *(static(name) for name in _present(OPTIONAL_SCRIPTS)),
                static("field/icon-192.png"), *_calculator_pages(),
                *(static(name) for name in _present(("calculator/offline.js",
                                                      "calculator/calculator.css")))]
    response = render(request, "field/sw.js", {
        "shell_json": json.dumps(shell), "optional_json": json.dumps(optional),
        "version": _version(shell + optional),
    }, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@role_required("field_work")
@require_GET
@ensure_csrf_cookie
def app(request: HttpRequest) -> HttpResponse:
    """The offline field app: one small page whose scripts work from IndexedDB (docs/field-sync.md).

    The service worker keeps a copy, so the page opens without a network; its scripts hold no
    text of their own (`app_texts`)."""
    user = _user(request)
    return render(request, "field/app.html", {
        "texts": texts(),
        "me": {"username": user.get_username(), "name": user.display_name,
               "today": timezone.localdate().isoformat()},
        "style": APP_STYLE, "scripts": APP_SCRIPTS, "optional_scripts": _present(OPTIONAL_SCRIPTS),
    })


@require_GET
@cache_control(max_age=86400)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the field app installs to the home screen and opens full screen."""
    icons = [{"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
             {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
             {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"}]
    body = {"name": _("ansinh thực địa"), "short_name": _("Thực địa"),
            "description": _("Làm việc thực địa không cần mạng: sổ đối tượng, thu tiền, "
                             "tiếp xúc, đồng bộ buổi tối."),
            "start_url": reverse("field_app"), "scope": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#0b5cad",
            "lang": get_language() or "vi", "icons": icons}
    return HttpResponse(json.dumps(body, ensure_ascii=False),
                        content_type="application/manifest+json")


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
