"""The summary cells: what each metric adds up to, per village, (organisation, agent) and day.

One function says what a person's rows contribute to the cells (`contributions`); the write
path keeps the cells current with it (`kept_current`: the contributions after the write minus
those before, in the write's transaction), and the nightly `rebuild` recomputes an office's cells
with it from the raw rows. The metric definitions are those of `metrics` (its docstring); the
tests hold the cells to the raw-row queries there, and the kept cells to a rebuild.

Reading (`grouped`, `grouped_base`, `monthly`): a window [start, until] of a period of kind k
reads, per metric:
- new, money, household-HI members: the month totals of the window's whole months and the day
  cells of its last month (money also by the day it was paid: `since`);
- active (a stock): the year totals before the year of `until`, the month totals before its
  month, and the day cells of that month, all net changes;
- rejoined: the in-period cells of kind k (one per participation, on its first qualifying day);
- due and retained: the cohort cells of the period (`since` = the first month due), which exist
  for the periods of the office's horizon (`FigureState`); other periods read the raw rows.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, connections, router, transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from ansinh.collection.models import PaidMonth, Product, Receipt
from ansinh.collection.payment_state import COUNTED
from ansinh.core.bulk import insert_rows, vacuum
from ansinh.core.models import Office
from ansinh.core.offices import full_night
from ansinh.core.periods import MONTH, QUARTER, YEAR, Period, add_months
from ansinh.network.models import Metric
from ansinh.participation.models import Participation, Status, StatusChange
from ansinh.registry.models import Person, Village

from .models import NO_DATE, Family, Figure, FigureState, FigureTotal

DUE = "due"  # the base of `retained`: the period's cohort
IN_FAMILY = {YEAR: Family.IN_YEAR, QUARTER: Family.IN_QUARTER, MONTH: Family.IN_MONTH}
CHUNK = 5_000  # participations (and persons) per step of a rebuild

# (office, metric, family, village, organisation, agent, day, since)
Cell = tuple[int, str, str, int, int, int, date, date]
# the rankings' 12-month persistence on the rebuild's day, kept current like the rest
PERSIST_BASE, PERSIST_KEPT = "persist_base", "persist_kept"
# the register's potential per village on the rebuild's day (counted by the rebuild only: the
# register's writes do not go through the keeper, so these are as of the night)
POTENTIAL = ("persons", "minority", "prospects", "poor")


@dataclass(frozen=True)
class Span:
    """An office's built state: its cohort horizon, the day of its last rebuild (or nightly
    refresh) and the last year whose opening stock its cells keep (None: none)."""

    start: date
    end: date
    today: date
    balances: int | None = None

    @property
    def horizon(self) -> tuple[date, date]:
        return self.start, self.end


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_start(kind: str, day: date) -> date:
    if kind == YEAR:
        return date(day.year, 1, 1)
    if kind == QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return month_start(day)


def horizon_for(today: date) -> tuple[date, date]:
    """Cohort cells cover the periods starting from last year's first day to next year's
    last month: this year and last year, as the dashboards compare them, and room ahead."""
    return date(today.year - 1, 1, 1), date(today.year + 1, 12, 1)


def cohort_starts(horizon: tuple[date, date]) -> dict[str, list[date]]:
    first, last = horizon
    starts: dict[str, list[date]] = {YEAR: [], QUARTER: [], MONTH: []}
    month = first
    while month <= last:
        starts[MONTH].append(month)
        if month.month % 3 == 1:
            starts[QUARTER].append(month)
        if month.month == 1:
            starts[YEAR].append(month)
        month = add_months(month, 1)
    return starts


# ---------------------------------------------------------------------------------------------
# What rows contribute


@dataclass
class _Participation:
    id: int
    office_id: int
    person_id: int
    village_id: int
    organisation_id: int
    agent_id: int
    enrolled_on: date


def contributions(participation_filter: Q, receipt_filter: Q,
                  horizons: dict[int, Span]) -> Counter[Cell]:
    """The cells the selected participations and receipts add up to.

    `horizons` gives each office's cohort periods; offices without one get no cells."""
    cells: Counter[Cell] = Counter()
    participations = [
        _Participation(row[0], row[1], row[2], row[3], row[4] or 0, row[5] or 0, row[6])
        for row in Participation.objects.filter(participation_filter)
        .filter(office_id__in=list(horizons)).order_by()
        .values_list("id", "office_id", "person_id", "village_id", "organisation_id",
                     "agent_id", "enrolled_on")]
    if participations:
        _participation_cells(participations, horizons, cells)
    _receipt_cells(Receipt.objects.filter(receipt_filter).filter(office_id__in=list(horizons)),
                   cells)
    return cells


