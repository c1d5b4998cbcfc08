"""Admin: money is read-only here. Receipts are recorded and reversed through the pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import PeriodClose, Receipt, ReceiptBook, Remittance


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Money rows are append-only: no add, change or delete from the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
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
