"""Reminder pages: the outbox, the message templates, the printable village lists (PDF).

- outbox and templates: those who handle the outbox — director, staff and admin (agents and
  viewers: 403); the outbox is scoped (`scoped()`: the director sees the office, staff the
  messages of their villages); the templates are edited by the director (and admin) only;
- village lists: everyone with villages (viewers are the village heads it is printed for), only
  for the villages `visible_villages()` gives them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ansinh.core import personal
from ansinh.core.errors import Refused
from ansinh.core.models import AccessKind
from ansinh.core.pages import query_without_page as _without_page
from ansinh.core.pages import working_office
from ansinh.core.params import id_param, month_param
from ansinh.core.pdf import pdf_response
from ansinh.core.permissions import may, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import is_admin, scoped, visible_villages
from ansinh.registry.models import Commune

from . import actions
from .models import (
    PLACEHOLDERS,
    Channel,
    MessageStatus,
    OutboxMessage,
    RecipientKind,
    ReminderTemplate,
    TemplateCode,
)
from .texts import Templates
from .village_lists import village_lists

PAGE_SIZE = 50


# --------------------------------------------------------------------------------------------
# Outbox


@role_required("handle_outbox")
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = scoped(user, OutboxMessage.objects.all())
    counts = {row["status"]: row["n"] for row in rows.values("status").annotate(n=Count("id"))
              .order_by()}
    status = request.GET.get("status")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    kind = request.GET.get("kind")
    if kind in RecipientKind.values:
        rows = rows.filter(recipient_kind=kind)
    rows = rows.select_related("person", "user", "village").order_by("-created_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reminders/outbox.html", {
        "page": page, "status_counts": [(v, label, counts.get(v, 0))
                                        for v, label in MessageStatus.choices],
        "statuses": MessageStatus.choices, "status": status,
        "kinds": RecipientKind.choices, "kind": kind, "query_string": _without_page(request),
    })


# --------------------------------------------------------------------------------------------
# Templates


class TemplateForm(forms.Form):
    code = forms.ChoiceField(label=gettext_lazy("Loại tin"), choices=TemplateCode.choices)
    channel = forms.ChoiceField(label=gettext_lazy("Kênh"), required=False,
                                choices=[("", gettext_lazy("Mọi kênh")), *Channel.choices])
    body = forms.CharField(label=gettext_lazy("Nội dung"),
                           widget=forms.Textarea(attrs={"rows": 6}), max_length=2000)
    active = forms.BooleanField(label=gettext_lazy("Đang dùng"), required=False, initial=True)


@role_required("handle_outbox")
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    """The texts reminders are written from; those who handle the outbox read them, the
    director edits them."""
    user = _user(request)
    if request.method == "POST" and not may(user, "edit_templates"):
        raise PermissionDenied
    office = working_office(request, user)
    code = str(request.GET.get("code") or "")
    code = code if code in TemplateCode.values else str(TemplateCode.DUE_SOON)
    channel = str(request.GET.get("channel") or "")
    channel = channel if channel in Channel.values else ""
    current = Templates(office).get(code, channel)
    form = TemplateForm(request.POST or None, initial={
        "code": code, "channel": channel, "body": current.body if current else "",
        "active": True})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            saved = actions.save_template(office, code=cd["code"], channel=cd["channel"],
                                          body=cd["body"], active=cd["active"], actor=user)
        except Refused as refused:
            form.add_error("body", refused.message)
        else:
            messages.success(request, _("Đã lưu mẫu tin"))
            query = f"?code={saved.code}&channel={saved.channel}"
            if is_admin(user):
                query += f"&office={office.code}"
            return redirect(f"{request.path}{query}")
    rows = list(ReminderTemplate.objects.filter(office__isnull=True)) + list(
        ReminderTemplate.objects.filter(office=office))
    return render(request, "reminders/templates.html", {
        "form": form, "office": office, "rows": rows, "code": code, "channel": channel,
        "current": current, "placeholders": PLACEHOLDERS.items(),
        "codes": TemplateCode.choices,
        "admin_office": office.code if is_admin(user) else "",
    })


# --------------------------------------------------------------------------------------------
# Village lists


def _month(value: str | None, today: date) -> date:
    return month_param(value, today.replace(day=1))


@login_required
@require_GET
def village_list(request: HttpRequest) -> HttpResponse:
    """Choose a commune or a village; with a choice, the A4 PDF."""
    user = _user(request)
    today = timezone.localdate()
    villages = visible_villages(user).select_related("commune").order_by("commune__name", "name")
    month = _month(request.GET.get("month"), today)
    chosen = None
    if (village_id := id_param(request.GET.get("village"))) is not None:
        chosen = villages.filter(pk=village_id)
        if not chosen.exists():
            raise Http404
    elif (commune_id := id_param(request.GET.get("commune"))) is not None:
        chosen = villages.filter(commune_id=commune_id)
        if not chosen.exists():
            raise Http404
    if chosen is None:
        communes = scoped(user, Commune.objects.all()).order_by("name")
        return render(request, "reminders/village_list.html", {
            "villages": villages, "communes": communes, "month": month})
    lists = village_lists(chosen, month, today)
    personal.log_access(request, AccessKind.VILLAGE_LIST,
                        rows=sum(len(vl.due) + len(vl.late) for vl in lists),
                        description=personal.describe_query(request))
    context: dict[str, Any] = {"lists": lists, "month": month, "printed_on": today,
                               "printed_by": user.display_name, "office": user.office}
    return pdf_response(request, "reminders/village_list_pdf.html", context,
                        f"danh-sach-thon-{month:%Y-%m}")
