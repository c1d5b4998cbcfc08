"""Commission pages: the office's dated rate table (with the D233 cap check) and the commission
statements of a closed period per agent and per organisation (page, xlsx, PDF).

Who sees what (`core.permissions`): the director and admin the whole office (admin chooses the
office) and set the rates; staff the money of the villages they answer for (read-only rates);
an agent only their own commission; viewers (commune officials, village heads) nothing — it is
the office's internal money.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ansinh.core.errors import Refused
from ansinh.core.fields import DateField as CalendarDateField
from ansinh.core.models import Office, User
from ansinh.core.pages import working_office
from ansinh.core.params import id_param, month_param
from ansinh.core.pdf import pdf_response
from ansinh.core.permissions import may, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import is_admin, scoped, whole_office
from ansinh.core.spreadsheet import add_sheet, cell, workbook
from ansinh.core.tables import bold_cells
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.participation.models import PaymentMode

from . import commissions
from .models import CommissionRate, ParticipantKind, Product, Receipt

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RateForm(forms.Form):
    product = forms.ChoiceField(label=gettext_lazy("Sản phẩm"), choices=Product.choices)
    participant_kind = forms.ChoiceField(label=gettext_lazy("Nhóm người tham gia"),
                                         choices=ParticipantKind.choices)
    mode = forms.ChoiceField(
        label=gettext_lazy("Hình thức đóng"), required=False,
        choices=[("", gettext_lazy("Mọi hình thức")), *PaymentMode.choices])
    percent = forms.CharField(label=gettext_lazy("Tỷ lệ (%)"), max_length=10,
                              help_text=gettext_lazy("Ví dụ 12 hoặc 12,5"))
    valid_from = CalendarDateField(label=gettext_lazy("Áp dụng từ ngày"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=gettext_lazy("Căn cứ (số, ngày quyết định)"),
                                max_length=200)

    def clean_percent(self) -> Decimal:
        raw = self.cleaned_data["percent"].strip().replace(" ", "").replace("%", "")
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise forms.ValidationError(_("Nhập một số, ví dụ 12,5")) from None
        if not Decimal(0) <= value <= Decimal(100):
            raise forms.ValidationError(_("Tỷ lệ phải từ 0 đến 100 %"))
        share = value / Decimal(100)
        if share != share.quantize(Decimal("0.0001")):
            raise forms.ValidationError(_("Tối đa hai chữ số thập phân (ví dụ 12,25)"))
        return share.quantize(Decimal("0.0001"))


@role_required("see_commission_rates")
@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest) -> HttpResponse:
    """Mức thù lao: history of the office's rates, the cap check, and (director) a new rate."""
    user = _user(request)
    office = working_office(request, user)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if not may(user, "set_commission_rates"):
            raise PermissionDenied
        if form.is_valid():
            cd = form.cleaned_data
            try:
                commissions.add_rate(office, product=cd["product"],
                                     participant_kind=cd["participant_kind"], mode=cd["mode"],
                                     rate=cd["percent"], valid_from=cd["valid_from"],
                                     reference=cd["reference"], actor=user)
            except Refused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Đã thêm mức thù lao"))
                suffix = f"?office={office.code}" if is_admin(user) else ""
                return redirect(f"{request.path}{suffix}")
    today = timezone.localdate()
    table = commissions.RateTable.for_office(office)
    history = [
        {"rate": row, "future": row.valid_from > today,
         "in_force": table.row_in_force(row.product, row.participant_kind, row.mode,
                                        today) == row.pk}
        for row in CommissionRate.objects.filter(office=office).select_related("created_by")
        .order_by("product", "participant_kind", "mode", "-valid_from", "-id")
    ]
    checks = commissions.cap_checks(office, today, table)
    return render(request, "collection/commission_rates.html", {
        "office": office, "form": form, "history": history,
        "checks": checks, "last_closed": commissions.last_closed(office), "today": today,
        "caps": commissions.caps_on(office, today), "has_rates": bool(table),
        "offices": Office.objects.order_by("code") if is_admin(user) else None,
    })


def _money_for(user: User) -> tuple[Any, Agent | None]:
    """The receipts the user may see commission on (None: the whole office), and their own
    agent row (an agent, who sees their own statement only)."""
    if not may(user, "see_all_commissions"):
        agent = Agent.objects.filter(user=user).first()
        if agent is None:
            raise PermissionDenied
        return Receipt.objects.filter(agent=agent), agent
    if whole_office(user):
        return None, None
    return scoped(user, Receipt.objects.all()), None


