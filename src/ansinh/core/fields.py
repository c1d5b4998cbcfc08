"""Form fields the pages share: amounts in đồng and calendar months, typed the way people
write them, with errors in the page's language (a page shows one language)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

AMOUNT_ERROR = _("Nhập số tiền bằng chữ số, ví dụ 2.000.000")
REQUIRED_ERROR = _("Cần điền mục này")
DATE_ERROR = _("Ngày không hợp lệ (ngày/tháng/năm)")
MONTH_ERROR = _("Tháng không hợp lệ, ví dụ 2026-11")
NUMBER_ERROR = _("Nhập một số nguyên")
CHOICE_ERROR = _("Lựa chọn không hợp lệ")
AMOUNT_TOO_LARGE = _("Số tiền quá lớn")
DATE_RANGE_ERROR = _("Ngày phải trong khoảng từ năm 1900 đến năm 2100")
# An amount beyond any contribution or benefit (a thousand billion đồng): larger ones are typos
# or attacks, and would overflow the database's integers.
MAX_AMOUNT = 10**15
FIELD_ERRORS = {"required": REQUIRED_ERROR, "invalid": NUMBER_ERROR, "invalid_choice": CHOICE_ERROR,
           "min_value": NUMBER_ERROR, "max_value": NUMBER_ERROR}


class VNDField(forms.CharField):
    """An amount in đồng, typed the way people write it: 2000000, 2.000.000, 2,000,000 ₫."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        digits = re.sub(r"[\s.,_₫đ]|vnd|VND|đồng", "", text)
        if not digits.isascii() or not digits.isdecimal():  # "²" is a digit to isdigit()
            raise forms.ValidationError(AMOUNT_ERROR, code="invalid")
        if len(digits) > 16 or int(digits) > MAX_AMOUNT:
            raise forms.ValidationError(AMOUNT_TOO_LARGE, code="max_value")
        return int(digits)


class MonthField(forms.CharField):
    """A calendar month: 2026-11 (what <input type=month> sends) or 11/2026."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
        if not m:
            raise forms.ValidationError(MONTH_ERROR, code="invalid")
        a, b = m.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if not 1 <= month <= 12 or not 1900 <= year <= 2100:
            raise forms.ValidationError(MONTH_ERROR, code="invalid")
        return date(year, month, 1)


def within_calendar(value: date | None) -> None:
    """A date field's bounds: 1900 to 2100 (a year 1 or 9999 leaves the calendar arithmetic
    of months and periods)."""
    if value is not None and not date(1900, 1, 1) <= value <= date(2100, 12, 31):
        raise forms.ValidationError(DATE_RANGE_ERROR, code="out_of_range")


class DateField(forms.DateField):
    """Django's DateField within the calendar the app computes in (1900–2100): every form's
    date is one, so a year 9999 typed into any form is a form error, never a server error."""

    default_validators = [within_calendar]
