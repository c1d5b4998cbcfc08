"""Small helpers that pages share: query strings, date parameters, the office a page acts on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from .models import Office, User
from .scoping import is_admin


def query_without_page(request: HttpRequest) -> str:
    """The page's query string without `page`, for pagination links that keep the filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def working_office(request: HttpRequest, user: User) -> Office:
    """The office a page acts on as a whole (its targets, its closed months, its templates):
    the user's own. An administrator, who may belong to none, names it with ?office=CODE (in
    the query or the form); without one, their own office or the first by code."""
    if is_admin(user):
        code = request.GET.get("office") or request.POST.get("office")
        offices = Office.objects.order_by("code")
        office = offices.filter(code=code).first() if code else None
        office = office or (user.office if user.office_id else offices.first())
        if office is None:
            raise Http404
        return office
    if user.office is None:
        raise PermissionDenied
    return user.office


def office_choices(user: User) -> QuerySet[Office] | None:
    """The offices an administrator may switch between on such a page (None for the others)."""
    return Office.objects.order_by("code") if is_admin(user) else None
