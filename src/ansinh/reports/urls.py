from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tien-do/", views.progress, name="progress"),
    path("danh-sach/", views.people, name="people"),
    path("xep-hang/", views.ranking, name="ranking"),
    path("tinh/", views.province_view, name="province"),
]
