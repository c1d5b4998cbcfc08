"""The public calculator's forms (GET, so every result has an address that can be shared).

Field errors are written "Vietnamese / English" like the engine's own messages, so a person sees
the same kind of message whichever check refused the input.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.core.fields import DATE_ERROR, FIELD_ERRORS, MonthField, VNDField, within_calendar
from ansinh.policy import ContributionPeriod, ParameterTree
from ansinh.policy.history import COMPULSORY
from ansinh.policy.money import add_months, month_index
from ansinh.rules.presenting import CATEGORY_CHOICES

MODE_CHOICES = [
    ("monthly", _("Hằng tháng")),
    ("quarterly", _("3 tháng một lần")),
    ("half_yearly", _("6 tháng một lần")),
    ("yearly", _("12 tháng một lần")),
    ("advance", _("Đóng trước nhiều năm")),
]
SEX_CHOICES = [("F", _("Nữ")), ("M", _("Nam"))]
GROUND_CHOICES = [
    ("twelve_months_out", _("Nghỉ đóng, không tham gia BHXH")),
    ("retirement_age", _("Đủ tuổi nghỉ hưu mà chưa đủ số năm")),
    ("emigration", _("Ra nước ngoài để định cư")),
    ("illness", _("Mắc bệnh hiểm nghèo")),
    ("disability", _("Suy giảm khả năng lao động nặng")),
]


def ground_choices(tree: ParameterTree, on: date) -> list[tuple[str, Any]]:
    """The grounds, the months-out one naming the months in force on ``on``."""
    pv = tree.find("lump_sum.grounds", on)
    rule = pv.value.get("twelve_months_out") if pv and isinstance(pv.value, dict) else None
    gap = rule.get("gap_months") if isinstance(rule, dict) else None
    if not isinstance(gap, int):
        return list(GROUND_CHOICES)
    label = _("Nghỉ đóng đủ %(months)d tháng") % {"months": gap}
    return [("twelve_months_out", label), *GROUND_CHOICES[1:]]


COMPULSORY_SALARY_ERROR = _("Hãy nhập mức lương đã đóng BHXH bắt buộc (xem trên VssID)")
BIRTH_ERROR = ("Năm sinh hoặc tháng sinh không hợp lệ, ví dụ 1985 hoặc 03/1985 / "
               "invalid birth year or month, e.g. 1985 or 03/1985")


class BirthField(forms.CharField):
    """Year (1985: 1 January, as VSS does for a year of birth only) or month (03/1985, 1985-03)."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if re.fullmatch(r"\d{4}", text):
            year, month = int(text), 1
        else:
            m = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(
                r"(\d{1,2})/(\d{4})", text)
            if not m:
                raise forms.ValidationError(BIRTH_ERROR, code="invalid")
            a, b = m.groups()
            year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if not 1 <= month <= 12 or not 1900 <= year <= 2100:
            raise forms.ValidationError(BIRTH_ERROR, code="invalid")
        return date(year, month, 1)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": DATE_ERROR}, validators=[within_calendar],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _vnd_field(label: Any) -> VNDField:
    return VNDField(label=label, required=False,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class PayForm(forms.Form):
    income = _vnd_field(_("Mức thu nhập bạn chọn để đóng (đồng/tháng)"))
    category = forms.ChoiceField(label=_("Bạn thuộc nhóm"), choices=CATEGORY_CHOICES,
                                 error_messages=FIELD_ERRORS)
    mode = forms.ChoiceField(label=_("Cách đóng"), choices=MODE_CHOICES,
                             error_messages=FIELD_ERRORS)
    years = forms.IntegerField(label=_("Số năm đóng trước"), required=False, min_value=0,
                               max_value=99,
                               error_messages=FIELD_ERRORS)
    on = _date_field(_("Tính cho ngày"))

    DEFAULTS = {"category": "other", "mode": "monthly"}


class PathForm(forms.Form):
    """A contribution path: what the person has paid so far and what they will pay."""

    sex = forms.ChoiceField(label=_("Giới tính"), choices=SEX_CHOICES, widget=forms.RadioSelect,
                            error_messages=FIELD_ERRORS)
    birth = BirthField(label=_("Năm sinh hoặc tháng/năm sinh"), error_messages=FIELD_ERRORS,
                       widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                     "placeholder": "1985 / 03/1985"}))
    category = forms.ChoiceField(label=_("Bạn thuộc nhóm"), choices=CATEGORY_CHOICES,
                                 error_messages=FIELD_ERRORS)
    paid_years = forms.IntegerField(label=_("Đã đóng mấy năm"), min_value=0, max_value=60,
                                    required=False, error_messages=FIELD_ERRORS)
    paid_months = forms.IntegerField(label=_("và mấy tháng"), min_value=0, max_value=11,
                                     required=False, error_messages=FIELD_ERRORS)
    past_income = _vnd_field(_("Mức thu nhập đã chọn để đóng (đồng/tháng)"))
    future_income = _vnd_field(_("Mức thu nhập sẽ chọn để đóng tiếp (đồng/tháng)"))
    # the optional step "I had compulsory SI": the years of a job, as VssID shows them
    compulsory_years = forms.IntegerField(label=_("Mấy năm bắt buộc"), min_value=0,
                                          max_value=50, required=False,
                                          error_messages=FIELD_ERRORS)
    compulsory_months = forms.IntegerField(label=_("và mấy tháng"), min_value=0, max_value=11,
                                           required=False, error_messages=FIELD_ERRORS)
    compulsory_salary = _vnd_field(_("Mức lương đóng BHXH bắt buộc, bình quân (đồng/tháng)"))
    compulsory_end = MonthField(label=_("Tháng cuối cùng đóng BHXH bắt buộc"), required=False,
                                widget=forms.TextInput(attrs={"type": "month"}))

    DEFAULTS = {"category": "other"}
    COMPULSORY_FIELDS = ("compulsory_years", "compulsory_months", "compulsory_salary",
                         "compulsory_end")

    @property
    def paid(self) -> int:
        """Voluntary months paid so far."""
        return 12 * (self.cleaned_data.get("paid_years") or 0) + (
            self.cleaned_data.get("paid_months") or 0)

    @property
    def compulsory(self) -> int:
        """Compulsory months the person had (the optional step; 0 when skipped)."""
        return 12 * (self.cleaned_data.get("compulsory_years") or 0) + (
            self.cleaned_data.get("compulsory_months") or 0)

    @property
    def compulsory_open(self) -> bool:
        """Whether the optional step shows open: something entered in it, or an error there."""
        return any(self[name].value() or self[name].errors for name in self.COMPULSORY_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.compulsory and not cleaned.get("compulsory_salary") and \
                "compulsory_salary" not in self.errors:
            self.add_error("compulsory_salary", COMPULSORY_SALARY_ERROR)
        return cleaned


class PensionForm(PathForm):
    start = MonthField(label=_("Đóng tiếp từ tháng"), required=False,
                       widget=forms.TextInput(attrs={"type": "month"}))


class CashOutForm(PathForm):
    last_paid = MonthField(label=_("Tháng cuối cùng bạn đã đóng"), required=False,
                           widget=forms.TextInput(attrs={"type": "month"}))
    claim_on = _date_field(_("Ngày định nộp hồ sơ rút"))
    ground = forms.ChoiceField(label=_("Lý do rút"), choices=GROUND_CHOICES,
                               error_messages=FIELD_ERRORS)

    DEFAULTS = {"category": "other", "ground": "twelve_months_out"}

    def __init__(self, *args: Any, tree: ParameterTree | None = None, on: date | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tree is not None and on is not None:
            self.fields["ground"].choices = ground_choices(tree, on)  # type: ignore[attr-defined]


def with_defaults(data: Any, defaults: dict[str, str]) -> dict[str, Any]:
    """The GET data with ``defaults`` for missing or empty keys (a first visit is a valid form)."""
    merged: dict[str, Any] = {key: data.get(key) for key in data}
    for key, value in defaults.items():
        if not merged.get(key):
            merged[key] = value
    return merged


def past_period(months: int, last: date, income: int, category: str) -> list[ContributionPeriod]:
    """``months`` contribution months ending with the month of ``last``."""
    if months <= 0:
        return []
    return [ContributionPeriod(add_months(last, 1 - months), last.replace(day=1), income,
                               category)]


def compulsory_period(months: int, end: date, salary: int) -> ContributionPeriod:
    """``months`` compulsory months at ``salary`` ending with the month of ``end``."""
    return ContributionPeriod(add_months(end, 1 - months), end.replace(day=1), salary,
                              kind=COMPULSORY)


def plan_period(first: date, last: date, income: int, category: str) -> list[ContributionPeriod]:
    """Months ``first``..``last`` (nothing if ``first`` is after ``last``)."""
    if month_index(first) > month_index(last):
        return []
    return [ContributionPeriod(first.replace(day=1), last.replace(day=1), income, category)]
