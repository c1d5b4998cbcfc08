from __future__ import annotations

from django.urls import path

from . import views

app_name = "calculator"
urlpatterns = [
    path("", views.home, name="home"),
    path("dong-bao-nhieu/", views.pay, name="pay"),
    path("nhan-gi/", views.benefits, name="benefits"),
    path("rut-mot-lan/", views.cash_out, name="cash_out"),
    path("phieu-tu-van.pdf", views.sheet, name="sheet"),
]