def _participation_cells(participations: list[_Participation],
                         horizons: dict[int, Span], cells: Counter[Cell]) -> None:
    ids = [p.id for p in participations]
    changes: dict[int, list[tuple[date, str, str]]] = defaultdict(list)
    for pid, on, old, new in (StatusChange.objects.filter(participation_id__in=ids)
                              .order_by("participation_id", "on", "id")
                              .values_list("participation_id", "on", "old_status",
                                           "new_status")):
        changes[pid].append((on, old, new))
    stopped: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for pid, person_id, enrolled_on in Participation.objects.filter(
            person_id__in={p.person_id for p in participations},
            status=Status.STOPPED).values_list("id", "person_id", "enrolled_on"):
        stopped[person_id].append((pid, enrolled_on))
    # voluntary-SI receipts that pay months, with the day they were reversed (if they were)
    payments: dict[int, list[tuple[date, date, date | None]]] = defaultdict(list)
    rows = list(Receipt.objects.filter(participation_id__in=ids, product=Product.VOLUNTARY_SI,
                                       months__gt=0)
                .values_list("id", "participation_id", "office_id", "paid_on", "period"))
    # (paid on, the last month it paid) per receipt whose months still stand: paid-through.
    # The last month per receipt without a join: joined to the receipts, PostgreSQL hashed the
    # whole receipt table whenever it guessed too many paid months per participation (15.7 s a
    # chunk at 50M ledger rows); the receipts' days come from the rows above.
    paid_on_of = {row[0]: row[3] for row in rows}
    last_paid = list(PaidMonth.objects.filter(participation_id__in=ids, released_by__isnull=True)
                     .order_by().values("participation_id", "receipt_id")
                     .annotate(last=Max("month"))
                     .values_list("participation_id", "receipt_id", "last"))
    missing = {receipt_id for _, receipt_id, _ in last_paid if receipt_id not in paid_on_of}
    paid_on_of.update(Receipt.objects.filter(id__in=missing).values_list("id", "paid_on"))
    through: dict[tuple[int, date], date] = {}
    for pid, receipt_id, last in last_paid:
        day = (pid, paid_on_of[receipt_id])
        through[day] = max(last, through.get(day, last))
    paid: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for (pid, paid_on), last in sorted(through.items()):
        paid[pid].append((paid_on, last))
    reversed_on = dict(Receipt.objects.filter(reverses_id__in=[row[0] for row in rows])
                       .order_by().values("reverses_id").annotate(first=Min("paid_on"))
                       .values_list("reverses_id", "first"))
    office_of = {p.id: p.office_id for p in participations}
    for receipt_id, pid, office_id, paid_on, period in rows:
        if office_id == office_of[pid]:
            payments[pid].append((paid_on, period, reversed_on.get(receipt_id)))
    starts = {office: cohort_starts(span.horizon) for office, span in horizons.items()}
    for p in participations:
        key = (p.village_id, p.organisation_id, p.agent_id)
        history = changes.get(p.id, [])
        _new(p, key, cells)
        _active(p, key, history, horizons[p.office_id].balances, cells)
        _rejoined(p, key, history, stopped.get(p.person_id, []), cells)
        _cohorts(p, key, history, paid.get(p.id, []), payments.get(p.id, []),
                 starts[p.office_id], cells)
        _persistence(p, key, history, horizons[p.office_id].today, cells)


def _add(cells: Counter[Cell], office: int, metric: str, family: str, key: tuple[int, int, int],
         day: date, value: int, since: date = NO_DATE) -> None:
    cells[(office, metric, family, key[0], key[1], key[2], day, since)] += value


def _new(p: _Participation, key: tuple[int, int, int], cells: Counter[Cell]) -> None:
    _add(cells, p.office_id, Metric.NEW, Family.DAY, key, p.enrolled_on, 1)
    _add(cells, p.office_id, Metric.NEW, Family.MONTH, key, month_start(p.enrolled_on), 1)


def _status_on(history: list[tuple[date, str, str]], day: date) -> str | None:
    status = None
    for on, _old, new in history:
        if on > day:
            break
        status = new
    return status


def _active(p: _Participation, key: tuple[int, int, int], history: list[tuple[date, str, str]],
            balances: int | None, cells: Counter[Cell]) -> None:
    """Net changes of "counted on the day": enrolled by then and active or late; and the
    stock at the start of each year through `balances` (none when None)."""
    days = sorted({on for on, _old, _new in history} | {p.enrolled_on})
    before = 0
    changes: list[tuple[int, int]] = []  # (year, net change)
    for day in days:
        status = _status_on(history, day)
        now = int(day >= p.enrolled_on and status in COUNTED)
        if now != before:
            delta = now - before
            _add(cells, p.office_id, Metric.ACTIVE, Family.DAY, key, day, delta)
            _add(cells, p.office_id, Metric.ACTIVE, Family.MONTH, key, month_start(day), delta)
            _add(cells, p.office_id, Metric.ACTIVE, Family.YEAR, key, date(day.year, 1, 1),
                 delta)
            changes.append((day.year, delta))
            before = now
    if balances is not None:
        for year, balance in _opening_balances(changes, 1, balances):
            _add(cells, p.office_id, Metric.ACTIVE, Family.BALANCE, key, date(year, 1, 1),
                 balance)


def _opening_balances(changes: list[tuple[int, int]], first: int,
                      through: int) -> Iterator[tuple[int, int]]:
    """(year, the stock it opened with) for the years `first` to `through` whose stock is not
    0, from the net changes (year, change) sorted by year."""
    if not changes:
        return
    begin = max(first, changes[0][0] + 1)  # no stock before the first change
    balance = sum(change for year, change in changes if year < begin - 1)
    for year in range(begin, through + 1):
        balance += sum(change for changed, change in changes if changed == year - 1)
        if balance:
            yield year, balance


def _rejoined(p: _Participation, key: tuple[int, int, int],
              history: list[tuple[date, str, str]], stopped: list[tuple[int, date]],
              cells: Counter[Cell]) -> None:
    days = {on for on, old, new in history if old == Status.PAUSED and new == Status.ACTIVE}
    if any(other != p.id and enrolled <= p.enrolled_on for other, enrolled in stopped):
        days.add(p.enrolled_on)
    for kind, family in IN_FAMILY.items():
        first: dict[date, date] = {}
        for day in sorted(days):
            first.setdefault(period_start(kind, day), day)
        for day in first.values():
            _add(cells, p.office_id, Metric.REJOINED, family, key, day, 1)


