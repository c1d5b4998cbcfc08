from __future__ import annotations

from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("ngoai-tuyen/", views.offline, name="offline"),
]
