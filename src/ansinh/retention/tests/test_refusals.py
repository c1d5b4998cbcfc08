"""Retention actions check the role and the territory whatever channel calls them: an agent
of A Lưới 1 opens no case and records no session in A Lưới 3; the case run over the office is
the director's (or the system's). A refusal writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ansinh.core.models import AuditEntry
from ansinh.core.permissions import NotPermitted
from ansinh.core.scoping import OutOfTerritory
from ansinh.outreach.tests.helpers import prospects
from ansinh.retention import actions
from ansinh.retention.models import Reason, RetentionCase, Session

ON = date(2026, 3, 31)


def test_an_agent_of_another_commune_opens_no_case_there(agent_al1: Any) -> None:
    person = prospects("AL3", 1)[0]
    with pytest.raises(OutOfTerritory):
        actions.open_case(person=person, reason=Reason.WANTS_LUMP_SUM, on=ON, actor=agent_al1)
    assert not RetentionCase.objects.exists()


def test_an_agent_of_another_commune_records_no_session(agent_al1: Any,
                                                        agent_al3: Any) -> None:
    case = actions.open_case(person=prospects("AL3", 1)[0], reason=Reason.WANTS_LUMP_SUM,
                             on=ON, actor=agent_al3)
    audited = AuditEntry.objects.count()
    with pytest.raises(OutOfTerritory):
        actions.record_session(case, actor=agent_al1, on=ON, outcome="retained", figures={})
    case.refresh_from_db()
    assert (case.status, Session.objects.count(), AuditEntry.objects.count()) == (
        "open", 0, audited)


def test_a_viewer_opens_no_case(viewer_al1: Any) -> None:
    with pytest.raises(NotPermitted):
        actions.open_case(person=prospects("AL1", 1)[0], reason=Reason.WANTS_LUMP_SUM, on=ON,
                          actor=viewer_al1)
    assert not RetentionCase.objects.exists()


def test_the_office_wide_case_run_is_the_directors(world: Any, director: Any, staff_al2: Any,
                                                   director_elsewhere: Any) -> None:
    office = world["office"]
    with pytest.raises(NotPermitted):
        actions.open_lapse_cases(office, ON, actor=staff_al2)
    with pytest.raises(OutOfTerritory):
        actions.open_lapse_cases(office, ON, actor=director_elsewhere)
    assert actions.open_lapse_cases(office, ON, actor=director) == 0
    assert actions.open_lapse_cases(office, ON) == 0  # the system (the daily job)
