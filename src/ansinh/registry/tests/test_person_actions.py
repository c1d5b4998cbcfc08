"""Register actions check the actor's role and territory whatever channel calls them: an agent
of another commune, or a viewer, changes nothing, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ansinh.core.models import AuditEntry
from ansinh.core.permissions import NotPermitted
from ansinh.core.scoping import OutOfTerritory
from ansinh.registry import actions
from ansinh.registry.models import Household, HouseholdPoverty, Person, Village


def _person(commune: str) -> Person:
    return Person.objects.filter(village__commune__code=commune,
                                 household__isnull=False).order_by("id").first()  # type: ignore[return-value]


def test_an_agent_of_another_commune_edits_no_person(agent_al1: Any, agent_al3: Any) -> None:
    person = _person("AL3")
    before = person.phone
    with pytest.raises(OutOfTerritory):
        actions.update_person(person, {"phone": "0999888777"}, actor=agent_al1)
    person.refresh_from_db()
    assert person.phone == before
    assert not AuditEntry.objects.filter(action="person.update").exists()
    actions.update_person(person, {"phone": "0999888777"}, actor=agent_al3)  # their own
    person.refresh_from_db()
    assert person.phone == "0999888777"


def test_a_viewer_edits_no_person(viewer_al1: Any) -> None:
    person = _person("AL1")
    with pytest.raises(NotPermitted):
        actions.update_person(person, {"phone": "0999888777"}, actor=viewer_al1)
    assert not AuditEntry.objects.filter(action="person.update").exists()


def test_a_person_is_not_moved_out_of_the_actors_territory(staff_al2: Any) -> None:
    person = _person("AL2")
    elsewhere = Village.objects.filter(commune__code="AL3").order_by("id").first()
    with pytest.raises(OutOfTerritory):
        actions.update_person(person, {"village": elsewhere}, actor=staff_al2)
    person.refresh_from_db()
    assert person.village.commune.code == "AL2"


def test_poverty_is_certified_in_the_actors_territory_only(agent_al1: Any,
                                                           staff_al2: Any) -> None:
    household = Household.objects.filter(village__commune__code="AL3").order_by("id").first()
    assert household is not None
    for outsider in (agent_al1, staff_al2):
        with pytest.raises(OutOfTerritory):
            actions.certify_poverty(household, year=2026, status="poor", source="QĐ 1",
                                    actor=outsider)
    assert not HouseholdPoverty.objects.filter(household=household, year=2026,
                                               source="QĐ 1").exists()


def test_the_edit_page_refuses_another_commune_and_viewers(agent_al1: Any, agent_al3: Any,
                                                           viewer_al1: Any) -> None:
    person = _person("AL3")
    url = reverse("registry:person_edit", args=[person.pk])
    client = Client()
    client.force_login(agent_al1)
    assert client.post(url, {"full_name": "Đổi tên"}).status_code == 404  # not even visible
    client.force_login(viewer_al1)
    assert client.get(reverse("registry:person_edit", args=[_person("AL1").pk])
                      ).status_code == 403
    person.refresh_from_db()
    assert person.full_name != "Đổi tên"
    client.force_login(agent_al3)
    assert client.get(url).status_code == 200
