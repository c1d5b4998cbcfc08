"""A participant's payment state as of a date: the one definition (docs/payment-state.md).

Every page and job that says whether someone is awaiting a first payment, paying, late or
paused asks here: the lapse run (which records the state), the lapse list and its counts, the
worklist, reminders and the participation page. The dashboard's "active" count reads the
status history the lapse run and the receipt write path record from this definition.

- **awaiting**: enrolled, nothing paid yet. Not covered, so not active. Once the first
  deadline has been missed for longer than the office's `pause_after_months` it is paused.
- **active**: covered by payments — every period whose deadline has passed is paid.
- **late**: a period's deadline has passed unpaid, for at most `pause_after_months` months
  (still counted as a participant: the law gives the deadline, the office the grace).
- **paused**: late for longer than that, or paused by the office (a paused participation
  owes nothing new until it resumes, so its dues never make it "paid up").
- **stopped**: left the scheme.

`months_behind` counts the unpaid months of the overdue periods that have begun by the date:
a 3-year advance period whose deadline passed a month ago is two or three months behind,
not 36.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ansinh.participation.models import LapseSettings, Participation, Status
from ansinh.participation.schedule import Dues, last_day
from ansinh.policy.money import add_months, first_of_month

from .dues import dues_bulk

# the states counted as participants ("active" on the dashboard): covered, or within grace
COUNTED = (Status.ACTIVE, Status.LATE)
# the states the lapse list shows
LAPSED = (Status.LATE, Status.PAUSED)


@dataclass(frozen=True)
class PaymentState:
    state: str  # a Status value
    recorded: str  # the status recorded on the participation
    dues: Dues
    missed: date | None  # the first missed deadline (late, or awaiting past its deadline)
    months_behind: int  # unpaid months of overdue periods begun by the date
    pause_after_months: int  # the office's grace, which the state was judged by

    @property
    def counted(self) -> bool:
        return self.state in COUNTED


def pause_date(first_missed_deadline: date, pause_after_months: int) -> date:
    """The first day a participation late since that deadline counts as paused: the day after
    the same day `pause_after_months` months later (or that month's last day)."""
    month = add_months(first_missed_deadline, pause_after_months)
    return min(month.replace(day=first_missed_deadline.day) if first_missed_deadline.day <= 28
               else last_day(month), last_day(month)) + timedelta(days=1)


def months_behind(current: Dues) -> int:
    this_month = first_of_month(current.as_of)
    return sum(1 for month in current.overdue_months if month <= this_month)


def state_of(recorded: str, current: Dues, pause_after_months: int) -> str:
    """The state a participation recorded as `recorded` is in on `current.as_of`."""
    if recorded in (Status.STOPPED, Status.PAUSED):
        return recorded
    missed = current.first_missed_deadline
    if missed is not None and current.as_of >= pause_date(missed, pause_after_months):
        return Status.PAUSED
    if recorded == Status.AWAITING:
        return Status.AWAITING
    return Status.ACTIVE if missed is None else Status.LATE


def payment_state(recorded: str, current: Dues, pause_after_months: int) -> PaymentState:
    state = state_of(recorded, current, pause_after_months)
    lapsed = state != Status.STOPPED and not (state == Status.PAUSED
                                              and recorded == Status.PAUSED)
    return PaymentState(state, recorded, current,
                        current.first_missed_deadline if lapsed else None,
                        months_behind(current) if lapsed else 0, pause_after_months)


def pause_after(office_id: int) -> int:
    found = LapseSettings.objects.filter(office_id=office_id).values_list(
        "pause_after_months", flat=True).first()
    return found if found is not None else LapseSettings._meta.get_field(
        "pause_after_months").get_default()


def next_change(state: PaymentState, leads: Iterable[int] = ()) -> date | None:
    """The first day after the state's date on which, with no payment or status change in
    between, the state may differ (a period starts, a deadline passes, a month of the overdue
    ones begins, the grace ends), or a deadline comes within one of ``leads`` days (a
    worklist's "due within the week"); None when it never does by itself (stopped, paused).

    An early answer only costs a recomputation; a late one would keep a stale state, so every
    date that can matter is a candidate (`test_payment_state` walks the days to prove it)."""
    if state.state in (Status.STOPPED, Status.PAUSED):
        return None  # a paused state stays paused until a status change or a payment
    current = state.dues
    today = current.as_of
    periods = [period for period in current.periods if not period.is_paid]
    candidates: list[date] = []
    if current.next_period is not None:
        periods.append(current.next_period)
        candidates.append(current.next_period.start)
    for period in periods:
        candidates.append(period.deadline + timedelta(days=1))
        candidates.extend(period.deadline - timedelta(days=lead) for lead in leads)
    if current.overdue:  # months behind counts the overdue months begun by the day
        candidates.append(add_months(first_of_month(today), 1))
    if current.first_missed_deadline is not None:
        candidates.append(pause_date(current.first_missed_deadline, state.pause_after_months))
    later = [day for day in candidates if day > today]
    return min(later) if later else None


def payment_states(participations: Iterable[Participation] | None, as_of: date, *,
                   office_id: int | None = None) -> dict[int, PaymentState]:
    """{participation id: PaymentState} on `as_of` for `participations` (or, with `office_id`
    and None, every participation of the office that is not stopped), in a few queries."""
    if participations is None:
        assert office_id is not None
        rows = dict(Participation.objects.filter(office_id=office_id).exclude(
            status=Status.STOPPED).values_list("id", "status"))
        offices = {pid: office_id for pid in rows}
        all_dues = dues_bulk(None, as_of, office_id=office_id)
    else:
        found = list(participations)
        rows = {p.pk: p.status for p in found}
        offices = {p.pk: p.office_id for p in found}
        all_dues = dues_bulk(found, as_of)
    thresholds = {office: pause_after(office) for office in set(offices.values())}
    return {pid: payment_state(rows[pid], current, thresholds[offices[pid]])
            for pid, current in all_dues.items() if pid in rows}
