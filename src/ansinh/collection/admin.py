"""Admin: money is read-only here, superusers included (`ReadOnlyAdmin`): receipts, books,
remittances, period closes and commission rates change only through the pages' actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ansinh.core.adminaudit import ReadOnlyAdmin

from .models import CommissionRate, HIMember, PeriodClose, Receipt, ReceiptBook, Remittance


class InsuredInline(admin.TabularInline[HIMember, Receipt]):
    """The members a household-HI receipt insures (read-only, as the receipt)."""

    model = HIMember
    extra = 0
    fields = ("position", "person")
    readonly_fields = ("position", "person")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "paid_on", "product", "person", "amount", "support", "channel",
                    "agent", "period", "reverses"]
    list_filter = ["product", "channel", "period"]
    search_fields = ["number", "person__name_folded", "uuid"]
    list_select_related = ["person", "agent", "reverses"]
    date_hierarchy = "paid_on"
    inlines = [InsuredInline]


@admin.register(ReceiptBook)
class ReceiptBookAdmin(ReadOnlyAdmin):
    list_display = ["series", "first_number", "last_number", "next_number", "agent", "issued_on",
                    "returned_on"]
    list_select_related = ["agent"]


@admin.register(Remittance)
class RemittanceAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "remitted_on", "amount", "status"]
    list_filter = ["status", "organisation"]
    list_select_related = ["organisation"]


@admin.register(PeriodClose)
class PeriodCloseAdmin(ReadOnlyAdmin):
    list_display = ["month", "office", "closed_by", "closed_at"]


@admin.register(CommissionRate)
class CommissionRateAdmin(ReadOnlyAdmin):
    list_display = ["office", "product", "participant_kind", "mode", "rate", "valid_from",
                    "reference"]
    list_filter = ["office", "product"]
