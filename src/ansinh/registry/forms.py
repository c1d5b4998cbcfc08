from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.core.fields import DateField as CalendarDateField

from .identity import check_national_id, check_si_number, normalize_national_id
from .models import Household, Person, Village
from .reading import MIB, upload_limits


class VillageChoiceField(forms.ModelChoiceField[Village]):
    def label_from_instance(self, obj: Village) -> str:
        return f"{obj.commune.name} — {obj.name}"


class PersonForm(forms.ModelForm[Person]):
    """A person's record. The village and the household are chosen inside `territory`, the
    villages the editing user may write: a value from outside is not a valid choice."""

    village = VillageChoiceField(
        queryset=Village.objects.none(), label=_("Thôn"),
        error_messages={"invalid_choice": _("Thôn này ngoài địa bàn của bạn / "
                                            "This village is outside your territory")},
    )
    # typed as a code: an office has too many households for a drop-down list
    household = forms.ModelChoiceField(
        queryset=Household.objects.none(), to_field_name="code", required=False,
        label=_("Mã hộ"), widget=forms.TextInput,
        error_messages={"invalid_choice": _("Không có hộ này trong địa bàn của bạn / "
                                            "No such household in your territory")},
    )

    class Meta:
        model = Person
        fields = ["full_name", "birth_date", "birth_year_only", "sex", "ethnicity", "local_group",
                  "national_id", "si_number", "phone", "village", "household",
                  "relation_to_head", "si_status", "si_status_source", "si_status_as_of"]
        field_classes = {"birth_date": CalendarDateField, "si_status_as_of": CalendarDateField}
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "si_status_as_of": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, territory: QuerySet[Village], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village = self.fields["village"]
        assert isinstance(village, forms.ModelChoiceField)
        village.queryset = territory.select_related("commune").order_by("commune__code", "name")
        household = self.fields["household"]
        assert isinstance(household, forms.ModelChoiceField)
        within = Q(village__in=territory)
        if self.instance.household_id:
            # the person's own household stays a valid choice, wherever it lies
            within |= Q(pk=self.instance.household_id)
            self.initial["household"] = self.instance.household.code  # type: ignore[union-attr]
        household.queryset = Household.objects.filter(within)

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
        limit = upload_limits().max_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(max)s MB) / The file is too large (at most %(max)s MB)")
                % {"max": limit // MIB})
        return upload
