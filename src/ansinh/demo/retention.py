"""Demo retention cases, consistent with the participations already seeded.

Lapsed participations (late, paused) get a case; most have a counselling session, some still
undecided. Participations stopped for the lump sum get a closed case: counselled, and left.
A few active participants once said they wanted the lump sum and were counselled into staying
(retained, or changed to a lower income). Session figures are the real comparison from the
person's history for the first `FIGURES_LIMIT` sessions; the rest keep only the outcome, so a
large demo stays quick to build.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from ansinh.core.models import Office, Role, User
from ansinh.participation.models import Participation, Status, StopReason
from ansinh.policy import PolicyError
from ansinh.retention.comparison import compare
from ansinh.retention.models import CaseStatus, Outcome, Reason, RetentionCase, Session
from ansinh.rules.tree import current_tree

FIGURES_LIMIT = 200


@transaction.atomic
def seed_demo(office: Office, as_of: date, seed: int) -> None:
    rng = random.Random(seed * 7_103 + 11)
    counsellors = list(User.objects.filter(office=office, role=Role.STAFF).order_by("username"))
    tree = current_tree(office)
    plans: list[tuple[Participation, str, str, date]] = []
    outcome: str
    rows = Participation.objects.filter(office=office).select_related("person").order_by("id")
    for participation in rows:
        if participation.status in (Status.LATE, Status.PAUSED):
            if rng.random() < 0.7:
                outcome = rng.choices(
                    (Outcome.RETAINED, Outcome.UNDECIDED, Outcome.CHANGED), (2, 3, 1))[0]
                plans.append((participation, Reason.LAPSED, outcome,
                              max(participation.status_since, as_of - timedelta(days=60))))
        elif participation.status == Status.STOPPED and \
                participation.stop_reason == StopReason.LUMP_SUM:
            plans.append((participation, Reason.WANTS_LUMP_SUM, Outcome.WITHDREW,
                          participation.status_since - timedelta(days=rng.randrange(7, 40))))
        elif participation.status == Status.ACTIVE and rng.random() < 0.03:
            plans.append((participation, Reason.WANTS_LUMP_SUM,
                          rng.choice((Outcome.RETAINED, Outcome.CHANGED)),
                          as_of - timedelta(days=rng.randrange(20, 300))))
    seen: set[int] = set()
    cases: list[RetentionCase] = []
    sessions: list[tuple[int, dict[str, Any]]] = []
    for participation, reason, outcome, opened in plans:
        if participation.person_id in seen:
            continue
        seen.add(participation.person_id)
        counsellor = rng.choice(counsellors) if counsellors else None
        closed = outcome != Outcome.UNDECIDED
        on = min(opened + timedelta(days=rng.randrange(1, 10)), as_of)
        cases.append(RetentionCase(
            office=office, village_id=participation.village_id,
            person_id=participation.person_id, participation=participation, reason=reason,
            opened_on=opened, counsellor=counsellor,
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN, outcome=outcome,
            closed_on=on if closed else None,
            next_step="" if closed else "Gặp lại cùng gia đình",
            next_step_on=None if closed else as_of + timedelta(days=rng.randrange(1, 14)),
        ))
        figures: dict[str, Any] = {}
        if len(sessions) < FIGURES_LIMIT:
            try:
                figures = compare(participation.person, participation, on, tree).figures()
            except PolicyError:
                figures = {}
        sessions.append((len(cases) - 1, {"on": on, "outcome": outcome, "figures": figures,
                                          "counsellor": counsellor}))
    RetentionCase.objects.bulk_create(cases, batch_size=2000)
    Session.objects.bulk_create([
        Session(case=cases[index], on=data["on"], outcome=data["outcome"],
                counsellor=data["counsellor"], figures=data["figures"],
                next_step=cases[index].next_step, next_step_on=cases[index].next_step_on)
        for index, data in sessions
    ], batch_size=2000)
