"""Targets, their allocation, rewards and hand-overs are office-wide decisions: the director's
of that office (or an administrator's, or the system's), whatever channel calls them. Staff and
agents are refused by their role, the director of another office by the office; nothing is
written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ansinh.core.models import AuditEntry
from ansinh.core.periods import parse_period
from ansinh.core.permissions import NotPermitted
from ansinh.core.scoping import OutOfTerritory
from ansinh.network import actions
from ansinh.network.models import Assignment, Metric, Reward, Target, TargetVersion, UnitKind
from ansinh.registry.models import Commune

YEAR = parse_period("2026")
ON = date(2026, 4, 1)


@pytest.fixture
def office_target(world: dict[str, Any], director: Any) -> Target:
    return actions.set_target(office=world["office"], period=YEAR, metric=Metric.ACTIVE,
                              unit_kind=UnitKind.OFFICE, unit=None, value=3229,
                              effective_on=date(2026, 1, 1), actor=director)


def _outsiders(staff_al2: Any, agent_al3: Any, director_elsewhere: Any
               ) -> list[tuple[Any, type[Exception]]]:
    return [(staff_al2, NotPermitted), (agent_al3, NotPermitted),
            (director_elsewhere, OutOfTerritory)]


def _written() -> tuple[int, int, int, int]:
    return (TargetVersion.objects.count(), Reward.objects.count(), Assignment.objects.count(),
            AuditEntry.objects.count())


def test_only_the_offices_director_sets_and_shares_out_targets(
        world: dict[str, Any], office_target: Target, staff_al2: Any, agent_al3: Any,
        director_elsewhere: Any) -> None:
    commune = Commune.objects.get(code="AL2")
    before = _written()
    for actor, refusal in _outsiders(staff_al2, agent_al3, director_elsewhere):
        with pytest.raises(refusal):
            actions.set_target(office=world["office"], period=YEAR, metric=Metric.ACTIVE,
                               unit_kind=UnitKind.OFFICE, unit=None, value=9999,
                               effective_on=ON, actor=actor)
        with pytest.raises(refusal):
            actions.allocate(office_target, UnitKind.COMMUNE, {commune.pk: 100},
                             effective_on=ON, actor=actor)
    assert _written() == before


def test_only_the_offices_director_records_rewards(world: dict[str, Any], staff_al2: Any,
                                                   agent_al3: Any,
                                                   director_elsewhere: Any) -> None:
    for actor, refusal in _outsiders(staff_al2, agent_al3, director_elsewhere):
        with pytest.raises(refusal):
            actions.record_reward(office=world["office"], recipient_kind="collective",
                                  recipient_name="Xã A Lưới 2", title="Giấy khen",
                                  reason="Vượt chỉ tiêu", decision_number="1/QĐ",
                                  decision_date=ON, actor=actor)
    assert not Reward.objects.exists()


def test_only_the_offices_director_hands_over(world: dict[str, Any], staff_al2: Any,
                                              agent_al3: Any, director_elsewhere: Any) -> None:
    leaving, substitute = world["users"]["thu31"], world["users"]["thu32"]
    before = _written()
    for actor, refusal in _outsiders(staff_al2, agent_al3, director_elsewhere):
        with pytest.raises(refusal):
            actions.hand_over(leaving, substitute=substitute, on=ON, actor=actor)
    assert _written() == before
    assert Assignment.objects.filter(user=leaving, ends_on__isnull=True).exists()
