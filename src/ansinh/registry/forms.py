from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import check_national_id, check_si_number, normalize_national_id
from .models import Person


class PersonForm(forms.ModelForm[Person]):
    class Meta:
        model = Person
        fields = ["full_name", "birth_date", "birth_year_only", "sex", "ethnicity", "local_group",
                  "national_id", "si_number", "phone", "relation_to_head", "si_status",
                  "si_status_source", "si_status_as_of"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "si_status_as_of": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_national_id(self) -> str | None:
        return normalize_national_id(self.cleaned_data.get("national_id")) or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = data.get("birth_date")
        if born and born > timezone.localdate():
            self.add_error("birth_date", _("Ngày sinh ở tương lai / Birth date is in the future"))
        national_id = data.get("national_id")
        if national_id and born:
            for reason in check_national_id(national_id, sex=data.get("sex"),
                                            birth_year=born.year):
                self.add_error("national_id", reason)
        if data.get("si_number"):
            for reason in check_si_number(data["si_number"]):
                self.add_error("si_number", reason)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV hoặc XLSX"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, không ghi"), required=False)
    skip_invalid = forms.BooleanField(label=_("Ghi các dòng hợp lệ, bỏ qua dòng lỗi"),
                                      required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx / Only .csv or .xlsx"))
        return upload