def _month(value: str | None, closed: list[date]) -> date | None:
    chosen = month_param(value, date.min)
    if chosen is not date.min:
        return chosen
    return closed[0] if closed else None


@role_required("see_commissions")
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """Bảng kê thù lao of a closed period: per organisation, per agent, per rate line."""
    user = _user(request)
    office = working_office(request, user)
    receipts, own_agent = _money_for(user)
    closed = commissions.closed_months(office)
    month = _month(request.GET.get("month"), closed)
    organisation = None
    if (org_id := id_param(request.GET.get("organisation"))) is not None:
        organisation = CollectionOrganisation.objects.filter(office=office, pk=org_id).first()
    agent = own_agent
    if own_agent is None and (agent_id := id_param(request.GET.get("agent"))) is not None:
        agent = Agent.objects.filter(organisation__office=office, pk=agent_id).first()
    base = receipts if receipts is not None else Receipt.objects.filter(office=office)
    if organisation is not None:
        base = base.filter(organisation=organisation)
    if agent is not None:
        base = base.filter(agent=agent)
    filtered = receipts is not None or organisation is not None or agent is not None
    result = commissions.statement(office, month, base if filtered else None)
    context = {
        "office": office, "statement": result, "month": month, "closed": closed,
        "organisation": organisation, "agent": agent, "own_agent": own_agent,
        "partial": receipts is not None and own_agent is None,  # a territory's share
        "organisations": (CollectionOrganisation.objects.filter(office=office)
                          if own_agent is None else []),
        "agents": (Agent.objects.filter(organisation__office=office).select_related("user")
                   if own_agent is None else []),
        "printed_on": timezone.localdate(), "printed_by": user.display_name,
        "admin_office": office.code if is_admin(user) else "",
    }
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        if month is None or not result.closed:
            raise Http404
        name = f"thu-lao-{month:%Y-%m}"
        if export == "xlsx":
            response = HttpResponse(statement_xlsx(context), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        return pdf_response(request, "collection/commission_statement_pdf.html", context, name)
    return render(request, "collection/commission_statement.html", context)


def _title(context: dict[str, Any]) -> str:
    month = context["month"]
    who = context["agent"] or context["organisation"]
    title = _("Bảng kê thù lao kỳ %(m)s") % {"m": month.strftime("%m/%Y")}
    return f"{title} — {who}" if who else f"{title} — {context['office']}"


def statement_xlsx(context: dict[str, Any]) -> bytes:
    """Two sheets (by organisation and agent; detail lines), openpyxl write_only."""
    result: commissions.Statement = context["statement"]
    book = workbook()

    def header(sheet: Any, titles: list[str]) -> None:
        sheet.append(bold_cells(sheet, titles))

    def money(sheet: Any, value: int | None) -> Any:
        amount = cell(sheet, value)
        amount.number_format = "#,##0"
        return amount

    summary = add_sheet(book, _("Tổng hợp")[:31])
    summary.append([_title(context)])
    for reason in result.reasons:
        summary.append([reason])
    summary.append([])
    header(summary, [_("Tổ chức dịch vụ thu"), _("Tiền người tham gia đóng (đã đối chiếu)"),
                     _("Thù lao"), _("Chưa có mức")])
    for total in result.by_organisation:
        summary.append([total.label, money(summary, total.base), money(summary, total.commission),
                        money(summary, total.unpriced)])
    summary.append([])
    header(summary, [_("Nhân viên thu"), _("Tiền người tham gia đóng (đã đối chiếu)"),
                     _("Thù lao"), _("Chưa có mức")])
    for total in result.by_agent:
        summary.append([total.label, money(summary, total.base), money(summary, total.commission),
                        money(summary, total.unpriced)])
    summary.append([_("Tổng cộng"), money(summary, result.base), money(summary, result.commission),
                    money(summary, result.unpriced)])

    detail = add_sheet(book, _("Chi tiết")[:31])
    header(detail, [_("Tổ chức dịch vụ thu"), _("Nhân viên thu"), _("Sản phẩm"),
                    _("Nhóm người tham gia"), _("Hình thức đóng"), _("Tỷ lệ"),
                    _("Tiền người tham gia đóng"), _("Thù lao")])
    for line in result.lines:
        rate = cell(detail, float(line.rate) if line.rate is not None else None)
        rate.number_format = "0.00%"
        detail.append([line.organisation_label, line.agent_label, line.product_label,
                       line.kind_label, line.mode_label, rate, money(detail, line.base),
                       money(detail, line.commission)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

