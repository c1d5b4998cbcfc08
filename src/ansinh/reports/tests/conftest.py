"""A participation and money history over the `world` fixture, written with the ORM.

The participation and collection actions are written in parallel; these rows follow the shape
those actions write (a StatusChange ''→active on the enrolment date, one per state change,
reversals as negative receipts pointing at the original, paid months released by a reversal).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ansinh.collection.models import PaidMonth, Product, Receipt
from ansinh.core.models import User
from ansinh.core.periods import parse_period
from ansinh.network.actions import allocate, set_target
from ansinh.network.models import Agent, Metric, Target, UnitKind
from ansinh.participation.models import Participation, Status, StatusChange
from ansinh.registry.models import Commune, Person
from ansinh.reports import figures

STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def _month(day: date) -> date:
    return day.replace(day=1)


def _enrol(person: Person, agent: Agent | None, on: date) -> Participation:
    participation = Participation.objects.create(
        office_id=person.office_id, village_id=person.village_id, person=person,
        start_month=_month(on), enrolled_on=on, income=1_500_000, mode="monthly",
        agent=agent, organisation=agent.organisation if agent else None,
        status=Status.ACTIVE, status_since=on,
    )
    StatusChange.objects.create(participation=participation, on=on, old_status="",
                                new_status=Status.ACTIVE)
    return participation


def change(participation: Participation, on: date, new: str) -> None:
    StatusChange.objects.create(participation=participation, on=on,
                                old_status=participation.status, new_status=new)
    participation.status = new
    participation.status_since = on
    participation.save(update_fields=["status", "status_since"])


_counter = {"n": 0}


def pay(participation: Participation, on: date, months: list[date], amount: int,
        product: str = Product.VOLUNTARY_SI, hi_members: int | None = None) -> Receipt:
    _counter["n"] += 1
    receipt = Receipt.objects.create(
        office_id=participation.office_id, village_id=participation.village_id,
        product=product, participation=participation if product == Product.VOLUNTARY_SI
        else None, household_id=participation.person.household_id
        if product == Product.HOUSEHOLD_HI else None,
        person=participation.person, number=f"T{_counter['n']:07d}", agent=participation.agent,
        organisation=participation.organisation, channel="cash", participant_kind="continuing",
        paid_on=on, period=_month(on), months=len(months), hi_members=hi_members,
        amount=amount, gross=amount, recorded_at=STAMP,
    )
    for month in months:
        PaidMonth.objects.create(receipt=receipt, participation=participation, month=month,
                                 income=1_500_000, category="ethnic_minority", gross=amount,
                                 support=0, net=amount)
    return receipt


def reverse(receipt: Receipt, on: date) -> Receipt:
    _counter["n"] += 1
    reversal = Receipt.objects.create(
        office_id=receipt.office_id, village_id=receipt.village_id, product=receipt.product,
        participation=receipt.participation, household_id=receipt.household_id,
        person=receipt.person, number=f"T{_counter['n']:07d}", agent=receipt.agent,
        organisation=receipt.organisation, channel="cash",
        participant_kind=receipt.participant_kind, paid_on=on, period=_month(on),
        months=-receipt.months, hi_members=receipt.hi_members, amount=-receipt.amount,
        gross=-receipt.gross, reverses=receipt, recorded_at=STAMP,
    )
    PaidMonth.objects.filter(receipt=receipt).update(released_by=reversal)
    return reversal


@pytest.fixture
def history(world: dict[str, Any]) -> dict[str, Any]:
    """About 160 participations from 2024 to March 2026 with pauses, stops, money."""
    rng = random.Random(11)
    agents = list(Agent.objects.select_related("organisation", "user").order_by("code"))
    by_commune: dict[str, list[Agent]] = {}
    for agent in agents:
        by_commune.setdefault(agent.code[3], []).append(agent)
    persons = list(Person.objects.filter(si_status="none").select_related("village__commune")
                   .order_by("id")[:200])
    participations = []
    for index, person in enumerate(persons[:160]):
        commune_digit = person.village.commune.code[-1]
        owner: Agent | None = rng.choice(by_commune[commune_digit]) if index % 9 else None
        enrolled = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 820))  # to 2026-03-30
        participation = _enrol(person, owner, enrolled)
        participations.append(participation)
        month = _month(enrolled)
        draw = rng.random()
        paid_to = month
        # pay a few months now and then
        while paid_to < date(2026, 3, 1) and rng.random() < 0.85:
            paid_on = max(enrolled, paid_to) + timedelta(days=rng.randrange(0, 20))
            if paid_on > date(2026, 3, 31):
                break
            pay(participation, paid_on, [paid_to], 330_000)
            paid_to = date(paid_to.year + paid_to.month // 12, paid_to.month % 12 + 1, 1)
        if draw < 0.15:
            on = enrolled + timedelta(days=rng.randrange(30, 200))
            if on < date(2026, 3, 31):
                change(participation, on, Status.LATE)
        elif draw < 0.30:
            on = enrolled + timedelta(days=rng.randrange(30, 200))
            if on < date(2026, 3, 31):
                change(participation, on, Status.PAUSED)
                back = on + timedelta(days=rng.randrange(20, 300))
                if back <= date(2026, 6, 30) and rng.random() < 0.6:
                    change(participation, back, Status.ACTIVE)
        elif draw < 0.40:
            on = enrolled + timedelta(days=rng.randrange(30, 400))
            if on < date(2026, 3, 31):
                change(participation, on, Status.STOPPED)
    # two persons re-join after a stop, in February 2026
    stopped = [p for p in participations if p.status == Status.STOPPED][:2]
    rejoined = []
    for old in stopped:
        if old.status_since < date(2026, 2, 1):
            rejoined.append(_enrol(old.person, old.agent, date(2026, 2, 10)))
    # household HI: three receipts in 2026, one reversed
    hi = [pay(participations[i], date(2026, 2, 3 + i), [], 1_000_000 + i,
              product=Product.HOUSEHOLD_HI, hi_members=2 + i) for i in range(3)]
    reverse(hi[0], date(2026, 3, 5))
    # one voluntary receipt reversed in March 2026
    vsi = Receipt.objects.filter(product=Product.VOLUNTARY_SI, paid_on__gte=date(2026, 1, 1),
                                 reverses__isnull=True).order_by("id").first()
    assert vsi is not None
    reverse(vsi, date(2026, 3, 20))
    # the rows above were written with the ORM, around the write path: the summary cells are
    # built from them, as the nightly rebuild builds them (reports read the cells)
    figures.rebuild(world["office"].pk, today=date(2026, 3, 31))
    return {"participations": participations, "rejoined": rejoined, "hi": hi, "reversed": vsi}


@pytest.fixture
def targets(history: dict[str, Any], world: dict[str, Any], director: User) -> Target:
    """The office's 2026 target of 200 active participants, 40 for each commune."""
    office_target = set_target(office=world["office"], period=parse_period("2026"),
                               metric=Metric.ACTIVE, unit_kind=UnitKind.OFFICE, unit=None,
                               value=200, effective_on=date(2026, 1, 1), actor=director)
    allocate(office_target, UnitKind.COMMUNE,
             {c.id: 40 for c in Commune.objects.all()}, effective_on=date(2026, 1, 1),
             actor=director)
    return office_target
