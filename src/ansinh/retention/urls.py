from __future__ import annotations

from django.urls import path

from . import history_views, views

app_name = "retention"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("mo/", views.case_open, name="case_open"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/phieu.pdf", views.case_sheet, name="case_sheet"),
    path("duy-tri/", views.persistence_view, name="persistence"),
    path("qua-trinh/<int:pk>/", history_views.si_history, name="si_history"),
]
