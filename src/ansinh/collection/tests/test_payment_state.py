"""One payment state per participant and date (issue 11, items 3 and 5): the lapse list and
its counts, the worklist, the village lists (reminders) and the dashboard's "active" agree."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ansinh.collection.dues import quote_months
from ansinh.collection.lapses import detect_lapses
from ansinh.collection.lifecycle import change_terms
from ansinh.collection.payment_state import payment_states
from ansinh.collection.receipts import record_receipt
from ansinh.core.periods import Period
from ansinh.outreach.worklist import build
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status
from ansinh.registry.models import Person, SIStatus, Village
from ansinh.reminders.village_lists import village_lists
from ansinh.reports import metrics

LAPSES = reverse("participation:lapses")


def _people(count: int) -> list[Person]:
    return list(Person.objects.filter(
        village__commune__code="AL3", si_status=SIStatus.NONE,
        birth_date__lt=date(1996, 1, 1), birth_date__gt=date(1981, 1, 1)).order_by("id")[:count])


def _enrol(person: Person, actor: Any, on: date) -> Participation:
    return enrol(person, start_month=on.replace(day=1), income=2_000_000, mode="monthly",
                 actor=actor, enrolled_on=on)


def _pay(participation: Participation, months: list[date], actor: Any, on: date) -> None:
    with time_machine.travel(on):
        amount = quote_months(participation, months, on).amount
        record_receipt(participation, months=months, amount=amount, paid_on=on,
                       channel="bank_transfer", client_uuid=uuid.uuid4(), actor=actor)
    participation.refresh_from_db()


def _active(office: Any, on: date) -> int:
    return metrics.total(office, "active", metrics.Window(Period("year", date(on.year, 1, 1)),
                                                          on))


def _months(first: int, last: int) -> list[date]:
    return [date(2026, m, 1) for m in range(first, last + 1)]


def _lapse_page(user: Any, on: date) -> Any:
    client = Client()
    client.force_login(user)
    with time_machine.travel(on):
        return client.get(LAPSES, {"as_of": on.isoformat()})


def test_enrolling_without_paying_is_not_active(agent_al3: Any, receipt_book_al3: Any) -> None:
    person = _people(1)[0]
    office = person.office
    before = _active(office, date(2026, 1, 10))
    participation = _enrol(person, agent_al3, date(2026, 1, 5))
    assert participation.status == Status.AWAITING
    assert _active(office, date(2026, 1, 10)) == before  # not counted before it is paid
    _pay(participation, [date(2026, 1, 1)], agent_al3, date(2026, 1, 12))
    participation.refresh_from_db()
    assert participation.status == Status.ACTIVE  # the first receipt makes it active
    assert _active(office, date(2026, 1, 10)) == before
    assert _active(office, date(2026, 1, 12)) == before + 1


def test_a_paused_participant_is_listed_and_counted_as_paused(
        agent_al3: Any, receipt_book_al3: Any, director: Any) -> None:
    participation = _enrol(_people(1)[0], agent_al3, date(2026, 1, 5))
    _pay(participation, [date(2026, 1, 1)], agent_al3, date(2026, 1, 12))
    detect_lapses(participation.office, date(2026, 6, 1))
    participation.refresh_from_db()
    assert participation.status == Status.PAUSED
    response = _lapse_page(director, date(2026, 6, 2))
    rows = response.context["rows"]
    assert [(row["p"].pk, row["state"]) for row in rows] == [(participation.pk, Status.PAUSED)]
    assert (response.context["late"], response.context["paused"]) == (0, 1)
    text = response.content.decode()
    assert "Đã đóng đủ" not in text and "Tạm dừng đóng" in text


def test_months_behind_counts_the_months_begun_not_the_whole_advance_period(
        agent_al3: Any, receipt_book_al3: Any, director: Any) -> None:
    participation = _enrol(_people(1)[0], agent_al3, date(2026, 1, 5))
    _pay(participation, [date(2026, 1, 1)], agent_al3, date(2026, 1, 12))
    # from February, two years in advance, due within February: not paid
    change_terms(participation, from_month=date(2026, 2, 1), income=2_000_000, mode="advance",
                 advance_years=2, actor=director, on=date(2026, 1, 20))
    on = date(2026, 4, 2)
    state = payment_states([participation], on)[participation.pk]
    assert (state.state, state.missed) == (Status.LATE, date(2026, 2, 28))
    assert len(state.dues.overdue_months) == 24
    assert state.months_behind == 3  # February, March, April
    rows = _lapse_page(director, on).context["rows"]
    assert [(row["state"], row["overdue_months"]) for row in rows] == [(Status.LATE, 3)]


@pytest.mark.django_db
def test_the_lapse_list_worklist_village_list_and_dashboard_agree(
        agent_al3: Any, receipt_book_al3: Any, director: Any) -> None:
    waiting, paying, late, paused = _people(4)
    office = waiting.office
    on = date(2026, 6, 2)
    participations = {
        "awaiting": _enrol(waiting, agent_al3, date(2026, 5, 20)),
        "active": _enrol(paying, agent_al3, date(2026, 1, 5)),
        "late": _enrol(late, agent_al3, date(2026, 1, 5)),
        "paused": _enrol(paused, agent_al3, date(2026, 1, 5)),
    }
    for name, last in (("active", 6), ("late", 4), ("paused", 1)):
        for month in _months(1, last):  # each month paid on its first day
            _pay(participations[name], [month], agent_al3, max(month, date(2026, 1, 5)))
    before = payment_states(list(participations.values()), on)
    detect_lapses(office, on)
    for participation in participations.values():
        participation.refresh_from_db()
    states = payment_states(list(participations.values()), on)
    assert {name: states[p.pk].state for name, p in participations.items()} == {
        "awaiting": Status.AWAITING, "active": Status.ACTIVE, "late": Status.LATE,
        "paused": Status.PAUSED}
    for participation in participations.values():  # the run recorded the same states
        assert participation.status == states[participation.pk].state
        assert before[participation.pk].state == states[participation.pk].state
    ours = {p.pk for p in participations.values()}
    # the lapse list: its rows and its counts
    response = _lapse_page(director, on)
    listed = {row["p"].pk: row["state"] for row in response.context["rows"]
              if row["p"].pk in ours}
    assert listed == {participations["late"].pk: Status.LATE,
                      participations["paused"].pk: Status.PAUSED}
    assert response.context["late"] == sum(
        1 for row in response.context["rows"] if row["state"] == Status.LATE)
    # the worklist: late and paused are the agent's "late" lines, the one awaiting is not
    worklist = build(agent_al3, on)
    kinds = {line.participation_id: line.kinds for group in worklist.groups
             for line in group.lines if line.participation_id in ours}
    assert {pid for pid, k in kinds.items() if "late" in k} == set(listed)
    late_line = next(line for group in worklist.groups for line in group.lines
                     if line.participation_id == participations["late"].pk)
    assert any("Chậm đóng 1 tháng (hạn 31/05/2026)" in reason for _p, reason in
               late_line.reasons)
    # the village list the reminders print: the late one is late, the awaiting one is due
    villages = Village.objects.filter(pk__in={p.village_id for p in participations.values()})
    lists = village_lists(villages, date(2026, 6, 1), on)
    late_rows = {row.participation.pk for vl in lists for row in vl.late}
    due_rows = {row.participation.pk for vl in lists for row in vl.due}
    assert late_rows & ours == {participations["late"].pk}
    assert participations["awaiting"].pk in due_rows
    # the dashboard counts the active and the late, not the awaiting nor the paused
    assert _active(office, on) == sum(1 for state in payment_states(
        None, on, office_id=office.pk).values() if state.counted) == 2


def test_a_state_holds_until_its_next_change(world: Any, mixed_participants: Any) -> None:
    """`next_change` never answers late: walking the days of eleven months, the worklist's
    reasons of every participant of the fixture (monthly, quarterly, six-monthly, yearly and
    advance payers; paying, late, awaiting, paused) are those of the last day that said a
    change might come, until that day comes."""
    from ansinh.collection.payment_state import next_change
    from ansinh.outreach.worklist import DEADLINE_LEADS, _participant_reasons, span_end

    participations = list(Participation.objects.exclude(status=Status.STOPPED)
                          .only("id", "status", "office_id"))
    assert len({s.state for s in payment_states(participations, date(2026, 3, 1)).values()}) >= 3
    first = date(2026, 1, 20)
    days = [first + timedelta(days=n) for n in range(330)]
    states = {day: payment_states(participations, day) for day in days}

    def reasons(pid: int, day: date) -> Any:
        state = states[day][pid]
        return [_participant_reasons(state, 1, day, span_end(day, span))
                for span in ("today", "week")]

    changes = 0
    for participation in participations:
        pid = participation.pk
        held, until = reasons(pid, first), next_change(states[first][pid], DEADLINE_LEADS)
        for day in days[1:]:
            if until is not None and day >= until:  # a new day to say what comes next
                changes += reasons(pid, day) != held
                held = reasons(pid, day)
                until = next_change(states[day][pid], DEADLINE_LEADS)
                continue
            assert reasons(pid, day) == held, (pid, day)
    assert changes  # the walk crossed deadlines that changed reasons
