"""Saving a reminder template is an office-wide change: the director's of that office (or an
administrator's), whatever channel calls it. A refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from ansinh.core.permissions import NotPermitted
from ansinh.core.scoping import OutOfTerritory
from ansinh.reminders import actions
from ansinh.reminders.models import ReminderTemplate

BODY = "Chậm đóng: {ho_ten}, {so_tien}"


def test_staff_and_agents_save_no_template(world: Any, staff_al2: Any, agent_al3: Any) -> None:
    for actor in (staff_al2, agent_al3):
        with pytest.raises(NotPermitted):
            actions.save_template(world["office"], code="late", channel="sms", body=BODY,
                                  active=True, actor=actor)
    assert not ReminderTemplate.objects.filter(office__isnull=False).exists()


def test_the_director_of_another_office_saves_none_here(world: Any,
                                                        director_elsewhere: Any) -> None:
    with pytest.raises(OutOfTerritory):
        actions.save_template(world["office"], code="late", channel="sms", body=BODY,
                              active=True, actor=director_elsewhere)
    assert not ReminderTemplate.objects.filter(office__isnull=False).exists()


def test_the_director_saves_their_offices_own(world: Any, director: Any) -> None:
    saved = actions.save_template(world["office"], code="late", channel="sms", body=BODY,
                                  active=True, actor=director)
    assert (saved.office, saved.body) == (world["office"], BODY)
