from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ansinh.api.main import api
from ansinh.core import views as core_views
from ansinh.field import views as field_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dang-nhap/", core_views.SignIn.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("co-quan/", core_views.office_settings, name="office_settings"),
    path("co-quan/nhat-ky-truy-cap/", core_views.access_log, name="access_log"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("so-doi-tuong/", include("ansinh.registry.urls")),
    path("tinh/", include("ansinh.calculator.urls")),
    path("tham-gia/", include("ansinh.collection.urls_participation")),
    path("thu/", include("ansinh.collection.urls")),
    path("nhac/", include("ansinh.reminders.urls")),
    path("van-dong/", include("ansinh.outreach.urls")),
    path("tu-van/", include("ansinh.retention.urls")),
    path("bao-cao/", include("ansinh.reports.urls")),
    path("chi-tieu/", include("ansinh.network.urls")),
    path("thuc-dia/xung-dot/", include("ansinh.field.urls_conflicts")),
    path("thiet-bi/", field_views.devices, name="devices"),
    path("thiet-bi/<int:pk>/thu-hoi/", field_views.device_revoke, name="device_revoke"),
    path("api/", api.urls),
    path("sw.js", field_views.service_worker, name="service_worker"),
    # the offline field app (docs/field-sync.md): its shell and manifest, served from the root
    # so the service worker's scope covers every field page
    path("thuc-dia/", field_views.app, name="field_app"),
    path("thuc-dia/manifest.webmanifest", field_views.manifest, name="field_manifest"),
]
