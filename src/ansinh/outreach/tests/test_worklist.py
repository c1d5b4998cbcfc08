"""The agent's worklist at its boundaries: a follow-up due today, one whose date has passed,
one due tomorrow, one done; never-visited prospects; late participants; territory."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db.models import Q
from django.utils import translation

from ansinh.core import audit
from ansinh.outreach import actions, worklist
from ansinh.participation.actions import enrol
from ansinh.registry.models import Person, SIStatus

from .helpers import pay, prospects

TODAY = date(2026, 3, 18)


def _line(work: worklist.Worklist, person: Person) -> worklist.Line | None:
    for group in work.groups:
        for line in group.lines:
            if line.person_id == person.pk:
                return line
    return None


@pytest.fixture
def follow_ups(world: Any, agent_al3: Any) -> dict[str, Person]:
    """Four AL3 persons with follow-ups on yesterday, today, tomorrow, and one already done."""
    people = dict(zip(("passed", "today", "tomorrow", "done"), prospects("AL3", 4),
                      strict=True))
    for offset, key in ((-1, "passed"), (0, "today"), (1, "tomorrow"), (0, "done")):
        actions.record_contact(actor=agent_al3, person=people[key], on=TODAY - timedelta(days=7),
                               channel="visit", outcome="follow_up",
                               next_follow_up_on=TODAY + timedelta(days=offset))
    actions.record_contact(actor=agent_al3, person=people["done"], on=TODAY - timedelta(days=1),
                           channel="call", outcome="interested")
    return people


def test_follow_ups_on_the_day_before_of_and_after(follow_ups: dict[str, Person],
                                                  agent_al3: Any) -> None:
    work = worklist.build(agent_al3, TODAY, "today")
    passed, today = _line(work, follow_ups["passed"]), _line(work, follow_ups["today"])
    assert passed is not None and today is not None
    assert "follow_up" in passed.kinds and "follow_up" in today.kinds
    assert any("Quá hẹn 1 ngày" in reason for _p, reason in passed.reasons)
    assert any("hôm nay" in reason for _p, reason in today.reasons)
    tomorrow = _line(work, follow_ups["tomorrow"])
    assert tomorrow is None or "follow_up" not in tomorrow.kinds
    done = _line(work, follow_ups["done"])  # the later call closed it
    assert done is None or "follow_up" not in done.kinds
    week = worklist.build(agent_al3, TODAY, "week")
    later = _line(week, follow_ups["tomorrow"])
    assert later is not None and "follow_up" in later.kinds
    # the next day, "today" is overdue by one day and "tomorrow" is due today
    work = worklist.build(agent_al3, TODAY + timedelta(days=1), "today")
    today, tomorrow = _line(work, follow_ups["today"]), _line(work, follow_ups["tomorrow"])
    assert today is not None and tomorrow is not None
    assert any("Quá hẹn 1 ngày" in r for _p, r in today.reasons)
    assert any("hôm nay" in r for _p, r in tomorrow.reasons)


def test_the_score_is_the_sum_of_the_reasons_and_orders_the_list(
    follow_ups: dict[str, Person], agent_al3: Any
) -> None:
    work = worklist.build(agent_al3, TODAY, "week")
    for group in work.groups:
        scores = [line.score for line in group.lines]
        assert scores == sorted(scores, reverse=True)
        for line in group.lines:
            assert line.score == sum(points for points, _r in line.reasons) > 0
    passed = _line(work, follow_ups["passed"])
    tomorrow = _line(work, follow_ups["tomorrow"])
    assert passed is not None and tomorrow is not None and passed.score > tomorrow.score


def test_never_visited_prospects_until_someone_visits(world: Any, agent_al3: Any) -> None:
    work = worklist.build(agent_al3, TODAY, "today", never_visited_limit=10_000)
    never = [line for g in work.groups for line in g.lines if "never_visited" in line.kinds]
    assert never and len(never) == work.counts["never_visited"]
    assert all(g.village.commune_code == "AL3" for g in work.groups)
    target = Person.objects.get(pk=never[0].person_id)
    actions.record_contact(actor=agent_al3, person=target, on=TODAY, channel="visit",
                           outcome="not_met")
    again = worklist.build(agent_al3, TODAY, "today", never_visited_limit=10_000)
    assert again.counts["never_visited"] == work.counts["never_visited"] - 1
    line = _line(again, target)
    assert line is None or "never_visited" not in line.kinds
    # the best first: the limit keeps the highest scores
    top = worklist.build(agent_al3, TODAY, "today", never_visited_limit=3)
    # (by their never-visited points: a line may add others, e.g. a recent withdrawal)
    points: dict[int, int] = {
        person.pk: person.points  # type: ignore[attr-defined]  # annotated
        for person in worklist.never_visited(worklist.villages_for(agent_al3, None, TODAY),
                                             TODAY)}
    top_points = sorted((points[li.person_id] for g in top.groups for li in g.lines
                         if "never_visited" in li.kinds), reverse=True)
    assert top_points == sorted(points.values(), reverse=True)[:3]


def test_late_and_due_participants(prospect_al3: Any, agent_al3: Any) -> None:
    participation = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2026, 1, 5))
    pay(participation, [date(2026, 1, 1)], agent_al3, date(2026, 1, 20))
    # February's deadline is 28/02: late on 18/03; March is due by 31/03
    work = worklist.build(agent_al3, TODAY, "today")
    line = _line(work, prospect_al3)
    assert line is not None and "late" in line.kinds
    assert any("Chậm đóng 1 tháng" in r for _p, r in line.reasons)
    pay(participation, [date(2026, 2, 1)], agent_al3, TODAY)
    line = _line(worklist.build(agent_al3, TODAY, "today"), prospect_al3)
    assert line is None or "late" not in line.kinds  # March is not due by today's end
    week = worklist.build(agent_al3, date(2026, 3, 28), "week")
    line = _line(week, prospect_al3)
    assert line is not None and "due" in line.kinds


def test_recently_out_of_compulsory_si_is_at_risk(world: Any, agent_al3: Any,
                                                  director: Any) -> None:
    person = prospects("AL3", 1)[0]
    with time_machine.travel(TODAY - timedelta(days=30), tick=False):
        audit.record(actor=director, office=person.office, action="person.update", obj=person,
                     changes={"si_status": [SIStatus.COMPULSORY, SIStatus.NONE]})
    line = _line(worklist.build(agent_al3, TODAY, "today"), person)
    assert line is not None and "risk" in line.kinds
    assert any("rời BHXH bắt buộc" in r for _p, r in line.reasons)


def test_an_agent_sees_only_their_territory(follow_ups: dict[str, Person], world: Any) -> None:
    other = world["users"]["thu21"]  # an agent of A Lưới 2
    work = worklist.build(other, TODAY, "week", never_visited_limit=50)
    assert all(g.village.commune_code == "AL2" for g in work.groups)
    assert not any(_line(work, p) for p in follow_ups.values())


def test_the_page_groups_by_village_and_shows_reasons(
    client: Any, follow_ups: dict[str, Person], agent_al3: Any
) -> None:
    client.force_login(agent_al3)
    with time_machine.travel(TODAY, tick=False):
        response = client.get("/van-dong/viec-can-lam/")
    assert response.status_code == 200
    html = response.content.decode()
    assert follow_ups["passed"].full_name in html and "Quá hẹn 1 ngày" in html
    assert follow_ups["tomorrow"].full_name not in html or "Hẹn gặp lại ngày" not in html
    assert "@media print" not in html  # print rules live in the stylesheet
    assert 'class="village-group"' in html


def test_the_page_query_count_does_not_grow_with_lines(
    client: Any, world: Any, agent_al3: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(agent_al3)
    for person in prospects("AL3", 3):
        actions.record_contact(actor=agent_al3, person=person, on=TODAY - timedelta(days=2),
                               channel="visit", outcome="follow_up", next_follow_up_on=TODAY)
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(36) as few:
        client.get("/van-dong/viec-can-lam/?span=week")
    for person in prospects("AL3", 15, exclude=tuple(Person.objects.filter(
            Q(contacts__isnull=False)).values_list("id", flat=True))):
        actions.record_contact(actor=agent_al3, person=person, on=TODAY - timedelta(days=2),
                               channel="visit", outcome="follow_up", next_follow_up_on=TODAY)
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(
            len(few.captured_queries)):
        client.get("/van-dong/viec-can-lam/?span=week")


@pytest.mark.parametrize(("code", "n", "english"), [
    ("follow_up_overdue", 1, "Follow-up 1 day overdue"),
    ("follow_up_overdue", 5, "Follow-up 5 days overdue"),
    ("was_late", 1, "Paid late once before"),
    ("was_late", 3, "Paid late 3 times before"),
    ("late", 1, "1 month late (due 30/09/2026)"),
])
def test_a_reason_counts_in_the_page_language(code: str, n: int, english: str) -> None:
    """A reason is stored as a code and translated when shown, one or many in English
    (Vietnamese has one form)."""
    params = {"n": n, "day": "2026-09-30"}
    with translation.override("en"):
        assert worklist.reason_text(code, params) == english
    with translation.override("vi"):
        assert worklist.reason_text(code, params).startswith(
            {"follow_up_overdue": "Quá hẹn", "was_late": "Đã từng chậm đóng",
             "late": "Chậm đóng"}[code])
