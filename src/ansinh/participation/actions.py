"""State changes of participations. Each runs in one transaction and writes its audit row.

Lifecycle: active → late → paused → (resumed) active; any open state → stopped (moved to
compulsory SI, lump-sum withdrawal, retired, deceased, moved away). Terms (income and mode)
change from a month, only once the period already chosen is complete (D159 Art. 4).
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import date

from django.db import transaction

from ansinh.core import audit
from ansinh.core.errors import Refused
from ansinh.core.models import Role, User
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.policy import income_bounds
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.models import Person, SIStatus
from ansinh.registry.prospects import fifteenth_birthday_cutoff, retirement_date

from .dues import dues, paid_months, period_shape
from .models import Participation, Status, StatusChange, StopReason, Terms

# What the register records about a person once their participation stops for a reason.
SI_STATUS_ON_STOP = {
    StopReason.COMPULSORY: SIStatus.COMPULSORY,
    StopReason.LUMP_SUM: SIStatus.LUMP_SUM,
    StopReason.RETIRED: SIStatus.PENSIONER,
    StopReason.DECEASED: SIStatus.DECEASED,
    StopReason.MOVED: SIStatus.MOVED,
}


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


def _check_income(income: int, on: date) -> None:
    bounds = income_bounds(on)
    if not bounds.floor <= income <= bounds.ceiling:
        raise Refused(
            f"Thu nhập phải từ {bounds.floor:,} đến {bounds.ceiling:,} đồng".replace(",", "."),
            f"declared income must be between {bounds.floor:,} and {bounds.ceiling:,} VND",
        )


def _check_mode(mode: str, advance_years: int | None) -> None:
    if mode == "advance":
        if advance_years is None or not 2 <= advance_years <= 5:
            raise Refused("Đóng trước: số năm từ 2 đến 5",
                          "advance payment: between 2 and 5 years")
    elif advance_years is not None:
        raise Refused("Chỉ phương thức đóng trước mới có số năm",
                      "years only apply to the advance mode")


def _set_status(participation: Participation, new: str, *, on: date, reason: str,
                actor: User | None) -> None:
    old = participation.status
    participation.status = new
    participation.status_since = on
    participation.save(update_fields=["status", "status_since", "stop_reason"])
    StatusChange.objects.create(participation=participation, on=on, old_status=old,
                                new_status=new, reason=reason[:200], actor=actor)
    audit.record(actor=actor, office=participation.office, action=f"participation.{new}",
                 obj=participation, changes={"status": [old, new]}, note=reason)


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
    """Enrol `person` in voluntary SI from `start_month` (the enrolment month or the next)."""
    if client_uuid is not None:
        existing = Participation.objects.filter(uuid=client_uuid).first()
        if existing is not None:
            return existing
    person = Person.objects.select_for_update().get(pk=person.pk)
    refusal = eligibility_refusal(person, enrolled_on)
    if refusal:
        raise refusal
    start_month = first_of_month(start_month)
    if not first_of_month(enrolled_on) <= start_month <= add_months(first_of_month(enrolled_on), 1):
        raise Refused("Tháng bắt đầu phải là tháng đăng ký hoặc tháng sau",
                      "the start month must be the enrolment month or the next one")
    _check_income(income, enrolled_on)
    _check_mode(mode, advance_years)
    agent = _agent_of(actor, agent)
    if agent is not None and organisation is None:
        organisation = agent.organisation
    first_time = not Participation.objects.filter(person=person).exists() and (
        person.si_status != SIStatus.LUMP_SUM
    )
    participation = Participation.objects.create(
        office=person.office, village=person.village, person=person,
        uuid=client_uuid or uuid_module.uuid4(), start_month=start_month,
        enrolled_on=enrolled_on, income=income, mode=mode, advance_years=advance_years,
        agent=agent, organisation=organisation, enrolled_by=actor, first_time=first_time,
        prior_months=prior_months, prior_supported_months=prior_supported_months,
        status=Status.ACTIVE, status_since=enrolled_on,
    )
    Terms.objects.create(participation=participation, from_month=start_month, income=income,
                         mode=mode, advance_years=advance_years, created_by=actor,
                         note="enrol")
    StatusChange.objects.create(participation=participation, on=enrolled_on, old_status="",
                                new_status=Status.ACTIVE, reason="enrol", actor=actor)
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
    return participation


def _open(participation: Participation) -> Participation:
    locked = Participation.objects.select_for_update().get(pk=participation.pk)
    if locked.status == Status.STOPPED:
        raise Refused("Người tham gia đã dừng tham gia", "this participation has stopped")
    return locked


def next_change_month(participation: Participation, on: date) -> date:
    """The first month new terms may start: after the period in force on `on` (D159 Art. 4)
    and after every month already paid ahead."""
    current = dues(participation, on)
    month = first_of_month(on)
    for period in current.periods:
        end = add_months(period.start, len(period.months))
        if period.start <= month < end:
            month = end
    last_paid = max(paid_months(participation), default=None)
    if last_paid is not None and add_months(last_paid, 1) > month:
        month = add_months(last_paid, 1)
    return month


@transaction.atomic
def change_terms(
    participation: Participation, *, from_month: date, income: int, mode: str, actor: User,
    on: date, advance_years: int | None = None,
) -> Terms:
    """New income and/or mode from `from_month`, once the chosen period is complete."""
    locked = _open(participation)
    from_month = first_of_month(from_month)
    earliest = next_change_month(locked, on)
    if from_month < earliest:
        raise Refused(
            f"Chỉ được thay đổi sau khi hoàn thành kỳ đóng đã chọn: sớm nhất từ {earliest:%m/%Y}",
            f"a change takes effect only after the chosen period is complete: "
            f"from {earliest:%m/%Y} at the earliest",
        )
    _check_income(income, on)
    _check_mode(mode, advance_years)
    current = locked.terms.filter(from_month__lte=from_month).order_by("-from_month").first()
    if current is not None and current.from_month < from_month and not current.paused:
        length, _deadline = period_shape(current.mode, current.advance_years, current.from_month)
        months_between = ((from_month.year - current.from_month.year) * 12
                          + from_month.month - current.from_month.month)
        if months_between % length:
            raise Refused("Thay đổi phải bắt đầu từ đầu một kỳ đóng",
                          "a change must start at the beginning of a payment period")
    terms, _created = Terms.objects.update_or_create(
        participation=locked, from_month=from_month,
        defaults={"income": income, "mode": mode, "advance_years": advance_years,
                  "paused": False, "created_by": actor, "note": "change"},
    )
    Terms.objects.filter(participation=locked, from_month__gt=from_month).delete()
    audit.record(actor=actor, office=locked.office, action="participation.terms", obj=locked,
                 changes={"income": [locked.income, income], "mode": [locked.mode, mode],
                          "from_month": [None, from_month.isoformat()]})
    locked.income, locked.mode, locked.advance_years = income, mode, advance_years
    locked.save(update_fields=["income", "mode", "advance_years"])
    return terms


def _first_unpaid_month(participation: Participation, on: date) -> date:
    current = dues(participation, on)
    for period in current.periods:
        if period.unpaid:
            return period.unpaid[0]
    if current.next_period is not None:
        return current.next_period.unpaid[0] if current.next_period.unpaid else add_months(
            current.next_period.start, len(current.next_period.months))
    return first_of_month(on)


def _pause_terms(participation: Participation, from_month: date, actor: User | None,
                 note: str) -> None:
    Terms.objects.filter(participation=participation, from_month__gt=from_month).delete()
    Terms.objects.update_or_create(
        participation=participation, from_month=from_month,
        defaults={"income": participation.income, "mode": participation.mode,
                  "advance_years": participation.advance_years, "paused": True,
                  "created_by": actor, "note": note},
    )


@transaction.atomic
def mark_late(participation: Participation, *, on: date, actor: User | None = None,
              reason: str = "deadline passed") -> None:
    locked = _open(participation)
    if locked.status != Status.LATE:
        _set_status(locked, Status.LATE, on=on, reason=reason, actor=actor)


@transaction.atomic
def mark_active(participation: Participation, *, on: date, actor: User | None = None,
                reason: str = "paid") -> None:
    locked = _open(participation)
    if locked.status == Status.LATE:
        _set_status(locked, Status.ACTIVE, on=on, reason=reason, actor=actor)


@transaction.atomic
def pause(participation: Participation, *, on: date, actor: User | None,
          reason: str = "") -> None:
    """Tạm dừng đóng: nothing falls due from the first unpaid month until resumed."""
    locked = _open(participation)
    if locked.status == Status.PAUSED:
        return
    _pause_terms(locked, _first_unpaid_month(locked, on), actor, "pause")
    _set_status(locked, Status.PAUSED, on=on, reason=reason or "pause", actor=actor)


@transaction.atomic
def resume(participation: Participation, *, from_month: date, on: date, actor: User,
           income: int | None = None, mode: str | None = None,
           advance_years: int | None = None) -> None:
    """Đóng tiếp: dues start again from `from_month` (this month or later)."""
    locked = _open(participation)
    if locked.status != Status.PAUSED:
        raise Refused("Chỉ người đang tạm dừng mới đóng tiếp",
                      "only a paused participation can resume")
    from_month = first_of_month(from_month)
    paused_from = locked.terms.filter(paused=True).order_by("-from_month").first()
    if paused_from is not None and from_month < paused_from.from_month:
        raise Refused("Tháng đóng tiếp phải sau tháng tạm dừng",
                      "the resume month must not be before the pause")
    income = income or locked.income
    mode = mode or locked.mode
    if mode != "advance":
        advance_years = None
    _check_income(income, on)
    _check_mode(mode, advance_years)
    Terms.objects.update_or_create(
        participation=locked, from_month=from_month,
        defaults={"income": income, "mode": mode, "advance_years": advance_years,
                  "paused": False, "created_by": actor, "note": "resume"},
    )
    locked.income, locked.mode, locked.advance_years = income, mode, advance_years
    locked.save(update_fields=["income", "mode", "advance_years"])
    _set_status(locked, Status.ACTIVE, on=on, reason="resume", actor=actor)


@transaction.atomic
def stop(participation: Participation, *, reason: str, on: date, actor: User | None,
         note: str = "") -> None:
    """Dừng tham gia for a reason; the register's SI status follows."""
    if reason not in StopReason.values:
        raise Refused("Lý do dừng không hợp lệ", "unknown stop reason")
    locked = _open(participation)
    _pause_terms(locked, _first_unpaid_month(locked, on), actor, f"stop:{reason}")
    locked.stop_reason = reason
    _set_status(locked, Status.STOPPED, on=on, reason=note or reason, actor=actor)
    person = locked.person
    new_status = SI_STATUS_ON_STOP[StopReason(reason)]
    if person.si_status != new_status:
        audit.record(actor=actor, office=locked.office, action="person.update", obj=person,
                     changes={"si_status": [person.si_status, new_status]}, note="stop")
        Person.objects.filter(pk=person.pk).update(si_status=new_status,
                                                   si_status_source="ansinh",
                                                   si_status_as_of=on)
