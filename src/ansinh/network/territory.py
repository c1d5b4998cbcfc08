"""Who answers for which villages, from the assignments: the territory `core.scoping` asks for
(provided from `apps.NetworkConfig.ready`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from ansinh.core.models import User
from ansinh.core.scoping import is_admin, visible_villages, whole_office
from ansinh.registry.models import Village

from .models import Agent, Assignment


def in_force(on: date) -> QuerySet[Assignment]:
    return Assignment.objects.filter(starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def active_assignments(user: User, on: date) -> QuerySet[Assignment]:
    """The user's own assignments in force on `on`."""
    return in_force(on).filter(user=user)


class AssignedTerritory:
    """The territory of `core.scoping`: villages by assignment, substitutes included."""

    def all_villages(self) -> QuerySet[Any]:
        return Village.objects.all()

    def office_villages(self, office_id: int | None) -> QuerySet[Any]:
        return Village.objects.filter(commune__office=office_id)

    def assigned_villages(self, user: User, on: date) -> QuerySet[Any]:
        assignments = in_force(on).filter(Q(user=user) | Q(substitute=user))
        return Village.objects.filter(commune__office=user.office_id).filter(
            Q(commune__in=assignments.filter(commune__isnull=False).values("commune"))
            | Q(id__in=assignments.filter(village__isnull=False).values("village"))
        )

    def represented_users(self, user: User, on: date) -> QuerySet[User]:
        colleagues = in_force(on).filter(substitute=user).values("user")
        return User.objects.filter(Q(pk=user.pk) | Q(pk__in=colleagues))


def agents_within(user: User, agents: Iterable[Agent], on: date) -> list[Agent]:
    """The agents every village of whose lies in what `user` may change (an agent with no
    assignment belongs to the office as a whole: only its director's). Four queries, however
    many agents."""
    if is_admin(user):
        return list(agents)
    agents = [a for a in agents if a.organisation.office_id == user.office_id]
    if whole_office(user) or not agents:
        return agents
    # the agents' own assignments (not those they hold as a colleague's substitute)
    rows = list(in_force(on).filter(user__in=[a.user_id for a in agents])
                .values_list("user_id", "commune_id", "village_id"))
    in_commune: dict[int, set[int]] = defaultdict(set)
    for commune_id, village_id in Village.objects.filter(
            commune__in={commune for _u, commune, _v in rows if commune}
    ).values_list("commune_id", "id"):
        in_commune[commune_id].add(village_id)
    theirs: dict[int, set[int]] = defaultdict(set)
    for user_id, commune_id, village_id in rows:
        theirs[user_id] |= in_commune[commune_id] if commune_id else {village_id}
    mine = set(visible_villages(user, on).values_list("id", flat=True))
    return [a for a in agents if theirs[a.user_id] and theirs[a.user_id] <= mine]


def agent_within(user: User, agent: Agent, on: date) -> bool:
    return bool(agents_within(user, [agent], on))
