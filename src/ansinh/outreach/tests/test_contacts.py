"""Contacts: a few taps on a phone; a later contact closes the follow-up; viewers only read."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from ansinh.core.models import AuditEntry
from ansinh.outreach import actions
from ansinh.outreach.models import Contact

from .helpers import prospects


def test_a_later_contact_closes_the_follow_up(world: Any, agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    first = actions.record_contact(actor=agent_al3, person=person, on=date(2026, 3, 1),
                                   channel="visit", outcome="follow_up",
                                   next_follow_up_on=date(2026, 3, 8))
    assert first.owner == agent_al3 and first.follow_up_open
    second = actions.record_contact(actor=agent_al3, person=person, on=date(2026, 3, 8),
                                    channel="call", outcome="interested")
    first.refresh_from_db()
    assert first.follow_up_done and first.followed_up_by == second
    assert AuditEntry.objects.filter(action="contact.create", object_id=str(second.pk)).exists()


def test_a_follow_up_before_the_contact_is_refused(world: Any, agent_al3: Any) -> None:
    with pytest.raises(actions.OutreachError) as refused:
        actions.record_contact(actor=agent_al3, person=prospects("AL3", 1)[0],
                               on=date(2026, 3, 8), channel="visit", outcome="follow_up",
                               next_follow_up_on=date(2026, 3, 7))
    assert refused.value.vi and refused.value.en


def test_the_phone_form_records_a_contact_once(client: Any, world: Any, agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    client.force_login(agent_al3)
    url = f"/van-dong/tiep-xuc/moi/{person.pk}/"
    assert client.get(url).status_code == 200
    key = str(uuid.uuid4())
    data = {"on": "2026-03-10", "channel": "visit", "outcome": "not_interested",
            "objection": "cannot_afford", "uuid": key}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the retried submission
    contact = Contact.objects.get(person=person)
    assert (contact.objection, contact.by, str(contact.uuid)) == ("cannot_afford", agent_al3, key)


def test_the_form_asks_for_an_objection_and_a_date(client: Any, world: Any,
                                                   agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    client.force_login(agent_al3)
    url = f"/van-dong/tiep-xuc/moi/{person.pk}/"
    response = client.post(url, {"on": "2026-03-10", "channel": "visit",
                                  "outcome": "not_interested"})
    assert response.status_code == 200 and "Chọn lý do" in response.content.decode()
    response = client.post(url, {"on": "2026-03-10", "channel": "visit", "outcome": "follow_up"})
    assert "Chọn ngày hẹn gặp lại" in response.content.decode()
    assert not Contact.objects.exists()


def test_another_commune_and_viewers(client: Any, world: Any, viewer_al1: Any,
                                     agent_al3: Any) -> None:
    person_al1 = prospects("AL1", 1)[0]
    client.force_login(agent_al3)
    assert client.get(f"/van-dong/tiep-xuc/moi/{person_al1.pk}/").status_code == 404
    client.force_login(viewer_al1)
    assert client.get(f"/van-dong/tiep-xuc/moi/{person_al1.pk}/").status_code == 200
    response = client.post(f"/van-dong/tiep-xuc/moi/{person_al1.pk}/",
                           {"on": "2026-03-10", "channel": "visit", "outcome": "interested"})
    assert response.status_code == 403
    assert client.post("/van-dong/buoi/moi/", {}).status_code == 403
