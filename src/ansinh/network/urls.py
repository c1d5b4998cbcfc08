from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "network"
urlpatterns: list[URLPattern] = [
    path("", views.targets, name="targets"),
    path("co-quan/", views.set_office_target, name="set_office_target"),
    path("<int:pk>/phan-bo/<str:kind>/", views.allocate, name="allocate"),
    path("<int:pk>/lich-su/", views.history, name="history"),
    path("khen-thuong/", views.rewards, name="rewards"),
    path("khen-thuong/moi/", views.reward_new, name="reward_new"),
    path("ban-giao/", views.handover, name="handover"),
]
