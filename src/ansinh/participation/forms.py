"""Forms of the participation pages: enrol, change terms, pause, resume, stop.

Forms only parse what was typed; the rules (income bounds, period boundaries, eligibility) are
checked by the actions, whose refusals the views show as form errors.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ansinh.core.fields import AMOUNT_ERROR, REQUIRED_ERROR, MonthField, VNDField
from ansinh.network.models import Agent
from ansinh.policy.money import add_months

from .models import PaymentMode, StopReason


def _years(n: int) -> str:
    return gettext("%(n)d năm") % {"n": n}


# Worded when shown, in the page's language (a `%` at import time fixed the words in
# Vietnamese for every page).
YEAR_CHOICES = [("", "—")] + [(str(y), lazy(_years, str)(y)) for y in range(2, 6)]
REQUIRED = REQUIRED_ERROR


def _month_choices(first: date, count: int) -> list[tuple[str, str]]:
    return [(f"{m:%Y-%m}", f"{m:%m/%Y}") for m in (add_months(first, i) for i in range(count))]


class TermsFields(forms.Form):
    """Declared income, payment mode and (for the advance mode) the years paid ahead."""

    income = VNDField(label=_("Thu nhập làm căn cứ đóng (đồng/tháng)"),
                      error_messages={"required": REQUIRED, "invalid": AMOUNT_ERROR},
                      widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                    "autocomplete": "off"}))
    mode = forms.ChoiceField(label=_("Phương thức đóng"), choices=PaymentMode.choices,
                             initial=PaymentMode.MONTHLY)
    advance_years = forms.TypedChoiceField(label=_("Số năm đóng trước"), choices=YEAR_CHOICES,
                                           coerce=int, empty_value=None, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == PaymentMode.ADVANCE and not cleaned.get("advance_years"):
            self.add_error("advance_years", _("Chọn số năm đóng trước (2–5)"))
        if cleaned.get("mode") != PaymentMode.ADVANCE:
            cleaned["advance_years"] = None
        return cleaned


class EnrolForm(TermsFields):
    """Đăng ký tham gia: the start month is the enrolment month or the next (the action checks)."""

    start_month = forms.ChoiceField(label=_("Tháng bắt đầu đóng"))
    agent = forms.ModelChoiceField(label=_("Nhân viên thu phụ trách"),
                                   queryset=Agent.objects.none(), required=False,
                                   empty_label=_("— chưa chọn —"))
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    field_order = ["start_month", "income", "mode", "advance_years", "agent", "client_uuid"]

    def __init__(self, *args: Any, today: date, agents: QuerySet[Agent] | None, **kwargs: Any):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_uuid", uuid.uuid4())
        kwargs["initial"].setdefault("start_month", f"{today:%Y-%m}")
        super().__init__(*args, **kwargs)
        self.fields["start_month"].choices = (  # type: ignore[attr-defined]
            _month_choices(today.replace(day=1), 2))
        if agents is None:  # an agent enrols for themselves
            del self.fields["agent"]
        else:
            self.fields["agent"].queryset = agents  # type: ignore[attr-defined]
            self.fields["agent"].label_from_instance = (  # type: ignore[attr-defined]
                lambda a: f"{a.user.display_name} ({a.code})")

    def clean_start_month(self) -> date:
        year, month = self.cleaned_data["start_month"].split("-")
        return date(int(year), int(month), 1)


class ChangeTermsForm(TermsFields):
    from_month = MonthField(label=_("Áp dụng từ tháng"),
                            widget=forms.TextInput(attrs={"type": "month"}),
                            error_messages={"required": REQUIRED})


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do tạm dừng"), max_length=200, required=False)


class ResumeForm(forms.Form):
    from_month = MonthField(label=_("Đóng tiếp từ tháng"),
                            widget=forms.TextInput(attrs={"type": "month"}),
                            error_messages={"required": REQUIRED})
    income = VNDField(label=_("Thu nhập mới (để trống: giữ nguyên)"), required=False,
                      widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    mode = forms.ChoiceField(label=_("Phương thức đóng"), required=False,
                             choices=[("", _("— giữ nguyên —")), *PaymentMode.choices])
    advance_years = forms.TypedChoiceField(label=_("Số năm đóng trước"), choices=YEAR_CHOICES,
                                           coerce=int, empty_value=None, required=False)


class StopForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do dừng tham gia"), choices=StopReason.choices)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)
