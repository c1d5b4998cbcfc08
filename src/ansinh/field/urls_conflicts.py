from __future__ import annotations

from django.urls import path

from . import views

app_name = "sync_conflicts"
urlpatterns = [
    path("", views.conflicts, name="list"),
    path("<int:pk>/xu-ly/", views.resolve, name="resolve"),
]
