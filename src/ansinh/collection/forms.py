"""Forms of the money pages. They parse what was typed; the actions check the rules."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ansinh.core.fields import (
    AMOUNT_ERROR,
    DATE_ERROR,
    REQUIRED_ERROR,
    MonthField,
    VNDField,
    within_calendar,
)
from ansinh.network.models import Agent
from ansinh.registry.models import Person

from .models import Channel

REQUIRED = REQUIRED_ERROR
MONTHS_ERROR = _("Chọn ít nhất một kỳ để thu")


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           error_messages={"invalid": DATE_ERROR, "required": REQUIRED},
                           validators=[within_calendar],
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def parse_months(values: list[str]) -> list[date]:
    """The months of the ticked periods: each checkbox carries "2026-01-01,2026-02-01,…"."""
    months: list[date] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                months.append(date.fromisoformat(part.strip()))
    return sorted(set(months))


class _Payment(forms.Form):
    amount = VNDField(label=_("Số tiền thu (đồng)"),
                      error_messages={"required": REQUIRED, "invalid": AMOUNT_ERROR},
                      widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                    "autocomplete": "off"}))
    channel = forms.ChoiceField(label=_("Hình thức nộp"), choices=Channel.choices,
                                initial=Channel.CASH, widget=forms.RadioSelect)
    paid_on = _date_field(_("Ngày nộp"))
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        # made when the form is shown: a second submit of the same page carries the same id
        kwargs["initial"].setdefault("client_uuid", uuid.uuid4())
        kwargs["initial"].setdefault("paid_on", today)
        super().__init__(*args, **kwargs)


class ReceiptForm(_Payment):
    """Biên lai BHXH tự nguyện: the ticked periods of one participation."""

    period = forms.MultipleChoiceField(label=_("Kỳ đóng"), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, periods: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods  # type: ignore[attr-defined]

    def clean_period(self) -> list[date]:
        months = parse_months(self.cleaned_data.get("period") or [])
        if not months:
            raise forms.ValidationError(MONTHS_ERROR)
        return months


class HIReceiptForm(_Payment):
    """Biên lai BHYT hộ gia đình: the members insured (ticked among the household's, in the
    ladder's order as listed), months and the first month of the cards."""

    payer = forms.ModelChoiceField(label=_("Người nộp"), queryset=Person.objects.none(),
                                   error_messages={"required": REQUIRED})
    members = forms.ModelMultipleChoiceField(
        label=_("Người tham gia BHYT"), queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một người tham gia BHYT")})
    months = forms.TypedChoiceField(label=_("Số tháng"), coerce=int, initial=12,
                                    choices=[(3, "3"), (6, "6"), (12, "12")],
                                    widget=forms.RadioSelect)
    first_month = MonthField(label=_("Từ tháng"), widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"required": REQUIRED})

    def __init__(self, *args: Any, members: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = members  # type: ignore[attr-defined]
        self.fields["members"].queryset = members  # type: ignore[attr-defined]
        self.fields["members"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.full_name} · {p.birth_display}")


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=200,
                             error_messages={"required": REQUIRED})


class BookForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Nhân viên thu"), queryset=Agent.objects.none(),
                                   error_messages={"required": REQUIRED})
    series = forms.CharField(label=_("Ký hiệu"), max_length=20)
    first_number = forms.IntegerField(label=_("Từ số"), min_value=1)
    last_number = forms.IntegerField(label=_("Đến số"), min_value=1)
    issued_on = _date_field(_("Ngày cấp"))

    def __init__(self, *args: Any, agents: QuerySet[Agent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents  # type: ignore[attr-defined]
        self.fields["agent"].label_from_instance = (  # type: ignore[attr-defined]
            lambda a: f"{a.user.display_name} ({a.code})")


class RemitForm(forms.Form):
    number = forms.CharField(label=_("Số chứng từ nộp tiền"), max_length=30)
    remitted_on = _date_field(_("Ngày nộp"))
    receipts = forms.TypedMultipleChoiceField(coerce=int, required=True,
                                              error_messages={"required": REQUIRED})
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, receipt_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receipts"].choices = [(i, str(i)) for i in receipt_ids]  # type: ignore


class CloseForm(forms.Form):
    month = MonthField(label=_("Kỳ khóa sổ"), error_messages={"required": REQUIRED})
