"""The lapse list as of a date, grouped by village, and the run button for staff."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse

from ansinh.participation.models import Status

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_late_the_day_after_the_deadline_with_the_first_missed_one(paying_al3: Any,
                                                                   agent_al3: Any) -> None:
    url = reverse("participation:lapses")
    client = client_for(agent_al3)
    for day, expected in ((date(2026, 1, 31), []), (date(2026, 2, 1), ["late"])):
        rows = client.get(url, {"as_of": day.isoformat()}).context["rows"]
        assert [row["state"] for row in rows] == expected
    page = client.get(url, {"as_of": "2026-02-01"})
    village, items = page.context["groups"][0]
    assert village == paying_al3.village
    assert items[0]["missed"] == date(2026, 1, 31)
    assert "31/01/2026" in page.content.decode()
    # three months after the first missed deadline the office's threshold says paused
    rows = client.get(url, {"as_of": "2026-05-01"}).context["rows"]
    assert [row["state"] for row in rows] == ["paused"]


def test_other_territories_see_nothing(participation_al3: Any, staff_al2: Any,
                                       viewer_al1: Any) -> None:
    for user in (staff_al2, viewer_al1):
        page = client_for(user).get(reverse("participation:lapses"), {"as_of": "2026-05-01"})
        assert page.context["rows"] == []


def test_staff_run_detection_for_today(paying_al3: Any, director: Any,
                                       agent_al3: Any, viewer_al1: Any) -> None:
    run = reverse("participation:run_lapses")
    assert client_for(agent_al3).post(run).status_code == 403
    assert client_for(viewer_al1).post(run).status_code == 403
    with time_machine.travel(datetime(2026, 2, 1, 9, tzinfo=HCM), tick=False):
        response = client_for(director).post(run, follow=True)
    assert "1 chậm đóng" in response.content.decode()
    paying_al3.refresh_from_db()
    assert paying_al3.status == Status.LATE


def test_the_lapse_list_runs_the_same_queries_for_1_or_11_people(paying_al3: Any,
                                                                 director: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ansinh.participation.actions import enrol
    from ansinh.registry.models import Person, SIStatus

    client = client_for(director)
    url = reverse("participation:lapses")
    client.get(url, {"as_of": "2026-03-01"})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"as_of": "2026-03-01"})
    for person in Person.objects.filter(village__commune__code="AL1", si_status=SIStatus.NONE,
                                        birth_date__lt=date(2000, 1, 1),
                                        birth_date__gt=date(1975, 1, 1)).order_by("id")[:10]:
        # never paid and three months past the first deadline: paused by the one definition
        enrol(person, start_month=date(2025, 11, 1), income=2_000_000, mode="monthly",
              actor=director, enrolled_on=date(2025, 11, 5))
    with CaptureQueriesContext(connection) as eleven:
        page = client.get(url, {"as_of": "2026-03-01"})
    assert len(page.context["rows"]) == 11
    assert len(eleven) == len(one)
