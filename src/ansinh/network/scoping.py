"""The one place that decides what a signed-in user may see.

Every list and every detail page goes through `scoped()`: office first, then territory.

- admin (or superuser): everything, across offices;
- director: the whole of their office;
- staff, agent, viewer: the villages of the communes and villages they are assigned to on the
  date (today by default) — nothing when they hold no assignment.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ansinh.core.models import Role, User
from ansinh.registry.models import Commune, Household, Person, Village

from .models import Assignment

M = TypeVar("M", bound=Model)

# For each scoped model: the path to its office and the path to its village (None: the row is
# a commune, scoped by the communes the villages belong to).
SCOPE_PATHS: dict[type[Model], tuple[str, str | None]] = {
    Person: ("office", "village"),
    Household: ("office", "village"),
    Village: ("commune__office", ""),
    Commune: ("office", None),
}


def register(model: type[Model], office_path: str, village_path: str | None) -> None:
    """Make `model` scopable: the paths from a row to its office and to its village.

    Apps call this at the bottom of their models module, so `scoped()` knows every model.
    """
    SCOPE_PATHS[model] = (office_path, village_path)


def active_assignments(user: User, on: date) -> QuerySet[Assignment]:
    return Assignment.objects.filter(user=user, starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


def visible_villages(user: User, on: date | None = None) -> QuerySet[Village]:
    """The villages the user answers for on the date."""
    on = on or timezone.localdate()
    villages = Village.objects.filter(commune__office=user.office_id)
    if user.is_superuser or user.role == Role.ADMIN:
        return Village.objects.all()
    if user.role == Role.DIRECTOR:
        return villages
    assignments = active_assignments(user, on)
    return villages.filter(
        Q(commune__in=assignments.filter(commune__isnull=False).values("commune"))
        | Q(id__in=assignments.filter(village__isnull=False).values("village"))
    )


def scoped(user: User, queryset: QuerySet[M], on: date | None = None) -> QuerySet[M]:
    """The rows of `queryset` the user may see."""
    if not user.is_authenticated:
        return queryset.none()
    office_path, village_path = SCOPE_PATHS[queryset.model]
    if user.is_superuser or user.role == Role.ADMIN:
        return queryset
    if user.office_id is None:
        return queryset.none()
    queryset = queryset.filter(**{office_path: user.office_id})
    if user.role == Role.DIRECTOR:
        return queryset
    villages = visible_villages(user, on)
    if village_path is None:
        return queryset.filter(id__in=villages.values("commune"))
    lookup = f"{village_path}__in" if village_path else "id__in"
    return queryset.filter(**{lookup: villages.values("id")})


def get_scoped_or_404(user: User, queryset: QuerySet[M], **lookup: object) -> M:
    """One row the user may see, or 404 — the same answer whether it exists or not."""
    try:
        return scoped(user, queryset).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
