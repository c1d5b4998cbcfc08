"""The summary cells against the raw rows: after the ORM-written history (rebuilt), and after
random sequences of writes through the single write path (kept current on every write)."""

from __future__ import annotations

import importlib
import json
import random
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Sum
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from ansinh.collection.actions import reverse_receipt
from ansinh.collection.dues import quote_months
from ansinh.collection.lifecycle import pause, resume, stop
from ansinh.collection.models import Receipt
from ansinh.collection.receipts import record_receipt
from ansinh.core.errors import Refused
from ansinh.core.models import Office
from ansinh.core.offices import full_night
from ansinh.core.periods import Period, add_months, parse_period
from ansinh.network.models import Agent, Metric
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status, StopReason
from ansinh.registry.models import Person
from ansinh.reports import figures, metrics, rankings
from ansinh.reports.metrics import Window
from ansinh.reports.models import Figure, FigureState, FigureTotal
from ansinh.reports.tasks import rebuild_figures

PERIODS = ("2024", "2025", "2026", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4",
           "2025-12", "2026-01", "2026-02", "2026-03", "2026-06", "2026-11")
AS_OF = (date(2025, 12, 31), date(2026, 2, 14), date(2026, 3, 31), date(2026, 6, 30),
         date(2026, 11, 20))


def _windows() -> list[Window]:
    return [Window(parse_period(code), as_of) for code in PERIODS for as_of in AS_OF]


def assert_cells_equal_raw_rows(office: Office) -> int:
    """Every metric, window and grouping, from the cells and from the raw rows: equal (the
    whole office from its totals)."""
    compared = 0
    for window in _windows():
        for dimension in ("village", "agent", "office"):
            for metric in Metric.values:
                cells = metrics.grouped(office, metric, window, dimension)
                raw = {key: value for key, value in
                       metrics.live_grouped(office, metric, window, dimension).items() if value}
                assert cells == raw, (metric, window, dimension)
                compared += 1
            base = metrics.grouped_base(office, window, dimension)
            raw_base = {key: value for key, value in
                        metrics.live_grouped_base(office, window, dimension).items() if value}
            assert base == raw_base, ("due", window, dimension)
    for code in ("2025", "2026"):
        period = parse_period(code)
        for metric in Metric.values:
            assert metrics.monthly(office, metric, period, date(2026, 8, 17)) == \
                metrics.live_monthly(office, metric, period, date(2026, 8, 17)), (metric, code)
    assert_figures_read_together(office)
    return compared