def _cohorts(p: _Participation, key: tuple[int, int, int], history: list[tuple[date, str, str]],
             paid: list[tuple[date, date]], payments: list[tuple[date, date, date | None]],
             starts: dict[str, list[date]], cells: Counter[Cell]) -> None:
    """Due: in the cohort of a period (enrolled before it, active or late the day before it
    began), from the month after its paid-through month as paid before the period. Retained:
    from the day a payment within the period stands (paid, not yet reversed) until it does not."""
    # paid-through before a day: the running maximum of `paid` (sorted by the day paid)
    paid_days = [paid_on for paid_on, _last in paid]
    running: list[date] = []
    for _paid_on, last in paid:
        running.append(max(last, running[-1]) if running else last)
    payments = sorted(payments, key=lambda payment: payment[0])
    payment_days = [paid_on for paid_on, _period, _undone in payments]
    for kind, family in IN_FAMILY.items():
        for start in starts[kind]:
            if (p.enrolled_on >= start
                    or _status_on(history, start - timedelta(days=1)) not in COUNTED):
                continue
            before = bisect_left(paid_days, start)
            since = NO_DATE if not before else add_months(running[before - 1], 1)
            _add(cells, p.office_id, DUE, family, key, start, 1, since)
            end = Period(kind, start).end
            spans = sorted((paid_on, undone) for paid_on, period, undone in
                           payments[bisect_left(payment_days, start):
                                    bisect_right(payment_days, end)]
                           if period >= start and (undone is None or undone > paid_on))
            for begin, finish in _union(spans):
                _add(cells, p.office_id, Metric.RETAINED, family, key, begin, 1, since)
                if finish is not None and finish <= end:
                    _add(cells, p.office_id, Metric.RETAINED, family, key, finish, -1, since)


def _persistence(p: _Participation, key: tuple[int, int, int],
                 history: list[tuple[date, str, str]], today: date, cells: Counter[Cell]) -> None:
    """Active or late a year before the rebuild's day (and enrolled by then), and of those,
    active or late on it."""
    year_ago = add_months(today, -12)
    if p.enrolled_on > year_ago or _status_on(history, year_ago) not in COUNTED:
        return
    _add(cells, p.office_id, PERSIST_BASE, Family.ON_DAY, key, today, 1)
    if _status_on(history, today) in COUNTED:
        _add(cells, p.office_id, PERSIST_KEPT, Family.ON_DAY, key, today, 1)


def _union(spans: list[tuple[date, date | None]]) -> Iterator[tuple[date, date | None]]:
    """Half-open [begin, finish) spans (finish None: open-ended), merged."""
    current: tuple[date, date | None] | None = None
    for begin, finish in spans:
        if current is None:
            current = (begin, finish)
        elif current[1] is None or begin <= current[1]:
            if current[1] is not None and (finish is None or finish > current[1]):
                current = (current[0], finish)
        else:
            yield current
            current = (begin, finish)
    if current is not None:
        yield current


def _receipt_cells(receipts: Any, cells: Counter[Cell]) -> None:
    """Money by accounting month (`day`) and the day paid (`since`); household-HI members
    the same way, a reversal counting minus the members of the receipt it cancels."""
    for row in receipts.order_by().values_list(
            "office_id", "village_id", "organisation_id", "agent_id", "period", "paid_on",
            "amount", "product", "hi_members", "reverses__hi_members", "reverses_id"):
        office, village, organisation, agent, period, paid_on, amount, product = row[:8]
        key = (village, organisation or 0, agent or 0)
        _add(cells, office, Metric.MONEY, Family.DAY, key, period, amount, paid_on)
        _add(cells, office, Metric.MONEY, Family.MONTH, key, month_start(period), amount,
             month_start(paid_on))
        if product == Product.HOUSEHOLD_HI:
            members = -(row[9] or 0) if row[10] is not None else (row[8] or 0)
            _add(cells, office, Metric.HI_MEMBERS, Family.DAY, key, period, members, paid_on)
            _add(cells, office, Metric.HI_MEMBERS, Family.MONTH, key, month_start(period),
                 members, month_start(paid_on))


# ---------------------------------------------------------------------------------------------
# Keeping the cells current


def _horizons(office_ids: Iterable[int]) -> dict[int, Span]:
    return {row[0]: Span(*row[1:]) for row in
            FigureState.objects.filter(office_id__in=list(office_ids)).values_list(
                "office_id", "horizon_start", "horizon_end", "built_on", "balances_through")}


def _provinces(village_ids: Iterable[int]) -> dict[int, int]:
    return dict(Village.objects.filter(id__in=set(village_ids))
                .values_list("id", "commune__province_id"))


FIGURE_COLUMNS = ("office_id", "province_id", "metric", "family", "village_id",
                  "organisation_id", "agent_id", "day", "since", "value")


def apply(delta: Counter[Cell], *, totals: bool = True) -> int:
    """Add `delta` to the cells (an upsert per changed cell), and to the offices' totals
    unless told not to; returns how many cells changed."""
    changed = [(cell, value) for cell, value in delta.items() if value]
    if not changed:
        return 0
    province = _provinces(cell[3] for cell, _value in changed)
    rows = [(cell[0], province[cell[3]], *cell[1:], value) for cell, value in changed]
    _add_to_rows(Figure, FIGURE_COLUMNS, rows)
    if totals:
        _add_totals(_totals(changed, province))
    return len(rows)


def _add_to_rows(model: type[Figure] | type[FigureTotal], columns: tuple[str, ...],
                 rows: list[tuple[Any, ...]]) -> None:
    """Add each row's value to the row of the same key (every column but the value: the
    model's unique constraint), inserting it when there is none."""
    key = ", ".join(column for column in columns if column != "value")
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({key}) DO UPDATE SET value = {table}.value + excluded.value")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# (office, province, metric, family, day, since)
Total = tuple[int, int, str, str, date, date]
TOTAL_COLUMNS = ("office_id", "province_id", "metric", "family", "day", "since", "value")


