from __future__ import annotations

from django.contrib import admin

from .models import Commune, Household, HouseholdPoverty, Person, Province, Village


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin[Province]):
    list_display = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin[Commune]):
    list_display = ["code", "name", "office", "formed_from", "is_island"]
    list_filter = ["office"]
    search_fields = ["name", "name_folded", "code"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin[Village]):
    list_display = ["code", "name", "commune", "former_commune", "remoteness"]
    list_filter = ["commune"]
    search_fields = ["name", "name_folded", "code"]


class PovertyInline(admin.TabularInline[HouseholdPoverty, Household]):
    model = HouseholdPoverty
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin[Household]):
    list_display = ["code", "head_name", "village"]
    search_fields = ["code", "head_name"]
    list_select_related = ["village"]
    raw_id_fields = ["village"]
    inlines = [PovertyInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["full_name", "birth_date", "sex", "ethnicity", "national_id", "village"]
    list_filter = ["si_status", "sex"]
    search_fields = ["name_folded", "national_id"]
    list_select_related = ["village"]
    raw_id_fields = ["village", "household", "created_by"]
