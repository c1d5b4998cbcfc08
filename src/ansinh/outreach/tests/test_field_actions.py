"""What the phone's outbox needs of outreach: a follow-up moved to another day (audited, the
person's version moves on), a new person added once under the phone's uuid."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry
from ansinh.outreach import actions
from ansinh.registry.models import Person

from .helpers import prospects


def test_a_follow_up_moves_to_another_day(world: Any, agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    contact = actions.record_contact(actor=agent_al3, person=person, on=date(2026, 3, 1),
                                     channel="visit", outcome="follow_up",
                                     next_follow_up_on=date(2026, 3, 8))
    before = Person.objects.get(pk=person.pk).sync_version
    moved = actions.reschedule_follow_up(contact, actor=agent_al3, on=date(2026, 3, 15),
                                         note="đi rẫy")
    assert moved.next_follow_up_on == date(2026, 3, 15) and moved.follow_up_open
    entry = AuditEntry.objects.get(action=actions.FOLLOW_UP_RESCHEDULE)
    assert entry.changes == {"next_follow_up_on": ["2026-03-08", "2026-03-15"]}
    assert Person.objects.get(pk=person.pk).sync_version > before
    with pytest.raises(Refused):
        actions.reschedule_follow_up(contact, actor=agent_al3, on=date(2026, 2, 1))
    actions.close_follow_up(contact, actor=agent_al3)
    with pytest.raises(Refused):
        actions.reschedule_follow_up(contact, actor=agent_al3, on=date(2026, 3, 20))


def test_another_communes_follow_up_is_out_of_reach(world: Any, agent_al3: Any,
                                                    director: Any) -> None:
    person = prospects("AL1", 1)[0]
    contact = actions.record_contact(actor=director, person=person, on=date(2026, 3, 1),
                                     channel="visit", outcome="follow_up",
                                     next_follow_up_on=date(2026, 3, 8))
    with pytest.raises(Refused):
        actions.reschedule_follow_up(contact, actor=agent_al3, on=date(2026, 3, 15))


def test_a_new_person_is_added_once_under_the_phones_uuid(world: Any, agent_al3: Any) -> None:
    village = prospects("AL3", 1)[0].village
    key = uuid.uuid4()
    first = actions.add_new_person(actor=agent_al3, village=village, full_name="Hồ Thị Mới",
                                   birth_date=date(1990, 5, 1), sex="F", uuid=key)
    again = actions.add_new_person(actor=agent_al3, village=village, full_name="Hồ Thị Mới",
                                   birth_date=date(1990, 5, 1), sex="F", uuid=key)
    assert first.pk == again.pk and first.uuid == key
    assert Person.objects.filter(full_name="Hồ Thị Mới").count() == 1
