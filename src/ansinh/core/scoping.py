"""The one place that decides what a signed-in user may see and change, by territory.

Every list and detail page reads through `scoped()`; every action checks its record with
`require_writable()` (or filters with `writable()`), whatever channel called it: page,
offline sync, API, import or batch. Office first, then territory:

- admin (or superuser): everything, across offices;
- director: the whole of their office;
- staff, agent, viewer: the villages of the communes and villages they are assigned to on the
  date (today by default), and those of a colleague whose assignment names them substitute —
  nothing when they hold no assignment. An agent also has the participants assigned to them
  (and to a colleague they substitute for), wherever those live;
- a viewer reads their territory and changes nothing.

What a role may do at all (record a receipt, confirm a remittance …) is `core.permissions`'
question; this module answers "this record, for this user?".

Who answers for which villages is the network app's knowledge (assignments); it provides it
when it loads (`provide_territory`), since core cannot import the apps built on it. Each app
registers its scoped models the same way (`register`, at the bottom of its models module).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .errors import Refused
from .models import Role, User

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Paths:
    """How a row reaches its office, its village and (for what an agent answers for) the agent's
    user. `village` "" means the row is a village; None means it is a commune."""

    office: str
    village: str | None
    agent_user: str | None = None


SCOPE_PATHS: dict[type[Model], Paths] = {}


def register(model: type[Model], office_path: str, village_path: str | None,
             agent_user_path: str | None = None) -> None:
    """Make `model` scopable (apps call this at the bottom of their models module)."""
    SCOPE_PATHS[model] = Paths(office_path, village_path, agent_user_path)


class Territory(Protocol):
    def all_villages(self) -> QuerySet[Any]: ...

    def office_villages(self, office_id: int | None) -> QuerySet[Any]: ...

    def assigned_villages(self, user: User, on: date) -> QuerySet[Any]:
        """Villages of the user's assignments in force, and of those naming them substitute."""

    def represented_users(self, user: User, on: date) -> QuerySet[User]:
        """The user and the colleagues whose in-force assignments name them substitute."""


_territory: Territory | None = None


def provide_territory(territory: Territory) -> None:
    global _territory
    _territory = territory


def territory() -> Territory:
    if _territory is None:
        raise ImproperlyConfigured("no territory provider: is ansinh.network installed?")
    return _territory


class OutOfTerritory(Refused):
    def __init__(self) -> None:
        super().__init__("Thuộc địa bàn khác", "belongs to another territory")


def reads_only(user: User) -> bool:
    """Signed out, or a viewer: changes nothing anywhere."""
    return not user.is_authenticated or (user.role == Role.VIEWER and not user.is_superuser)


def is_admin(user: User) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMIN)


def whole_office(user: User) -> bool:
    """Whether the user answers for their whole office (a director) or every office (an
    administrator), rather than for the villages of their assignments: pages then read the
    office's totals instead of summing a territory."""
    return is_admin(user) or user.role == Role.DIRECTOR


def require_own_office(actor: User | None, office_id: int | None) -> None:
    """Refuse an office-wide change (targets, rewards, hand-over, templates, period close …)
    of another office than the actor's; an administrator's reaches every office, and no
    actor (the system) is not limited. `office_id` None (a value for every office) is an
    administrator's only."""
    if actor is None or is_admin(actor):
        return
    if office_id is None or actor.office_id != office_id:
        raise OutOfTerritory


def visible_villages(user: User, on: date | None = None) -> QuerySet[Any]:
    """The villages the user answers for on the date."""
    if is_admin(user):
        return territory().all_villages()
    if user.role == Role.DIRECTOR:
        return territory().office_villages(user.office_id)
    return territory().assigned_villages(user, on or timezone.localdate())


def in_office(user: User, queryset: QuerySet[M], path: str = "office") -> QuerySet[M]:
    """Rows of the user's office, for the office-level records that have no village (books,
    organisations, remittances, targets …); an administrator's: every office's."""
    if is_admin(user):
        return queryset
    if user.office_id is None:
        return queryset.none()
    return queryset.filter(**{path: user.office_id})


def writable_villages(user: User, on: date | None = None) -> QuerySet[Any]:
    """The villages the user may change things in (what they answer for, unless they only
    read): the territory of an import, a person's new village."""
    if reads_only(user):
        return territory().all_villages().none()
    return visible_villages(user, on)


def scoped(user: User, queryset: QuerySet[M], on: date | None = None) -> QuerySet[M]:
    """The rows of `queryset` the user may see."""
    if not user.is_authenticated:
        return queryset.none()
    paths = SCOPE_PATHS[queryset.model]
    if is_admin(user):
        return queryset
    if user.office_id is None:
        return queryset.none()
    queryset = queryset.filter(**{paths.office: user.office_id})
    if user.role == Role.DIRECTOR:
        return queryset
    on = on or timezone.localdate()
    villages = territory().assigned_villages(user, on)
    if paths.village is None:
        return queryset.filter(id__in=villages.values("commune"))
    lookup = f"{paths.village}__in" if paths.village else "id__in"
    within = Q(**{lookup: villages.values("id")})
    if paths.agent_user and user.role == Role.AGENT:
        within |= Q(**{f"{paths.agent_user}__in": territory().represented_users(user, on)})
    return queryset.filter(within)


def writable(user: User, queryset: QuerySet[M], on: date | None = None) -> QuerySet[M]:
    """The rows of `queryset` the user may change: what they see, unless they only read."""
    if reads_only(user):
        return queryset.none()
    return scoped(user, queryset, on)


def can_write(user: User, obj: Model) -> bool:
    return writable(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def require_writable(user: User, obj: Model) -> None:
    """Refuse (nothing written) unless `obj` lies in what `user` may change."""
    if not can_write(user, obj):
        raise OutOfTerritory


def get_scoped_or_404(user: User, queryset: QuerySet[M], **lookup: object) -> M:
    """One row the user may see, or 404 — the same answer whether it exists or not."""
    try:
        return scoped(user, queryset).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
