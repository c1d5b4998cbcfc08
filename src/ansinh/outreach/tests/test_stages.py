"""The prospect stage follows the facts: contacts, participation, paid months, the register."""

from __future__ import annotations

from datetime import date
from typing import Any

from ansinh.outreach import actions, stages
from ansinh.participation.actions import enrol, mark_late
from ansinh.registry.models import Person, SIStatus

from .helpers import pay, prospects

ON = date(2026, 3, 31)


def test_a_person_moves_through_the_stages_as_facts_arrive(world: Any, agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    assert stages.stage_of(person, ON) == stages.NEVER_CONTACTED
    actions.record_contact(actor=agent_al3, person=person, on=date(2026, 1, 3), channel="visit",
                           outcome="not_met")
    assert stages.stage_of(person, ON) == stages.CONTACTED
    actions.record_contact(actor=agent_al3, person=person, on=date(2026, 1, 4), channel="call",
                           outcome="follow_up", next_follow_up_on=date(2026, 1, 10))
    assert stages.stage_of(person, ON) == stages.INTERESTED
    # a contact after the day does not count on the day
    assert stages.stage_of(person, date(2026, 1, 3)) == stages.CONTACTED
    participation = enrol(person, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2026, 1, 10))
    assert stages.stage_of(person, ON) == stages.ENROLLED
    pay(participation, [date(2026, 1, 1)], agent_al3, date(2026, 1, 20))
    assert stages.stage_of(person, ON) == stages.PAYING
    mark_late(participation, on=date(2026, 3, 1), actor=agent_al3, reason="test")
    assert stages.stage_of(person, ON) == stages.LAPSED


def test_a_later_refusal_ends_the_interest(world: Any, agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    actions.record_contact(actor=agent_al3, person=person, on=date(2026, 1, 3), channel="visit",
                           outcome="interested")
    actions.record_contact(actor=agent_al3, person=person, on=date(2026, 2, 3), channel="visit",
                           outcome="not_interested", objection="cannot_afford")
    assert stages.stage_of(person, ON) == stages.CONTACTED


def test_register_facts_decide_withdrew_and_not_eligible(world: Any) -> None:
    first, second = prospects("AL2", 2)
    Person.objects.filter(pk=first.pk).update(si_status=SIStatus.LUMP_SUM)
    Person.objects.filter(pk=second.pk).update(si_status=SIStatus.COMPULSORY)
    assert stages.stage_of(first, ON) == stages.WITHDREW
    assert stages.stage_of(second, ON) == stages.NOT_ELIGIBLE


def test_the_stage_annotates_a_whole_list_in_one_query(
    world: Any, agent_al3: Any, django_assert_num_queries: Any
) -> None:
    for person in prospects("AL3", 5):
        actions.record_contact(actor=agent_al3, person=person, on=date(2026, 1, 3),
                               channel="visit", outcome="interested")
    with django_assert_num_queries(1):
        found = dict(stages.with_stage(Person.objects.all(), ON).values_list(
            "id", "stage"))  # type: ignore[misc]
    assert len(found) == 600
    assert sum(1 for s in found.values() if s == stages.INTERESTED) == 5
    assert set(found.values()) <= set(stages.STAGE_LABELS)
