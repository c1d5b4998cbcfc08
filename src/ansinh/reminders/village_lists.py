"""Printable village lists for village heads: who falls due this month and who is late.

For each village: the open participations (awaiting a first payment, active or late) with a
period whose deadline falls in the month and is still unpaid ("due this month"), and those whose
payment state (`collection.payment_state`) is late ("late"), with the amount to pay now —
from `collection.dues.quote_months` for the payable unpaid months on the list's date ("—" when
the engine refuses, e.g. a parameter not yet published). Dues come with the payment states (a
few queries for the whole list); each listed participant's amount costs a few queries (a list
covers one commune at most).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ansinh.collection.dues import quote_months
from ansinh.collection.payment_state import LAPSED, payment_states
from ansinh.core.errors import Refused
from ansinh.participation.models import COLLECTABLE, Participation
from ansinh.participation.schedule import last_day
from ansinh.registry.models import Village


@dataclass
class Row:
    participation: Participation
    deadline: date | None
    months: int
    amount: int | None
    since: date | None = None  # late: the first missed deadline


@dataclass
class VillageList:
    village: Village
    due: list[Row] = field(default_factory=list)
    late: list[Row] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount or 0 for row in (*self.due, *self.late))


def list_date(month: date, today: date) -> date:
    """The date the dues are taken on: today within the month, else the month's first day
    (a list printed ahead) or last day (a past month)."""
    if month <= today <= last_day(month):
        return today
    return month if today < month else last_day(month)


def village_lists(villages: Iterable[Village], month: date, today: date) -> list[VillageList]:
    month = month.replace(day=1)
    on = list_date(month, today)
    end = last_day(month)
    villages = list(villages)
    participations = list(
        Participation.objects.filter(village__in=villages, status__in=COLLECTABLE)
        .select_related("person", "village__commune", "agent__user", "office")
        .order_by("village__name", "person__full_name", "id"))
    # late means what the lapse list and the worklist mean by it (collection.payment_state)
    states = payment_states(participations, on)
    lists = {v.pk: VillageList(v) for v in villages}
    for p in participations:
        state = states.get(p.pk)
        if state is None:
            continue
        current = state.dues
        overdue = current.overdue
        due_now = [period for period in (*current.due, *(
            (current.next_period,) if current.next_period else ()))
            if not period.is_paid and month <= period.deadline <= end]
        if not overdue and not due_now:
            continue
        months = [m for period in (*overdue, *due_now) for m in period.unpaid]
        try:
            amount: int | None = quote_months(p, months, on).amount
        except Refused:
            amount = None
        if state.state in LAPSED:
            lists[p.village_id].late.append(Row(p, overdue[-1].deadline, len(months), amount,
                                                since=state.missed))
        else:
            deadline = due_now[0].deadline if due_now else overdue[0].deadline
            lists[p.village_id].due.append(Row(p, deadline, len(months), amount))
    return [lists[v.pk] for v in sorted(villages, key=lambda v: (v.commune_id, v.name))]
