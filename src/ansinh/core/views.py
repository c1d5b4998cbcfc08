"""The project's own pages: the sign-in page and `/`, both sending a user where their work is
(`landing.landing_url`), and the office's own settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Field, Q
from django.forms.models import fields_for_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import actions, signin
from .actions import OFFICE_FIELDS
from .landing import landing_url
from .models import AccessEntry, AccessKind, Office, User
from .pages import office_choices, query_without_page, working_office
from .params import FIRST_DAY, LAST_DAY, date_param, id_param
from .permissions import role_required, signed_in
from .scoping import is_admin


class SignIn(auth_views.LoginView):
    """Django's sign-in; without a `next` of this site, the user's role decides. The session
    lasts the office's hours (`signin.session_lifetime`), or, on a shared computer, until the
    browser closes."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if self.request.POST.get(signin.SHARED_COMPUTER):
            self.request.session.set_expiry(0)
        return response

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(landing_url(
        request.user, request.GET.get("next"), host=request.get_host(),
        secure=request.is_secure()))


class OfficeForm(forms.Form):
    """The settings an office keeps itself (`actions.OFFICE_FIELDS`), as the model words them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Office, fields=OFFICE_FIELDS))
        # a plain form runs no model validation: the model's bounds (session_hours 1 to 72)
        # are the form's too, so a wrong value is a form error, not a refusal from full_clean
        for name, field in self.fields.items():
            model_field = Office._meta.get_field(name)
            assert isinstance(model_field, Field)
            field.validators.extend(validator for validator in model_field.validators
                                    if validator not in field.validators)
            for validator in model_field.validators:
                if isinstance(validator, MinValueValidator | MaxValueValidator):
                    attr = "min" if isinstance(validator, MinValueValidator) else "max"
                    field.widget.attrs[attr] = validator.limit_value


@role_required("edit_office")
@require_http_methods(["GET", "POST"])
def office_settings(request: HttpRequest) -> HttpResponse:
    """The office's phone and address (the public calculator's call button) and the heading
    of its printed reports; a director edits their own office, an administrator any."""
    user = signed_in(request)
    office = working_office(request, user)
    form = OfficeForm(request.POST or None,
                      initial={name: getattr(office, name) for name in OFFICE_FIELDS})
    if request.method == "POST" and form.is_valid():
        actions.update_office(office, actor=user,
                              **{name: form.cleaned_data[name] for name in OFFICE_FIELDS})
        messages.success(request, _("Đã lưu thông tin cơ quan."))
        query = f"?office={office.code}" if is_admin(user) else ""
        return redirect(f"{reverse('office_settings')}{query}")
    return render(request, "core/office_settings.html", {
        "form": form, "office": office, "offices": office_choices(user)})


ACCESS_PAGE_SIZE = 50


@role_required("read_access_log")
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who viewed or exported whose personal data (docs/personal-data.md): the office's
    access log, newest first, by user, person, kind and date range. A director reads their
    office's; an administrator any office's, and the rows of no office (their own exports
    across offices, the CLI's)."""
    user = signed_in(request)
    office = working_office(request, user)
    entries = AccessEntry.objects.filter(
        Q(office=office) | Q(office__isnull=True) if is_admin(user) else Q(office=office))
    actors = User.objects.filter(office=office).order_by("username")
    if actor := request.GET.get("user", ""):
        entries = entries.filter(actor__username=actor)
    if person := id_param(request.GET.get("person", "").strip()):
        entries = entries.filter(person_id=person)
    if (kind := request.GET.get("kind")) in AccessKind.values:
        entries = entries.filter(kind=kind)
    if request.GET.get("from"):
        entries = entries.filter(at__date__gte=date_param(request.GET["from"], FIRST_DAY))
    if request.GET.get("to"):
        entries = entries.filter(at__date__lte=date_param(request.GET["to"], LAST_DAY))
    page = Paginator(entries.select_related("actor").order_by("-at", "-id"),
                     ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/access_log.html", {
        "page": page, "office": office, "offices": office_choices(user), "actors": actors,
        "kinds": AccessKind.choices, "filters": request.GET,
        "query_string": query_without_page(request)})
