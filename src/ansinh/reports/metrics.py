"""What each target metric counts, as one grouped aggregate query per metric and dimension.

Every figure is computed by the database (COUNT / SUM grouped by village or by agent); Python
only adds the few hundred grouped rows up the hierarchies village › commune › office and
agent › organisation › office. The same filter gives the list of people behind a number
(`rows_behind`), so a drill-down always shows exactly what was counted.

Definitions, for a period P and a look-up date D (`until` = the earlier of D and P's end):

- active: participations enrolled on or before `until` whose status on `until` — the
  `new_status` of their last StatusChange dated on or before it — is active or late
  (`collection.payment_state.COUNTED`). A participation awaiting its first payment is not
  counted: it is recorded active by its first receipt (the receipt write path), late or paused
  by the lapse run, both from the one definition in `collection.payment_state`
  (docs/payment-state.md). The count stays one grouped query over the recorded history;
- new: participations enrolled within P up to `until`;
- rejoined: participations resumed (StatusChange paused → active) within P up to `until`, or
  enrolled within P by a person who has an earlier, stopped participation;
- retained (of those due): "due" are the participations enrolled before P that were active or
  late at its start and whose paid months, as paid before P, end before the month of
  `until` — they needed a payment within P to stay covered; "retained" are those of them with
  a voluntary-SI receipt paid within P up to `until` that was not reversed by then;
- money: the sum of Receipt.amount of receipts whose accounting month falls in P, paid on or
  before `until` (reversals are negative receipts and so count against the total);
- hi_members: household-HI members of the receipts in the same window, a reversal counting
  minus the members of the receipt it cancels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ansinh.collection.models import PaidMonth, Product, Receipt
from ansinh.collection.payment_state import COUNTED
from ansinh.core.models import Office
from ansinh.core.periods import Period
from ansinh.network.models import Metric
from ansinh.participation.models import Participation, Status, StatusChange

from . import figures

ACTIVE_STATES = COUNTED
# metrics whose rows are receipts (money) rather than participations (people)
RECEIPT_METRICS = (Metric.MONEY, Metric.HI_MEMBERS)
# the stock metric: a count on a date, not a flow over the period
STOCK_METRICS = (Metric.ACTIVE,)
# dimensions a figure is grouped by directly; commune/staff are roll-ups of village, and
# "office" is the whole office as one group (key ())
GROUPINGS = {"village": ("village_id",), "agent": ("organisation_id", "agent_id"),
             "office": ()}


@dataclass(frozen=True)
class Window:
    """A period seen on a date: counts run from the period's start to `until`."""

    period: Period
    as_of: date

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def until(self) -> date:
        return self.period.clip(self.as_of)

    def last_year(self) -> Window:
        as_of = self.as_of
        try:
            shifted = as_of.replace(year=as_of.year - 1)
        except ValueError:  # 29 February
            shifted = as_of.replace(year=as_of.year - 1, day=28)
        return Window(self.period.shifted_years(-1), shifted)


def status_on(day: date) -> Subquery:
    """The status of the outer participation on `day` (its last change dated on or before)."""
    return Subquery(
        StatusChange.objects.filter(participation=OuterRef("pk"), on__lte=day)
        .order_by("-on", "-id").values("new_status")[:1]
    )


