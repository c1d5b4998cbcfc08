"""The due schedule: which months of a participation fall due, by when, and which are paid —
as of a date, from plain data (terms rows and paid months). No database here.

The schedule is cut from the participation's terms: each terms row starts a run of periods of
the mode's length (1, 3, 6, 12 months, or 12 × years in advance); a paused row stops the run.
Each period has a deadline (Law 41/2024 Art. 36(3): monthly within the month, 3-monthly within
the 3 months, 6-monthly within the first 4, 12-monthly within the first 7; an advance payment
at registration, i.e. within its first month). The month lengths and deadlines come from the
policy engine's parameters in force at the period's start.

`schedule()` is pure (plain data in, plain data out) so the bulk paths compute dues for
100,000 participations from three queries; the loaders that feed it live beside the paid months
(`ansinh.collection.dues`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from ansinh.policy import ParameterTree, load_default_tree
from ansinh.policy.money import add_months, first_of_month


@dataclass(frozen=True)
class TermsRow:
    from_month: date
    income: int
    mode: str
    advance_years: int | None = None
    paused: bool = False


@dataclass(frozen=True)
class Period:
    start: date
    months: tuple[date, ...]
    deadline: date
    income: int
    mode: str
    advance_years: int | None
    paid: frozenset[date]

    @cached_property
    def unpaid(self) -> tuple[date, ...]:
        return tuple(month for month in self.months if month not in self.paid)

    @property
    def is_paid(self) -> bool:
        return not self.unpaid


@dataclass(frozen=True)
class Dues:
    """The state of a participation's payments on `as_of`."""

    as_of: date
    periods: tuple[Period, ...]  # every period that has started by as_of, oldest first
    next_period: Period | None  # the first period starting after as_of (pay ahead)

    @property
    def overdue(self) -> tuple[Period, ...]:
        """Started periods past their deadline with months unpaid."""
        return tuple(p for p in self.periods if p.deadline < self.as_of and not p.is_paid)

    @property
    def due(self) -> tuple[Period, ...]:
        """Started periods still within their deadline with months unpaid."""
        return tuple(p for p in self.periods if p.deadline >= self.as_of and not p.is_paid)

    @property
    def overdue_months(self) -> tuple[date, ...]:
        return tuple(m for p in self.overdue for m in p.unpaid)

    @property
    def due_months(self) -> tuple[date, ...]:
        return tuple(m for p in self.due for m in p.unpaid)

    @property
    def first_missed_deadline(self) -> date | None:
        overdue = self.overdue
        return overdue[0].deadline if overdue else None

    @property
    def next_deadline(self) -> date | None:
        """The deadline the participant should meet next (due now, or the next period's)."""
        due = self.due
        if due:
            return due[0].deadline
        return self.next_period.deadline if self.next_period else None

    @property
    def payable(self) -> tuple[Period, ...]:
        """Periods a receipt may pay now: overdue, due, and the next one (paying ahead)."""
        ahead = (self.next_period,) if self.next_period and not self.next_period.is_paid else ()
        return tuple(p for p in self.periods if not p.is_paid) + ahead


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


_RULES: dict[tuple[str, date], tuple[dict[str, int], dict[str, int]]] = {}


def _rules(tree: ParameterTree, on: date) -> tuple[dict[str, int], dict[str, int]]:
    """(months per mode, deadline months per mode) in force on `on`.

    Before the 2025 law there is no deadline parameter: a period is then due within itself.
    """
    key = (tree.key, on)
    found = _RULES.get(key)
    if found is None:
        lengths = tree.find("contribution.payment_modes", on)
        deadlines = tree.find("contribution.payment_deadline_months", on)
        length_map = lengths.value if lengths and isinstance(lengths.value, Mapping) else {}
        deadline_map = (deadlines.value if deadlines and isinstance(deadlines.value, Mapping)
                        else {})
        found = ({str(k): int(str(v)) for k, v in length_map.items()},
                 {str(k): int(str(v)) for k, v in deadline_map.items()})
        if len(_RULES) > 4096:
            _RULES.clear()
        _RULES[key] = found
    return found


def period_shape(mode: str, advance_years: int | None, start: date,
                 tree: ParameterTree | None = None) -> tuple[int, int]:
    """(length in months, deadline in months from the start) of a period starting at `start`."""
    lengths, deadlines = _rules(tree or load_default_tree(), start)
    if mode == "advance":
        return 12 * (advance_years or 1), 1
    length = lengths.get(mode, 1)
    return length, deadlines.get(mode, length)


_TEMPLATES: dict[tuple[str, str, int | None, date], tuple[tuple[date, ...], date, date]] = {}


def _template(tree: ParameterTree, mode: str, advance_years: int | None,
              start: date) -> tuple[tuple[date, ...], date, date]:
    """(months, deadline, next period's start) of a period — shared by every participation
    with a period of that shape starting that month, so a bulk run computes each once."""
    key = (tree.key, mode, advance_years, start)
    found = _TEMPLATES.get(key)
    if found is None:
        length, deadline_months = period_shape(mode, advance_years, start, tree)
        found = (tuple(add_months(start, i) for i in range(length)),
                 last_day(add_months(start, deadline_months - 1)), add_months(start, length))
        if len(_TEMPLATES) > 100_000:
            _TEMPLATES.clear()
        _TEMPLATES[key] = found
    return found


def schedule(
    terms: Sequence[TermsRow],
    paid: Iterable[date],
    as_of: date,
    tree: ParameterTree | None = None,
    *,
    compact: bool = False,
) -> Dues:
    """Periods cut from `terms` (sorted by from_month) up to the first one after `as_of`.

    `compact` leaves out the fully paid periods that ended before the month of `as_of`: what
    is due, overdue and next is the same, at a fraction of the cost for long histories.
    """
    paid_set = frozenset(paid)
    tree = tree or load_default_tree()
    started: list[Period] = []
    upcoming: Period | None = None
    as_of_month = first_of_month(as_of)
    for index, row in enumerate(terms):
        if row.paused:
            continue
        end = terms[index + 1].from_month if index + 1 < len(terms) else None
        start = row.from_month
        while end is None or start < end:
            months, deadline, next_start = _template(tree, row.mode, row.advance_years, start)
            if end is not None and months[-1] >= end:
                months = tuple(m for m in months if m < end)
            if compact and next_start <= as_of_month and paid_set.issuperset(months):
                start = next_start
                continue
            period = Period(
                start=start, months=months, deadline=deadline, income=row.income,
                mode=row.mode, advance_years=row.advance_years,
                paid=paid_set.intersection(months) if paid_set else frozenset(),
            )
            if start > as_of_month:
                if upcoming is None:
                    upcoming = period
                break
            started.append(period)
            start = next_start
    return Dues(as_of=as_of, periods=tuple(started), next_period=upcoming)