def _totals(cells: Iterable[tuple[Cell, int]], province: dict[int, int]) -> Counter[Total]:
    """The cells added up per office (the cells of the day have no totals)."""
    totals: Counter[Total] = Counter()
    for cell, value in cells:
        if cell[2] != Family.ON_DAY:
            totals[(cell[0], province[cell[3]], cell[1], cell[2], cell[6], cell[7])] += value
    return totals


def _add_totals(delta: Counter[Total]) -> None:
    rows = [(*total, value) for total, value in delta.items() if value]
    if rows:
        _add_to_rows(FigureTotal, TOTAL_COLUMNS, rows)


# the persons an enclosing kept_current block answers for
_COVERED: ContextVar[frozenset[int]] = ContextVar("figures_covered", default=frozenset())


@contextmanager
def kept_current(person_ids: Iterable[int]) -> Iterator[None]:
    """Keep the cells of these persons' participations and receipts current across the block:
    what they contribute after it minus what they contributed before, in the same transaction.
    Every write that changes a participation's status, key or payments, or adds a receipt,
    runs inside one (the single write path)."""
    covered = _COVERED.get()
    persons = sorted(set(person_ids) - covered)
    if not persons:  # an enclosing block keeps them (a receipt's status change, say)
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("kept_current runs inside the write's transaction")
    offices = set(Participation.objects.filter(person_id__in=persons)
                  .values_list("office_id", flat=True))
    offices |= set(Receipt.objects.filter(person_id__in=persons)
                   .values_list("office_id", flat=True).distinct())
    offices |= set(Person.objects.filter(id__in=persons).values_list("office_id", flat=True))
    horizons = _lock_states(offices, shared=True)
    if not horizons:
        yield
        return
    selected = Q(person_id__in=persons)
    before = contributions(selected, selected, horizons)
    token = _COVERED.set(covered | set(persons))
    try:
        yield
    finally:
        _COVERED.reset(token)
    after = contributions(selected, selected, horizons)
    after.subtract(before)
    apply(after)


def _lock_states(office_ids: Iterable[int], *, shared: bool) -> dict[int, Span]:
    """The offices' built states, their rows locked against a rebuild. On PostgreSQL a writer
    takes them FOR SHARE, so writers run side by side and a rebuild (FOR UPDATE) waits for
    them; SQLite has one writer at a time already."""
    ids = list(office_ids)
    if connection.vendor != "postgresql":
        return _horizons(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT office_id, horizon_start, horizon_end, built_on, balances_through FROM "
            f"{FigureState._meta.db_table} WHERE office_id = ANY(%s) "
            f"FOR {'SHARE' if shared else 'UPDATE'}", [ids])
        return {row[0]: Span(*row[1:]) for row in cursor.fetchall()}


def rebuild(office_id: int, today: date | None = None, *, vacuum: bool = True
            ) -> dict[str, Any]:
    """Recompute the office's cells from the raw rows and put them in place of the kept ones,
    in one transaction (readers see the old cells until it commits). Returns what it did,
    with how many cells differed from the kept ones (0 when the write path kept them).

    On PostgreSQL, outside a transaction, the table is vacuumed after a rewrite of the office's
    cells, so that the dashboards' reads are index-only scans from the first view (after a
    few cells changed, autovacuum is enough). A vacuum scans every index of the whole table:
    a caller rebuilding many offices passes `vacuum=False` and vacuums once at the end
    (`vacuum_after`)."""
    result = _rebuild(office_id, today)
    if vacuum:
        vacuum_after([result])
    return result


def vacuum_after(results: Iterable[dict[str, Any]]) -> None:
    """Vacuum the cells' tables once if any of these rebuilds rewrote an office's cells (the
    offices' totals are rewritten with them: the director's dashboard reads them)."""
    if any(result.get("written", 0) > REWRITE_SHARE * max(result["cells"], 1)
           for result in results):
        vacuum(Figure, FigureTotal)


