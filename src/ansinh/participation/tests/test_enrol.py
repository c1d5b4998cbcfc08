"""Enrolment: only prospects, one open participation, audited; categories from facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ansinh.collection.lifecycle import resume, stop
from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status, StatusChange
from ansinh.participation.subsidy import categories_for
from ansinh.registry.models import HouseholdPoverty, Person, SIStatus


def _enrol(person: Person, actor: Any, **kwargs: Any) -> Participation:
    values: dict[str, Any] = {"start_month": date(2026, 3, 1), "income": 1_500_000,
                              "mode": "monthly", "enrolled_on": date(2026, 3, 10)}
    values.update(kwargs)
    return enrol(person, actor=actor, **values)


@pytest.mark.parametrize(("status", "reason"), [
    (SIStatus.COMPULSORY, "bắt buộc"),
    (SIStatus.PENSIONER, "lương hưu"),
    (SIStatus.DECEASED, "đã mất"),
])
def test_a_person_who_is_not_a_prospect_is_refused_with_the_reason(
    prospect_al3: Person, agent_al3: Any, status: str, reason: str
) -> None:
    Person.objects.filter(pk=prospect_al3.pk).update(si_status=status)
    prospect_al3.refresh_from_db()
    with pytest.raises(Refused, match=reason):
        _enrol(prospect_al3, agent_al3)
    assert not Participation.objects.exists()


def test_too_young_and_too_old_are_refused(world: Any, agent_al3: Any) -> None:
    in_al3 = Person.objects.filter(village__commune__code="AL3")  # the agent's territory
    young = in_al3.filter(birth_date__gt=date(2011, 4, 1)).first()
    if young is None:  # the demo's youngest are 15: make one younger
        young = in_al3.first()
        assert young is not None
        Person.objects.filter(pk=young.pk).update(birth_date=date(2012, 5, 1))
        young.refresh_from_db()
    with pytest.raises(Refused, match="15"):
        _enrol(young, agent_al3)
    old = in_al3.filter(sex="M", birth_date__lt=date(1960, 1, 1),
                        si_status=SIStatus.NONE).first()
    assert old is not None
    with pytest.raises(Refused, match="tuổi nghỉ hưu"):
        _enrol(old, agent_al3)


def test_enrolment_is_audited_and_marks_the_register(prospect_al3: Person,
                                                      agent_al3: Any) -> None:
    participation = _enrol(prospect_al3, agent_al3)
    prospect_al3.refresh_from_db()
    assert prospect_al3.si_status == SIStatus.VOLUNTARY
    assert participation.agent == agent_al3.agent
    assert participation.organisation == agent_al3.agent.organisation
    assert participation.first_time
    assert AuditEntry.objects.filter(action="participation.enrol",
                                     object_id=str(participation.pk)).exists()
    with pytest.raises(Refused, match="đang tham gia"):
        _enrol(prospect_al3, agent_al3)


def test_the_start_month_is_the_enrolment_month_or_the_next(prospect_al3: Person,
                                                            agent_al3: Any) -> None:
    with pytest.raises(Refused):
        _enrol(prospect_al3, agent_al3, start_month=date(2026, 1, 1))
    with pytest.raises(Refused):
        _enrol(prospect_al3, agent_al3, income=1_000)


def test_stop_and_rejoin(participation_al3: Participation, director: Any) -> None:
    stop(participation_al3, reason="lump_sum", on=date(2026, 6, 1), actor=director)
    person = participation_al3.person
    person.refresh_from_db()
    assert person.si_status == SIStatus.LUMP_SUM
    again = _enrol(person, director, start_month=date(2026, 7, 1),
                   enrolled_on=date(2026, 7, 2))
    assert not again.first_time  # re-joined after a lump sum
    assert [c.new_status for c in StatusChange.objects.filter(
        participation=participation_al3)] == [Status.AWAITING, Status.STOPPED]
    with pytest.raises(Refused):
        resume(participation_al3, from_month=date(2026, 8, 1), on=date(2026, 8, 1),
               actor=director)


def test_categories_follow_the_facts_of_each_month(prospect_al3: Person) -> None:
    household = prospect_al3.household
    assert household is not None
    HouseholdPoverty.objects.filter(household=household).delete()
    HouseholdPoverty.objects.create(household=household, year=2026, status="poor",
                                    source="QĐ 2026")
    minority = prospect_al3.ethnicity != "01"
    assert "poor" in categories_for(prospect_al3, date(2026, 5, 1))
    before = categories_for(prospect_al3, date(2025, 5, 1))
    assert "poor" not in before
    assert ("ethnic_minority" in before) == minority
