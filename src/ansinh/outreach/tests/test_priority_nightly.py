"""The nightly refresh carries the kept rows forward (`priority.refresh_office`): on any later
day, after any writes, the carried rows, their counts and their recheck days are exactly
those a full recomputation on that day writes, across a new year too; new settings, a commune
handed to another office and the office's turn recompute in full."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction

from ansinh.collection.lapses import run_lapses
from ansinh.core.errors import Refused
from ansinh.core.models import Office
from ansinh.core.offices import full_night
from ansinh.outreach import actions, priority
from ansinh.outreach.models import OutreachSettings, Priority, PriorityRecheck, PriorityRefresh
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status
from ansinh.registry import changes
from ansinh.registry.actions import certify_poverty, update_person
from ansinh.registry.models import Commune, Person, PovertyStatus, SIStatus, Village
from ansinh.registry.prospects import retirement_date

from .helpers import pay, prospects

START = date(2026, 3, 18)


@pytest.fixture(autouse=True)
def _never_the_offices_turn(settings: Any) -> None:
    settings.ANSINH_FULL_REBUILD_DAYS = 10**7  # no office's turn: every night carries


def _snapshot() -> tuple[list[Any], list[Any], list[Any]]:
    rows = sorted(Priority.objects.values_list(
        "person_id", "village_id", "participation_id", "score", "kinds", "reasons", "collect",
        "score_today", "kinds_today", "reasons_today", "collect_today"))
    counts = sorted(PriorityRefresh.objects.values_list("village_id", "as_of", "counts",
                                                        "basis"))
    rechecks = sorted(PriorityRecheck.objects.values_list("person_id", "village_id", "on"))
    return rows, counts, rechecks


def _full(office_id: int, day: date) -> tuple[list[Any], list[Any], list[Any]]:
    """What a full recomputation on ``day`` writes (rolled back)."""
    with transaction.atomic():
        result = priority.refresh_office(office_id, day, full=True)
        assert result["full"] == result["villages"]
        found = _snapshot()
        transaction.set_rollback(True)
    return found


def _write(rng: random.Random, day: date, agent: Any, director: Any) -> str:
    """One write of the kinds that change reasons, on ``day``."""
    kind = rng.choice(("contact", "enrol", "pay", "left_compulsory", "lump_sum", "import",
                       "lapses", "follow_up"))
    person = rng.choice(prospects("AL3", 40))
    part = Participation.objects.filter(village__commune__code="AL3").exclude(
        status=Status.STOPPED).order_by("?").first()
    try:
        if kind == "contact":
            actions.record_contact(actor=agent, person=person, on=day, channel="visit",
                                   outcome="not_interested")
        elif kind == "follow_up":
            actions.record_contact(actor=agent, person=person, on=day, channel="visit",
                                   outcome="follow_up", next_follow_up_on=day + timedelta(days=3))
        elif kind == "enrol":
            enrol(person, start_month=day.replace(day=1), income=2_000_000, mode="monthly",
                  actor=agent, enrolled_on=day)
        elif kind == "pay" and part is not None:
            pay(part, [part.start_month], agent, day)
        elif kind == "left_compulsory":
            update_person(person, {"si_status": SIStatus.COMPULSORY}, actor=director)
            update_person(person, {"si_status": SIStatus.NONE}, actor=director)
        elif kind == "lump_sum":  # recorded ahead of its date, or just past
            update_person(person, {"si_status": SIStatus.LUMP_SUM,
                                   "si_status_as_of": day + timedelta(days=rng.choice((-3, 4)))},
                          actor=director)
        elif kind == "import":  # a bulk writer: the row numbered, no listener told
            Person.objects.create(
                office=person.office, village=person.village, full_name="Hồ Thị Nhập",
                birth_date=date(1990, 1, 1 + rng.randrange(28)), sex="F",
                sync_version=changes.numbers([person.office_id])[person.office_id])
        elif kind == "lapses":
            run_lapses(agent.office, day, actor=director, follow_ups=False)
    except Refused:
        pass
    return kind


def _retiring() -> date:
    """The birth date of a man who reaches retirement age during the walk."""
    return next(birth for birth in (date(1960, 1, 1) + timedelta(days=n) for n in range(3_000))
                if date(2026, 5, 1) < retirement_date("M", birth) < date(2026, 8, 1))


def test_carried_rows_are_a_full_recomputation_day_after_day(
        world: Any, mixed_participants: Any, agent_al3: Any, director: Any) -> None:
    office_id = agent_al3.office_id
    village = prospects("AL3", 1)[0].village
    young, old = (Person.objects.create(
        office_id=office_id, village=village, full_name=name, birth_date=birth, sex="M")
        for name, birth in (
            ("Hồ Văn Trẻ", date(2011, 6, 10)), ("Hồ Văn Già", _retiring())))
    with time_machine.travel(START, tick=False):
        # at risk from the start, so that their windows close during the walk
        OutreachSettings.objects.create(office_id=office_id, recent_compulsory_days=60)
        left, paid_out, ahead = prospects("AL2", 3)
        update_person(left, {"si_status": SIStatus.COMPULSORY}, actor=director)
        update_person(left, {"si_status": SIStatus.NONE}, actor=director)
        for person, on in ((paid_out, START - timedelta(days=20)),
                           (ahead, START + timedelta(days=30))):
            update_person(person, {"si_status": SIStatus.LUMP_SUM, "si_status_as_of": on},
                          actor=director)
        priority.refresh_office(office_id, START, full=True)
    watched = {young: "never_visited", old: "never_visited", left: "left_compulsory",
               paid_out: "after_lump_sum", ahead: "after_lump_sum"}
    rng = random.Random(14)
    day, recomputed, kinds = START, 0, set()
    seen: dict[int, list[bool]] = {}
    while day < date(2026, 9, 30):
        day += timedelta(days=rng.choice((1, 1, 1, 2, 3, 6, 13)))  # a night missed now and then
        with time_machine.travel(day, tick=False):
            for _n in range(rng.randrange(3)):
                kinds.add(_write(rng, day, agent_al3, director))
            result = priority.refresh_office(office_id, day)
            assert result["full"] == 0  # carried
            recomputed += result["recomputed"]
            assert _snapshot() == _full(office_id, day), day
            for person, code in watched.items():
                listed = code in str(Priority.objects.filter(person=person).values_list(
                    "reasons", flat=True).first())
                if seen.setdefault(person.pk, [listed])[-1] != listed:
                    seen[person.pk].append(listed)
    # the walk carried the rows across deadlines, the months, the ages, the windows
    assert recomputed and {"import", "lump_sum", "left_compulsory", "pay"} <= kinds
    assert PriorityRecheck.objects.filter(on__gt=day).exists()
    # one turned 15 (never visited now), one reached retirement age (no longer a prospect)
    assert seen[young.pk] == [False, True] and seen[old.pk] == [True, False]
    # the windows of the at-risk reasons closed (and opened, for a lump sum dated ahead)
    assert seen[left.pk] == seen[paid_out.pk] == [True, False]
    assert seen[ahead.pk] == [False, True, False]


def test_a_carried_night_recomputes_only_what_may_have_changed(
        world: Any, mixed_participants: Any, agent_al3: Any) -> None:
    office_id = agent_al3.office_id
    priority.refresh_office(office_id, START, full=True)
    rows = Priority.objects.count()
    tomorrow = START + timedelta(days=1)
    due = PriorityRecheck.objects.filter(on__lte=tomorrow).count()
    result = priority.refresh_office(office_id, tomorrow)
    assert result["full"] == 0 and result["recomputed"] <= due + 2  # and the 15th birthdays
    assert rows > 10 * max(result["recomputed"], 1)
    # the same night again: nothing is due
    assert priority.refresh_office(office_id, tomorrow)["recomputed"] == 0


def test_a_new_year_carries_the_households_poverty_of_the_year(
        world: Any, agent_al3: Any, director: Any) -> None:
    office_id = agent_al3.office_id
    found = prospects("AL2", 20)
    poor_then, poor_now = found[0].household, found[-1].household
    assert poor_then and poor_now and poor_then != poor_now
    with time_machine.travel(date(2026, 12, 30), tick=False):
        for household, year in ((poor_then, 2026), (poor_now, 2027)):
            certify_poverty(household, year=year, status=PovertyStatus.POOR, source="test",
                            actor=director)
        priority.refresh_office(office_id, date(2026, 12, 30), full=True)
    for day in (date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)):
        result = priority.refresh_office(office_id, day)
        assert result["full"] == 0
        assert _snapshot() == _full(office_id, day)
        if day == date(2027, 1, 1):
            assert result["recomputed"] >= 2
    poor = {row[0] for row in _snapshot()[0]
            if any(code == "poor" for _p, _k, code, _a in row[5])}
    assert set(poor_now.members.values_list("id", flat=True)) & poor
    assert not set(poor_then.members.values_list("id", flat=True)) & poor


def test_new_settings_and_the_office_s_turn_recompute_in_full(
        world: Any, agent_al3: Any, settings: Any) -> None:
    office_id = agent_al3.office_id
    priority.refresh_office(office_id, date(2027, 1, 1), full=True)
    villages = PriorityRefresh.objects.count()
    assert priority.refresh_office(office_id, date(2027, 1, 1))["full"] == 0
    OutreachSettings.objects.update_or_create(office_id=office_id,
                                              defaults={"recent_compulsory_days": 30})
    assert priority.refresh_office(office_id, date(2027, 1, 2))["full"] == villages
    assert priority.refresh_office(office_id, date(2027, 1, 3))["full"] == 0
    settings.ANSINH_FULL_REBUILD_DAYS = 7
    turn = next(day for day in (date(2027, 1, 4) + timedelta(days=n) for n in range(7))
                if full_night(office_id, day))
    assert priority.refresh_office(office_id, turn)["full"] == villages


def test_a_commune_handed_to_another_office_is_computed_afresh_there(
        world: Any, mixed_participants: Any, agent_al3: Any) -> None:
    """Its villages' rows and recheck days were the first office's: the second office's
    nightly recomputes them in full, and the first one's leaves none behind."""
    first = agent_al3.office_id
    priority.refresh_office(first, START, full=True)
    other = Office.objects.create(code="PD", name="BHXH cơ sở Phong Điền")
    commune = Commune.objects.get(code="AL3")
    Commune.objects.filter(pk=commune.pk).update(office=other)
    Person.objects.filter(village__commune=commune).update(office=other)
    Participation.objects.filter(village__commune=commune).update(office=other)
    moved = set(Village.objects.filter(commune=commune).values_list("id", flat=True))
    tomorrow = START + timedelta(days=1)
    assert priority.refresh_office(other.pk, tomorrow)["full"] == len(moved)
    priority.refresh_office(first, tomorrow)
    assert not Priority.objects.filter(office_id=first, village_id__in=moved).exists()
    assert not PriorityRecheck.objects.filter(office_id=first, village_id__in=moved).exists()
    rows = _snapshot()
    with transaction.atomic():  # both offices in full: the same rows
        for office_id in (first, other.pk):
            priority.refresh_office(office_id, tomorrow, full=True)
        assert _snapshot() == rows
        transaction.set_rollback(True)
