"""Each metric's aggregate equals the definition worked out row by row in Python."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from ansinh.collection.models import PaidMonth, Product, Receipt
from ansinh.core.periods import parse_period
from ansinh.network.models import Metric
from ansinh.participation.models import Participation, Status, StatusChange
from ansinh.reports import metrics
from ansinh.reports.metrics import Window

ACTIVE = {Status.ACTIVE, Status.LATE}


def status_on(participation: Participation, day: date) -> str | None:
    changes = [c for c in StatusChange.objects.filter(participation=participation)
               if c.on <= day]
    changes.sort(key=lambda c: (c.on, c.id))
    return changes[-1].new_status if changes else None


def active_by_python(day: date) -> Counter[int]:
    counts: Counter[int] = Counter()
    for participation in Participation.objects.all():
        if participation.enrolled_on <= day and status_on(participation, day) in ACTIVE:
            counts[participation.village_id] += 1
    return counts


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2026, 3, 30), date(2026, 3, 31),
                                 date(2026, 4, 1), date(2026, 6, 30)])
def test_active_on_a_date_is_the_last_status_change_on_or_before_it(
        history: dict[str, Any], world: dict[str, Any], day: date) -> None:
    office = world["office"]
    window = Window(parse_period(str(day.year)), day)
    expected = active_by_python(day)
    assert metrics.total(office, Metric.ACTIVE, window) == sum(expected.values())
    grouped = metrics.grouped(office, Metric.ACTIVE, window, "village")
    assert {key[0]: value for key, value in grouped.items()} == dict(expected)


def test_a_resume_after_the_look_up_date_does_not_count(history: dict[str, Any],
                                                       world: dict[str, Any]) -> None:
    late_resumes = StatusChange.objects.filter(old_status=Status.PAUSED,
                                               new_status=Status.ACTIVE, on__gt=date(2026, 3, 31))
    assert late_resumes.exists(), "the fixture should resume someone after the as-of date"
    resumed = late_resumes.first()
    assert resumed is not None
    window = Window(parse_period("2026"), date(2026, 3, 31))
    rows, _expr = metrics.metric_rows(world["office"], Metric.ACTIVE, window)
    assert not rows.filter(pk=resumed.participation_id).exists()
    later = Window(parse_period("2026"), resumed.on)
    rows, _expr = metrics.metric_rows(world["office"], Metric.ACTIVE, later)
    assert rows.filter(pk=resumed.participation_id).exists()


def test_new_counts_enrolments_within_the_period_up_to_the_date(
        history: dict[str, Any], world: dict[str, Any]) -> None:
    office = world["office"]
    q1 = Window(parse_period("2026-Q1"), date(2026, 2, 15))
    expected = Participation.objects.filter(enrolled_on__range=(date(2026, 1, 1),
                                                                date(2026, 2, 15))).count()
    assert expected > 0
    assert metrics.total(office, Metric.NEW, q1) == expected
    # the day before the period: nothing yet
    assert metrics.total(office, Metric.NEW, Window(parse_period("2026-Q1"),
                                                    date(2025, 12, 31))) == 0


def test_rejoined_counts_resumes_and_returns_after_a_stop(history: dict[str, Any],
                                                        world: dict[str, Any]) -> None:
    office = world["office"]
    window = Window(parse_period("2026"), date(2026, 3, 31))
    resumed = set(StatusChange.objects.filter(
        old_status=Status.PAUSED, new_status=Status.ACTIVE,
        on__range=(date(2026, 1, 1), date(2026, 3, 31))).values_list("participation", flat=True))
    returned = {p.pk for p in history["rejoined"]}
    assert returned, "the fixture re-enrols people after a stop"
    rows, _expr = metrics.metric_rows(office, Metric.REJOINED, window)
    assert set(rows.values_list("pk", flat=True)) == resumed | returned
    assert metrics.total(office, Metric.REJOINED, window) == len(resumed | returned)


def test_money_sums_amounts_by_accounting_month_reversals_included(
        history: dict[str, Any], world: dict[str, Any]) -> None:
    office = world["office"]
    window = Window(parse_period("2026-Q1"), date(2026, 3, 31))
    receipts = Receipt.objects.filter(period__range=(date(2026, 1, 1), date(2026, 3, 1)))
    expected = receipts.aggregate(s=Sum("amount"))["s"]
    assert receipts.filter(amount__lt=0).exists()
    assert metrics.total(office, Metric.MONEY, window) == expected
    # the reversal of 20 March is not yet there on the 19th
    before = Window(parse_period("2026-Q1"), date(2026, 3, 19))
    reversal = history["reversed"].reversal
    assert metrics.total(office, Metric.MONEY, before) == (
        receipts.filter(paid_on__lte=date(2026, 3, 19)).aggregate(s=Sum("amount"))["s"])
    assert reversal.amount < 0


def test_household_hi_members_net_of_reversals(history: dict[str, Any],
                                              world: dict[str, Any]) -> None:
    office = world["office"]
    hi = history["hi"]
    members = [receipt.hi_members for receipt in hi]
    window = Window(parse_period("2026"), date(2026, 3, 31))
    assert metrics.total(office, Metric.HI_MEMBERS, window) == sum(members) - members[0]
    # before the reversal on 5 March all three count
    assert metrics.total(office, Metric.HI_MEMBERS,
                         Window(parse_period("2026"), date(2026, 3, 4))) == sum(members)


def test_retained_of_those_due(history: dict[str, Any], world: dict[str, Any]) -> None:
    office = world["office"]
    start, until = date(2026, 1, 1), date(2026, 3, 31)
    window = Window(parse_period("2026-Q1"), until)
    due, paid = set(), set()
    for participation in Participation.objects.filter(enrolled_on__lt=start):
        if status_on(participation, start - timedelta(days=1)) not in ACTIVE:
            continue
        months = [m.month for m in PaidMonth.objects.filter(
            participation=participation, released_by__isnull=True,
            receipt__paid_on__lt=start)]
        if months and max(months) >= date(2026, 3, 1):
            continue
        due.add(participation.pk)
        for receipt in Receipt.objects.filter(participation=participation,
                                              product=Product.VOLUNTARY_SI,
                                              reverses__isnull=True,
                                              paid_on__range=(start, until)):
            reversal = Receipt.objects.filter(reverses=receipt, paid_on__lte=until).first()
            if reversal is None:
                paid.add(participation.pk)
    assert due and paid and paid < due
    assert metrics.total(office, Metric.RETAINED, window) == len(paid)
    assert sum(metrics.grouped_base(office, window, "village").values()) == len(due)


def test_group_by_agent_adds_up_to_the_total(history: dict[str, Any],
                                             world: dict[str, Any]) -> None:
    office = world["office"]
    window = Window(parse_period("2026"), date(2026, 3, 31))
    for metric in Metric.values:
        by_agent = metrics.grouped(office, metric, window, "agent")
        by_village = metrics.grouped(office, metric, window, "village")
        assert sum(by_agent.values()) == sum(by_village.values()) == metrics.total(
            office, metric, window), metric


def test_monthly_trend_of_active_matches_the_count_at_each_month_end(
        history: dict[str, Any], world: dict[str, Any]) -> None:
    office = world["office"]
    period = parse_period("2026")
    trend = metrics.monthly(office, Metric.ACTIVE, period, date(2026, 3, 31))
    assert [value for _m, value in trend[3:]] == [None] * 9
    for month, value in trend[:3]:
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        assert value == metrics.total(office, Metric.ACTIVE, Window(period, end)), month


def test_grouped_figures_take_a_fixed_number_of_queries(history: dict[str, Any],
                                                        world: dict[str, Any]) -> None:
    office = world["office"]
    window = Window(parse_period("2026"), date(2026, 3, 31))
    with metrics.one_view(), CaptureQueriesContext(connection) as queries:
        for metric in Metric.values:
            metrics.grouped(office, metric, window, "village")
    # one query per metric, and one for the state of the office's summary cells
    assert len(queries) == len(Metric.values) + 1


@pytest.mark.django_db
def test_one_view_computes_a_grouped_figure_once(world: dict[str, Any]) -> None:
    """The dashboard's cards and its commune table read the same village figures: within
    one view they are computed once; outside a view, every call asks the database."""
    window = Window(parse_period("2026"), date(2026, 3, 31))
    office = world["office"]
    with CaptureQueriesContext(connection) as outside:
        metrics.grouped(office, Metric.REJOINED, window, "village")
        metrics.grouped(office, Metric.REJOINED, window, "village")
    with metrics.one_view(), CaptureQueriesContext(connection) as inside:
        first = metrics.grouped(office, Metric.REJOINED, window, "village")
        again = metrics.grouped(office, Metric.REJOINED, window, "village")
    assert again == first
    assert len(inside) * 2 == len(outside) > 0