def assert_figures_read_together(office: Office) -> None:
    """Every window's figures read in one statement per grouping (a dashboard's headlines;
    the whole office from its totals) equal the raw rows'."""
    wanted = [(metric, window) for window in _windows()
              for metric in (*Metric.values, figures.DUE)]
    for dimension in ("office", "village", "agent"):
        with metrics.one_view():
            with CaptureQueriesContext(connection) as queries:
                metrics.read_together(office, dimension, wanted)
            ranges = sum(len(figures.window_ranges(metric, window.period, window.start,
                                                   window.until)) for metric, window in wanted)
            statements = 1 if dimension == "office" else -(-ranges // figures.MAX_UNION)
            # the office's state, then the figures (as many ranges in a statement as SQLite
            # takes)
            assert len(queries.captured_queries) <= 1 + statements
            for metric, window in wanted:
                if metric == figures.DUE:
                    read = metrics.grouped_base(office, window, dimension)
                    live = metrics.live_grouped_base(office, window, dimension)
                else:
                    read = metrics.grouped(office, metric, window, dimension)
                    live = metrics.live_grouped(office, metric, window, dimension)
                assert read == {key: value for key, value in live.items() if value}, (
                    metric, window, dimension)


def assert_totals_add_up(office: Office) -> None:
    """The office's totals are its cells added up (the province page reads them)."""
    added: dict[tuple[Any, ...], int] = {}
    for row in (Figure.objects.filter(office=office).exclude(family="n").order_by()
                .values_list("province_id", "metric", "family", "day", "since")
                .annotate(total=Sum("value"))):
        if row[5]:
            added[row[:5]] = row[5]
    totals = {row[:5]: row[5] for row in FigureTotal.objects.filter(office=office).exclude(
        value=0).values_list("province_id", "metric", "family", "day", "since", "value")}
    assert totals == added
    assert totals  # something was added up


@pytest.mark.django_db
def test_the_rebuilt_cells_give_the_raw_rows_figures(history: dict[str, Any],
                                                     world: dict[str, Any]) -> None:
    office = world["office"]
    assert figures.built(office.pk) is not None
    assert Figure.objects.filter(office=office).count() > 100
    assert_totals_add_up(office)
    assert assert_cells_equal_raw_rows(office) == len(PERIODS) * len(AS_OF) * 3 * len(Metric.values)
    # the rankings' persistence and potential on the day of the rebuild
    for dimension in ("village", "agent"):
        persistence = rankings._persistence(office, date(2026, 3, 31), dimension)
        assert persistence == rankings.live_persistence(office, date(2026, 3, 31), dimension)
        assert sum(kept for _base, kept in persistence.values()) > 0
    # a rebuild of cells that were kept finds nothing to change
    assert figures.rebuild(office.pk, today=date(2026, 3, 31))["differing"] == 0


@pytest.mark.django_db
def test_a_cohort_outside_the_horizon_is_read_from_the_raw_rows(history: dict[str, Any],
                                                                world: dict[str, Any]) -> None:
    office = world["office"]
    window = Window(parse_period("2024-Q3"), date(2024, 9, 30))  # horizon: 2025 to 2027
    assert not figures.in_horizon(figures.built(office.pk) or (date.max, date.max),
                                  Metric.RETAINED, window.period)
    with CaptureQueriesContext(connection) as queries:
        figure = metrics.grouped(office, Metric.RETAINED, window, "village")
    assert figure == metrics.live_grouped(office, Metric.RETAINED, window, "village")
    assert sum(figure.values()) > 0
    assert not any("reports_figure\"" in query["sql"] for query in queries.captured_queries)


def _day(rng: random.Random, after: date) -> date:
    return min(after + timedelta(days=rng.randrange(0, 25)), date(2026, 11, 28))


def _random_writes(world: dict[str, Any], seed: int, steps: int) -> dict[str, int]:
    """Enrolments, payments, reversals, pauses, resumptions and stops through the actions,
    on days that move forward through 2026; refusals (a month already paid, a closed state)
    are part of the game and write nothing."""
    rng = random.Random(seed)
    director = world["users"]["giamdoc"]
    agents = list(Agent.objects.order_by("code"))
    persons = list(Person.objects.filter(si_status="none").order_by("id")[:400])
    rng.shuffle(persons)
    day = date(2026, 1, 2)
    done: dict[str, int] = {}
    for _step in range(steps):
        day = _day(rng, day)
        action = rng.choices(("enrol", "pay", "reverse", "pause", "resume", "stop"),
                             weights=(4, 8, 1, 1, 1, 1))[0]
        participations = list(Participation.objects.exclude(status=Status.STOPPED)
                              .order_by("id"))
        try:
            if action == "enrol" or not participations:
                person = persons.pop()
                agent = rng.choice([None, *agents])
                enrol(person, start_month=day.replace(day=1), income=2_000_000, mode="monthly",
                      actor=director, enrolled_on=day, agent=agent)
            elif action == "pay":
                participation = rng.choice([p for p in participations
                                            if p.status != Status.PAUSED] or participations)
                paid = set(participation.paid_months.filter(released_by__isnull=True)
                           .values_list("month", flat=True))
                month = participation.start_month
                while month in paid:
                    month = add_months(month, 1)
                months = [add_months(month, i) for i in range(rng.choice((1, 1, 2, 3)))]
                quote = quote_months(participation, months, day)
                record_receipt(participation, months=months, amount=quote.amount, paid_on=day,
                               channel="bank_transfer", client_uuid=uuid.uuid4(),
                               actor=director)
            elif action == "reverse":
                receipt = (Receipt.objects.filter(reverses__isnull=True, reversal__isnull=True)
                           .order_by("?").first())
                if receipt is None:
                    continue
                reverse_receipt(receipt, on=day, reason="sai số tiền", actor=director)
            elif action == "pause":
                pause(rng.choice(participations), on=day, actor=director)
            elif action == "resume":
                paused = [p for p in participations if p.status == Status.PAUSED]
                if not paused:
                    continue
                resume(rng.choice(paused), from_month=day.replace(day=1), on=day,
                       actor=director)
            else:
                stop(rng.choice(participations), reason=StopReason.MOVED, on=day,
                     actor=director)
        except Refused:
            action = f"refused {action}"
        done[action] = done.get(action, 0) + 1
    return done


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cells_kept_by_the_write_path_equal_a_rebuild_and_the_raw_rows(
        world: dict[str, Any], seed: int) -> None:
    office = world["office"]
    figures.rebuild(office.pk, today=date(2026, 12, 2))  # the office's (empty) cells are built
    done = _random_writes(world, seed, steps=70)
    assert done.get("enrol", 0) > 5 and done.get("pay", 0) > 10, done
    assert Receipt.objects.exists()
    assert_cells_equal_raw_rows(office)
    assert_totals_add_up(office)
    today = date(2026, 12, 2)  # the day the cells were built: the rankings read it
    for dimension in ("village", "agent"):
        kept = rankings._persistence(office, today, dimension)
        assert kept == rankings.live_persistence(office, today, dimension)
    # the kept cells are exactly what a rebuild computes
    result = figures.rebuild(office.pk, today=today)
    assert result["differing"] == 0, result
    assert_totals_add_up(office)
    potential = rankings.village_potential(office, today)
    live = rankings.live_village_potential(office, today)
    assert {village: vars(p) for village, p in potential.items() if p.persons} == {
        village: vars(p) for village, p in live.items() if p.persons}


def _cells(office: Office) -> set[tuple[Any, ...]]:
    return set(Figure.objects.filter(office=office).exclude(value=0).values_list(
        "province_id", "metric", "family", "village_id", "organisation_id", "agent_id", "day",
        "since", "value"))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 5])