@transaction.atomic
def _rebuild(office_id: int, today: date | None) -> dict[str, Any]:
    started = time.perf_counter()
    today = today or timezone.localdate()
    horizon = horizon_for(today)
    FigureState.objects.get_or_create(
        office_id=office_id, defaults={"horizon_start": horizon[0], "horizon_end": horizon[1],
                                       "built_on": today, "rebuilt_at": timezone.now()})
    _lock_states([office_id], shared=False)
    cells: Counter[Cell] = Counter()
    participation_ids = list(Participation.objects.filter(office_id=office_id).order_by("id")
                             .values_list("id", flat=True))
    horizons = {office_id: Span(horizon[0], horizon[1], today, today.year)}
    for index in range(0, len(participation_ids), CHUNK):
        chunk = participation_ids[index:index + CHUNK]
        cells.update(contributions(Q(id__in=chunk), Q(pk__in=[]), horizons))
    # "+ 0": not the min/max shortcut down the primary key, which walks every receipt of the
    # offices before this one (13.9 s at 15.8M receipts); the office's index instead
    receipt_bounds = Receipt.objects.filter(office_id=office_id).aggregate(
        low=Min(F("id") + 0), high=Max(F("id") + 0))
    if receipt_bounds["low"] is not None:
        low = receipt_bounds["low"]
        while low <= receipt_bounds["high"]:
            _receipt_cells(Receipt.objects.filter(office_id=office_id, id__gte=low,
                                                  id__lt=low + CHUNK * 20), cells)
            low += CHUNK * 20
    old = _horizons([office_id])[office_id]
    stored = {(office_id, metric, family, village, organisation, agent, day, since): value
              for metric, family, village, organisation, agent, day, since, value in
              Figure.objects.filter(office_id=office_id).exclude(value=0).values_list(
                  "metric", "family", "village_id", "organisation_id", "agent_id", "day",
                  "since", "value")}
    kept = {cell: value for cell, value in stored.items() if cell[1] not in POTENTIAL}
    fresh = {cell: value for cell, value in cells.items() if value}
    # what the write path keeps, against the same rules: the horizon and the persistence day
    # move with the rebuild, so compare only the cells both define
    comparable = {cell for cell in set(fresh) | set(kept)
                  if _kept_alike(cell, horizons[office_id], old)}
    differing = sum(1 for cell in comparable if kept.get(cell) != fresh.get(cell))
    fresh.update(_potential(office_id, today))
    written = _replace(office_id, stored, fresh)
    seconds = time.perf_counter() - started
    FigureState.objects.filter(office_id=office_id).update(
        horizon_start=horizon[0], horizon_end=horizon[1], built_on=today,
        balances_through=today.year, rebuilt_at=timezone.now(),
        rebuild_seconds=round(seconds, 3), cells=len(fresh))
    return {"office_id": office_id, "cells": len(fresh), "differing": differing,
            "written": written, "participations": len(participation_ids),
            "seconds": round(seconds, 3),
            "horizon": [horizon[0].isoformat(), horizon[1].isoformat()]}


def _insert_cells(cells: dict[Cell, int]) -> dict[int, int]:
    """Insert new cells through the bulk path; returns their villages' provinces."""
    province = _provinces(cell[3] for cell in cells)
    insert_rows(Figure._meta.db_table, FIGURE_COLUMNS,
                ((cell[0], province[cell[3]], *cell[1:], value) for cell, value in
                 cells.items()))
    return province


# above this share of an office's cells changed, they are all rewritten by one COPY
REWRITE_SHARE = 0.2


def _replace(office_id: int, stored: dict[Cell, int], fresh: dict[Cell, int]) -> int:
    """Make the office's cells `fresh` (the nonzero ones are `stored`); returns the cells
    written. Most nights only the cells of the day change (the write path kept the rest):
    those are upserted and the vanished ones deleted, so the table keeps its other rows, their
    index entries and their visibility (index-only reads stay index-only). A first build, or a
    large repair, rewrites the office's cells instead. The office's totals are made the fresh
    cells' totals either way."""
    changed = {cell: fresh.get(cell, 0) for cell in set(stored) | set(fresh)
               if stored.get(cell, 0) != fresh.get(cell, 0)}
    table = connection.ops.quote_name(Figure._meta.db_table)
    if len(changed) > REWRITE_SHARE * max(len(fresh), 1):
        Figure.objects.filter(office_id=office_id).delete()
        FigureTotal.objects.filter(office_id=office_id).delete()
        province = _insert_cells(fresh)
        insert_rows(FigureTotal._meta.db_table, TOTAL_COLUMNS,
                    ((*total, value) for total, value in
                     _totals(fresh.items(), province).items() if value))
        with connection.cursor() as cursor:  # the planner's statistics of the new cells
            cursor.execute(f"ANALYZE {table}")
        return len(fresh)
    gone = [cell for cell, value in changed.items() if not value]
    # a cell gone is set to 0 by the upsert, then removed
    delta = Counter({cell: value - stored.get(cell, 0) for cell, value in changed.items()})
    apply(delta, totals=False)
    # the totals against the fresh cells, not moved by the cells' delta: a write that went
    # around the write path changed cells without their totals (or totals alone)
    expected = _totals(fresh.items(), _provinces(cell[3] for cell in fresh))
    kept_totals = Counter({row[:6]: row[6] for row in FigureTotal.objects.filter(
        office_id=office_id).values_list(*TOTAL_COLUMNS)})
    expected.subtract(kept_totals)
    _add_totals(expected)
    if gone:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {table} WHERE office_id = %s AND metric = %s AND family = %s "
                f"AND village_id = %s AND organisation_id = %s AND agent_id = %s AND day = %s "
                f"AND since = %s AND value = 0", gone)
    return len(changed)


def _kept_alike(cell: Cell, new: Span, old: Span) -> bool:
    """Whether the kept cells (the old state) and the rebuild (the new one) define this cell
    alike: the persistence day and the cohort horizon move with a rebuild."""
    metric, family, day = cell[1], cell[2], cell[6]
    if metric in (PERSIST_BASE, PERSIST_KEPT):
        return old.today == new.today
    if family == Family.BALANCE:  # kept through the state's year
        return day.year <= min(old.balances or 0, new.balances or 0)
    if metric in (DUE, Metric.RETAINED):
        kind = {Family.IN_YEAR: YEAR, Family.IN_QUARTER: QUARTER}.get(Family(family), MONTH)
        start = period_start(kind, day)
        return new.start <= start <= new.end and old.start <= start <= old.end
    return True


def _potential(office_id: int, today: date) -> dict[Cell, int]:
    """The register's potential per village on the day (the rankings' fair weights)."""
    from .rankings import live_village_potential

    cells: dict[Cell, int] = {}
    office = Office.objects.get(pk=office_id)
    for village, potential in live_village_potential(office, today).items():
        for metric in POTENTIAL:
            value = getattr(potential, metric)
            if value:
                cells[(office_id, metric, Family.ON_DAY, village, 0, 0, today, NO_DATE)] = value
    return cells


