"""State changes of participations that do not depend on what is paid: enrolment and the
late/active marks. Each runs in one transaction and writes its audit row.

Lifecycle: awaiting the first payment → active (the first receipt) → late → paused → (resumed)
active; any open state → stopped (moved to compulsory SI, lump-sum withdrawal, retired,
deceased, moved away). The changes that depend on
the months paid (terms, pause, resume, stop) are `ansinh.collection.lifecycle`'s; they use the
primitives here (`lock_open`, `set_status`, `check_income`, `check_mode`).
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import date

from django.db import transaction

from ansinh.core import audit, keepers, permissions
from ansinh.core.errors import Refused
from ansinh.core.keepers import kept_current
from ansinh.core.models import Role, User
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.policy import income_bounds
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.changes import touch
from ansinh.registry.models import Person, SIStatus
from ansinh.registry.prospects import fifteenth_birthday_cutoff, retirement_date

from .models import Participation, Status, StatusChange, Terms


def eligibility_refusal(person: Person, on: date) -> Refused | None:
    """Why `person` cannot enrol on `on`, or None if they can."""
    if person.si_status == SIStatus.COMPULSORY:
        return Refused("Người này đang tham gia BHXH bắt buộc",
                       "this person is in compulsory social insurance")
    if person.si_status == SIStatus.PENSIONER:
        return Refused("Người này đang hưởng lương hưu", "this person already draws a pension")
    if person.si_status == SIStatus.DECEASED:
        return Refused("Người này đã mất", "this person has died")
    if person.birth_date > fifteenth_birthday_cutoff(on):
        return Refused("Người này chưa đủ 15 tuổi", "this person is under 15")
    if on >= retirement_date(person.sex, person.birth_date):
        return Refused(
            "Người này đã đủ tuổi nghỉ hưu: chỉ có thể đóng một lần cho thời gian còn thiếu",
            "this person has reached retirement age: only the missing-period lump payment applies",
        )
    if Participation.objects.filter(person=person).exclude(status=Status.STOPPED).exists():
        return Refused("Người này đang tham gia BHXH tự nguyện",
                       "this person already has an open participation")
    return None


def check_income(income: int, on: date) -> None:
    bounds = income_bounds(on)
    if not bounds.floor <= income <= bounds.ceiling:
        raise Refused(
            f"Thu nhập phải từ {bounds.floor:,} đến {bounds.ceiling:,} đồng".replace(",", "."),
            f"declared income must be between {bounds.floor:,} and {bounds.ceiling:,} VND",
        )


def check_mode(mode: str, advance_years: int | None) -> None:
    if mode == "advance":
        if advance_years is None or not 2 <= advance_years <= 5:
            raise Refused("Đóng trước: số năm từ 2 đến 5",
                          "advance payment: between 2 and 5 years")
    elif advance_years is not None:
        raise Refused("Chỉ phương thức đóng trước mới có số năm",
                      "years only apply to the advance mode")


def set_status(participation: Participation, new: str, *, on: date, reason: str,
                actor: User | None) -> None:
    old = participation.status
    with kept_current([participation.person_id]):
        participation.status = new
        participation.status_since = on
        participation.save(update_fields=["status", "status_since", "stop_reason"])
        StatusChange.objects.create(participation=participation, on=on, old_status=old,
                                    new_status=new, reason=reason[:200], actor=actor)
    audit.record(actor=actor, office=participation.office, action=f"participation.{new}",
                 obj=participation, changes={"status": [old, new]}, note=reason)
    keepers.changed([participation.person_id])


def _agent_of(actor: User, agent: Agent | None) -> Agent | None:
    if agent is None and actor.role == Role.AGENT:
        return Agent.objects.filter(user=actor).first()
    return agent


@transaction.atomic
def enrol(
    person: Person,
    *,
    start_month: date,
    income: int,
    mode: str,
    actor: User,
    enrolled_on: date,
    advance_years: int | None = None,
    agent: Agent | None = None,
    organisation: CollectionOrganisation | None = None,
    prior_months: int = 0,
    prior_supported_months: int = 0,
    client_uuid: uuid_module.UUID | None = None,
) -> Participation:
    """Enrol `person` in voluntary SI from `start_month` (the enrolment month or the next).

    A retried `client_uuid` for the same person returns the participation it created; for
    another person it is refused."""
    permissions.authorise(actor, "enrol", person)
    if client_uuid is not None:
        existing = Participation.objects.filter(uuid=client_uuid).first()
        if existing is not None:
            if existing.person_id != person.pk:
                raise Refused("Mã giao dịch đã dùng cho một đăng ký khác",
                              "this transaction id was used for another enrolment")
            return existing
    person = Person.objects.select_for_update().get(pk=person.pk)
    refusal = eligibility_refusal(person, enrolled_on)
    if refusal:
        raise refusal
    start_month = first_of_month(start_month)
    if not first_of_month(enrolled_on) <= start_month <= add_months(first_of_month(enrolled_on), 1):
        raise Refused("Tháng bắt đầu phải là tháng đăng ký hoặc tháng sau",
                      "the start month must be the enrolment month or the next one")
    check_income(income, enrolled_on)
    check_mode(mode, advance_years)
    agent = _agent_of(actor, agent)
    if agent is not None and organisation is None:
        organisation = agent.organisation
    first_time = not Participation.objects.filter(person=person).exists() and (
        person.si_status != SIStatus.LUMP_SUM
    )
    with kept_current([person.pk]):
        participation = _create(person, start_month=start_month, income=income, mode=mode,
                                actor=actor, enrolled_on=enrolled_on,
                                advance_years=advance_years, agent=agent,
                                organisation=organisation, prior_months=prior_months,
                                prior_supported_months=prior_supported_months,
                                client_uuid=client_uuid, first_time=first_time)
    audit.record(actor=actor, office=person.office, action="participation.enrol",
                 obj=participation,
                 changes={"income": [None, income], "mode": [None, mode],
                          "start_month": [None, start_month.isoformat()]})
    if person.si_status != SIStatus.VOLUNTARY:
        audit.record(actor=actor, office=person.office, action="person.update", obj=person,
                     changes={"si_status": [person.si_status, SIStatus.VOLUNTARY]},
                     note="enrol")
        Person.objects.filter(pk=person.pk).update(
            si_status=SIStatus.VOLUNTARY, si_status_source="ansinh", si_status_as_of=enrolled_on
        )
    touch(person.office_id, [person.pk])
    keepers.changed([person.pk])
    return participation


def _create(person: Person, *, start_month: date, income: int, mode: str, actor: User,
            enrolled_on: date, advance_years: int | None, agent: Agent | None,
            organisation: CollectionOrganisation | None, prior_months: int,
            prior_supported_months: int, client_uuid: uuid_module.UUID | None,
            first_time: bool) -> Participation:
    """The participation, its first terms and its first status."""
    participation = Participation.objects.create(
        office=person.office, village=person.village, person=person,
        uuid=client_uuid or uuid_module.uuid4(), start_month=start_month,
        enrolled_on=enrolled_on, income=income, mode=mode, advance_years=advance_years,
        agent=agent, organisation=organisation, enrolled_by=actor, first_time=first_time,
        prior_months=prior_months, prior_supported_months=prior_supported_months,
        status=Status.AWAITING, status_since=enrolled_on,
    )
    Terms.objects.create(participation=participation, from_month=start_month, income=income,
                         mode=mode, advance_years=advance_years, created_by=actor,
                         note="enrol")
    StatusChange.objects.create(participation=participation, on=enrolled_on, old_status="",
                                new_status=Status.AWAITING, reason="enrol", actor=actor)
    return participation


def lock_open(participation: Participation) -> Participation:
    locked = Participation.objects.select_for_update().get(pk=participation.pk)
    if locked.status == Status.STOPPED:
        raise Refused("Người tham gia đã dừng tham gia", "this participation has stopped")
    return locked


@transaction.atomic
def mark_late(participation: Participation, *, on: date, actor: User | None = None,
              reason: str = "deadline passed") -> None:
    locked = lock_open(participation)
    if locked.status != Status.LATE:
        set_status(locked, Status.LATE, on=on, reason=reason, actor=actor)
        touch(locked.office_id, [locked.person_id])


@transaction.atomic
def mark_active(participation: Participation, *, on: date, actor: User | None = None,
                reason: str = "paid") -> None:
    """Active again (a late participant caught up) or for the first time (the first receipt of
    a participation awaiting it)."""
    locked = lock_open(participation)
    if locked.status in (Status.LATE, Status.AWAITING):
        set_status(locked, Status.ACTIVE, on=on, reason=reason, actor=actor)
        touch(locked.office_id, [locked.person_id])


