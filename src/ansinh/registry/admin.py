"""Admin of the register. A person's change goes through `actions.update_person` (its territory
rule, audit row and change number), a household's poverty status through `certify_poverty`;
every other write is audited (`core.adminaudit`), and a household's change moves its members'
change number (the phones hold the household with each person). Nothing with history is deleted
here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ansinh.core.adminaudit import AuditedAdmin, actor_of

from .actions import PERSON_EDITABLE, certify_poverty, update_person
from .changes import touch, touch_households
from .models import Commune, Household, HouseholdPoverty, Person, Province, Village


@admin.register(Province)
class ProvinceAdmin(AuditedAdmin):
    list_display = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(AuditedAdmin):
    list_display = ["code", "name", "office", "formed_from", "is_island"]
    list_filter = ["office"]
    search_fields = ["name", "name_folded", "code"]


@admin.register(Village)
class VillageAdmin(AuditedAdmin):
    list_display = ["code", "name", "commune", "former_commune", "remoteness"]
    list_filter = ["commune"]
    search_fields = ["name", "name_folded", "code"]

    def audit_office_id(self, obj: Any) -> int | None:
        return int(obj.commune.office_id)


class PovertyInline(admin.TabularInline[HouseholdPoverty, Household]):
    """A year's status is certified through `certify_poverty` (replacing that year's entry);
    a certified year is never deleted here."""

    model = HouseholdPoverty
    extra = 0
    can_delete = False
    fields = ["year", "status", "source", "certified_on"]
    readonly_fields = ["certified_on"]


@admin.register(Household)
class HouseholdAdmin(AuditedAdmin):
    list_display = ["code", "head_name", "village"]
    search_fields = ["code", "head_name"]
    list_select_related = ["village"]
    raw_id_fields = ["village"]
    inlines = [PovertyInline]
    exclude = ["office"]  # the office follows the village

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.office_id = obj.village.commune.office_id
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any,
                     change: bool) -> None:
        if formset.model is not HouseholdPoverty:
            super().save_formset(request, form, formset, change)
            return
        actor = actor_of(request)
        assert actor is not None
        for row in formset.save(commit=False):
            certify_poverty(form.instance, year=row.year, status=row.status, source=row.source,
                            actor=actor)

    def touched(self, obj: Any, changes: dict[str, list[Any]]) -> None:
        touch_households([obj.pk])


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    """A change goes through `update_person`; a person added here is audited and numbered for
    the phones like one added on the pages."""

    list_display = ["full_name", "birth_date", "sex", "ethnicity", "national_id", "village"]
    list_filter = ["si_status", "sex"]
    search_fields = ["name_folded", "national_id"]
    list_select_related = ["village"]
    raw_id_fields = ["village", "household"]
    fields = PERSON_EDITABLE

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = actor_of(request)
        assert actor is not None
        if change:
            values = {name: form.cleaned_data[name] for name in form.changed_data
                      if name in PERSON_EDITABLE}
            # from the stored row: the action compares the village and household moved to
            update_person(Person.objects.get(pk=obj.pk), values, actor=actor)
            obj._written_by_action = True
            return
        obj.office_id = obj.village.commune.office_id
        obj.created_by = actor
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        if getattr(form.instance, "_written_by_action", False):
            return  # audited and numbered by the action
        super().save_related(request, form, formsets, change)

    def touched(self, obj: Any, changes: dict[str, list[Any]]) -> None:
        touch(obj.office_id, [obj.pk])
