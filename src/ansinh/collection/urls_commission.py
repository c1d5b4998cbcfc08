"""Commission pages under /thu/thu-lao/ (merged into the "collection" namespace by urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import commission_views

urlpatterns: list[URLPattern] = [
    path("thu-lao/muc/", commission_views.rates, name="commission_rates"),
    path("thu-lao/bang-ke/", commission_views.statement, name="commission_statement"),
]
