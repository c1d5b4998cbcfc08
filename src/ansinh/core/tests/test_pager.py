"""One pager for every list (`core/_pager.html`): each list's second page renders, says where
it is, and links back with the list's filters kept; the lists that reload over HTMX keep doing
so from the pager's links. Pages of two rows, so that three rows make a second page."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ansinh.collection import participant_views
from ansinh.collection import views as collection_views
from ansinh.outreach import actions as outreach
from ansinh.outreach import views as outreach_views
from ansinh.outreach.tests.helpers import pay, prospects
from ansinh.participation.actions import enrol
from ansinh.registry import views as registry_views
from ansinh.reminders import views as reminders_views
from ansinh.reminders.models import OutboxMessage
from ansinh.reports import views as reports_views
from ansinh.retention import actions as retention
from ansinh.retention import views as retention_views

JAN = date(2026, 1, 1)

# url name, the module and constant of its page size, a filter it must keep, the HTMX target
LISTS: list[tuple[str, Any, str, dict[str, str], str]] = [
    ("registry:person_list", registry_views, "PAGE_SIZE", {"commune": "AL3"}, "results"),
    ("outreach:prospect_list", outreach_views, "PAGE_SIZE", {"stage": "interested"}, ""),
    ("participation:list", participant_views, "PAGE_SIZE", {"commune": "AL3"}, "results"),
    ("collection:receipt_list", collection_views, "PAGE_SIZE",
     {"from": "2026-01-01", "to": "2026-03-31", "commune": "AL3"}, "results"),
    ("outreach:event_list", outreach_views, "PAGE_SIZE", {"kind": "conference"}, ""),
    ("reminders:outbox", reminders_views, "PAGE_SIZE", {"kind": "participant"}, ""),
    ("retention:case_list", retention_views, "PAGE_SIZE", {"reason": "wants_lump_sum"}, ""),
    ("reports:people", reports_views, "PEOPLE_PAGE_SIZE",
     {"period": "2026", "as_of": "2026-03-31", "metric": "new", "unit": "office"}, ""),
]


@pytest.fixture
def three_of_everything(agent_al3: Any) -> None:
    """Three participants of A Lưới 3 who paid January, were met at a conference each, have a
    reminder queued and a counselling case open; three more met and interested."""
    people = prospects("AL3", 6)
    for person in people[:3]:
        participation = enrol(person, start_month=JAN, income=2_000_000, mode="monthly",
                              actor=agent_al3, enrolled_on=date(2026, 1, 5))
        pay(participation, [JAN], agent_al3, date(2026, 1, 20))
        outreach.create_event(actor=agent_al3, village=person.village, kind="conference",
                              held_on=date(2026, 1, 10))
        OutboxMessage.objects.create(
            office=person.office, village=person.village, recipient_kind="participant",
            person=person, template_code="late", channel="console", phone="0912",
            body="tin", dedupe_key=str(uuid.uuid4()), as_of=JAN)
        retention.open_case(person=person, reason="wants_lump_sum", on=date(2026, 3, 1),
                            actor=agent_al3)
    for person in people[3:]:
        outreach.record_contact(actor=agent_al3, person=person, on=date(2026, 3, 1),
                                channel="visit", outcome="interested")


@pytest.mark.parametrize(("name", "module", "constant", "filters", "target"), LISTS,
                         ids=[row[0] for row in LISTS])
def test_the_second_page_keeps_the_filters(
        three_of_everything: None, director: Any, monkeypatch: pytest.MonkeyPatch,
        name: str, module: Any, constant: str, filters: dict[str, str], target: str) -> None:
    monkeypatch.setattr(module, constant, 2)
    client = Client()
    client.force_login(director)
    page = client.get(reverse(name), {**filters, "page": "2"})
    assert page.status_code == 200
    assert page.context["page"].number == 2, "at least three rows: two pages of two"
    html = page.content.decode()
    assert 'class="pager"' in html and re.search(r"Trang 2 / \d+", html)
    back = html.split('rel="prev"')[0].rsplit("<a ", 1)[1]
    for key, value in filters.items():
        assert f"{key}={value}" in back, (key, back)
    assert "page=1" in back and "page=2" not in back
    assert ('hx-get="?' in back and f'hx-target="#{target}"' in back) == bool(target)
    if target:  # the fragment the pager's links fetch has the same pager
        fragment = client.get(reverse(name), {**filters, "page": "2"},
                              headers={"HX-Request": "true", "HX-Target": target})
        assert "<html" not in fragment.content.decode()
        assert re.search(r"Trang 2 / \d+", fragment.content.decode())


def test_one_page_shows_no_pager(director: Any, world: Any) -> None:
    client = Client()
    client.force_login(director)
    html = client.get(reverse("retention:case_list")).content.decode()
    assert 'class="pager"' not in html
