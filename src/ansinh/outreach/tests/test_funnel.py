"""The funnel: attribution within the window (day of, last day, day after), each step, costs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.outreach import actions, funnel
from ansinh.outreach.models import Contact, Event
from ansinh.participation.actions import enrol

from .helpers import pay, prospects

EVENT_DAY = date(2025, 1, 10)


def _enrol(person: Any, actor: Any, on: date) -> Any:
    return enrol(person, start_month=on.replace(day=1), income=2_000_000, mode="monthly",
                 actor=actor, enrolled_on=on)


def test_attribution_window_day_of_last_day_and_day_after(world: Any, agent_al3: Any) -> None:
    village = prospects("AL3", 1)[0].village
    event = actions.create_event(actor=agent_al3, village=village, kind="conference",
                                 held_on=EVENT_DAY, cost=3_000_000, leaflets=40)
    same_day, last_day, too_late, never = prospects("AL3", 4)
    for person in (same_day, last_day, too_late, never):
        actions.record_contact(actor=agent_al3, person=person, on=EVENT_DAY, channel="event",
                               outcome="interested", event=event)
    _enrol(same_day, agent_al3, EVENT_DAY)
    _enrol(last_day, agent_al3, EVENT_DAY + timedelta(days=90))
    _enrol(too_late, agent_al3, EVENT_DAY + timedelta(days=91))
    rows, total = funnel.funnel(Contact.objects.all(), Event.objects.all(), "event",
                                as_of=date(2026, 3, 31), window_days=90)
    assert (total.people, total.interested, total.enrolled) == (4, 4, 2)
    assert total.cost_per_enrolment == 1_500_000
    assert [r.key for r in rows] == [event.pk]
    assert rows[0].leaflets == 40
    _rows, wider = funnel.funnel(Contact.objects.all(), Event.objects.all(), "event",
                                 as_of=date(2026, 3, 31), window_days=91)
    assert wider.enrolled == 3


def test_first_payment_and_still_paying_at_twelve_months(world: Any, agent_al3: Any) -> None:
    kept, dropped, unpaid = prospects("AL3", 3)
    for person in (kept, dropped, unpaid):
        actions.record_contact(actor=agent_al3, person=person, on=EVENT_DAY, channel="visit",
                               outcome="interested")
    first = _enrol(kept, agent_al3, EVENT_DAY)
    second = _enrol(dropped, agent_al3, EVENT_DAY)
    _enrol(unpaid, agent_al3, EVENT_DAY)
    jan = date(2025, 1, 1)
    pay(first, [jan], agent_al3, date(2025, 1, 20))
    pay(second, [jan], agent_al3, date(2025, 1, 20))
    # month 13 paid (January 2026) by the first only
    months = [date(2025, m, 1) for m in range(2, 13)] + [date(2026, 1, 1)]
    for month in months:
        pay(first, [month], agent_al3, month.replace(day=15))
    rows, total = funnel.funnel(Contact.objects.all(), Event.objects.none(), "channel",
                                as_of=date(2026, 3, 31), window_days=90)
    assert (total.enrolled, total.first_paid, total.due12, total.kept12) == (3, 2, 3, 1)
    # a year before the report date nobody is due yet
    _rows, early = funnel.funnel(Contact.objects.all(), Event.objects.none(), "channel",
                                 as_of=EVENT_DAY + timedelta(days=364), window_days=90)
    assert early.due12 == 0
    by_channel = {r.key: r for r in rows}
    assert by_channel["visit"].enrolled == 3


def test_every_breakdown_runs_in_a_fixed_number_of_queries(world: Any, agent_al3: Any) -> None:
    village = prospects("AL3", 1)[0].village
    for by in funnel.DIMENSIONS:
        counts = []
        for size in (2, 8):
            event = actions.create_event(actor=agent_al3, village=village, kind="small_group",
                                         held_on=EVENT_DAY)
            for person in prospects("AL3", size, exclude=tuple(
                    Contact.objects.values_list("person_id", flat=True))):
                actions.record_contact(actor=agent_al3, person=person, on=EVENT_DAY,
                                       channel="event", outcome="interested", event=event)
            with CaptureQueriesContext(connection) as queries:
                funnel.funnel(Contact.objects.all(), Event.objects.all(), by,
                              as_of=date(2026, 3, 31), window_days=90)
            counts.append(len(queries.captured_queries))
        assert counts[0] == counts[1] <= 5, (by, counts)


def test_the_funnel_page_for_each_breakdown(client: Any, director: Any, agent_al3: Any) -> None:
    village = prospects("AL3", 1)[0].village
    event = actions.create_event(actor=agent_al3, village=village, kind="market_day",
                                 held_on=date(2026, 3, 1), cost=500_000)
    actions.record_contact(actor=agent_al3, person=prospects("AL3", 1)[0], on=event.held_on,
                           channel="event", outcome="interested", event=event)
    client.force_login(director)
    for by in funnel.DIMENSIONS:
        response = client.get("/van-dong/hieu-qua/", {"by": by, "from": "2026-01-01",
                                                      "to": "2026-03-31"})
        assert response.status_code == 200, by
    assert "Chợ phiên" in client.get("/van-dong/hieu-qua/", {"by": "kind"}).content.decode()
