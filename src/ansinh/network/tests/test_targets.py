"""Setting, allocating and reallocating targets: append-only versions, never over the parent."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ansinh.core.models import AuditEntry, User
from ansinh.core.periods import parse_period
from ansinh.network import actions
from ansinh.network.actions import allocate, set_target, value_on
from ansinh.network.errors import NetworkError
from ansinh.network.models import (
    Agent,
    CollectionOrganisation,
    Metric,
    Target,
    TargetVersion,
    UnitKind,
)
from ansinh.registry.models import Commune, Village

YEAR = parse_period("2026")


@pytest.fixture
def office_target(world: dict[str, Any], director: User) -> Target:
    return set_target(office=world["office"], period=YEAR, metric=Metric.ACTIVE,
                      unit_kind=UnitKind.OFFICE, unit=None, value=3229,
                      effective_on=date(2026, 1, 1), actor=director, reason="Kế hoạch 2026")


def _communes() -> dict[str, Commune]:
    return {c.code: c for c in Commune.objects.all()}


def test_director_allocates_the_office_target_to_communes(office_target: Target,
                                                          director: User) -> None:
    communes = _communes()
    values = {communes["AL1"].id: 700, communes["AL2"].id: 700, communes["AL3"].id: 700,
              communes["AL4"].id: 700}
    allocate(office_target, UnitKind.COMMUNE, values, effective_on=date(2026, 1, 1),
             actor=director)
    assert actions.children_total(office_target, UnitKind.COMMUNE, date(2026, 1, 1)) == 2800
    # what remains shows as unallocated; AL5 can take at most that
    with pytest.raises(NetworkError) as refused:
        allocate(office_target, UnitKind.COMMUNE, {communes["AL5"].id: 430},
                 effective_on=date(2026, 1, 1), actor=director)
    assert "vượt" in refused.value.vi and "exceeds" in refused.value.en
    allocate(office_target, UnitKind.COMMUNE, {communes["AL5"].id: 429},
             effective_on=date(2026, 1, 1), actor=director)
    assert actions.children_total(office_target, UnitKind.COMMUNE, date(2026, 1, 1)) == 3229
    assert AuditEntry.objects.filter(action="target.set").count() == 6


def test_mid_year_reallocation_keeps_the_history(office_target: Target, director: User) -> None:
    communes = _communes()
    first = {c.id: 3229 // 5 for c in communes.values()}
    allocate(office_target, UnitKind.COMMUNE, first, effective_on=date(2026, 1, 1),
             actor=director)
    giver, taker = communes["AL5"], communes["AL2"]
    # moving 40 in one step: the total never exceeds the office target
    allocate(office_target, UnitKind.COMMUNE,
             {giver.id: first[giver.id] - 40, taker.id: first[taker.id] + 40},
             effective_on=date(2026, 7, 1), actor=director, reason="Điều chỉnh giữa năm")
    slot = Target.objects.get(unit_key=f"commune:{taker.id}", metric=Metric.ACTIVE)
    versions = list(slot.versions.all())
    assert [v.value for v in versions] == [645, 685]
    assert value_on(versions, date(2026, 6, 30)) == 645
    assert value_on(versions, date(2026, 7, 1)) == 685
    assert value_on(versions, date(2026, 7, 2)) == 685
    # nothing was edited or deleted: one version per decision
    assert TargetVersion.objects.filter(target__unit_kind=UnitKind.COMMUNE).count() == 7


def test_an_unchanged_value_adds_no_version(office_target: Target, director: User) -> None:
    set_target(office=office_target.office, period=YEAR, metric=Metric.ACTIVE,
               unit_kind=UnitKind.OFFICE, unit=None, value=3229,
               effective_on=date(2026, 3, 1), actor=director)
    assert office_target.versions.count() == 1


def test_organisations_allocate_to_their_own_agents_only(office_target: Target,
                                                         director: User) -> None:
    post = CollectionOrganisation.objects.get(code="BD-AL")
    allocate(office_target, UnitKind.ORGANISATION, {post.id: 600},
             effective_on=date(2026, 1, 1), actor=director)
    post_target = Target.objects.get(unit_key=f"organisation:{post.id}")
    own = list(Agent.objects.filter(organisation=post))
    stranger = Agent.objects.exclude(organisation=post).first()
    assert own and stranger is not None
    allocate(post_target, UnitKind.AGENT, {agent.id: 600 // len(own) for agent in own},
             effective_on=date(2026, 1, 1), actor=director)
    with pytest.raises(NetworkError):
        allocate(post_target, UnitKind.AGENT, {stranger.id: 1},
                 effective_on=date(2026, 1, 1), actor=director)
    with pytest.raises(NetworkError):  # an organisation's target is not split among villages
        allocate(post_target, UnitKind.VILLAGE, {Village.objects.first().id: 1},  # type: ignore[union-attr]
                 effective_on=date(2026, 1, 1), actor=director)


def test_target_history_before_the_first_version_uses_the_first(office_target: Target) -> None:
    assert value_on(list(office_target.versions.all()), date(2025, 12, 31)) == 3229


def test_a_unit_of_another_office_is_refused(office_target: Target, director: User) -> None:
    from ansinh.core.models import Office
    from ansinh.registry.models import Province

    other = Office.objects.create(code="PD", name="BHXH cơ sở Phong Điền")
    commune = Commune.objects.create(office=other, province=Province.objects.get(),
                                     code="PD1", name="Phong Điền 1")
    with pytest.raises(NetworkError):
        set_target(office=office_target.office, period=YEAR, metric=Metric.NEW,
                   unit_kind=UnitKind.COMMUNE, unit=commune, value=1,
                   effective_on=date(2026, 1, 1), actor=director)


def test_periods_parse() -> None:
    assert parse_period("2026-Q3").start == date(2026, 7, 1)
    assert parse_period("2026-Q3").end == date(2026, 9, 30)
    assert parse_period("2026-07").end == date(2026, 7, 31)
    assert parse_period("2026").end == date(2026, 12, 31)
    with pytest.raises(ValueError, match="2026-Q3"):
        parse_period("2026-Q5")


def test_allocation_page_shows_unallocated_and_saves(client: Any, office_target: Target,
                                                     director: User) -> None:
    client.force_login(director)
    communes = _communes()
    url = f"/chi-tieu/{office_target.pk}/phan-bo/commune/"
    data = {"effective_on": "2026-01-01", "reason": "Kế hoạch"}
    data |= {f"unit_{c.id}": "600" for c in communes.values()}
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get("/chi-tieu/?period=2026&metric=active")
    assert page.status_code == 200
    section = page.context["sections"][0]
    assert section["allocated"] == 3000 and section["unallocated"] == 229
    assert 'data-unallocated="commune">229<' in page.content.decode()


def test_staff_reads_targets_but_cannot_allocate(client: Any, office_target: Target,
                                                 staff_al2: User) -> None:
    client.force_login(staff_al2)
    assert client.get("/chi-tieu/").status_code == 200
    url = f"/chi-tieu/{office_target.pk}/phan-bo/commune/"
    assert client.post(url, {"effective_on": "2026-01-01"}).status_code == 403


@pytest.mark.parametrize("persona", ["viewer_al1", "agent_al3"])
def test_viewers_and_agents_do_not_open_the_target_pages(client: Any, persona: str,
                                                         request: Any) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/chi-tieu/").status_code == 403
    assert client.get("/chi-tieu/ban-giao/").status_code == 403
    assert client.post("/chi-tieu/khen-thuong/moi/", {}).status_code == 403