# ---------------------------------------------------------------------------------------------
# The nightly refresh

def nightly(office_id: int, today: date | None = None, *, vacuum: bool = True
            ) -> dict[str, Any]:
    """What the nightly schedule does for one office.

    The write path keeps every cell current except those of the day itself: the rankings'
    12-month persistence (on the day of the last rebuild) and the register's potential (the
    register's writes do not pass through the keeper). So every night rewrites those
    (`refresh_day`, seconds), and the offices take turns for the full rebuild, which checks
    the kept cells against the raw rows (a difference means a write went around the write
    path) and moves the cohort horizon. An office never built is built in full. Until its
    turn after New Year, an office's old horizon still covers this year and last year; a
    period beyond it is read from the raw rows."""
    today = today or timezone.localdate()
    if full_night(office_id, today) or not FigureState.objects.filter(
            office_id=office_id).exists():
        return {**rebuild(office_id, today, vacuum=vacuum), "mode": "full"}
    return {**refresh_day(office_id, today), "mode": "day"}


@transaction.atomic
def refresh_day(office_id: int, today: date) -> dict[str, Any]:
    """Rewrite the office's cells of the day (persistence, potential) for `today`: what a full
    rebuild on `today` would write for them, the other cells left as the write path keeps
    them. Writers wait (the office's state row is locked), as for a rebuild."""
    started = time.perf_counter()
    span = _lock_states([office_id], shared=False).get(office_id)
    if span is None:
        raise ValueError(f"office {office_id} has no built cells: rebuild it first")
    fresh = _persistence_cells(office_id, today)
    fresh.update(_potential(office_id, today))
    removed, _by_model = Figure.objects.filter(office_id=office_id, family=Family.ON_DAY).delete()
    _insert_cells(fresh)
    balances = _move_balances(office_id, span.balances, today.year)
    seconds = time.perf_counter() - started
    FigureState.objects.filter(office_id=office_id).update(
        built_on=today, balances_through=today.year, rebuilt_at=timezone.now(),
        cells=F("cells") - removed + len(fresh) + balances)
    return {"office_id": office_id, "cells": len(fresh), "differing": 0,
            "seconds": round(seconds, 3)}


def _move_balances(office_id: int, kept: int | None, through: int) -> int:
    """The balances kept through year `kept` (None: none), made those through `through`, as
    a rebuild would write them: the years between are added (the year totals before each,
    added up, from one grouped read), the years after removed. Returns the change in the
    number of cells."""
    if kept == through:
        return 0
    first = min(kept, through) + 1 if kept is not None else 1
    cells = Figure.objects.filter(office_id=office_id, metric=Metric.ACTIVE)
    stored: Counter[Cell] = Counter()
    for village, organisation, agent, day, value in cells.filter(
            family=Family.BALANCE, day__gte=date(first, 1, 1)).exclude(value=0).values_list(
                "village_id", "organisation_id", "agent_id", "day", "value"):
        stored[(office_id, Metric.ACTIVE, Family.BALANCE, village, organisation, agent, day,
                NO_DATE)] = value
    changes: dict[tuple[int, int, int], list[tuple[int, int]]] = defaultdict(list)
    for village, organisation, agent, day, total in (
            cells.filter(family=Family.YEAR, day__lt=date(through, 1, 1)).order_by(
                "village_id", "organisation_id", "agent_id", "day")
            .values_list("village_id", "organisation_id", "agent_id", "day", "value")):
        changes[(village, organisation, agent)].append((day.year, total))
    fresh: Counter[Cell] = Counter()
    for key, years in changes.items():
        for year, balance in _opening_balances(years, first, through):
            fresh[(office_id, Metric.ACTIVE, Family.BALANCE, *key, date(year, 1, 1),
                   NO_DATE)] = balance
    delta = Counter(fresh)
    delta.subtract(stored)
    apply(delta)
    cells.filter(family=Family.BALANCE, value=0).delete()
    return len(fresh) - len(stored)


def _persistence_cells(office_id: int, today: date) -> dict[Cell, int]:
    """`_persistence` for every participation of the office, by (village, organisation,
    agent), in the rankings' one grouped query."""
    from .rankings import persistence_rows

    cells: dict[Cell, int] = {}
    for row in persistence_rows(office_id, today, ("village_id", "organisation_id", "agent_id")):
        key = (row["village_id"], row["organisation_id"] or 0, row["agent_id"] or 0)
        for metric, value in ((PERSIST_BASE, row["base"]), (PERSIST_KEPT, row["kept"])):
            if value:
                cells[(office_id, metric, Family.ON_DAY, *key, today, NO_DATE)] = value
    return cells


# ---------------------------------------------------------------------------------------------
# Reading


def built(office_id: int) -> tuple[date, date] | None:
    """The office's cohort horizon when its cells are built (None: read the raw rows)."""
    row = FigureState.objects.filter(office_id=office_id).values_list(
        "horizon_start", "horizon_end").first()
    return (row[0], row[1]) if row else None


def state(office_id: int) -> Span | None:
    """The office's built state (None: not built; read the raw rows)."""
    return _horizons([office_id]).get(office_id)


def built_on(office_id: int) -> date | None:
    """The day of the office's last rebuild (None: not built)."""
    return FigureState.objects.filter(office_id=office_id).values_list(
        "built_on", flat=True).first()


def on_day(office_id: int, metrics: tuple[str, ...], day: date,
           dimension: str) -> dict[str, Counter[tuple[Any, ...]]]:
    """The rebuild-day cells of these metrics (persistence, potential), grouped."""
    fields = GROUP_FIELDS[dimension]
    result: dict[str, Counter[tuple[Any, ...]]] = {metric: Counter() for metric in metrics}
    for row in (Figure.objects.filter(office_id=office_id, family=Family.ON_DAY, day=day,
                                      metric__in=metrics)
                .order_by().values("metric", *fields).annotate(total=Sum("value"))):
        result[row["metric"]][_group_key(row, dimension)] += int(row["total"] or 0)
    return result


