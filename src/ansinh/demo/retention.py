"""Demo retention cases, consistent with the participations already seeded.

Lapsed participations (late, paused) get a case; most have a counselling session, some still
undecided. Participations stopped for the lump sum get a closed case: counselled, and left.
A few active participants once said they wanted the lump sum and were counselled into staying
(retained, or changed to a lower income). Some participants are returning workers: years of
compulsory SI in an industrial zone before they joined here, declared from their VssID
(`DeclaredPeriod`); most of them were counselled and stayed. Session figures are the real
comparison from the person's history for the first `FIGURES_LIMIT` sessions; the rest keep only
the outcome, so a large demo stays quick to build.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from ansinh.core.models import Office, Role, User
from ansinh.participation.models import Participation, Status, StopReason
from ansinh.policy import PolicyError
from ansinh.policy.money import add_months
from ansinh.retention.comparison import compare
from ansinh.retention.models import (
    CaseStatus,
    DeclaredPeriod,
    Outcome,
    PeriodKind,
    PeriodSource,
    Reason,
    RetentionCase,
    Session,
)
from ansinh.rules.tree import current_tree

FIGURES_LIMIT = 200
RETURNING_SHARE = 0.15  # of participants aged 25-58: back from the industrial zones
EMPLOYERS = ("Công ty TNHH May Huế", "Công ty CP Dệt may Phú Hòa An",
             "Công ty TNHH Scavi Huế", "Công ty CP Bia Hà Nội - Huế",
             "Công ty TNHH Giày Đà Nẵng", "Công ty CP Sợi Phú Bài",
             "Công ty TNHH Điện tử Bình Dương")


def _returning_workers(rows: list[Participation], as_of: date, rng: random.Random,
                       counsellors: list[User]) -> list[Participation]:
    """Give some participants the compulsory years they showed on VssID, ending a few months
    before they joined here; returns them."""
    chosen: list[Participation] = []
    periods: list[DeclaredPeriod] = []
    for participation in rows:
        person = participation.person
        age = person.age_on(as_of)
        if participation.status == Status.STOPPED or not 25 <= age <= 58 or \
                rng.random() >= RETURNING_SHARE:
            continue
        first = add_months(participation.start_month, -(participation.prior_months or 0))
        end = add_months(first, -rng.randrange(2, 18))
        years = min(rng.randrange(3, 16), max(age - 20, 1))
        start = add_months(end, -12 * years + 1)
        # a raise halfway: two periods with two salaries and, often, two employers
        middle = add_months(start, 6 * years)
        salary = rng.randrange(32, 56) * 100_000
        who = rng.sample(EMPLOYERS, 2)
        entered_by = rng.choice(counsellors) if counsellors else None
        for (a, b, pay, employer) in ((start, add_months(middle, -1), salary, who[0]),
                                      (middle, end, salary + rng.randrange(5, 20) * 100_000,
                                       who[rng.random() < 0.6])):
            periods.append(DeclaredPeriod(
                person=person, kind=PeriodKind.COMPULSORY, start_month=a, end_month=b,
                income=pay, employer=employer, source=PeriodSource.HAND,
                entered_by=entered_by))
        chosen.append(participation)
    DeclaredPeriod.objects.bulk_create(periods, batch_size=2000)
    return chosen


@transaction.atomic
def seed_demo(office: Office, as_of: date, seed: int) -> None:
    rng = random.Random(seed * 7_103 + 11)
    counsellors = list(User.objects.filter(office=office, role=Role.STAFF).order_by("username"))
    tree = current_tree(office)
    plans: list[tuple[Participation, str, str, date]] = []
    outcome: str
    rows = list(Participation.objects.filter(office=office).select_related("person")
                .order_by("id"))
    # most came to ask about the lump sum, and most of them stayed
    outcomes = (Outcome.RETAINED, Outcome.UNDECIDED, Outcome.RETAINED, Outcome.CHANGED, None)
    for n, participation in enumerate(_returning_workers(rows, as_of, rng, counsellors)):
        outcome_of = outcomes[n % len(outcomes)]
        if outcome_of is not None:
            plans.append((participation, Reason.WANTS_LUMP_SUM, outcome_of,
                          as_of - timedelta(days=rng.randrange(10, 200))))
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
