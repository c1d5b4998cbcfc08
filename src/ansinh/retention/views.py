"""Retention pages: the case list, a case with its comparison and sessions, the comparison sheet
(PDF), opening a case, persistence."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ansinh.core import personal
from ansinh.core.errors import Refused
from ansinh.core.fields import DateField as CalendarDateField
from ansinh.core.models import AccessKind
from ansinh.core.pages import query_without_page as _without_page
from ansinh.core.params import id_param, int_param
from ansinh.core.pdf import pdf_response
from ansinh.core.permissions import may, refusal_status, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import get_scoped_or_404, scoped
from ansinh.participation.models import Participation
from ansinh.policy import GROUNDS, PolicyError
from ansinh.registry.models import Person
from ansinh.rules import presenting as p
from ansinh.rules.tree import current_tree

from . import actions, persistence
from .comparison import Comparison, compare
from .models import CaseStatus, Outcome, Reason, RetentionCase

PAGE_SIZE = 50
GROUND_LABELS = {
    "twelve_months_out": gettext_lazy("Nghỉ đóng đủ 12 tháng"),
    "retirement_age": gettext_lazy("Đủ tuổi nghỉ hưu, chưa đủ số năm"),
    "emigration": gettext_lazy("Ra nước ngoài định cư"),
    "illness": gettext_lazy("Mắc bệnh hiểm nghèo"),
    "disability": gettext_lazy("Suy giảm khả năng lao động từ 81%"),
}
assert set(GROUND_LABELS) == set(GROUNDS)


class SessionForm(forms.Form):
    on = CalendarDateField(label=gettext_lazy("Ngày"),
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    outcome = forms.ChoiceField(label=gettext_lazy("Kết quả"), choices=Outcome.choices,
                                widget=forms.RadioSelect)
    next_step = forms.CharField(label=gettext_lazy("Việc tiếp theo"), max_length=200,
                                required=False)
    next_step_on = CalendarDateField(label=gettext_lazy("Ngày thực hiện"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"},
                                                          format="%Y-%m-%d"))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=300, required=False)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = scoped(user, RetentionCase.objects.select_related(
        "person", "village__commune", "counsellor"))
    status = request.GET.get("status", CaseStatus.OPEN)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if (reason := request.GET.get("reason")) in Reason.values:
        cases = cases.filter(reason=reason)
    page = Paginator(cases.order_by("next_step_on", "-opened_on", "id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "retention/case_list.html", {
        "page": page, "status": status, "reason": reason, "statuses": CaseStatus.choices,
        "reasons": Reason.choices, "query_string": _without_page(request),
    })


def _ground(request: HttpRequest) -> str:
    ground = request.GET.get("ground", "twelve_months_out")
    return ground if ground in GROUNDS else "twelve_months_out"


def _plan_income(request: HttpRequest) -> int | None:
    raw = request.GET.get("income", "").replace(".", "").replace(",", "")
    return int_param(raw, None, low=0, high=1_000_000_000)


def case_comparison(case: RetentionCase, on: date, ground: str,
                    plan_income: int | None = None) -> Comparison:
    return compare(case.person, case.participation, on, current_tree(case.office),
                   ground=ground, plan_income=plan_income)


def _sheet_context(comparison: Comparison) -> dict[str, Any]:
    cash, kept, allowance, card = (comparison.cash, comparison.kept, comparison.allowance,
                                   comparison.card)
    context: dict[str, Any] = {"c": comparison, **p.refs(cash, kept, allowance, card)}
    if cash is not None:
        paid = [p.amount(cash, "contributions_paid", _("Số tiền bạn đã tự đóng"), p.SUPPORT)]
        context["cash_amounts"] = [
            *paid,
            p.amount(cash, "gross", _("BHXH một lần trước khi trừ hỗ trợ")),
            p.amount(cash, "support_deducted", _("Trừ số tiền Nhà nước đã hỗ trợ"), p.SUPPORT),
            p.amount(cash, "amount", _("Số tiền nhận một lần"), strong=True),
        ] if cash.allowed else paid  # a refused claim has no "0 ₫" amount: the sheet says why
    context["kept_amounts"] = [
        p.amount(kept, "monthly_pension", _("Lương hưu mỗi tháng"), strong=True),
        *([p.amount(kept, "one_time_allowance", _("Nhận thêm một lần khi nghỉ hưu"))]
          if kept.one_time_allowance else []),  # no "0 ₫" line that reads as an error
    ]
    if allowance is not None:
        context["allowance_amounts"] = [
            p.amount(allowance, "monthly_amount", _("Trợ cấp hằng tháng"), strong=True),
        ]  # the top-up is said per month over the years (Comparison.top_up_text)
    context["card_amount_list"] = [
        p.amount(card, "total", _("Nếu tự mua BHYT hộ gia đình, một người đóng mỗi năm"))]
    return context


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_scoped_or_404(user, RetentionCase.objects.select_related(
        "person__village__commune", "participation", "counsellor", "office"), pk=pk)
    if request.method == "GET":  # a session recorded is the audit log's
        personal.log_access(request, AccessKind.COUNSELLING_PAGE, office_id=case.office_id,
                            person_id=case.person_id, object_id=case.pk)
    today = timezone.localdate()
    ground = _ground(request)
    context: dict[str, Any] = {"case": case, "ground": ground, "grounds": GROUND_LABELS.items(),
                               "income": _plan_income(request) or ""}
    comparison: Comparison | None = None
    try:
        comparison = case_comparison(case, today, ground, _plan_income(request))
    except PolicyError as exc:
        context["policy_error"] = p.policy_message(exc)
    else:
        context.update(_sheet_context(comparison))
    form = SessionForm(request.POST or None, initial={"on": today})
    status = 200
    if request.method == "POST":
        if not may(user, "counsel"):
            raise PermissionDenied
        if form.is_valid() and comparison is not None:
            cd = form.cleaned_data
            try:
                actions.record_session(
                    case, actor=user, on=cd["on"], outcome=cd["outcome"],
                    figures=comparison.figures(), next_step=cd["next_step"],
                    next_step_on=cd["next_step_on"], note=cd["note"])
            except Refused as exc:
                form.add_error(None, exc.message)
                status = refusal_status(exc)
            else:
                messages.success(request, _("Đã ghi buổi tư vấn"))
                return redirect("retention:case_detail", pk=case.pk)
    context["form"] = form
    context["sessions"] = case.sessions.select_related("counsellor").order_by("-on", "-id")
    return render(request, "retention/case_detail.html", context, status=status)


@login_required
def case_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The comparison as an A4 PDF (the counselling sheet) for this person."""
    user = _user(request)
    case = get_scoped_or_404(user, RetentionCase.objects.select_related(
        "person__village__commune", "participation", "office"), pk=pk)
    today = timezone.localdate()
    ground = _ground(request)
    try:
        comparison = case_comparison(case, today, ground, _plan_income(request))
    except PolicyError as exc:
        return HttpResponse(p.policy_message(exc), status=400,
                            content_type="text/plain; charset=utf-8")
    context = _sheet_context(comparison)
    context.update(case=case, printed_on=today, ground_label=GROUND_LABELS[ground],
                   counsellor=user)
    personal.log_access(request, AccessKind.COUNSELLING_SHEET, office_id=case.office_id,
                        person_id=case.person_id, object_id=case.pk, rows=1)
    return pdf_response(request, "retention/sheet.html", context, f"phieu-tu-van-{case.pk}")


@role_required("counsel")
@require_POST
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case for a person (from the person's page or the participation's)."""
    user = _user(request)
    raw = request.POST.get("person", "")
    person = get_scoped_or_404(user, Person.objects.all(), pk=id_param(raw) or 0)
    reason = request.POST.get("reason", Reason.WANTS_LUMP_SUM)
    try:
        case = actions.open_case(person=person, reason=reason, on=timezone.localdate(),
                                 actor=user, note=request.POST.get("note", ""))
    except actions.RetentionError as exc:
        messages.error(request, exc.message)
        return redirect("retention:case_list")
    return redirect("retention:case_detail", pk=case.pk)


@login_required
def persistence_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    by = request.GET.get("by", "commune")
    by = by if by in persistence.PERSISTENCE_BY else "commune"
    rows, total = persistence.persistence(scoped(user, Participation.objects.all()), by, today)
    cases = scoped(user, RetentionCase.objects.all())
    return render(request, "retention/persistence.html", {
        "rows": rows, "total": total, "by": by, "dimensions": persistence.PERSISTENCE_BY.items(),
        "by_reason": persistence.case_success(cases, "reason"),
        "by_counsellor": persistence.case_success(cases, "counsellor"), "today": today,
    })
