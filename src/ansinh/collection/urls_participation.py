from __future__ import annotations

from django.urls import path

from . import participant_views as views

app_name = "participation"
urlpatterns = [
    path("", views.participation_list, name="list"),
    path("<int:pk>/", views.participation_detail, name="detail"),
    path("<int:pk>/doi-muc-dong/", views.change_terms, name="change_terms"),
    path("<int:pk>/tam-dung/", views.pause, name="pause"),
    path("<int:pk>/dong-tiep/", views.resume, name="resume"),
    path("<int:pk>/dung/", views.stop, name="stop"),
    path("<int:pk>/to-khai-TK1-TS.pdf", views.declaration_pdf, name="declaration_pdf"),
    path("dang-ky/<int:person_id>/", views.enrol, name="enrol"),
    path("cham-dong/", views.lapses, name="lapses"),
    path("cham-dong/chay/", views.run_lapses, name="run_lapses"),
]