def _participations(office: Office | int) -> QuerySet[Participation]:
    return Participation.objects.filter(office=office)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def metric_rows(office: Office | int, metric: str, window: Window) -> tuple[QuerySet[Any], Any]:
    """The rows a metric counts and the aggregate expression that counts them."""
    start, until = window.start, window.until
    rows: QuerySet[Any]
    if metric == Metric.ACTIVE:
        rows = (_participations(office).filter(enrolled_on__lte=until)
                .annotate(status_then=status_on(until))
                .filter(status_then__in=ACTIVE_STATES))
        return rows, Count("id")
    if metric == Metric.NEW:
        return _participations(office).filter(enrolled_on__range=(start, until)), Count("id")
    if metric == Metric.REJOINED:
        # the resumed, found once through the changes of the window (not one EXISTS per
        # participation of the office)
        resumed = StatusChange.objects.filter(
            participation__office=office, old_status=Status.PAUSED, new_status=Status.ACTIVE,
            on__range=(start, until)).values("participation_id")
        stopped_before = Participation.objects.filter(
            person=OuterRef("person"), status=Status.STOPPED,
            enrolled_on__lte=OuterRef("enrolled_on"),
        ).exclude(pk=OuterRef("pk"))
        rows = _participations(office).filter(
            Q(pk__in=resumed) | (Q(enrolled_on__range=(start, until)) & Exists(stopped_before)))
        return rows, Count("id")
    if metric == Metric.RETAINED:
        rows = due_rows(office, window)
        return rows, Count("id", filter=Q(paid_in_window=True))
    if metric == Metric.MONEY:
        return _receipts(office, window), Coalesce(Sum("amount"), 0)
    if metric == Metric.HI_MEMBERS:
        members = Case(
            When(reverses__isnull=True, then=Coalesce(F("hi_members"), 0)),
            default=-Coalesce(F("reverses__hi_members"), 0), output_field=IntegerField())
        return (_receipts(office, window).filter(product=Product.HOUSEHOLD_HI),
                Coalesce(Sum(members), 0))
    raise ValueError(f"unknown metric {metric!r}")


def _receipts(office: Office | int, window: Window) -> QuerySet[Receipt]:
    return Receipt.objects.filter(office=office, period__gte=window.start,
                                  period__lte=window.until, paid_on__lte=window.until)


def due_rows(office: Office | int, window: Window) -> QuerySet[Participation]:
    """Participations due within the window, annotated with `paid_in_window`."""
    start, until = window.start, window.until
    day_before = start - timedelta(days=1)
    # the latest paid month (walking the (participation, month) index backwards: the first
    # unreleased month paid before the period is usually the first row read)
    paid_through = (
        PaidMonth.objects.filter(participation=OuterRef("pk"), released_by__isnull=True,
                                 receipt__paid_on__lt=start)
        .order_by("-month").values("month")[:1]
    )
    reversed_by_then = Receipt.objects.filter(reverses=OuterRef("pk"), paid_on__lte=until)
    # The receipts paid in the window, found once through the (office, period) index: a
    # receipt's accounting month is never before the month it was paid in (collection's
    # open_period), so `period >= start` loses none of them. An original voluntary-SI receipt
    # pays at least one month and its reversal has negative months, so `months > 0` reads
    # "not a reversal".
    paid_ids = (Receipt.objects.filter(office=office, period__gte=start,
                                       product=Product.VOLUNTARY_SI, months__gt=0,
                                       paid_on__range=(start, until))
                .exclude(Exists(reversed_by_then)).values("participation_id"))
    return (
        _participations(office).filter(enrolled_on__lt=start)
        .annotate(status_then=status_on(day_before),
                  paid_through=Coalesce(Subquery(paid_through), Value(date.min)))
        .filter(status_then__in=ACTIVE_STATES, paid_through__lt=_month_start(until))
        .annotate(paid_in_window=Case(When(pk__in=paid_ids, then=Value(True)),
                                      default=Value(False), output_field=BooleanField()))
    )


# What was already read in this page view (see `one_view`); None outside one.
_VIEW: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("metrics_view", default=None)
# The villages whose figures the page view shows (see `one_view`); None: every village.
_SHOWN: ContextVar[frozenset[int] | None] = ContextVar("metrics_shown", default=None)
T = TypeVar("T")


@contextmanager
def one_view() -> Iterator[None]:
    """Within the block, a figure (or a list of units, or the targets) asked for twice is read
    once: the dashboard's headlines and its commune table read the same village figures.
    Nothing outlives the block, so nothing is ever stale."""
    token = _VIEW.set({})
    try:
        yield
    finally:
        _VIEW.reset(token)


@contextmanager
def showing(villages: Iterable[int] | None) -> Iterator[None]:
    """Within the block, the only villages whose figures the page shows (None: any). The
    figures read together by village leave the others out: at an office of 1M persons, one
    commune's rows instead of 745 villages'. A page that says so must not show a figure of
    another village, nor keep those it read for another page."""
    token = _SHOWN.set(frozenset(villages) if villages is not None else None)
    try:
        yield
    finally:
        _SHOWN.reset(token)


