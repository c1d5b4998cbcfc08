from __future__ import annotations

from django.urls import path

from . import duplicate_views, views

app_name = "registry"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("doi-tuong/<int:pk>/", views.person_detail, name="person_detail"),
    path("doi-tuong/<int:pk>/sua/", views.person_edit, name="person_edit"),
    path("doi-tuong/<int:pk>/du-lieu.json", views.person_data, name="person_data"),
    path("ho/<int:pk>/", views.household_detail, name="household_detail"),
    path("xuat.xlsx", views.person_export_xlsx, name="person_export_xlsx"),
    path("xuat.csv", views.person_export, name="person_export"),
    path("xuat/", views.export_start, name="export_start"),
    path("xuat/<int:pk>/", views.export_status, name="export_status"),
    path("xuat/<int:pk>/tai-ve", views.export_download, name="export_download"),
    path("nhap/", views.import_start, name="import_start"),
    path("nhap/mau.xlsx", views.import_template, name="import_template"),
    path("nhap/<int:pk>/", views.import_status, name="import_status"),
    path("nhap/<int:pk>/loi.xlsx", views.import_errors, name="import_errors"),
    path("trung-lap/", duplicate_views.queue, name="duplicate_queue"),
    path("trung-lap/tim/", duplicate_views.scan, name="duplicate_scan"),
    path("trung-lap/<int:pk>/", duplicate_views.compare, name="duplicate_compare"),
    path("trung-lap/<int:pk>/dong-nhap/", duplicate_views.incoming_compare,
         name="incoming_compare"),
    path("gop/<int:pk>/hoan-tac/", duplicate_views.undo, name="merge_undo"),
    path("gop/<int:pk>/da-xem/", duplicate_views.reviewed, name="merge_reviewed"),
]
