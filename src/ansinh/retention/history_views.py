"""The person's own SI history page: the periods they show on VssID, entered period by period
on a phone, pasted, or uploaded (`retention.history` writes them)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ansinh.collection.models import PaidMonth
from ansinh.core.errors import Refused
from ansinh.core.fields import MonthField
from ansinh.core.params import id_param
from ansinh.core.permissions import may, refusal_status
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import get_scoped_or_404
from ansinh.core.text import in_english
from ansinh.policy import CATEGORIES
from ansinh.registry import reading
from ansinh.registry.models import Person
from ansinh.registry.si_history_paste import Parsed, parse_rows, parse_text

from . import history
from .models import DeclaredPeriod, PeriodKind, PeriodSource

MAX_PASTE = 200_000  # characters: a whole VssID history is a few kilobytes
CATEGORY_LABELS = {
    "other": gettext_lazy("Không thuộc nhóm được hỗ trợ thêm"),
    "poor": gettext_lazy("Hộ nghèo"),
    "near_poor": gettext_lazy("Hộ cận nghèo"),
    "ethnic_minority": gettext_lazy("Người dân tộc thiểu số"),
    "island": gettext_lazy("Xã đảo, đặc khu"),
}
assert set(CATEGORY_LABELS) == set(CATEGORIES)


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=PeriodKind.choices,
                             initial=PeriodKind.COMPULSORY, widget=forms.RadioSelect)
    start = MonthField(label=gettext_lazy("Từ tháng"),
                       widget=forms.TextInput(attrs={"type": "month"}))
    end = MonthField(label=gettext_lazy("Đến tháng"),
                     widget=forms.TextInput(attrs={"type": "month"}))
    income = forms.IntegerField(label=gettext_lazy("Tiền lương / thu nhập mỗi tháng (đồng)"),
                                min_value=1, max_value=10**11,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    category = forms.ChoiceField(label=gettext_lazy("Nhóm hỗ trợ (tự nguyện)"),
                                 choices=list(CATEGORY_LABELS.items()), initial="other",
                                 required=False)
    employer = forms.CharField(label=gettext_lazy("Đơn vị công tác"), max_length=200,
                               required=False)

    def row(self) -> dict[str, Any]:
        cd = self.cleaned_data
        return {"from": f"{cd['start']:%Y-%m}", "to": f"{cd['end']:%Y-%m}",
                "income": cd["income"], "kind": cd["kind"],
                "category": cd.get("category") or "other", "employer": cd["employer"]}


class PasteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Dán bảng quá trình tham gia"),
                           max_length=MAX_PASTE, widget=forms.Textarea(attrs={"rows": 6}))
    default_kind = forms.ChoiceField(label=gettext_lazy("Dòng không ghi loại là"),
                                     choices=PeriodKind.choices, initial=PeriodKind.COMPULSORY)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp .xlsx hoặc .csv"))
    default_kind = forms.ChoiceField(label=gettext_lazy("Dòng không ghi loại là"),
                                     choices=PeriodKind.choices, initial=PeriodKind.COMPULSORY)


@login_required
@require_http_methods(["GET", "POST"])
def si_history(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the declared periods beside the months paid here; POST (``action`` = add, paste,
    upload or remove): change them, for whoever may edit the person."""
    user = _user(request)
    person = get_scoped_or_404(user, Person.objects.select_related("village__commune"), pk=pk)
    action = request.POST.get("action", "")
    period_form = PeriodForm(request.POST if action == "add" else None)
    paste_form = PasteForm(request.POST if action == "paste" else None)
    upload_form = UploadForm(request.POST if action == "upload" else None,
                             request.FILES if action == "upload" else None)
    errors: list[str] = []
    line_errors: list[Any] = []
    status = 200
    if request.method == "POST":
        if not may(user, "edit_persons"):
            raise PermissionDenied
        try:
            saved = _post(request, person, action, period_form, paste_form, upload_form,
                          line_errors)
        except Refused as exc:
            errors.append(exc.message)
            status = refusal_status(exc)
        else:
            if saved is not None:
                messages.success(request, saved)
                return redirect("retention:si_history", pk=person.pk)
            status = 400
    english = in_english()
    return render(request, "retention/si_history.html", {
        "person": person,
        "periods": DeclaredPeriod.objects.filter(person=person).select_related("entered_by"),
        "office_months": PaidMonth.objects.filter(
            participation__person=person, released_by__isnull=True).aggregate(
                n=Count("id"), first=Min("month")),
        "period_form": period_form, "paste_form": paste_form, "upload_form": upload_form,
        "errors": errors,
        "line_errors": [(e.line, e.text, e.en if english else e.vi) for e in line_errors],
        "category_labels": CATEGORY_LABELS,
    }, status=status)


def _post(request: HttpRequest, person: Person, action: str, period_form: PeriodForm,
          paste_form: PasteForm, upload_form: UploadForm, line_errors: list[Any]) -> str | None:
    """Do what the POST asks; a message on success, None when a form has errors (shown)."""
    user = _user(request)
    if action == "remove":
        period = get_scoped_or_404(user, DeclaredPeriod.objects.select_related("person"),
                                   pk=id_param(request.POST.get("period")) or 0, person=person)
        history.remove(period, actor=user)
        return _("Đã xoá giai đoạn")
    if action == "add":
        if not period_form.is_valid():
            return None
        history.declare(person, [period_form.row()], source=PeriodSource.HAND, actor=user)
        return _("Đã lưu giai đoạn")
    if action == "paste":
        if not paste_form.is_valid():
            return None
        parsed = parse_text(paste_form.cleaned_data["text"],
                            paste_form.cleaned_data["default_kind"])
        return _save(person, parsed, PeriodSource.PASTE, user, line_errors)
    if action == "upload":
        if not upload_form.is_valid():
            return None
        parsed = _read_upload(upload_form)
        return _save(person, parsed, PeriodSource.UPLOAD, user, line_errors)
    raise Refused("Không rõ thao tác", "Unknown action")


def _read_upload(form: UploadForm) -> Parsed:
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name or "").suffix.lower()[:8]
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        try:
            header, rows = reading.read_table(Path(handle.name), reading.upload_limits())
        except reading.UnusableFile as exc:
            raise Refused(str(exc), str(exc)) from None
    table: list[list[object]] = [list(header), *rows]
    return parse_rows(table, form.cleaned_data["default_kind"])


def _save(person: Person, parsed: Parsed, source: str, user: Any,
          line_errors: list[Any]) -> str | None:
    """All the lines or none: a line the parser could not read keeps the whole table back, so
    nothing is half saved and the text stays on the page to correct."""
    if parsed.errors:
        line_errors.extend(parsed.errors)
        return None
    if not parsed.periods:
        raise Refused("Không tìm thấy giai đoạn nào trong bảng", "No period found in the table")
    created = history.declare(person, parsed.periods, source=source, actor=user)
    return _("Đã lưu %(n)d giai đoạn") % {"n": len(created)}