# "office": the whole office as one group (key ()), read from its totals
GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "village": ("village_id",), "agent": ("organisation_id", "agent_id"), "office": ()}


def _group_key(row: dict[str, Any], dimension: str) -> tuple[Any, ...]:
    if dimension == "village":
        return (row["village_id"],)
    if dimension == "office":
        return ()
    return (row["organisation_id"] or None, row["agent_id"] or None)


def _union_sum(where: Q, branches: list[Q], fields: tuple[str, ...],
               model: type[Figure] | type[FigureTotal] = Figure) -> Any:
    """The rows {fields…, total} of one UNION ALL statement: a grouped sum per branch."""
    grouped = [model.objects.filter(branch, where).order_by().values(*fields)
               .annotate(total=Sum("value")) for branch in branches]
    return grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]


@dataclass(frozen=True)
class Range:
    """One index range of a metric's cells: a family's cells of the days [first_day,
    last_day] paid (`since`) within [first_since, last_since]."""

    family: str
    first_day: date
    last_day: date
    first_since: date = date.min
    last_since: date = date.max

    def q(self) -> Q:
        bounds: dict[str, Any] = {"family": self.family}
        if self.first_day == self.last_day:
            bounds["day"] = self.first_day
        else:
            if self.first_day != date.min:
                bounds["day__gte"] = self.first_day
            bounds["day__lte"] = self.last_day
        if self.first_since != date.min:
            bounds["since__gte"] = self.first_since
        if self.last_since != date.max:
            bounds["since__lte"] = self.last_since
        return Q(**bounds)


def window_ranges(metric: str, period: Period, start: date, until: date,
                  balances: int | None = None) -> list[Range]:
    """The ranges of cells a metric's window adds up (one index range each). `balances`: the
    last year whose opening stock the cells keep (the active stock then reads that year's
    balance, not every year total before it)."""
    this_month = month_start(until)
    before_this_month = this_month - timedelta(days=1)
    if metric == Metric.ACTIVE:
        year = date(until.year, 1, 1)
        opening = (Range(Family.BALANCE, year, year)
                   if balances is not None and until.year <= balances
                   else Range(Family.YEAR, date.min, year - timedelta(days=1)))
        return [opening, Range(Family.MONTH, year, before_this_month),
                Range(Family.DAY, this_month, until)]
    if metric in (Metric.NEW, Metric.MONEY, Metric.HI_MEMBERS):
        # whole months from the month totals (paid in a month before this one too), the rest
        # day by day: this month's cells, and earlier months' cells paid this month
        ranges = [Range(Family.MONTH, start, before_this_month, last_since=before_this_month),
                  Range(Family.DAY, this_month, until, last_since=until)]
        if metric != Metric.NEW:  # new has no day paid
            ranges.append(Range(Family.DAY, start, before_this_month, this_month, until))
        return ranges
    if metric == Metric.REJOINED:
        return [Range(IN_FAMILY[period.kind], start, until)]
    if metric in (Metric.RETAINED, DUE):
        return [Range(IN_FAMILY[period.kind], start, start if metric == DUE else until,
                      last_since=this_month)]
    raise ValueError(f"unknown metric {metric!r}")


def window_branches(metric: str, period: Period, start: date, until: date,
                    village_ids: list[int] | None = None,
                    balances: int | None = None) -> list[Q]:
    """`window_ranges` as filters on the cells (of these villages)."""
    where = Q(metric=metric)
    if village_ids is not None:
        where &= Q(village_id__in=village_ids)
    return [found.q() & where for found in window_ranges(metric, period, start, until, balances)]


def in_horizon(horizon: tuple[date, date], metric: str, period: Period) -> bool:
    if metric not in (Metric.RETAINED, DUE):
        return True
    return horizon[0] <= period.start <= horizon[1]


def grouped(office_id: int, metric: str, period: Period, start: date, until: date,
            dimension: str, *, balances: int | None = None) -> dict[tuple[Any, ...], int]:
    return read_together(office_id, dimension, [(metric, period, start, until)],
                         balances=balances)[0]


RANGE_COLUMNS = ("metric", "family", "first_day", "last_day", "first_since", "last_since")
# ranges per UNION ALL statement (SQLite allows 500 terms in a compound SELECT; a dashboard
# reads ~30)
MAX_UNION = 250


def _in_range(metric: str, family: str, first_day: str, last_day: str, first_since: str,
              last_since: str) -> str:
    """The condition on a cell of the office (its id: the first parameter) in one range."""
    return (f"cell.office_id = %s AND cell.metric = {metric} AND cell.family = {family} "
            f"AND cell.day BETWEEN {first_day} AND {last_day} "
            f"AND cell.since BETWEEN {first_since} AND {last_since}")


