from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ansinh.core.fields import DateField as CalendarDateField
from ansinh.core.models import User
from ansinh.network.models import CollectionOrganisation
from ansinh.registry.models import Sex, Village
from ansinh.registry.reference import ETHNIC_GROUPS

from .models import Channel, EventKind, LeafletLanguage, Objection, Outcome, Partner

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hình thức"), choices=EventKind.choices)
    held_on = CalendarDateField(label=_("Ngày"), widget=DATE)
    village = forms.ModelChoiceField(label=_("Thôn"), queryset=Village.objects.none())
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)
    title = forms.CharField(label=_("Tiêu đề"), max_length=200, required=False)
    organisers = forms.ModelMultipleChoiceField(
        label=_("Cán bộ, nhân viên thu tổ chức"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    organisation = forms.ModelChoiceField(label=_("Tổ chức dịch vụ thu"),
                                          queryset=CollectionOrganisation.objects.none(),
                                          required=False)
    partners = forms.MultipleChoiceField(label=_("Đơn vị phối hợp"), choices=Partner.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)
    leaflets = forms.IntegerField(label=_("Số tờ rơi phát"), min_value=0, initial=0)
    cost = forms.IntegerField(label=_("Chi phí (đồng)"), min_value=0, initial=0)
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)

    def __init__(self, *args: Any, villages: QuerySet[Village], users: QuerySet[User],
                 organisations: QuerySet[CollectionOrganisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages.select_related("commune")  # type: ignore[attr-defined]
        self.fields["organisers"].queryset = users  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    """The few taps of a visit: channel, outcome, maybe an objection and a follow-up date."""

    on = CalendarDateField(label=_("Ngày"), widget=DATE)
    channel = forms.ChoiceField(label=_("Hình thức"), widget=forms.RadioSelect,
                                choices=[c for c in Channel.choices if c[0] != Channel.EVENT])
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.choices,
                                widget=forms.RadioSelect)
    objection = forms.ChoiceField(label=_("Lý do chưa tham gia"), required=False,
                                  choices=[("", "—"), *Objection.choices])
    next_follow_up_on = CalendarDateField(label=_("Hẹn gặp lại ngày"), required=False,
                                        widget=DATE)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
    uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome, objection = data.get("outcome"), data.get("objection")
        if outcome == Outcome.NOT_INTERESTED and not objection:
            self.add_error("objection", _("Chọn lý do chưa tham gia"))
        if outcome == Outcome.FOLLOW_UP and not data.get("next_follow_up_on"):
            self.add_error("next_follow_up_on", _("Chọn ngày hẹn gặp lại"))
        follow = data.get("next_follow_up_on")
        on = data.get("on")
        if isinstance(follow, date) and isinstance(on, date) and follow < on:
            self.add_error("next_follow_up_on", _("Ngày hẹn phải sau ngày tiếp xúc"))
        return data


class AttendanceOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.choices)
    objection = forms.ChoiceField(label=_("Lý do"), required=False,
                                  choices=[("", "—"), *Objection.choices])
    next_follow_up_on = CalendarDateField(label=_("Hẹn gặp lại"), required=False, widget=DATE)


class NewPersonForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1930, max_value=2030)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(label=_("Dân tộc"), choices=ETHNIC_GROUPS, initial="01")
    phone = forms.CharField(label=_("Điện thoại"), max_length=15, required=False)
    national_id = forms.CharField(label=_("Số định danh"), max_length=12, required=False)
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)


class LeafletTemplateForm(forms.Form):
    # Chosen by the page's language links, so that the text shown is the text saved.
    language = forms.ChoiceField(label=_("Ngôn ngữ"), choices=LeafletLanguage.choices,
                                 widget=forms.HiddenInput)
    title = forms.CharField(label=_("Tiêu đề"), max_length=200)
    body = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 24}))
