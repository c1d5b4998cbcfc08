"""Lifecycle actions that depend on what is paid: new terms, pause, resume, stop.

Each runs in one transaction and writes its audit row (through the participation app's
primitives). Terms (income and mode) change from a month, only once the period already chosen
is complete (D159 Art. 4); a pause or a stop starts at the first unpaid month.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ansinh.core import audit, keepers, permissions
from ansinh.core.errors import Refused
from ansinh.core.models import User
from ansinh.participation.actions import check_income, check_mode, lock_open, set_status
from ansinh.participation.models import Participation, Status, StopReason, Terms
from ansinh.participation.schedule import period_shape
from ansinh.policy.money import first_of_month
from ansinh.registry.changes import touch
from ansinh.registry.models import Person, SIStatus

from .dues import first_unpaid_month, next_change_month

# What the register records about a person once their participation stops for a reason.
SI_STATUS_ON_STOP = {
    StopReason.COMPULSORY: SIStatus.COMPULSORY,
    StopReason.LUMP_SUM: SIStatus.LUMP_SUM,
    StopReason.RETIRED: SIStatus.PENSIONER,
    StopReason.DECEASED: SIStatus.DECEASED,
    StopReason.MOVED: SIStatus.MOVED,
}


@transaction.atomic
def change_terms(
    participation: Participation, *, from_month: date, income: int, mode: str, actor: User,
    on: date, advance_years: int | None = None,
) -> Terms:
    """New income and/or mode from `from_month`, once the chosen period is complete."""
    permissions.authorise(actor, "manage_participations", participation)
    locked = lock_open(participation)
    from_month = first_of_month(from_month)
    earliest = next_change_month(locked, on)
    if from_month < earliest:
        raise Refused(
            f"Chỉ được thay đổi sau khi hoàn thành kỳ đóng đã chọn: sớm nhất từ {earliest:%m/%Y}",
            f"a change takes effect only after the chosen period is complete: "
            f"from {earliest:%m/%Y} at the earliest",
        )
    check_income(income, on)
    check_mode(mode, advance_years)
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
    touch(locked.office_id, [locked.person_id])
    keepers.changed([locked.person_id])  # the deadlines follow the mode
    return terms


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
def pause(participation: Participation, *, on: date, actor: User | None,
          reason: str = "") -> None:
    """Tạm dừng đóng: nothing falls due from the first unpaid month until resumed."""
    permissions.authorise(actor, "manage_participations", participation)
    locked = lock_open(participation)
    if locked.status == Status.PAUSED:
        return
    _pause_terms(locked, first_unpaid_month(locked, on), actor, "pause")
    set_status(locked, Status.PAUSED, on=on, reason=reason or "pause", actor=actor)
    touch(locked.office_id, [locked.person_id])


@transaction.atomic
def resume(participation: Participation, *, from_month: date, on: date, actor: User,
           income: int | None = None, mode: str | None = None,
           advance_years: int | None = None) -> None:
    """Đóng tiếp: dues start again from `from_month` (this month or later)."""
    permissions.authorise(actor, "manage_participations", participation)
    locked = lock_open(participation)
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
    check_income(income, on)
    check_mode(mode, advance_years)
    Terms.objects.update_or_create(
        participation=locked, from_month=from_month,
        defaults={"income": income, "mode": mode, "advance_years": advance_years,
                  "paused": False, "created_by": actor, "note": "resume"},
    )
    locked.income, locked.mode, locked.advance_years = income, mode, advance_years
    locked.save(update_fields=["income", "mode", "advance_years"])
    set_status(locked, Status.ACTIVE, on=on, reason="resume", actor=actor)
    touch(locked.office_id, [locked.person_id])


@transaction.atomic
def stop(participation: Participation, *, reason: str, on: date, actor: User | None,
         note: str = "") -> None:
    """Dừng tham gia for a reason; the register's SI status follows."""
    if reason not in StopReason.values:
        raise Refused("Lý do dừng không hợp lệ", "unknown stop reason")
    permissions.authorise(actor, "manage_participations", participation)
    locked = lock_open(participation)
    _pause_terms(locked, first_unpaid_month(locked, on), actor, f"stop:{reason}")
    locked.stop_reason = reason
    set_status(locked, Status.STOPPED, on=on, reason=note or reason, actor=actor)
    person = locked.person
    new_status = SI_STATUS_ON_STOP[StopReason(reason)]
    if person.si_status != new_status:
        audit.record(actor=actor, office=locked.office, action="person.update", obj=person,
                     changes={"si_status": [person.si_status, new_status]}, note="stop")
        Person.objects.filter(pk=person.pk).update(si_status=new_status,
                                                   si_status_source="ansinh",
                                                   si_status_as_of=on)
    touch(locked.office_id, [locked.person_id])
    keepers.changed([locked.person_id])  # the SI status, after set_status's refresh