def read_together(office_id: int, dimension: str,
                  windows: list[tuple[str, Period, date, date]], *,
                  balances: int | None = None, villages: Collection[int] | None = None,
                  ) -> list[dict[tuple[Any, ...], int]]:
    """`grouped` for each (metric, period, start, until), in one statement of index range
    scans, summed per window and group. The whole office reads its totals, a few rows a
    range: the ranges as a list of values joined to them (as a UNION ALL, PostgreSQL would
    start parallel workers for ~1 ms of reading). A grouping reads the cells, thousands of
    rows a range at an office of 1M persons: a UNION ALL of one grouped sum per range (joined
    to a list of values, the rows of every range were sorted together, 240 ms against 90).
    `villages`, by village: only these villages' figures (the read index carries the village,
    so the others are skipped in the index)."""
    wanted = [(index, metric, found.family, found.first_day, found.last_day,
               found.first_since, found.last_since)
              for index, (metric, period, start, until) in enumerate(windows)
              for found in window_ranges(metric, period, start, until, balances)]
    result: list[Counter[tuple[Any, ...]]] = [Counter() for _window in windows]
    if not wanted:
        return []
    model = FigureTotal if dimension == "office" else Figure
    database = router.db_for_read(model)
    table = connections[database].ops.quote_name(model._meta.db_table)
    names = GROUP_FIELDS[dimension]
    if not names:
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(wanted))
        sql = (f"WITH wanted (tag, {', '.join(RANGE_COLUMNS)}) AS (VALUES {values}) "
               f"SELECT wanted.tag, SUM(cell.value) FROM wanted JOIN {table} cell "
               f"ON {_in_range(*(f'wanted.{column}' for column in RANGE_COLUMNS))} "
               f"GROUP BY wanted.tag")
        params = [value for row in wanted for value in row] + [office_id]
        statements = [(sql, params)]
    else:
        groups = ", ".join(f"cell.{name}" for name in names)
        # the ids written out, whole numbers only: the same list in each of up to 250 ranges
        # would pass SQLite's bound-parameter limit
        only = ("" if villages is None or dimension != "village" else
                f" AND cell.village_id IN ({', '.join(str(int(v)) for v in sorted(villages))})"
                if villages else " AND FALSE")
        one = (f"SELECT %s, {groups}, SUM(cell.value) FROM {table} cell "
               f"WHERE {_in_range(*['%s'] * len(RANGE_COLUMNS))}{only} GROUP BY {groups}")
        statements = [(" UNION ALL ".join([one] * len(part)),
                       [value for row in part for value in (row[0], office_id, *row[1:])])
                      for part in (wanted[index:index + MAX_UNION]
                                   for index in range(0, len(wanted), MAX_UNION))]
    with connections[database].cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            for tag, *group, total in cursor.fetchall():
                row = dict(zip(names, group, strict=True))
                result[tag][_group_key(row, dimension)] += int(total or 0)
    return [{key: value for key, value in found.items() if value} for found in result]


def monthly(office_id: int, metric: str, period: Period, as_of: date,
            village_ids: list[int] | None, *,
            balances: int | None = None) -> list[tuple[date, int | None]]:
    """The figure month by month through the period (None after `as_of`): the stock at each
    month's end, a flow within each month alone; two or three queries whatever the period."""
    months = period.month_starts()
    until = min(as_of, period.end)
    last = month_start(until)
    # the whole office: its totals (a few rows a month); some villages: their cells
    model: type[Figure] | type[FigureTotal] = Figure if village_ids is not None else FigureTotal
    cells: Any = model.objects.filter(office_id=office_id, metric=metric)
    if village_ids is not None:
        cells = cells.filter(village_id__in=village_ids)
    per_month: Counter[date] = Counter()
    if metric == Metric.ACTIVE:
        # the stock before the period: a UNION ALL of index-only range scans (an OR of the
        # branches read the table's pages: 163 ms against 8 ms at 5M cells in the office)
        before = window_branches(metric, period, period.start,
                                 period.start - timedelta(days=1), village_ids, balances)
        running = sum(int(row["total"] or 0) for row in
                      _union_sum(Q(office_id=office_id), before, ("office_id",), model))
        changes = dict(cells.filter(family=Family.MONTH, day__gte=period.start, day__lt=last)
                       .order_by().values("day").annotate(total=Sum("value"))
                       .values_list("day", "total"))
        changes[last] = int(cells.filter(family=Family.DAY, day__gte=last, day__lte=until)
                            .aggregate(total=Sum("value"))["total"] or 0)
        for month in months:
            if month <= last:
                running += int(changes.get(month) or 0)
                per_month[month] = running
    elif metric in (Metric.NEW, Metric.MONEY, Metric.HI_MEMBERS):
        for day, since, total in (cells.filter(family=Family.MONTH, day__gte=period.start,
                                               day__lt=last)
                                  .order_by().values("day", "since").annotate(total=Sum("value"))
                                  .values_list("day", "since", "total")):
            if since <= day:  # paid within its accounting month (or before)
                per_month[day] += int(total)
        per_month[last] += int(cells.filter(family=Family.DAY, day__gte=last, day__lte=until,
                                            since__lte=until)
                               .aggregate(total=Sum("value"))["total"] or 0)
    else:
        for day, since, total in (cells.filter(family=Family.IN_MONTH, day__gte=period.start,
                                               day__lte=until)
                                  .order_by().values("day", "since").annotate(total=Sum("value"))
                                  .values_list("day", "since", "total")):
            if since <= month_start(day):
                per_month[month_start(day)] += int(total)
    return [(month, per_month[month] if month <= as_of else None) for month in months]


def by_office(province_id: int, metric: str, period: Period, start: date,
              until: date) -> dict[int, int]:
    """{office: figure} for every office of a province, from the offices' totals (one
    statement of index range scans: a few rows per office and month, whatever the number of
    villages). Cohort figures of a period outside an office's horizon are left out (None is
    not 0: the page says so)."""
    branches = window_branches(metric, period, start, until)
    result: Counter[int] = Counter()
    for row in _union_sum(Q(province_id=province_id), branches, ("office_id",), FigureTotal):
        result[row["office_id"]] += int(row["total"] or 0)
    return dict(result)
