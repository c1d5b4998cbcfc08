from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.core.fields import DateField as CalendarDateField
from ansinh.core.models import Office, Role, User
from ansinh.core.periods import parse_period

from .models import CollectionOrganisation, RecipientKind


class PeriodField(forms.CharField):
    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        try:
            return parse_period(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Kỳ viết như 2026, 2026-Q3 hoặc 2026-07")) from exc


class TargetForm(forms.Form):
    value = forms.IntegerField(label=_("Chỉ tiêu"), min_value=0)
    effective_on = CalendarDateField(label=_("Áp dụng từ ngày"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Lý do / căn cứ"), max_length=200, required=False)


class AllocationForm(forms.Form):
    """One number per child unit, plus the date and reason of the split."""

    effective_on = CalendarDateField(label=_("Áp dụng từ ngày"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Lý do / căn cứ"), max_length=200, required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str, int | None]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.unit_ids = [unit_id for unit_id, _name, _value in units]
        for unit_id, name, value in units:
            self.fields[f"unit_{unit_id}"] = forms.IntegerField(
                label=name, min_value=0, required=False, initial=value)

    def values(self) -> dict[int, int]:
        return {unit_id: self.cleaned_data[f"unit_{unit_id}"] for unit_id in self.unit_ids
                if self.cleaned_data.get(f"unit_{unit_id}") is not None}

    def unit_fields(self) -> list[forms.BoundField]:
        return [self[f"unit_{unit_id}"] for unit_id in self.unit_ids]


class RewardForm(forms.Form):
    recipient_kind = forms.ChoiceField(label=_("Đối tượng khen"), choices=RecipientKind.choices)
    recipient_name = forms.CharField(label=_("Tên tập thể / cá nhân"), max_length=200)
    organisation = forms.ModelChoiceField(label=_("Tổ chức dịch vụ thu"), required=False,
                                          queryset=CollectionOrganisation.objects.none())
    person = forms.ModelChoiceField(label=_("Cá nhân"), required=False,
                                    queryset=User.objects.none())
    title = forms.CharField(label=_("Hình thức khen thưởng"), max_length=120,
                            initial="Giấy khen của Giám đốc BHXH cơ sở")
    reason = forms.CharField(label=_("Thành tích"), max_length=300)
    period = PeriodField(label=_("Kỳ xét"), required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = CalendarDateField(label=_("Ngày quyết định"), initial=timezone.localdate,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    figures = forms.CharField(label=_("Số liệu làm căn cứ (JSON)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    unit = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, office: Office, **kwargs: Any):
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = CollectionOrganisation.objects.filter(office=office)
        person_field = self.fields["person"]
        assert isinstance(person_field, forms.ModelChoiceField)
        person_field.queryset = User.objects.filter(
            office=office, role__in=(Role.STAFF, Role.AGENT)).order_by("username")

    def clean_figures(self) -> dict[str, Any]:
        text = self.cleaned_data.get("figures") or ""
        if not text.strip():
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Số liệu phải là JSON hợp lệ")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Số liệu phải là JSON hợp lệ"))
        return value


def _user_label(user: User) -> str:
    return f"{user.username} — {user.display_name}"


class HandoverForm(forms.Form):
    leaving = forms.ModelChoiceField(label=_("Người nghỉ / chuyển công tác"),
                                     queryset=User.objects.none())
    substitute = forms.ModelChoiceField(label=_("Người thay thế"), queryset=User.objects.none())
    on = CalendarDateField(label=_("Bàn giao từ ngày"), initial=timezone.localdate,
                         widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, office: Office, **kwargs: Any):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(office=office, role__in=(Role.STAFF, Role.AGENT),
                                    is_active=True).order_by("username")
        for name in ("leaving", "substitute"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = users
            field.label_from_instance = _user_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("leaving") and data.get("leaving") == data.get("substitute"):
            raise forms.ValidationError(_("Người thay thế phải là người khác"))
        return data
