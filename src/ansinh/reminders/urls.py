from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "reminders"
urlpatterns: list[URLPattern] = [
    path("", views.outbox, name="outbox"),
    path("mau-tin/", views.templates, name="templates"),
    path("danh-sach-thon/", views.village_list, name="village_list"),
]