def test_the_nightly_refresh_of_the_day_equals_a_full_rebuild(world: dict[str, Any],
                                                              seed: int) -> None:
    """Built on one day, kept by the writes of the year, refreshed for another day: every
    cell is what a full rebuild on that day writes."""
    office = world["office"]
    figures.rebuild(office.pk, today=date(2026, 1, 1))
    _random_writes(world, seed, steps=60)
    day = date(2026, 12, 2)
    if full_night(office.pk, day):  # not the office's turn for the full rebuild
        day += timedelta(days=1)
    result = figures.nightly(office.pk, day)
    assert result["mode"] == "day" and result["cells"] > 0, result
    refreshed = _cells(office)
    assert {row for row in refreshed if row[2] == "n"} and all(
        row[6] == day for row in refreshed if row[2] == "n")
    assert_totals_add_up(office)
    assert figures.rebuild(office.pk, today=day)["differing"] == 0
    assert _cells(office) == refreshed
    for dimension in ("village", "agent"):
        assert rankings._persistence(office, day, dimension) == \
            rankings.live_persistence(office, day, dimension)


@pytest.mark.django_db
def test_the_offices_take_turns_for_the_full_rebuild(world: dict[str, Any]) -> None:
    office = world["office"]
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(7)]  # the default
    assert sum(full_night(office.pk, day) for day in days) == 1
    # never built: built in full whatever the night
    day = next(day for day in days if not full_night(office.pk, day))
    assert figures.nightly(office.pk, day)["mode"] == "full"
    assert figures.nightly(office.pk, day)["mode"] == "day"
    turn = next(day for day in days if full_night(office.pk, day))
    assert figures.nightly(office.pk, turn)["mode"] == "full"
    assert figures.built_on(office.pk) == turn
    with override_settings(ANSINH_FULL_REBUILD_DAYS=1):  # every office every night
        assert all(full_night(office.pk, day) for day in days)


