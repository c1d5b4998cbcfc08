from __future__ import annotations

from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("buoi/moi/", views.event_create, name="event_create"),
    path("buoi/<int:pk>/", views.event_detail, name="event_detail"),
    path("buoi/<int:pk>/sua/", views.event_edit, name="event_edit"),
    path("buoi/<int:pk>/tim/", views.event_search, name="event_search"),
    path("buoi/<int:pk>/them/", views.event_add, name="event_add"),
    path("buoi/<int:pk>/nguoi-moi/", views.event_new_person, name="event_new_person"),
    path("tham-du/<int:pk>/", views.attendance_outcome, name="attendance_outcome"),
    path("tiep-xuc/moi/<int:person_pk>/", views.contact_new, name="contact_new"),
    path("tiep-xuc/<int:pk>/xong/", views.follow_up_done, name="follow_up_done"),
    path("viec-can-lam/", views.worklist_view, name="worklist"),
    path("hieu-qua/", views.funnel_view, name="funnel"),
    path("doi-tuong/", views.prospect_list, name="prospect_list"),
    path("to-roi.pdf", views.leaflet_pdf, name="leaflet_pdf"),
    path("to-roi/", views.leaflet_templates, name="leaflet_templates"),
]
