"""State changes of retention cases. Each checks the actor's role and that the person or case
lies in what the actor may change (`core.permissions.authorise`), runs in one transaction and
writes its audit row. No actor is the system (the lapse run's follow-up, the command)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from ansinh.collection.lapses import LapseRun
from ansinh.core import audit, permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import Office, User
from ansinh.participation.models import Participation, Status, StopReason
from ansinh.registry.models import Person

from .models import CLOSING_OUTCOMES, CaseStatus, Outcome, Reason, RetentionCase, Session


class RetentionError(Refused, ValueError):
    """A refused retention change (`message`: the reason in the active language)."""


def _open_participation(person: Person) -> Participation | None:
    return (Participation.objects.filter(person=person).exclude(status=Status.STOPPED).first()
            or Participation.objects.filter(person=person).order_by("-enrolled_on").first())


@transaction.atomic
def open_case(*, person: Person, reason: str, on: date, actor: User | None,
              counsellor: User | None = None, note: str = "") -> RetentionCase:
    """Open a case for ``person``; if one is open already, return it (one open case a person)."""
    permissions.authorise(actor, "counsel", person)
    if reason not in Reason.values:
        raise RetentionError(f"Lý do không hợp lệ: {reason}", f"unknown reason {reason}")
    existing = RetentionCase.objects.select_for_update().filter(
        person=person, status=CaseStatus.OPEN).first()
    if existing is not None:
        return existing
    case = RetentionCase.objects.create(
        office_id=person.office_id, village_id=person.village_id, person=person,
        participation=_open_participation(person), reason=reason, opened_on=on,
        opened_by=actor, counsellor=counsellor or actor, note=note[:300],
    )
    audit.record(actor=actor, office=case.office, action="retention.open", obj=case,
                 changes={"person": [None, person.pk], "reason": [None, reason],
                          "opened_on": [None, on.isoformat()]})
    return case


@transaction.atomic
def record_session(
    case: RetentionCase, *, actor: User, on: date, outcome: str, figures: dict[str, Any],
    next_step: str = "", next_step_on: date | None = None, note: str = "",
) -> Session:
    """A counselling session; a retained / changed / withdrew outcome closes the case."""
    permissions.authorise(actor, "counsel", case)
    if outcome not in Outcome.values:
        raise RetentionError(f"Kết quả không hợp lệ: {outcome}", f"unknown outcome {outcome}")
    locked = RetentionCase.objects.select_for_update().get(pk=case.pk)
    if locked.status == CaseStatus.CLOSED:
        raise RetentionError("Hồ sơ đã kết thúc", "the case is closed")
    if next_step_on is not None and next_step_on < on:
        raise RetentionError("Ngày thực hiện việc tiếp theo phải sau buổi tư vấn",
                             "the next step cannot be before the session")
    session = Session.objects.create(
        case=locked, on=on, counsellor=actor, outcome=outcome, next_step=next_step[:200],
        next_step_on=next_step_on, note=note[:300], figures=figures,
    )
    before = {"status": locked.status, "outcome": locked.outcome,
              "next_step_on": locked.next_step_on}
    locked.outcome = outcome
    locked.next_step = next_step[:200]
    locked.next_step_on = next_step_on
    locked.counsellor = locked.counsellor or actor
    if outcome in CLOSING_OUTCOMES:
        locked.status = CaseStatus.CLOSED
        locked.closed_on = on
    locked.save()
    audit.record(actor=actor, office=locked.office, action="retention.session", obj=locked,
                 changes=audit.diff(before, {"status": locked.status, "outcome": outcome,
                                             "next_step_on": next_step_on}),
                 note=f"session {session.pk}")
    case.refresh_from_db()
    return session


@transaction.atomic
def open_lapse_cases(office: Office, on: date, *, actor: User | None = None) -> int:
    """Open a case for every lapsed participation (late or paused) and every lump-sum payout
    (a participation stopped for the lump sum) without an open case. Returns the cases opened.

    Run by `ansinh open-retention-cases` (and the worker) after the lapse detection: an
    office-wide job, the director's of that office (or the system's, with no actor).
    """
    permissions.authorise(actor, "run_office_jobs")
    scoping.require_own_office(actor, office.pk)
    opened = 0
    busy = set(RetentionCase.objects.filter(office=office, status=CaseStatus.OPEN)
               .values_list("person_id", flat=True))
    lapsed = Participation.objects.filter(
        office=office, status__in=(Status.LATE, Status.PAUSED)).select_related("person")
    for participation in lapsed:
        if participation.person_id in busy:
            continue
        open_case(person=participation.person, reason=Reason.LAPSED, on=on, actor=actor)
        busy.add(participation.person_id)
        opened += 1
    handled = set(RetentionCase.objects.filter(office=office, reason=Reason.AFTER_PAYOUT)
                  .values_list("person_id", flat=True))
    paid_out = Participation.objects.filter(
        office=office, status=Status.STOPPED, stop_reason=StopReason.LUMP_SUM,
    ).select_related("person")
    for participation in paid_out:
        if participation.person_id in busy or participation.person_id in handled:
            continue
        if Participation.objects.filter(person_id=participation.person_id).exclude(
                status=Status.STOPPED).exists():
            continue  # already back
        open_case(person=participation.person, reason=Reason.AFTER_PAYOUT, on=on, actor=actor)
        busy.add(participation.person_id)
        opened += 1
    return opened



def after_lapse_run(office: Office, run: LapseRun) -> dict[str, int]:
    """The lapse run's follow-up (registered in `apps.py`): cases for the newly lapsed."""
    return {"retention_cases": open_lapse_cases(office, run.as_of)}
