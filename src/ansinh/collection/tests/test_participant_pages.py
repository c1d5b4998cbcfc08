"""Participation pages for every role: the list, one participation, its changes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.collection import actions as money
from ansinh.collection.dues import quote_months
from ansinh.collection.receipts import record_receipt
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status
from ansinh.registry.models import Person, SIStatus

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date) -> Any:
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=HCM), tick=False)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _enrol_many(commune: str, count: int, actor: Any) -> list[Participation]:
    people = Person.objects.filter(village__commune__code=commune, si_status=SIStatus.NONE,
                                   birth_date__lt=date(2000, 1, 1),
                                   birth_date__gt=date(1975, 1, 1)).order_by("id")[:count]
    return [enrol(person, start_month=date(2026, 1, 1), income=1_500_000 + 50_000 * i,
                  mode="monthly", actor=actor, enrolled_on=date(2026, 1, 5))
            for i, person in enumerate(people)]


@pytest.fixture
def two_communes(participation_al3: Any, director: Any) -> dict[str, Participation]:
    al1 = _enrol_many("AL1", 1, director)[0]
    return {"al3": participation_al3, "al1": al1}


def test_the_list_is_scoped_for_every_role(two_communes: dict[str, Participation],
                                           director: Any, staff_al2: Any, agent_al3: Any,
                                           viewer_al1: Any) -> None:
    al3, al1 = two_communes["al3"], two_communes["al1"]
    url = reverse("participation:list")
    seen = {}
    for name, user in (("director", director), ("staff_al2", staff_al2),
                       ("agent_al3", agent_al3), ("viewer_al1", viewer_al1)):
        body = client_for(user).get(url).content.decode()
        seen[name] = (al3.person.full_name in body, al1.person.full_name in body)
    assert seen == {"director": (True, True), "staff_al2": (False, False),
                    "agent_al3": (True, False), "viewer_al1": (False, True)}


def test_the_list_searches_without_diacritics_and_filters(two_communes: dict[str, Participation],
                                                          director: Any) -> None:
    al3 = two_communes["al3"]
    client = client_for(director)
    url = reverse("participation:list")
    folded = al3.person.name_folded
    response = client.get(url, {"q": folded.upper()}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert "<html" not in body  # the HTMX fragment only
    assert al3.person.full_name in body
    assert two_communes["al1"].person.full_name not in body
    body = client.get(url, {"commune": "AL1"}).content.decode()
    assert al3.person.full_name not in body and two_communes["al1"].person.full_name in body
    body = client.get(url, {"status": "late"}).content.decode()
    assert al3.person.full_name not in body


def test_the_list_runs_the_same_queries_for_5_or_25_rows(director: Any) -> None:
    client = client_for(director)
    url = reverse("participation:list")
    _enrol_many("AL2", 5, director)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _enrol_many("AL4", 20, director)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["page"].paginator.count == 25
    assert len(many) == len(few)


def test_the_detail_page_shows_history_ledger_and_dues(participation_al3: Any,
                                                       agent_al3: Any, director: Any) -> None:
    with at(date(2026, 2, 10)):
        quote = quote_months(participation_al3, [date(2026, 1, 1)], date(2026, 2, 10))
        receipt = record_receipt(participation_al3, months=[date(2026, 1, 1)],
                                       amount=quote.amount, paid_on=date(2026, 2, 10),
                                       channel="cash", client_uuid=uuid.uuid4(),
                                       actor=agent_al3).receipt
        reversal = money.reverse_receipt(receipt, on=date(2026, 2, 11), reason="ghi nhầm",
                                         actor=director)
        response = client_for(agent_al3).get(reverse("participation:detail",
                                                     args=[participation_al3.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert receipt.number in body and reversal.number in body and "ghi nhầm" in body
    # January and February are both unpaid again on 10 February: January overdue
    assert response.context["dues"].overdue_months == (date(2026, 1, 1),)
    assert "Quá hạn từ" in body
    assert response.context["ledger"].paid == 0
    # an agent records receipts but does not change terms
    assert "Ghi biên lai thu tiền" in body
    assert reverse("participation:pause", args=[participation_al3.pk]) not in body


def test_other_communes_and_viewers(participation_al3: Any, viewer_al1: Any,
                                    staff_al2: Any) -> None:
    url = reverse("participation:detail", args=[participation_al3.pk])
    assert client_for(viewer_al1).get(url).status_code == 404
    assert client_for(staff_al2).get(url).status_code == 404
    pause = reverse("participation:pause", args=[participation_al3.pk])
    assert client_for(viewer_al1).post(pause).status_code == 403


def test_staff_pause_resume_change_and_stop(participation_al3: Any, director: Any,
                                            agent_al3: Any) -> None:
    client = client_for(director)
    pk = participation_al3.pk
    with at(date(2026, 2, 10)):
        assert client_for(agent_al3).post(reverse("participation:pause", args=[pk])
                                          ).status_code == 403
        response = client.post(reverse("participation:pause", args=[pk]), {"reason": "đi làm xa"})
        assert response.status_code == 302
        participation_al3.refresh_from_db()
        assert participation_al3.status == Status.PAUSED
        response = client.post(reverse("participation:resume", args=[pk]),
                                {"from_month": "2026-03"})
        assert response.status_code == 302
        participation_al3.refresh_from_db()
        assert participation_al3.status == Status.ACTIVE
        # a change inside the period already chosen is refused with the reason, on the page
        response = client.post(reverse("participation:change_terms", args=[pk]),
                               {"from_month": "2026-01", "income": "3.000.000",
                                "mode": "monthly"})
        assert response.status_code == 400
        assert "sớm nhất từ" in response.content.decode()
        response = client.post(reverse("participation:change_terms", args=[pk]),
                               {"from_month": "2026-04", "income": "3.000.000",
                                "mode": "quarterly"})
        assert response.status_code == 302
        participation_al3.refresh_from_db()
        assert (participation_al3.income, participation_al3.mode) == (3_000_000, "quarterly")
        response = client.post(reverse("participation:stop", args=[pk]),
                               {"reason": "compulsory", "note": "vào làm công ty"})
        assert response.status_code == 302
    participation_al3.refresh_from_db()
    assert participation_al3.status == Status.STOPPED
    participation_al3.person.refresh_from_db()
    assert participation_al3.person.si_status == SIStatus.COMPULSORY
    body = client.get(reverse("participation:detail", args=[pk])).content.decode()
    assert "vào làm công ty" in body and "Chuyển sang BHXH bắt buộc" in body


def test_the_register_page_links_to_enrolment_only_when_it_can(prospect_al3: Any,
                                                              agent_al3: Any,
                                                              director: Any) -> None:
    person_url = reverse("registry:person_detail", args=[prospect_al3.pk])
    enrol_url = reverse("participation:enrol", args=[prospect_al3.pk])
    assert enrol_url in client_for(agent_al3).get(person_url).content.decode()
    enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000, mode="monthly",
          actor=agent_al3, enrolled_on=date(2026, 1, 5))
    body = client_for(director).get(person_url).content.decode()
    assert enrol_url not in body
    assert "Tham gia từ tháng 01/2026" in body
