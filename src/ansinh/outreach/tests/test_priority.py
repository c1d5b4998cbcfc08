"""The precomputed worklist (`outreach.priority`): after any sequence of writes through the
actions it is the live computation (`worklist.build`, never-visited unlimited); each write that
changes a person's reasons refreshes them in its own transaction; the page reads it, scoped to
the user's villages, and translates the stored reasons in the page's language."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansinh.collection import lifecycle
from ansinh.collection.actions import reverse_receipt
from ansinh.collection.lapses import run_lapses
from ansinh.collection.models import PaidMonth, Receipt
from ansinh.core.errors import Refused
from ansinh.field.devices import register_device
from ansinh.outreach import actions, priority, worklist
from ansinh.outreach.models import Priority, PriorityRefresh
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status
from ansinh.registry.actions import certify_poverty, update_person
from ansinh.registry.models import Person, PovertyStatus, SIStatus
from ansinh.registry.reference import KINH

from .helpers import pay, prospects

TODAY = date(2026, 3, 18)
URL = "/van-dong/viec-can-lam/"


def _shape(line: worklist.Line) -> tuple[Any, ...]:
    return (line.score, sorted(line.kinds), line.reasons, line.collect, line.participation_id,
            line.village_id, line.name)


def _live(user: Any, span: str) -> dict[int, tuple[Any, ...]]:
    work = worklist.build(user, TODAY, span, never_visited_limit=10**9)
    return {line.person_id: _shape(line) for line in work.all_lines()}


def _stored(user: Any, span: str) -> dict[int, tuple[Any, ...]]:
    listing = priority.read(user, TODAY, span)
    lines = listing.between(0, listing.shown)
    assert len(lines) == listing.shown == listing.total
    # village by village, the best first within each
    for before, after in pairwise(lines):
        if before.village_id == after.village_id:
            assert before.score >= after.score
    return {line.person_id: _shape(line) for line in lines}


def _row(person: Person) -> Priority | None:
    return Priority.objects.filter(person=person).first()


def _codes(person: Person, span: str = "week") -> list[str]:
    row = _row(person)
    if row is None:
        return []
    return [code for _p, _k, code, _a in (row.reasons if span == "week" else row.reasons_today)]


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def filled(world: Any, agent_al3: Any, frozen: Any) -> None:
    """Every village of the office computed as of TODAY (what the nightly run leaves)."""
    priority.refresh_office(agent_al3.office_id, TODAY)


# ---------------------------------------------------------------------------------------------
# The precomputed list is the live one, after any sequence of writes

OPS = ("contact", "follow_up", "enrol", "pay", "reverse", "pause", "stop", "left_compulsory",
       "lump_sum", "poverty", "ethnicity", "terms", "lapses")


def _apply(op: str, person: Person, agent: Any, director: Any) -> None:
    open_part = Participation.objects.filter(person=person).exclude(
        status=Status.STOPPED).first()
    try:
        if op == "contact":
            actions.record_contact(actor=agent, person=person, on=TODAY - timedelta(days=2),
                                   channel="visit", outcome="not_interested")
        elif op == "follow_up":
            actions.record_contact(actor=agent, person=person, on=TODAY - timedelta(days=5),
                                   channel="visit", outcome="follow_up",
                                   next_follow_up_on=TODAY + timedelta(days=person.pk % 4 - 1))
        elif op == "enrol" and open_part is None:
            enrol(person, start_month=date(2026, 1, 1), income=2_000_000, mode="monthly",
                  actor=agent, enrolled_on=date(2026, 1, 5))
        elif op == "pay" and open_part is not None:
            paid = set(PaidMonth.objects.filter(receipt__participation=open_part,
                                                released_by__isnull=True)
                       .values_list("month", flat=True))
            months = [m for m in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
                      if m >= open_part.start_month and m not in paid]
            if months:
                pay(open_part, months[:1], agent, TODAY)
        elif op == "reverse" and open_part is not None:
            receipt = Receipt.objects.filter(participation=open_part, reverses__isnull=True,
                                             reversal__isnull=True).order_by("-id").first()
            if receipt is not None:
                reverse_receipt(receipt, on=TODAY, reason="nhầm", actor=director)
        elif op == "pause" and open_part is not None:
            lifecycle.pause(open_part, on=TODAY, actor=director)
        elif op == "stop" and open_part is not None:
            lifecycle.stop(open_part, reason="lump_sum", on=TODAY, actor=director)
        elif op == "left_compulsory" and open_part is None:
            update_person(person, {"si_status": SIStatus.COMPULSORY}, actor=director)
            update_person(person, {"si_status": SIStatus.NONE}, actor=director)
        elif op == "lump_sum" and open_part is None:
            update_person(person, {"si_status": SIStatus.LUMP_SUM,
                                   "si_status_as_of": TODAY - timedelta(days=10)},
                          actor=director)
        elif op == "poverty" and person.household is not None:
            certify_poverty(person.household, year=TODAY.year, status=PovertyStatus.POOR,
                            source="test", actor=director)
        elif op == "ethnicity":
            update_person(person, {"ethnicity": KINH if person.ethnicity != KINH else "18"},
                          actor=director)
        elif op == "terms" and open_part is not None:
            lifecycle.change_terms(open_part, from_month=date(2026, 4, 1), income=2_500_000,
                                   mode="quarterly", actor=director, on=TODAY)
        elif op == "lapses":
            run_lapses(agent.office, TODAY, actor=director, follow_ups=False)
    except Refused:
        pass  # a write the actions refuse changes nothing


@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 7)), max_size=10))
def test_the_precomputed_list_is_the_live_one_after_any_writes(
        steps: list[tuple[str, int]], filled: None, agent_al3: Any, director: Any) -> None:
    # the examples share the database: each one goes on from where the last one left it
    # the same persons in every example: adults of A Lưới 3, and participants of the demo
    pool = list(Person.objects.filter(village__commune__code="AL3",
                                      birth_date__lt=date(1996, 1, 1),
                                      birth_date__gt=date(1981, 1, 1)).order_by("id")[:5])
    pool += [p.person for p in Participation.objects.filter(village__commune__code="AL3")
             .select_related("person").order_by("id")[:3]]
    for op, index in steps:
        _apply(op, Person.objects.get(pk=pool[index % len(pool)].pk), agent_al3, director)
    computed = dict(PriorityRefresh.objects.values_list("village_id", "refreshed_at"))
    for span in worklist.SPANS:
        assert _stored(agent_al3, span) == _live(agent_al3, span)
    # the writes kept the rows current: the read recomputed no village
    assert dict(PriorityRefresh.objects.values_list("village_id", "refreshed_at")) == computed


# ---------------------------------------------------------------------------------------------
# Every write that changes reasons refreshes them, in its transaction


def test_a_contact_takes_a_prospect_off_never_visited(filled: None, agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    assert "never_visited" in _codes(person)
    actions.record_contact(actor=agent_al3, person=person, on=TODAY, channel="visit",
                           outcome="not_interested")
    assert "never_visited" not in _codes(person)


def test_a_person_added_in_the_field_is_never_visited(filled: None, agent_al3: Any) -> None:
    village = prospects("AL3", 1)[0].village
    person = actions.add_new_person(actor=agent_al3, village=village, full_name="Hồ Văn Mới",
                                    birth_date=date(1990, 5, 5), sex="M")
    assert "never_visited" in _codes(person)


def test_enrolment_receipt_and_reversal(filled: None, agent_al3: Any, director: Any,
                                        receipt_book_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    participation = enrol(person, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2026, 1, 5))
    assert _codes(person) == ["first_payment_missed"]  # January's deadline has passed
    receipt = pay(participation, [date(2026, 1, 1)], agent_al3, TODAY)
    assert _codes(person) == ["late", "months_owed"]  # February is late now
    assert _row(person).reasons[0][3]["n"] == 1  # type: ignore[union-attr]
    reverse_receipt(receipt, on=TODAY, reason="nhầm", actor=director)
    assert _row(person).reasons[0][3]["n"] == 2  # type: ignore[union-attr]  # January again


def test_a_status_change_and_a_stop(filled: None, agent_al3: Any, director: Any) -> None:
    person = prospects("AL3", 1)[0]
    participation = enrol(person, start_month=date(2026, 3, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=TODAY)
    assert _codes(person) == []  # March is due by 31/03: after this week
    later = date(2026, 3, 27)
    with time_machine.travel(later, tick=False):
        priority.refresh_office(agent_al3.office_id)
        assert _codes(person) == ["first_payment_due"]
        assert _codes(person, "today") == []  # this week's list only
        assert _row(person).score_today is None  # type: ignore[union-attr]
        lifecycle.pause(participation, on=later, actor=director)
        assert _codes(person) == _codes(person, "today") == ["paused"]
        lifecycle.resume(participation, from_month=date(2026, 3, 1), on=later, actor=director)
        assert _codes(person) == ["due"]
        lifecycle.stop(participation, reason="lump_sum", on=later, actor=director)
        assert _codes(person) == ["after_lump_sum"]


def test_new_terms_are_refreshed(filled: None, agent_al3: Any, director: Any,
                                 receipt_book_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    participation = enrol(person, start_month=date(2026, 3, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2026, 3, 2))
    pay(participation, [date(2026, 3, 1)], agent_al3, TODAY)
    later = date(2026, 4, 26)
    with time_machine.travel(later, tick=False):
        priority.refresh_office(agent_al3.office_id)
        assert _codes(person) == ["due"]  # April, by 30/04
        Priority.objects.filter(person=person).update(score=-1)  # a stale value
        lifecycle.change_terms(participation, from_month=date(2026, 5, 1), income=2_000_000,
                               mode="quarterly", actor=director, on=later)
        row = _row(person)
        live = worklist.village_based(agent_al3.office_id, later,
                                      worklist.villages_for(agent_al3, None, later),
                                      [person.pk])["week"][person.pk]
        assert row is not None and (row.score, row.reasons) == (live.score, live.codes)


def test_si_status_poverty_and_ethnicity(filled: None, director: Any) -> None:
    person = prospects("AL3", 1)[0]
    update_person(person, {"si_status": SIStatus.COMPULSORY}, actor=director)
    assert _row(person) is None  # in compulsory SI: no reason
    update_person(person, {"si_status": SIStatus.NONE}, actor=director)
    assert _codes(person)[0] == "left_compulsory"
    other = prospects("AL3", 1, exclude=(person.pk,))[0]
    assert other.household is not None
    certify_poverty(other.household, year=TODAY.year, status=PovertyStatus.POOR,
                    source="test", actor=director)
    assert "poor" in _codes(other)
    update_person(other, {"ethnicity": "18"}, actor=director)
    assert "ethnic_minority" in _codes(other)
    update_person(other, {"ethnicity": KINH}, actor=director)
    assert "ethnic_minority" not in _codes(other)


def test_the_lapse_run_counts_a_lateness(filled: None, agent_al3: Any, director: Any,
                                         receipt_book_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    participation = enrol(person, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2026, 1, 5))
    Participation.objects.filter(pk=participation.pk).update(status=Status.ACTIVE)
    priority.refresh_persons([person.pk])
    assert "was_late" not in _codes(person)
    run_lapses(agent_al3.office, TODAY, actor=director, follow_ups=False)
    assert "was_late" in _codes(person)  # the run recorded the lateness


def test_the_nightly_refresh_is_idempotent_and_the_command_says_so(
        filled: None, agent_al3: Any, capsys: Any) -> None:
    def rows() -> list[tuple[Any, ...]]:
        return list(Priority.objects.order_by("person_id").values_list(
            "person_id", "score", "kinds", "reasons", "score_today", "reasons_today"))

    before = rows()
    assert before
    call_command("refresh-priorities", "--office", agent_al3.office.code)
    out = capsys.readouterr().out
    assert "dòng ưu tiên / priority rows" in out
    assert rows() == before
    call_command("refresh-priorities", "--json")
    assert '"rows"' in capsys.readouterr().out


def test_two_refreshes_of_a_village_at_once_meet_the_database_s_refusal(
        filled: None, agent_al3: Any) -> None:
    """The rows go in through the bulk path; a second row of a person (another request
    refreshing the same stale village) is Django's IntegrityError, which the reader skips."""
    row = Priority.objects.order_by("person_id").first()
    assert row is not None
    line = worklist.Line(row.person_id, "", row.village_id, "", 1990, score=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        priority._store(row.office_id, TODAY, {"week": {row.person_id: line}, "today": {}})


def test_a_day_the_nightly_run_missed_is_computed_when_read(filled: None,
                                                            agent_al3: Any) -> None:
    later = TODAY + timedelta(days=40)
    with time_machine.travel(later, tick=False):
        listing = priority.read(agent_al3, later, "week")
    assert set(PriorityRefresh.objects.values_list("as_of", flat=True)) >= {later}
    assert listing.total == len(worklist.build(agent_al3, later, "week",
                                               never_visited_limit=10**9).all_lines())


# ---------------------------------------------------------------------------------------------
# The page and the API read it, scoped and translated


def test_the_page_shows_only_the_users_villages(client: Any, filled: None, world: Any,
                                                agent_al3: Any) -> None:
    al3 = set(Person.objects.filter(village__commune__code="AL3").values_list("id", flat=True))
    other = world["users"]["thu21"]  # an agent of A Lưới 2
    client.force_login(other)
    html = client.get(URL + "?span=week&page=all").content.decode()
    shown = {int(pk) for pk in re.findall(r'data-person="(\d+)"', html)}
    assert shown and not shown & al3
    village = Person.objects.get(pk=next(iter(al3))).village_id
    html = client.get(URL + f"?span=week&village={village}").content.decode()
    assert not {int(pk) for pk in re.findall(r'data-person="(\d+)"', html)} & al3
    _device, token = register_device(actor=other, name="thu21")
    phone = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = phone.get(f"/api/worklist?village={village}")
    assert response.status_code == 200
    assert response.json() and all(line["village"] != village for line in response.json())


@pytest.mark.parametrize(("language", "text"), [("vi", "Chưa ai đến thăm"),
                                                ("en", "Never visited")])
def test_the_page_translates_the_stored_reasons(client: Any, filled: None, agent_al3: Any,
                                                settings: Any, language: str,
                                                text: str) -> None:
    client.force_login(agent_al3)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(URL + "?span=week&kind=never_visited").content.decode()
    assert text in html


def test_the_api_pages_the_list(filled: None, agent_al3: Any) -> None:
    _device, token = register_device(actor=agent_al3, name="thu31")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    first = client.get("/api/worklist?limit=5").json()
    second = client.get("/api/worklist?limit=5&offset=5").json()
    assert len(first) == len(second) == 5
    assert not {line["person"] for line in first} & {line["person"] for line in second}
    whole = priority.read(agent_al3, TODAY, "today").between(0, 10)
    assert [line["score"] for line in first + second] == [line.score for line in whole]
