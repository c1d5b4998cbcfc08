"""Outreach actions check the role and the territory whatever channel calls them: an agent of
A Lưới 1 records nothing about A Lưới 3, a viewer nothing at all, and the office's leaflet is
the director's of that office. A refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from ansinh.core.models import AuditEntry
from ansinh.core.permissions import NotPermitted
from ansinh.core.scoping import OutOfTerritory
from ansinh.outreach import actions
from ansinh.outreach.models import Contact, Event, LeafletTemplate
from ansinh.registry.models import Person

from .helpers import prospects

HELD_ON = date(2026, 3, 12)


@pytest.fixture
def event_al3(agent_al3: Any) -> Event:
    village = prospects("AL3", 1)[0].village
    return actions.create_event(actor=agent_al3, village=village, kind="conference",
                                held_on=HELD_ON, title="Hội nghị thôn")


@pytest.fixture
def follow_up_al3(agent_al3: Any) -> Contact:
    return actions.record_contact(actor=agent_al3, person=prospects("AL3", 1)[0], on=HELD_ON,
                                  channel="visit", outcome="follow_up",
                                  next_follow_up_on=date(2026, 3, 20))


def _written() -> tuple[int, int, int, int]:
    return (Event.objects.count(), Contact.objects.count(), Person.objects.count(),
            AuditEntry.objects.count())


def test_an_agent_of_another_commune_records_nothing_there(
        agent_al1: Any, event_al3: Event, follow_up_al3: Contact) -> None:
    person = prospects("AL3", 2)[1]
    before = _written()
    refused: list[Callable[[], object]] = [
        lambda: actions.create_event(actor=agent_al1, village=person.village, kind="conference",
                                     held_on=HELD_ON),
        lambda: actions.update_event(event_al3, {"title": "Đổi"}, actor=agent_al1),
        lambda: actions.record_contact(actor=agent_al1, person=person, on=HELD_ON,
                                       channel="visit", outcome="interested"),
        lambda: actions.update_attendance(follow_up_al3, actor=agent_al1,
                                          outcome="not_interested"),
        lambda: actions.close_follow_up(follow_up_al3, actor=agent_al1),
        lambda: actions.add_new_person(actor=agent_al1, village=person.village,
                                       full_name="Hồ Văn Mới", birth_date=date(1990, 1, 1),
                                       sex="male"),
    ]
    for attempt in refused:
        with pytest.raises(OutOfTerritory):
            attempt()
    assert _written() == before
    event_al3.refresh_from_db()
    follow_up_al3.refresh_from_db()
    assert event_al3.title == "Hội nghị thôn"
    assert (follow_up_al3.outcome, follow_up_al3.follow_up_done) == ("follow_up", False)


def test_an_agent_does_not_put_their_commune_on_another_communes_list(
        agent_al1: Any, event_al3: Event) -> None:
    own = prospects("AL1", 1)[0]
    with pytest.raises(OutOfTerritory):
        actions.record_contact(actor=agent_al1, person=own, on=HELD_ON, channel="event",
                               outcome="interested", event=event_al3)
    assert not event_al3.contacts.exists()


def test_an_event_is_not_moved_out_of_the_actors_territory(agent_al3: Any,
                                                          event_al3: Event) -> None:
    elsewhere = prospects("AL1", 1)[0].village
    with pytest.raises(OutOfTerritory):
        actions.update_event(event_al3, {"village": elsewhere}, actor=agent_al3)
    event_al3.refresh_from_db()
    assert event_al3.village.commune.code == "AL3"


def test_a_viewer_records_no_outreach(viewer_al1: Any) -> None:
    person = prospects("AL1", 1)[0]
    with pytest.raises(NotPermitted):
        actions.record_contact(actor=viewer_al1, person=person, on=HELD_ON, channel="visit",
                               outcome="interested")
    assert not Contact.objects.exists()


def test_the_leaflet_is_the_directors_of_that_office(
        world: Any, director: Any, staff_al2: Any, director_elsewhere: Any) -> None:
    office = world["office"]
    with pytest.raises(NotPermitted):
        actions.save_leaflet_template(office, actor=staff_al2, language="vi", title="x",
                                      body="y")
    with pytest.raises(OutOfTerritory):
        actions.save_leaflet_template(office, actor=director_elsewhere, language="vi",
                                      title="x", body="y")
    assert not LeafletTemplate.objects.exists()
    saved = actions.save_leaflet_template(office, actor=director, language="vi", title="x",
                                          body="y")
    assert (saved.office, saved.version) == (office, 1)


def test_staff_read_the_leaflet_templates_but_do_not_save_one(staff_al2: Any) -> None:
    client = Client()
    client.force_login(staff_al2)
    page = client.get("/van-dong/to-roi/")
    assert page.status_code == 200 and "Lưu phiên bản mới" not in page.content.decode()
    response = client.post("/van-dong/to-roi/", {"language": "vi", "title": "x", "body": "y"})
    assert response.status_code == 403
    assert not LeafletTemplate.objects.exists()
