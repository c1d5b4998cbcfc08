"""Scoping: who sees which persons, through the helper and through the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.core.models import Office, Role, User
from ansinh.core.scoping import scoped, visible_villages
from ansinh.network.models import Assignment
from ansinh.registry.models import Commune, Household, Person, Village


def _communes(qs: Any) -> set[str]:
    return set(qs.values_list("village__commune__code", flat=True).distinct())


def test_agent_of_a_luoi_3_sees_nobody_of_a_luoi_1(agent_al3: User) -> None:
    visible = scoped(agent_al3, Person.objects.all())
    assert visible.exists()
    assert _communes(visible) == {"AL3"}
    assert not visible.filter(village__commune__code="AL1").exists()


def test_director_sees_the_whole_office(director: User) -> None:
    assert scoped(director, Person.objects.all()).count() == Person.objects.count()


def test_viewer_sees_their_commune_only(viewer_al1: User) -> None:
    assert _communes(scoped(viewer_al1, Person.objects.all())) == {"AL1"}
    assert set(scoped(viewer_al1, Commune.objects.all()).values_list("code", flat=True)) == {"AL1"}


def test_staff_with_a_village_assignment_sees_that_village_too(staff_al2: User) -> None:
    village = Village.objects.get(code="AL5-01")
    Assignment.objects.create(user=staff_al2, village=village, starts_on="2025-01-01")
    assert _communes(scoped(staff_al2, Person.objects.all())) == {"AL2", "AL5"}
    assert set(scoped(staff_al2, Household.objects.all()).values_list(
        "village__commune__code", flat=True).distinct()) == {"AL2", "AL5"}


def test_an_ended_assignment_shows_nothing(staff_al2: User) -> None:
    Assignment.objects.filter(user=staff_al2).update(ends_on="2025-06-30")
    assert not scoped(staff_al2, Person.objects.all()).exists()
    assert not visible_villages(staff_al2).exists()


def test_director_of_another_office_sees_nothing(world: dict[str, Any]) -> None:
    other = Office.objects.create(code="PL", name="BHXH cơ sở Phong Điền")
    boss = User.objects.create(username="other", role=Role.DIRECTOR, office=other)
    assert not scoped(boss, Person.objects.all()).exists()


@pytest.fixture
def agent_client(client: Client, agent_al3: User) -> Client:
    client.force_login(agent_al3)
    return client


def test_register_page_of_an_agent_lists_only_their_commune(agent_client: Client) -> None:
    outsider = Person.objects.filter(village__commune__code="AL1").first()
    assert outsider is not None
    response = agent_client.get("/so-doi-tuong/", {"q": outsider.name_folded})
    assert outsider.national_id is None or outsider.national_id.encode() not in response.content
    page = response.context["page"]
    assert all(person.village.commune.code == "AL3" for person in page)
    everything = agent_client.get("/so-doi-tuong/")
    assert everything.context["page"].paginator.count == Person.objects.filter(
        village__commune__code="AL3").count()


def test_detail_of_someone_outside_the_territory_is_404(agent_client: Client) -> None:
    outsider = Person.objects.filter(village__commune__code="AL1").first()
    insider = Person.objects.filter(village__commune__code="AL3").first()
    assert outsider is not None and insider is not None
    assert agent_client.get(f"/so-doi-tuong/doi-tuong/{outsider.pk}/").status_code == 404
    assert agent_client.get(f"/so-doi-tuong/doi-tuong/{insider.pk}/").status_code == 200
    assert agent_client.get(f"/so-doi-tuong/ho/{outsider.household_id}/").status_code == 404


def test_export_is_scoped(agent_client: Client) -> None:
    response = agent_client.get("/so-doi-tuong/xuat.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = body.strip().splitlines()[1:]
    assert rows and all(",A Lưới 3," in row for row in rows)
