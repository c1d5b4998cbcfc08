from __future__ import annotations

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("bien-lai/", views.receipt_list, name="receipt_list"),
    path("bien-lai/moi/", views.receipt_new, name="receipt_new"),
    path("bien-lai/moi/bhyt/", views.receipt_hi_new, name="receipt_hi_new"),
    path("bien-lai/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("bien-lai/<int:pk>/in/", views.receipt_print, name="receipt_print"),
    path("bien-lai/<int:pk>/huy/", views.receipt_reverse, name="receipt_reverse"),
    path("quyen-bien-lai/", views.books, name="books"),
    path("quyen-bien-lai/<int:pk>/thu-hoi/", views.book_return, name="book_return"),
    path("nop-tien/", views.remittances, name="remittances"),
    path("nop-tien/<int:pk>/xac-nhan/", views.remittance_confirm, name="remittance_confirm"),
    path("doi-chieu/", views.reconciliation_page, name="reconciliation"),
    path("doi-chieu/khoa-so/", views.period_close, name="period_close"),
    path("xuat/nguoi-tham-gia.xlsx", views.export_participants, name="export_participants"),
    path("xuat/danh-sach-thu.xlsx", views.export_collections, name="export_collections"),
]
