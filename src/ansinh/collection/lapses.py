"""Lapse detection as of a date: who is late, who has paused, who has caught up.

What each state means is `payment_state`'s (the one definition); this module records it.
A participation is late from the day after a deadline passes with months of its period unpaid
(Law 41/2024 Art. 36(3) gives the deadlines); it is paused once it has been late longer than
the office's `pause_after_months` (an operational threshold, not law); a late participation
whose overdue months are paid is active again. The run is idempotent: running it twice on the
same date changes nothing the second time.

`run_lapses` is the one entry for the office-wide job: the page's button, `ansinh lapses` and
the worker's daily schedule call it. After marking, it runs the follow-up steps the apps built
on this one register when they load (`after_run`): the retention app opens cases for the
lapsed, the reminders app queues their reminders. This app cannot import them: the arrows point
from them to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ansinh.core import keepers, permissions, scoping
from ansinh.core.models import Office, User
from ansinh.participation import actions
from ansinh.participation.models import LapseSettings, Participation, Status

from . import lifecycle
from .dues import dues_bulk
from .payment_state import state_of

Progress = Callable[[str, int, int], None]


@dataclass
class LapseRun:
    as_of: date
    checked: int = 0
    became_late: list[int] = field(default_factory=list)
    became_paused: list[int] = field(default_factory=list)
    caught_up: list[int] = field(default_factory=list)
    due_soon: list[int] = field(default_factory=list)  # deadline within the reminder window

    def as_dict(self) -> dict[str, object]:
        return {"as_of": self.as_of.isoformat(), "checked": self.checked,
                "late": len(self.became_late), "paused": len(self.became_paused),
                "active_again": len(self.caught_up), "due_soon": len(self.due_soon)}


def settings_for(office: Office) -> LapseSettings:
    found, _created = LapseSettings.objects.get_or_create(office=office)
    return found


def detect_lapses(office: Office, as_of: date, *, actor: User | None = None,
                  progress: Progress | None = None) -> LapseRun:
    """Record the payment state (`payment_state.state_of`) of `office`'s open participations
    on `as_of`: late, paused, or active again; each change is an action. A participation
    awaiting its first payment becomes active only through its first receipt."""
    lapse_settings = settings_for(office)
    run = LapseRun(as_of)
    open_ids = dict(Participation.objects.filter(
        office=office, status__in=(Status.AWAITING, Status.ACTIVE, Status.LATE))
        .values_list("id", "status"))
    all_dues = dues_bulk(None, as_of, office_id=office.id)
    soon = as_of + timedelta(days=lapse_settings.remind_days_before)
    total = len(open_ids)
    for done, (pid, status) in enumerate(sorted(open_ids.items()), start=1):
        current = all_dues.get(pid)
        if current is None:
            continue
        run.checked += 1
        wanted = state_of(status, current, lapse_settings.pause_after_months)
        if wanted != status:
            participation = Participation.objects.get(pk=pid)
            missed = current.first_missed_deadline
            if wanted == Status.ACTIVE:
                actions.mark_active(participation, on=as_of, actor=actor, reason="paid")
                run.caught_up.append(pid)
            else:
                assert missed is not None
                if status == Status.ACTIVE:
                    actions.mark_late(participation, on=min(as_of, missed + timedelta(days=1)),
                                      actor=actor, reason=f"deadline {missed.isoformat()}")
                    run.became_late.append(pid)
                if wanted == Status.PAUSED:
                    lifecycle.pause(participation, on=as_of, actor=actor,
                                  reason=f"late since {missed.isoformat()}")
                    run.became_paused.append(pid)
        elif wanted in (Status.ACTIVE, Status.AWAITING):
            deadline = current.next_deadline
            if deadline is not None and as_of <= deadline <= soon and current.due:
                run.due_soon.append(pid)
        if progress and done % 1000 == 0:
            progress("lapses", done, total)
    keepers.changed(Participation.objects.filter(id__in=run.due_soon)
                    .values_list("person_id", flat=True))  # (changed states: set_status)
    return run


FollowUp = Callable[[Office, LapseRun], dict[str, int]]
FOLLOW_UPS: list[FollowUp] = []


def after_run(step: FollowUp) -> FollowUp:
    """Register a step to run after every lapse run (usable as a decorator; idempotent)."""
    if step not in FOLLOW_UPS:
        FOLLOW_UPS.append(step)
    return step


def run_lapses(office: Office, as_of: date, *, actor: User | None = None,
               follow_ups: bool = True, progress: Progress | None = None) -> dict[str, object]:
    """The lapse run of `office` on `as_of` and, unless `follow_ups` is False, the registered
    follow-up steps; returns the counts ({"late": …, "reminders": …}). An office-wide job:
    the director's (or the system's, with no actor)."""
    permissions.authorise(actor, "run_office_jobs")
    scoping.require_own_office(actor, office.pk)
    run = detect_lapses(office, as_of, actor=actor, progress=progress)
    summary: dict[str, object] = {**run.as_dict(), "office": office.code}
    if follow_ups:
        for step in FOLLOW_UPS:
            summary.update(step(office, run))
    return summary
