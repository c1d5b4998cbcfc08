"""Small helpers that list pages share: query strings and date parameters."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The page's query string without `page`, for pagination links that keep the filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def date_param(value: str | None, default: date) -> date:
    """A YYYY-MM-DD parameter, or `default` when it is missing or not a date."""
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default