@pytest.mark.django_db
def test_a_failed_write_leaves_the_cells_as_they_were(world: dict[str, Any],
                                                      prospect_al3: Person) -> None:
    office = world["office"]
    figures.rebuild(office.pk, today=date(2026, 12, 2))
    director = world["users"]["giamdoc"]
    participation = enrol(prospect_al3, start_month=date(2026, 3, 1), income=2_000_000,
                          mode="monthly", actor=director, enrolled_on=date(2026, 3, 2))
    before = set(Figure.objects.values_list("metric", "family", "day", "value"))
    with pytest.raises(Refused):
        resume(participation, from_month=date(2026, 4, 1), on=date(2026, 4, 2),
               actor=director)  # not paused: refused, nothing written
    assert set(Figure.objects.values_list("metric", "family", "day", "value")) == before
    assert metrics.total(office, Metric.NEW, Window(Period("year", date(2026, 1, 1)),
                                                    date(2026, 12, 2))) == 1


@pytest.mark.django_db
def test_the_command_and_the_nightly_schedule(history: dict[str, Any], world: dict[str, Any],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    office = world["office"]
    Figure.objects.filter(office=office, metric=Metric.NEW).update(value=F("value") + 1)
    call_command("rebuild-figures", "--office", office.code, "--json")
    (result,) = json.loads(capsys.readouterr().out)
    # the cells a write went around are found and put right
    assert result["office"] == office.code and result["differing"] > 0
    assert figures.rebuild(office.pk)["differing"] == 0
    # a few cells wrong (one changed, one that should not be there): only they are written
    right = _cells(office)
    cell = Figure.objects.filter(office=office, metric=Metric.MONEY).exclude(value=0).first()
    assert cell is not None
    Figure.objects.filter(pk=cell.pk).update(value=F("value") + 5)
    Figure.objects.create(office=office, province_id=cell.province_id, metric=Metric.NEW,
                          family="d", village_id=cell.village_id, organisation_id=0,
                          agent_id=0, day=date(2026, 2, 3), value=2)
    repaired = figures.rebuild(office.pk)
    assert (repaired["differing"], repaired["written"]) == (2, 2)
    assert _cells(office) == right
    assert_totals_add_up(office)
    total = FigureTotal.objects.filter(office=office).first()
    assert total is not None
    FigureTotal.objects.filter(pk=total.pk).update(value=F("value") + 7)
    assert figures.rebuild(office.pk)["written"] == 0  # the cells were right: their totals
    assert_totals_add_up(office)
    with pytest.raises(CommandError):
        call_command("rebuild-figures", "--office", "NOPE")
    migration = importlib.import_module("ansinh.reports.migrations.0002_nightly_rebuild_schedule")
    migration.create(apps, None)
    schedule = Schedule.objects.get(func="ansinh.reports.tasks.rebuild_figures")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
    assert [item["office_id"] for item in rebuild_figures()] == [office.pk]


@pytest.mark.django_db
def test_a_hand_over_moves_the_cells_to_the_substitute(world: dict[str, Any]) -> None:
    """An agent leaves: their participants' figures go over to the substitute's agent."""
    from ansinh.network.actions import hand_over

    office = world["office"]
    figures.rebuild(office.pk, today=date(2026, 12, 2))
    users = world["users"]
    _random_writes(world, seed=5, steps=40)
    leaving = (Agent.objects.filter(participations__status__in=(Status.ACTIVE, Status.AWAITING))
               .order_by("code").first())
    assert leaving is not None
    substitute = (Agent.objects.filter(organisation__commune=leaving.organisation.commune)
                  .exclude(pk=leaving.pk).select_related("user").first()
                  or Agent.objects.exclude(pk=leaving.pk).select_related("user").first())
    assert substitute is not None
    window = Window(parse_period("2026"), date(2026, 11, 30))
    before = metrics.grouped(office, Metric.NEW, window, "agent")
    result = hand_over(leaving.user, on=date(2026, 11, 29), actor=users["giamdoc"],
                       substitute=substitute.user)
    assert result.moved.get("participations", 0) > 0, result
    after = metrics.grouped(office, Metric.NEW, window, "agent")
    assert after != before
    assert_cells_equal_raw_rows(office)
    assert figures.rebuild(office.pk, today=date(2026, 12, 2))["differing"] == 0


def _active_everywhere(office: Office, window: Window) -> None:
    """The active stock of the window, from the cells and from the raw rows, every grouping."""
    for dimension in ("village", "agent", "office"):
        cells = metrics.grouped(office, Metric.ACTIVE, window, dimension)
        raw = {key: value for key, value in
               metrics.live_grouped(office, Metric.ACTIVE, window, dimension).items() if value}
        assert cells == raw, (window, dimension)


def _balances(office: Office) -> set[tuple[Any, ...]]:
    return {row for row in _cells(office) if row[2] == "b"}


@pytest.mark.django_db
def test_the_writes_keep_the_opening_balances_of_the_years_after_them(
        world: dict[str, Any]) -> None:
    """Built in January 2027, written back in 2026: each write moves the stock 2027 opened
    with, which the page reads (one cell per village and agent) instead of every year's total."""
    office = world["office"]
    figures.rebuild(office.pk, today=date(2027, 1, 5))
    _random_writes(world, seed=6, steps=60)
    assert _balances(office), "the writes of 2026 opened 2027 with participants"
    window = Window(parse_period("2027"), date(2027, 1, 5))
    with CaptureQueriesContext(connection) as queries:
        _active_everywhere(office, window)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "'b'" in sql and "'Y'" not in sql  # the balance read, not the years' totals
    assert_totals_add_up(office)
    assert figures.rebuild(office.pk, today=date(2027, 1, 5))["differing"] == 0


@pytest.mark.django_db
def test_the_first_night_of_a_year_opens_its_balance(world: dict[str, Any]) -> None:
    """Built in 2025, kept through 2026 by the writes, refreshed on a night of 2027: the
    refresh adds the stock 2026 and 2027 opened with, exactly as a rebuild that night does."""
    office = world["office"]
    figures.rebuild(office.pk, today=date(2025, 12, 30))
    _random_writes(world, seed=7, steps=60)
    night = date(2027, 1, 4)
    while full_night(office.pk, night):  # not the office's turn for the full rebuild
        night += timedelta(days=1)
    assert figures.nightly(office.pk, night)["mode"] == "day"
    assert figures.state(office.pk) == figures.Span(date(2024, 1, 1), date(2026, 12, 1), night,
                                                    2027)
    refreshed = _balances(office)
    # the writes began in 2026: nobody was counted when it opened, many when 2027 did
    assert {row[6] for row in refreshed} == {date(2027, 1, 1)}
    for as_of in (date(2026, 6, 30), night):
        _active_everywhere(office, Window(parse_period(str(as_of.year)), as_of))
    assert_totals_add_up(office)
    assert figures.rebuild(office.pk, today=night)["differing"] == 0
    assert _balances(office) == refreshed
    # and back: a refresh on an earlier day drops the years after its own
    figures.refresh_day(office.pk, date(2026, 12, 31))
    assert {row[6].year for row in _balances(office)} <= {2026}
    _active_everywhere(office, Window(parse_period("2026"), date(2026, 12, 31)))


@pytest.mark.django_db
def test_cells_built_before_the_balances_read_the_year_totals_until_the_night_adds_them(
        history: dict[str, Any], world: dict[str, Any]) -> None:
    """An office whose cells were built before the balances existed (the migration leaves
    `balances_through` empty) reads its years' totals; its next night adds the balances."""
    office = world["office"]
    Figure.objects.filter(office=office, family="b").delete()
    FigureTotal.objects.filter(office=office, family="b").delete()
    FigureState.objects.filter(office=office).update(balances_through=None)
    window = Window(parse_period("2026"), date(2026, 3, 31))
    with CaptureQueriesContext(connection) as queries:
        _active_everywhere(office, window)
    assert "'b'" not in " ".join(query["sql"] for query in queries.captured_queries)
    night = date(2026, 4, 1)
    while full_night(office.pk, night):
        night += timedelta(days=1)
    assert figures.nightly(office.pk, night)["mode"] == "day"
    assert _balances(office) and figures.state(office.pk).balances == 2026  # type: ignore[union-attr]
    assert_cells_equal_raw_rows(office)
    assert_totals_add_up(office)
    assert figures.rebuild(office.pk, today=night)["differing"] == 0
