"""The hand-over step of participations: a leaving agent's open participants go to the
substitute's agent record (registered from `apps.ParticipationConfig.ready`)."""

from __future__ import annotations

from datetime import date

from ansinh.core import audit
from ansinh.core.keepers import kept_current
from ansinh.core.models import User
from ansinh.network.handover import leaving_agent, substitute_agent
from ansinh.registry.changes import touch_many

from .models import Participation, Status


def hand_over_participations(leaving: User, substitute: User, on: date,
                             actor: User | None) -> dict[str, int]:
    agent = leaving_agent(leaving)
    if agent is None:
        return {}
    ids = list(Participation.objects.filter(agent=agent).exclude(status=Status.STOPPED)
               .values_list("pk", flat=True))
    if not ids:
        return {}
    target = substitute_agent(substitute)
    persons = Participation.objects.filter(pk__in=ids).values_list("person_id", flat=True)
    with kept_current(list(persons)):
        Participation.objects.filter(pk__in=ids).update(agent=target,
                                                        organisation=target.organisation)
    audit.record_many((
        audit.Change("participation.handover", "participation.Participation", pk,
                     {"agent": [agent.pk, target.pk],
                      "organisation": [agent.organisation_id, target.organisation_id]},
                     office_id=leaving.office_id)
        for pk in ids
    ), actor=actor)
    # the participants leave the agent's download and enter the substitute's
    touch_many(Participation.objects.filter(pk__in=ids).values_list("office_id", "person_id"))
    return {"participations": len(ids)}