def remembered(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()`, once per key within `one_view` (every time outside one)."""
    seen = _VIEW.get()
    if seen is None:
        return compute()
    if key not in seen:
        seen[key] = compute()
    return seen[key]  # type: ignore[no-any-return]


def grouped(office: Office | int, metric: str, window: Window,
            dimension: str) -> dict[tuple[Any, ...], int]:
    """{group key: figure} for one metric, grouped by village, by (organisation, agent) or
    for the whole office ({(): figure})."""
    office_id = office if isinstance(office, int) else office.pk
    return remembered(("grouped", office_id, metric, window, dimension),
                       lambda: _grouped(office, metric, window, dimension))


def read_together(office: Office | int, dimension: str,
                  wanted: Iterable[tuple[str, Window]]) -> None:
    """Within `one_view`, read these (metric, window) pairs (metric `figures.DUE`: how many
    were due, for `retained`) grouped by `dimension` in one statement, for `grouped` and
    `grouped_base` to find: a dashboard's headlines, a dozen figures, cost one round trip
    instead of one each. Figures not in the cells are left to those (read from the raw rows
    when asked)."""
    seen = _VIEW.get()
    if seen is None:
        return
    span = _state(office)
    if span is None:
        return
    office_id = _office_id(office)
    batch: list[tuple[tuple[Any, ...], str, Window]] = []
    for metric, window in wanted:
        key = (("base", office_id, window, dimension) if metric == figures.DUE
               else ("grouped", office_id, metric, window, dimension))
        empty = window.until < window.start and metric not in STOCK_METRICS
        if key not in seen and not empty and _cells(office, metric, window.period):
            batch.append((key, metric, window))
    found = figures.read_together(
        office_id, dimension, [(metric, window.period, window.start, window.until)
                               for _key, metric, window in batch], balances=span.balances,
        villages=_SHOWN.get() if dimension == "village" else None)
    for (key, _metric, _window), figure in zip(batch, found, strict=True):
        seen[key] = figure


def _office_id(office: Office | int) -> int:
    return office if isinstance(office, int) else office.pk


def _state(office: Office | int) -> figures.Span | None:
    """The office's built state, when its summary cells are built (read once per view)."""
    office_id = _office_id(office)
    return remembered(("built", office_id), lambda: figures.state(office_id))


def _built(office: Office | int) -> tuple[date, date] | None:
    """The office's cohort horizon when its summary cells are built."""
    span = _state(office)
    return span.horizon if span is not None else None


def _balances(office: Office | int) -> int | None:
    """The last year whose opening stock the office's cells keep."""
    span = _state(office)
    return span.balances if span is not None else None


def _cells(office: Office | int, metric: str, period: Period) -> bool:
    """Whether the figure is read from the summary cells (reports.figures)."""
    horizon = _built(office)
    return horizon is not None and figures.in_horizon(horizon, metric, period)


def _grouped(office: Office | int, metric: str, window: Window,
             dimension: str) -> dict[tuple[Any, ...], int]:
    if window.until < window.start and metric not in STOCK_METRICS:
        return {}
    if _cells(office, metric, window.period):
        return figures.grouped(_office_id(office), metric, window.period, window.start,
                               window.until, dimension, balances=_balances(office))
    return live_grouped(office, metric, window, dimension)


def live_grouped(office: Office | int, metric: str, window: Window,
                 dimension: str) -> dict[tuple[Any, ...], int]:
    """The figure from the raw rows: the definition the summary cells are held to."""
    if window.until < window.start and metric not in STOCK_METRICS:
        return {}
    rows, expression = metric_rows(office, metric, window)
    fields = GROUPINGS[dimension]
    if not fields:  # the whole office: one group, none when nothing is counted
        figure = int(rows.order_by().aggregate(figure=expression)["figure"] or 0)
        return {(): figure} if figure else {}
    result = rows.order_by().values(*fields).annotate(figure=expression)
    return {tuple(row[name] for name in fields): int(row["figure"] or 0) for row in result}


def grouped_base(office: Office | int, window: Window,
                 dimension: str) -> dict[tuple[Any, ...], int]:
    """For `retained`: how many were due, grouped like `grouped`."""
    office_id = office if isinstance(office, int) else office.pk
    return remembered(("base", office_id, window, dimension),
                       lambda: _grouped_base(office, window, dimension))


def _grouped_base(office: Office | int, window: Window,
                  dimension: str) -> dict[tuple[Any, ...], int]:
    if window.until < window.start:
        return {}
    if _cells(office, figures.DUE, window.period):
        return figures.grouped(_office_id(office), figures.DUE, window.period, window.start,
                               window.until, dimension)
    return live_grouped_base(office, window, dimension)


def live_grouped_base(office: Office | int, window: Window,
                      dimension: str) -> dict[tuple[Any, ...], int]:
    if window.until < window.start:
        return {}
    fields = GROUPINGS[dimension]
    if not fields:
        due = due_rows(office, window).order_by().count()
        return {(): due} if due else {}
    result = due_rows(office, window).order_by().values(*fields).annotate(figure=Count("id"))
    return {tuple(row[name] for name in fields): int(row["figure"]) for row in result}


def total(office: Office | int, metric: str, window: Window) -> int:
    """The office's figure."""
    return grouped(office, metric, window, "office").get((), 0)


def live_total(office: Office | int, metric: str, window: Window) -> int:
    """The office's figure from the raw rows, in one aggregate query."""
    if window.until < window.start and metric not in STOCK_METRICS:
        return 0
    rows, expression = metric_rows(office, metric, window)
    return int(rows.order_by().aggregate(figure=expression)["figure"] or 0)


def monthly(office: Office | int, metric: str, period: Period, as_of: date,
            village_ids: Iterable[int] | None = None) -> list[tuple[date, int | None]]:
    """The figure month by month through the period (None for months after `as_of`).

    Stock metric (active): the count at each month's end, from one grouped sum over the
    status history (each change adds one when it enters active/late and takes one away when it
    leaves them — the same count as the definition when the history is consistent). Flows:
    the figure of each month alone.
    """
    villages = list(village_ids) if village_ids is not None else None
    horizon = _built(office)
    if horizon is not None and all(figures.in_horizon(horizon, metric, Period("month", month))
                                   for month in period.month_starts() if month <= as_of):
        return figures.monthly(_office_id(office), metric, period, as_of, villages,
                               balances=_balances(office))
    return live_monthly(office, metric, period, as_of, villages)


def live_monthly(office: Office | int, metric: str, period: Period, as_of: date,
                 villages: list[int] | None = None) -> list[tuple[date, int | None]]:
    """`monthly` from the raw rows."""
    months = period.month_starts()
    ends = [min(_next_month(month) - timedelta(days=1), as_of) for month in months]
    figures: list[tuple[date, int | None]] = []
    if metric == Metric.ACTIVE:
        delta = (Case(When(new_status__in=ACTIVE_STATES, then=Value(1)), default=Value(0))
                 - Case(When(old_status__in=ACTIVE_STATES, then=Value(1)), default=Value(0)))
        changes = StatusChange.objects.filter(participation__office=office,
                                              participation__enrolled_on__lte=as_of)
        if villages is not None:
            changes = changes.filter(participation__village__in=villages)
        before = changes.filter(on__lt=period.start).aggregate(n=Coalesce(Sum(delta), 0))["n"]
        by_day = dict(changes.filter(on__range=(period.start, period.end)).order_by()
                      .values("on").annotate(n=Sum(delta)).values_list("on", "n"))
        running = int(before)
        days = sorted(by_day)
        index = 0
        for month, end in zip(months, ends, strict=True):
            if month > as_of:
                figures.append((month, None))
                continue
            while index < len(days) and days[index] <= end:
                running += int(by_day[days[index]])
                index += 1
            figures.append((month, running))
        return figures
    per_month: dict[date, int] = defaultdict(int)
    for month in months:
        if month > as_of:
            continue
        window = Window(Period("month", month), as_of)
        # one query per month keeps each month's definition identical to the period figure
        rows, expression = metric_rows(office, metric, window)
        if villages is not None:
            rows = rows.filter(village__in=villages)
        per_month[month] = int(rows.order_by().aggregate(figure=expression)["figure"] or 0)
    return [(month, per_month[month] if month <= as_of else None) for month in months]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
